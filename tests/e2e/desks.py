"""Two desks on one studio database, each a real app window with its own data folder.

Desk 1 and Desk 2 are two likeness-studio processes (two tauri-drivers, two XDG_DATA_HOMEs)
whose settings name the same PostgreSQL database (the private cluster run.sh starts). Desk 1
enrolls an AI character and pays; Desk 2 lists it within seconds without being asked; the
studio's daily cap, set once for both, then refuses Desk 2's payment in words. Standard library
only; the shared parts are in harness.py.
"""

import json
import os
import subprocess
import time

from harness import (APP, TIMINGS, Window, blur, check, dom_text, drive, free_port, shown_price,
                     wait_dom_text)

URL = os.environ["E2E_DATABASE_URL"]
CLI = os.environ["E2E_CLI"]
WORK = os.environ["E2E_WORK"]


def desk_settings(data_home, desk):
    """The settings file as the app's store keeps it: the studio database and who runs the desk."""
    folder = os.path.join(data_home, "studio.likeness.app")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "settings.json"), "w") as f:
        json.dump({"settings": {"studioDatabase": {"url": URL, "desk": desk, "network": ""},
                                "operatorName": f"Operator at {desk}",
                                "rehearsalPort": free_port(), "callbackPort": free_port()}}, f)


def second_driver(data_home):
    """A tauri-driver whose app runs with Desk 2's data folder."""
    port, native = free_port(), free_port()
    env = dict(os.environ, XDG_DATA_HOME=data_home)
    log = open(os.path.join(os.environ["E2E_OUT"], "tauri-driver-desk2.log"), "w")
    proc = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    time.sleep(1.0)
    return proc, f"http://127.0.0.1:{port}"


def portrait_form(w, photos, name):
    w.click("#nav-session")
    if w.find("#subject-portrait") is None:
        w.click("#new-session")
    w.click("#subject-portrait")
    w.type("#portrait-name", name)
    w.type("#portrait-photo-url", photos + "/face.jpg")
    blur(w)
    w.wait("#portrait-photo-preview", 40)
    w.click("#portrait-get-price")


def run(photos):
    # The studio's caps, once for every desk: one enrollment's worth today.
    out = subprocess.run([CLI, "--database-url", URL, "--json", "caps", "set", "--daily-usd", "0.01",
                          "--per-payment-usd", "0.01"], capture_output=True, text=True, timeout=60)
    check("the studio's daily cap is set for every desk", out.returncode == 0, out.stderr[-300:])

    desk_settings(os.environ["XDG_DATA_HOME"], "Desk 1")
    home2 = os.path.join(WORK, "data-desk2")
    desk_settings(home2, "Desk 2")
    driver2, url2 = second_driver(home2)
    try:
        one = Window()
        two = Window(url2)
        for w, desk in ((one, "Desk 1"), (two, "Desk 2")):
            w.wait("#nav-settings", 60)
            w.click("#nav-settings")
            used = wait_dom_text(w, "#library-in-use", lambda t: "studio database" in t, 30)
            check(f"{desk} works on the studio database, as itself", desk in used, used)
        one.shot("50-desk1-studio-database")

        two.click("#nav-library")
        two.click("#library-view-list")
        portrait_form(one, photos, "Robo Presenter")
        text = shown_price(one, "#portrait-price", "51-desk1-price")
        check("Desk 1: the price is shown before paying", "$0.01" in text, text)
        one.click("#portrait-pay")
        asset = one.wait("#portrait-asset-id", 60, what=lambda e: one.text(e).strip().startswith("ta_"))
        asset_id = one.text(asset).strip()
        t0 = time.time()
        row = two.wait(f".face-row[data-asset-id='{asset_id}']", 10)
        seen = time.time() - t0
        TIMINGS["face_seen_at_other_desk_seconds"] = round(seen, 2)
        check("Desk 2 lists Desk 1's new face without being asked (within 2 s of the answer)", seen <= 2.0,
              f"{seen:.2f} s")
        two.shot("52-desk2-sees-the-face")

        # Desk 2 asks for a price: the studio's cap, already spent at Desk 1, refuses it there.
        portrait_form(two, photos, "Second Presenter")
        refusal = wait_dom_text(two, "#portrait-error", lambda t: "daily cap" in t, 30)
        check("the shared cap refuses Desk 2's payment in words, before anything is signed",
              "today's spending to $0.02, above the $0.01 daily cap" in refusal
              and "Nothing was signed" in refusal, refusal)
        check("and no price to pay is offered", two.find("#portrait-pay") is None)
        two.shot("54-desk2-cap-refused")
        one.close()
        two.close()
    finally:
        driver2.terminate()
        driver2.wait(10)


if __name__ == "__main__":
    drive(run, "timings-desks.json")
