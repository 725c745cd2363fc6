"""What the end-to-end runs share: the HTTPS photo host, a minimal WebDriver client for the real
window, the talent's phone (HTTP calls to the Rehearsal liveness page, the same calls its buttons
make), and the driver's lifecycle. Standard library only.
"""

import http.client
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

WORK = os.environ["E2E_WORK"]
# One app data folder per run (XDG_DATA_HOME, set by run.sh); the app keeps its files under it.
DATA = os.path.join(os.environ["XDG_DATA_HOME"], "studio.likeness.app")
OUT = os.environ["E2E_OUT"]
APP = os.environ["E2E_APP"]
DRIVER = "http://127.0.0.1:4444"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
PASSED = []
TIMINGS = {}


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name}: {detail}")
    PASSED.append(name)
    print(f"ok - {name}", flush=True)


# --- the HTTPS photo host -------------------------------------------------------------------
class Photos(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=os.path.join(WORK, "photos"), **kw)

    def do_GET(self):
        if self.path.startswith("/huge.jpg"):
            # 50 MB announced; the app must refuse on the header, before downloading it.
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                chunk = b"\xff\xd8\xff\xe0" + b"\0" * (1 << 20)
                for _ in range(50):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the app hung up after reading the header, as it should
            return
        if self.path.startswith("/page.jpg"):
            body = open(os.path.join(WORK, "photos", "page.jpg"), "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # aborted downloads are the expected outcome of the 50 MB case


def start_photo_host():
    server = QuietServer(("127.0.0.1", 0), Photos)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem"))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"https://localhost:{server.server_address[1]}"


# --- a minimal WebDriver client ---------------------------------------------------------------
def wd(method, path, body=None, timeout=60, driver=None):
    data = None if body is None else json.dumps(body).encode()
    # tauri-driver's proxy sometimes reuses a connection WebKitWebDriver already closed and
    # drops the request before forwarding it ("client error (SendRequest)"); resending is safe.
    for attempt in range(4):
        req = urllib.request.Request((driver or DRIVER) + path, data=data, method=method,
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


class Window:
    def __init__(self, driver=None):
        """A new app window through tauri-driver at `driver` (the run's own at port 4444 by default)."""
        self.driver = driver
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": APP}}}}
        self.sid = self.wd("POST", "/session", caps, timeout=120)["sessionId"]

    def wd(self, *args, **kwargs):
        return wd(*args, driver=self.driver, **kwargs)

    def find(self, css):
        """A CSS selector, or an XPath when it starts with / or (."""
        try:
            using = "xpath" if css.startswith(("/", "(")) else "css selector"
            found = self.wd("POST", f"/session/{self.sid}/element", {"using": using, "value": css})
        except RuntimeError as e:
            if os.environ.get("E2E_DEBUG"):
                print("find", css, e, flush=True)
            return None
        if os.environ.get("E2E_DEBUG"):
            print("found", css, found, flush=True)
        return found.get(ELEMENT) if isinstance(found, dict) else None

    def wait(self, css, timeout=30, what=None):
        end = time.time() + timeout
        while time.time() < end:
            el = self.find(css)
            if el and (what is None or what(el)):
                return el
            time.sleep(0.25)
        self.shot("failure")
        raise AssertionError(f"timed out waiting for {css}")

    def text(self, el):
        return self.wd("GET", f"/session/{self.sid}/element/{el}/text")

    def attr(self, el, name):
        return self.wd("GET", f"/session/{self.sid}/element/{el}/attribute/{name}")

    def prop(self, el, name):
        return self.wd("GET", f"/session/{self.sid}/element/{el}/property/{name}")

    def enabled(self, el):
        return self.wd("GET", f"/session/{self.sid}/element/{el}/enabled")

    def visible(self, el):
        return self.wd("GET", f"/session/{self.sid}/element/{el}/displayed")

    def type(self, css, text, clear=True):
        # WebKitWebDriver now and then answers a key event with a bare 500 "unknown error" (an
        # empty message) while the window is still taking focus after launch; the field is
        # found again and the keys sent again, a few times at most.
        for attempt in range(4):
            el = self.wait(css)
            try:
                if clear:
                    self.wd("POST", f"/session/{self.sid}/element/{el}/clear", {})
                if text:
                    self.wd("POST", f"/session/{self.sid}/element/{el}/value", {"text": text})
                return el
            except RuntimeError as e:
                if attempt == 3 or '"unknown error","message":""' not in str(e):
                    raise
                time.sleep(0.5)

    def click(self, css, timeout=30):
        el = self.wait(css, timeout, what=self.enabled)
        self.wd("POST", f"/session/{self.sid}/element/{el}/click", {})

    def js(self, script, *args):
        return self.wd("POST", f"/session/{self.sid}/execute/sync", {"script": script, "args": list(args)})

    def shot(self, name):
        # WebKit can paint a DOM change a frame or two late: wait for two frames (at most half a
        # second) so the picture shows what the checks just read.
        try:
            self.wd("POST", f"/session/{self.sid}/execute/async", {"script": """
                const done = arguments[arguments.length - 1];
                setTimeout(done, 500);
                requestAnimationFrame(() => requestAnimationFrame(() => done(true)));""", "args": []})
        except RuntimeError:
            pass
        # The picture comes from the X display, cropped to the window: what is really on screen.
        # WebKitWebDriver's own screenshot waits for a repaint, which never comes in WebKitGTK's
        # non-composited mode (the app's default on Linux) when nothing changed since the last one.
        x, y, width, height = self.js(
            "return [window.screenX, window.screenY, window.innerWidth, window.innerHeight]")
        subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+{x}+{y}", "+repage",
                        os.path.join(OUT, f"{name}.png")], check=True, timeout=30)

    def close(self):
        try:
            self.wd("DELETE", f"/session/{self.sid}")
        except Exception:
            pass


