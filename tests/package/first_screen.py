"""The installed Likeness Studio shows its first screen.

Starts tauri-driver, opens a WebDriver session whose application is the INSTALLED binary
(argv[1]), waits for the session screen's name field and the five nav buttons, checks the window
title and that the core booted (its library file exists under $XDG_DATA_HOME), and saves the
window's picture (from the X display, with ImageMagick's `import`) to argv[2]. Standard library
only; run inside Xvfb and a D-Bus session.
"""

import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

APP, SHOT = sys.argv[1], sys.argv[2]
DRIVER = "http://127.0.0.1:4444"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
NAV = ["nav-session", "nav-library", "nav-generate", "nav-payments", "nav-settings"]


def wd(method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    # tauri-driver's proxy now and then reuses a connection WebKitWebDriver already closed
    # (tests/e2e/enrollment.py has the story); resending is safe for these requests.
    for attempt in range(4):
        req = urllib.request.Request(DRIVER + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:300]!r}") from None
        except (http.client.RemoteDisconnected, ConnectionResetError):
            if attempt == 3:
                raise
            time.sleep(0.2)


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok - {name}", flush=True)


def find(sid, css):
    try:
        found = wd("POST", f"/session/{sid}/element", {"using": "css selector", "value": css})
    except RuntimeError:
        return None
    return found.get(ELEMENT) if isinstance(found, dict) else None


def wait(sid, css, timeout_s=60):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        el = find(sid, css)
        if el and wd("GET", f"/session/{sid}/element/{el}/displayed"):
            return el
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {css}")


def png_size(png):
    check("screenshot is a PNG", png[:8] == b"\x89PNG\r\n\x1a\n", repr(png[:8]))
    return struct.unpack(">II", png[16:24])


def main():
    log = open(os.path.join(os.path.dirname(SHOT), "tauri-driver.log"), "w")
    driver = subprocess.Popen(["tauri-driver", "--port", "4444"], stdout=log, stderr=subprocess.STDOUT)
    sid = None
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", 4444), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": APP}}}}
        sid = wd("POST", "/session", caps, timeout=120)["sessionId"]

        name = wait(sid, "#talent-name")
        check("session screen's name field is shown and empty",
              wd("GET", f"/session/{sid}/element/{name}/property/value") == "")
        labels = []
        for nav in NAV:
            labels.append(wd("GET", f"/session/{sid}/element/{wait(sid, '#' + nav)}/text").strip())
        check("nav shows the five screens", labels == ["Session", "Library", "Generate", "Payments", "Settings"],
              str(labels))
        current = wd("GET", f"/session/{sid}/element/{wait(sid, '#nav-session')}/attribute/aria-current")
        check("the session screen is the current one", current == "page", str(current))
        title = wd("GET", f"/session/{sid}/title")
        check("window title", title == "Likeness Studio", repr(title))
        library = os.path.join(os.environ["XDG_DATA_HOME"], "studio.likeness.app", "likeness.sqlite3")
        check("the core booted: it opened its library file", os.path.isfile(library) and os.path.getsize(library) > 0, library)

        # The picture comes from the X display, cropped to the window, as tests/e2e takes it:
        # WebKitWebDriver's own screenshot waits for a repaint that never comes once the app has
        # turned WebKit's compositing off (src-tauri/src/startup.rs) and the page is still.
        x, y, w, h = wd("POST", f"/session/{sid}/execute/sync", {
            "script": "return [window.screenX, window.screenY, window.innerWidth, window.innerHeight]",
            "args": []})
        png = subprocess.run(["import", "-window", "root", "-crop", f"{w}x{h}+{x}+{y}", "+repage", "png:-"],
                             check=True, capture_output=True, timeout=30).stdout
        width, height = png_size(png)
        check("screenshot has the window's size", width >= 900 and height >= 640, f"{width}x{height}")
        with open(SHOT, "wb") as f:
            f.write(png)
        print(f"screenshot: {SHOT} ({width}x{height})", flush=True)
    finally:
        if sid:
            try:
                wd("DELETE", f"/session/{sid}")
            except Exception as e:  # the app may already be gone after a failure
                print(f"closing the session: {e}", file=sys.stderr)
        driver.terminate()
        driver.wait(10)


if __name__ == "__main__":
    main()
