"""The Library's search at 10,000 faces in the real WebKitGTK window: a measurement, not a test.

The app's data folder is given 10,000 Rehearsal faces (lone faces and portraits, and BytePlus-style
people with several files, as ui/scripts/library-perf.mjs makes for Chromium), then the window is
opened and "margaret h" is typed into the Library's search one character at a time, a few rounds.
Each keystroke is timed inside the page, as the Chromium script times it: from the input event to
the DOM updated, to the next frame, to that frame painted. Figures go to
$E2E_OUT/library-10k.json; scripts/measure-library-webkit prints them for docs/PERFORMANCE.md.
Run by `E2E_ONLY=library-10k tests/e2e/run.sh` (never in the default runs: it asserts no timing).
"""

import os
import random
import sqlite3
import subprocess
import time

from harness import DATA, TIMINGS, Window, check, drive

COUNT = 10_000
ROUNDS = int(os.environ.get("PERF_ROUNDS", "5"))
TYPED = "margaret h"
FIRST = ["Ada", "Grace", "Katherine", "Dorothy", "Mary", "Annie", "Margaret", "Hedy", "Radia", "Frances",
         "Barbara", "Joan", "Evelyn", "Sophie", "Karen", "Lynn", "Shafi", "Fei-Fei", "Zoë", "Chen", "Amara",
         "Ngozi", "Priya", "Ines", "Mateo", "Jonas", "Ravi", "Kenji", "Olu", "Sven", "Tariq", "Yusuf", "Lars",
         "Diego", "Hugo", "Aiko", "Mei", "Noor", "Leila", "Tomás"]
LAST = ["Lovelace", "Hopper", "Johnson", "Vaughan", "Jackson", "Easley", "Hamilton", "Lamarr", "Perlman",
        "Allen", "Liskov", "Clarke", "Boyd", "Wilson", "Spärck Jones", "Conway", "Goldwasser", "Li", "Okafor",
        "Nakamura", "Haddad", "Novak", "Rossi", "Silva", "Kowalski", "Andersson", "Moreau", "Fischer", "Ibrahim",
        "Mensah", "Tanaka", "Park", "Singh", "García", "Dubois", "Kim", "Ivanova", "Costa", "Weber", "Osei"]

# The timing itself is the Chromium script's (ui/scripts/keystroke-timing.js), run here as is.
TIMING = open(os.path.join(os.path.dirname(__file__), "../../ui/scripts/keystroke-timing.js")).read()
KEYSTROKE = f"const [text, done] = arguments;\n{TIMING}\nkeystrokeTiming(text).then(done);"


def seed():
    """10,000 Rehearsal faces in the app's own SQLite file, its schema made by the CLI."""
    subprocess.run([os.environ["E2E_CLI"], "--data-dir", DATA, "faces"], check=True, capture_output=True)
    rand = random.Random(20261130)
    hexs = lambda n: "".join(rand.choice("0123456789abcdef") for _ in range(n))  # noqa: E731
    rows = []
    at = int(time.time() * 1000) - 60_000
    while len(rows) < COUNT:
        name = f"{rand.choice(FIRST)} {rand.choice(LAST)}"
        at -= rand.randrange(900_000)
        if rand.random() < 0.5:
            portrait = rand.random() < 0.2
            rows.append((f"ta_{hexs(32)}", "portrait" if portrait else "real_face", name,
                         None if portrait else f"grp_{hexs(8)}", at, "image", "active"))
        else:
            group = f"group-2026{hexs(10)}-{hexs(5)}"
            for i in range(1 + rand.randrange(6)):
                if len(rows) == COUNT:
                    break
                kind = "image" if i == 0 else rand.choice(["image", "video", "audio"])
                rows.append((f"asset-2026{hexs(10)}-{hexs(5)}", "asset", name, group, at + i * 60_000, kind, "active"))
    db = sqlite3.connect(os.path.join(DATA, "likeness.sqlite3"))
    with db:
        db.executemany("""INSERT INTO faces (asset_id, provider, kind, name, image_url, group_id, enrolled_at_ms,
                                             asset_type, status)
                          VALUES (?, 'rehearsal', ?, ?, 'https://photos.example/x.jpg', ?, ?, ?, ?)""", rows)
    db.close()
    return len(rows)


def quantile(values, q):
    s = sorted(values)
    at = (len(s) - 1) * q
    lo, hi = int(at), min(int(at) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (at - lo)


def run(_photos):
    check("10,000 faces filed in the app's library", seed() == COUNT)
    w = Window()
    w.wait("#talent-name", 60)
    w.click("#nav-library")
    w.wait("#library-search", 60)
    w.wait("#library .person, #library .tile", 120)
    w.shot("30-library-10k")
    samples = []
    for _ in range(ROUNDS):
        for i in range(1, len(TYPED) + 1):
            r = w.wd("POST", f"/session/{w.sid}/execute/async", {"script": KEYSTROKE, "args": [TYPED[:i]]})
            samples.append(r)
            time.sleep(0.12)  # a typist's pace
        w.wd("POST", f"/session/{w.sid}/execute/async", {"script": KEYSTROKE, "args": [""]})
        time.sleep(0.3)
    check("every keystroke was timed", len(samples) == ROUNDS * len(TYPED))
    floor = []
    for _ in range(len(samples)):
        floor.append(w.wd("POST", f"/session/{w.sid}/execute/async", {"script": KEYSTROKE, "args": [None]}))
        # At the keystrokes' own pace, so the wait for the frame falls as theirs does.
        time.sleep(0.12)
    for key in ("dom", "frame"):
        values = [s[key] for s in floor]
        TIMINGS[f"floor_{key}_median_ms"] = round(quantile(values, 0.5), 2)
        TIMINGS[f"floor_{key}_p95_ms"] = round(quantile(values, 0.95), 2)
    for key in ("dom", "frame", "painted"):
        values = [s[key] for s in samples]
        TIMINGS[f"keystroke_{key}_median_ms"] = round(quantile(values, 0.5), 2)
        TIMINGS[f"keystroke_{key}_p95_ms"] = round(quantile(values, 0.95), 2)
        TIMINGS[f"keystroke_{key}_max_ms"] = round(max(values), 2)
    TIMINGS["samples"] = len(samples)
    TIMINGS["app"] = os.path.basename(os.path.dirname(os.environ["E2E_APP"]))
    print(TIMINGS, flush=True)
    w.close()


if __name__ == "__main__":
    drive(run, "library-10k.json")