def error_text(w, css):
    el = w.wait(css, 30, what=lambda e: w.visible(e) and w.text(e).strip() != "")
    return w.text(el)


def blur(w):
    w.js("document.activeElement && document.activeElement.blur()")


# --- the phone ---------------------------------------------------------------------------------
def phone_opens(link):
    """What the phone page's script does first: ask for its session by the token in its link."""
    q = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    token = (q.get("sessionToken") or q.get("bytedToken"))[0]
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(link))
    api = origin + "/h5/api/session?" + urllib.parse.urlencode({"sessionToken": token})
    with urllib.request.urlopen(api, timeout=10) as r:
        return json.loads(r.read())


def phone_completes(link):
    page = urllib.request.urlopen(link, timeout=10).read().decode()
    check("phone page loads from the QR link", "camera" in page.lower(), page[:200])
    q = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    token = q["sessionToken"][0]
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(link))
    for step in ("camera", "nod", "blink"):
        req = urllib.request.Request(origin + "/h5/api/step", method="POST",
                                     data=json.dumps({"sessionToken": token, "step": step}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = json.loads(r.read())
    check("phone reaches 'Verification completed'", "complet" in json.dumps(body).lower(), json.dumps(body))


def phone_returns(link):
    """A BytePlus phone: the same steps, then the page sends the phone to the studio's callback."""
    page = urllib.request.urlopen(link, timeout=10).read().decode()
    check("BytePlus phone page loads from the QR link", "camera" in page.lower(), page[:200])
    q = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    token = q["bytedToken"][0]
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(link))
    for step in ("camera", "nod", "blink"):
        req = urllib.request.Request(origin + "/h5/api/step", method="POST",
                                     data=json.dumps({"sessionToken": token, "step": step}).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()
    session = json.loads(urllib.request.urlopen(
        origin + "/h5/api/session?sessionToken=" + urllib.parse.quote(token), timeout=10).read())
    redirect = session.get("callback_redirect") or ""
    check("the phone is sent back to the studio's LAN callback",
          "/liveness/done" in redirect and "resultCode=10000" in redirect, redirect)
    done = urllib.request.urlopen(redirect, timeout=10).read().decode()
    check("the phone says to hand it back", "hand the phone back" in done, done[:300])


def mp4_boxes(path):
    """The top-level ISO BMFF boxes of a file: what makes it a playable MP4."""
    data = open(path, "rb").read()
    boxes, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[at + 8:at + 16], "big")
        if size < 8 or at + size > len(data):
            raise AssertionError(f"box {kind!r} at {at} runs past the end")
        boxes.append(kind)
        at += size
    return boxes, len(data)


def talent_agrees(w, name, shots=None):
    """Start was pressed: Show to talent opens the talent's own window; there the talent reads the
    release, types their name and presses I agree (the operator's window cannot). Returns the
    release text they saw, back in the operator's window."""
    main = w.wd("GET", f"/session/{w.sid}/window")
    w.wait("#consent-waiting", 30)
    # Opens the talent's window, or turns the open one to this session.
    w.click("#show-talent")
    talent = None
    for _ in range(100):
        handles = w.wd("GET", f"/session/{w.sid}/window/handles")
        others = [h for h in handles if h != main]
        if others:
            talent = others[0]
            break
        time.sleep(0.1)
    check("Show to talent opens the talent's own window", talent is not None)
    w.wd("POST", f"/session/{w.sid}/window", {"handle": talent})
    try:
        release = wait_dom_text(w, "#release-text", lambda t: len(t.strip()) > 20, 30)
        w.type("#typed-name", name)
        if shots:
            w.shot(shots[0])
        w.click("#agree")
        w.wait("#talent-qr svg", 30)
        if shots:
            TIMINGS["talent_qr_height_fraction"] = w.js(
                "return document.querySelector('#talent-qr svg').getBoundingClientRect().height / window.innerHeight")
            w.shot(shots[1])
        # Without a window manager (Xvfb) the talent's window would sit over the operator's in
        # every later screenshot: once photographed it moves aside, as onto a second screen.
        try:
            w.wd("POST", f"/session/{w.sid}/window/rect", {"x": 1280, "y": 0})
        except RuntimeError as e:
            print(f"# the talent's window could not be moved aside: {e}", flush=True)
    finally:
        w.wd("POST", f"/session/{w.sid}/window", {"handle": main})
    w.wait("#qr svg", 30)
    return release


def shown_price(w, panel, shot):
    """Waits for a price panel, keeps a screenshot of it, and returns its words."""
    w.wait(panel, 60, what=w.visible)
    w.shot(shot)
    return w.js(f"return document.querySelector('{panel}').textContent")




def phone_step(link, step):
    """One button on the phone page: the HTTP status and the page's new state (or its error)."""
    parts = urllib.parse.urlparse(link)
    q = urllib.parse.parse_qs(parts.query)
    token = (q.get("sessionToken") or q.get("bytedToken"))[0]
    req = urllib.request.Request(f"{parts.scheme}://{parts.netloc}/h5/api/step", method="POST",
                                 data=json.dumps({"sessionToken": token, "step": step}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def phone_session(link):
    parts = urllib.parse.urlparse(link)
    q = urllib.parse.parse_qs(parts.query)
    token = (q.get("sessionToken") or q.get("bytedToken"))[0]
    url = f"{parts.scheme}://{parts.netloc}/h5/api/session?sessionToken=" + urllib.parse.quote(token)
    return json.loads(urllib.request.urlopen(url, timeout=10).read())


def dom_text(w, css):
    """textContent, which (unlike WebDriver's element text) includes ellipsis-clipped words."""
    return w.js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css)


def wait_dom_text(w, css, pred, timeout=30):
    end = time.time() + timeout
    text = None
    while time.time() < end:
        text = dom_text(w, css)
        if text is not None and pred(text):
            return text
        time.sleep(0.25)
    w.shot("failure")
    raise AssertionError(f"timed out waiting for {css}; last text: {text!r}")


# --- the driver and the app's process ------------------------------------------------------------
DRIVER_PROC = None


def _children(pid):
    # Each thread lists the children it forked (tauri-driver spawns from worker threads).
    kids = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                kids.extend(int(p) for p in f.read().split())
        except OSError:
            pass
    return kids


def app_pids():
    """The app processes this run's tauri-driver started (its descendants running $E2E_APP)."""
    target = os.path.realpath(APP)
    found, todo = [], [DRIVER_PROC.pid]
    while todo:
        pid = todo.pop()
        kids = _children(pid)
        todo.extend(kids)
        for k in kids:
            try:
                if os.path.realpath(f"/proc/{k}/exe") == target:
                    found.append(k)
            except OSError:
                pass
    return found


def kill_app(w):
    """SIGKILL the app under `w`, as a crash or a pulled plug would: nothing gets to close."""
    pids = app_pids()
    check("the app's process is found for the hard kill", len(pids) == 1, str(pids))
    os.kill(pids[0], signal.SIGKILL)
    for _ in range(100):
        if not os.path.exists(f"/proc/{pids[0]}") or open(f"/proc/{pids[0]}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.1)
    w.close()  # the session's browser is gone; WebKitWebDriver only needs to forget it
    return pids[0]


def drive(run, timings_file):
    """Starts tauri-driver, runs `run(photos)`, reports like TAP, and exits non-zero on failure."""
    global DRIVER_PROC
    started = time.time()
    try:
        photos = start_photo_host()
        name = os.path.splitext(os.path.basename(timings_file))[0]
        driver_log = open(os.path.join(OUT, f"tauri-driver-{name}.log"), "w")
        DRIVER_PROC = subprocess.Popen(["tauri-driver", "--port", "4444"], stdout=driver_log,
                                       stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", 4444), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            run(photos)
        finally:
            DRIVER_PROC.terminate()
            DRIVER_PROC.wait(10)
    except Exception as e:  # report and fail
        import traceback
        traceback.print_exc()
        print(f"not ok - {e}", flush=True)
        print(f"{len(PASSED)} passed, 1 failed ({time.time() - started:.0f} s)", flush=True)
        sys.exit(1)
    TIMINGS["wall_seconds"] = round(time.time() - started, 1)
    with open(os.path.join(OUT, timings_file), "w") as f:
        json.dump(TIMINGS, f)
    print(f"{len(PASSED)} passed, 0 failed ({TIMINGS['wall_seconds']:.0f} s)", flush=True)


def free_port():
    """A free port below Linux's ephemeral range, so no outgoing connection takes it meanwhile."""
    import random
    for _ in range(100):
        port = random.randint(20000, 30000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


def pin_rehearsal_port(w):
    """Settings → Rehearsal's port: one of this run's own, not the shared default 8402, which
    other programs on a build machine (a developer's studio, other tests) may hold while this
    app restarts; the app would then move to a random port and resumed QR links would break."""
    port = free_port()
    w.click("#nav-settings")
    w.type("#rehearsal-port", str(port))
    w.click("#save-settings")
    w.wait("#stage-base-url", 30, what=lambda e: f":{port}/" in w.text(e))
    check("Rehearsal listens on the port set in Settings", True)
    return port
