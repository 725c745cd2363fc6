#!/usr/bin/env bash
# End to end in the real window: builds nothing (scripts/test-all builds first), then runs the
# debug app under Xvfb inside a private D-Bus session with an unlocked gnome-keyring, drives it
# through tauri-driver + WebKitWebDriver, and keeps screenshots in artifacts/e2e/.
# Two runs, each with its own app data folder: enrollment.py (a producer's first session, the
# four provider personalities, a video) and studio.py (first launch, two talents and an expired
# QR, wallet import, a portrait, settings across a SIGKILL, a failed phone check and its retry).
# desks.py runs two app windows on one studio database (a private PostgreSQL cluster started
# here). E2E_ONLY=enrollment|studio|desks runs one of them. E2E_ONLY=library_10k runs only the
# search measurement at 10,000 faces (scripts/measure-library-webkit), never part of the default.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/artifacts/e2e"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT" "$WORK/home" "$WORK/data-enrollment" "$WORK/data-studio" "$WORK/data-desks" "$WORK/data-library_10k"

# An HTTPS photo host on loopback with its own certificate, trusted by the app via SSL_CERT_FILE.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" 2>/dev/null
cat /etc/ssl/certs/ca-certificates.crt "$WORK/cert.pem" > "$WORK/bundle.pem"
mkdir -p "$WORK/photos"
# A real portrait (public domain; tests/fixtures/photos/README.md): the photo checks look for a face.
cp "$ROOT/tests/fixtures/photos/astronaut.jpg" "$WORK/photos/face.jpg"
cp "$ROOT/tests/fixtures/photos/two_faces.jpg" "$WORK/photos/two.jpg"
printf '<!doctype html><html><body>not a photo</body></html>' > "$WORK/photos/page.jpg"
# A short talent video for a BytePlus group (tests/fixtures/media/README.md).
cp "$ROOT/tests/fixtures/media/talent-3s.mp4" "$WORK/photos/talent.mp4"

export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"
export HOME="$WORK/home"
export LIKENESS_REHEARSAL_HOST=127.0.0.1 LIKENESS_KEYRING_SERVICE=likeness-e2e
export SSL_CERT_FILE="$WORK/bundle.pem"
export E2E_WORK="$WORK" E2E_OUT="$OUT" E2E_APP="${E2E_APP:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/likeness-studio}"
export E2E_ONLY="${E2E_ONLY:-}" E2E_DIR="$ROOT/tests/e2e"
export NO_AT_BRIDGE=1 PYTHONDONTWRITEBYTECODE=1
# The desks run: two app windows on one studio database, a private PostgreSQL cluster.
export E2E_CLI="${E2E_CLI:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/likeness}"
if [ -z "$E2E_ONLY" ] || [ "$E2E_ONLY" = desks ]; then
  eval "$("$ROOT/scripts/pg-cluster" start)"
  export E2E_DATABASE_URL="$LIKENESS_TEST_DATABASE_URL"
  unset LIKENESS_TEST_DATABASE_URL
  trap '"$ROOT/scripts/pg-cluster" stop "$PG_CLUSTER_DIR"; rm -rf "$WORK"' EXIT
fi

# Both runs always go; the script fails if either did.
dbus-run-session -- bash -c '
  echo -n e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  # The desktop notifications the app sends (a video ready), as any notification service sees them.
  dbus-monitor --session "interface=org.freedesktop.Notifications" > "$E2E_WORK/notifications.log" 2>&1 &
  xvfb-run -a -s "-screen 0 1280x860x24" bash -c "
    status=0
    for run in enrollment studio desks library_10k; do
      [ -z \"\$E2E_ONLY\" ] && [ \"\$run\" = library_10k ] && continue
      [ -z \"\$E2E_ONLY\" ] || [ \"\$E2E_ONLY\" = \"\$run\" ] || continue
      echo \"# \$run\"
      XDG_DATA_HOME=\"\$E2E_WORK/data-\$run\" python3 \"\$E2E_DIR/\$run.py\" || status=1
    done
    exit \$status
  "
' 2> >(grep -v "Failed to set fd limit" >&2)
