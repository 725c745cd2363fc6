"""Cold start and idle memory of an installed Likeness Studio (run by scripts/measure-package).

Start-up: the app is spawned directly (no WebDriver, whose automation mode changes what WebKit
does) and the X root window is read with `xwd` as fast as it comes (~20–40 ms a frame). Each frame
is hashed at once; distinct frames are kept and examined after the run, so the polling costs no
more CPU than xwd itself. Three moments, each the end time of the xwd call that saw it (so an
upper bound, within one frame):
  - window mapped: the first frame that differs from the empty root;
  - first contentful paint: the first frame with the UI's content in it (at least
    MIN_COLORS distinct colours among sampled pixels: a blank window or a white webview has a
    handful, the session screen's text, nav and icons have hundreds);
  - visually complete: the first frame identical to the frame the window settles on.
Memory: IDLE_S seconds after the window settled, RSS and PSS from /proc/<pid>/smaps_rollup for the app and
every process under it (WebKitWebProcess, WebKitNetworkProcess). PSS charges shared pages once
across processes, so the PSS sum is the honest total; the RSS sum counts shared libraries in
each process.

Usage: measure.py BINARY RUNS IDLE_S OUT_JSON [--drop-caches]
       measure.py --once BINARY IDLE_S OUT_JSON   (one measured run, memory included, no warm-up:
                                                  what scripts/measure-startup runs per fresh home)
"""

import hashlib
import json
import os
import signal
import statistics
import struct
import subprocess
import sys
import time

MIN_COLORS = 40
SETTLE_S = 2.5
MAX_WAIT_S = 20.0


def xwd_frame():
    return subprocess.run(["xwd", "-root", "-silent"], capture_output=True, check=True).stdout


def colors(frame, step=4):
    """Distinct colours among every step-th pixel of every step-th row of an xwd dump."""
    header_size, _, _, _, width, height = struct.unpack(">6I", frame[:24])
    bits_per_pixel, bytes_per_line = struct.unpack(">2I", frame[44:52])
    ncolors = struct.unpack(">I", frame[76:80])[0]
    if bits_per_pixel not in (24, 32):
        raise SystemExit(f"xwd: {bits_per_pixel} bits a pixel, expected 24 or 32 (run Xvfb at 24-bit depth)")
    size = bits_per_pixel // 8
    data = memoryview(frame)[header_size + 12 * ncolors:]
    seen = set()
    for y in range(0, height, step):
        row = data[y * bytes_per_line: y * bytes_per_line + width * size]
        seen.update(bytes(row[x * size: x * size + 3]) for x in range(0, width, step))
    return len(seen)


def descendants(root_pid):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory(pid):
    with open(f"/proc/{pid}/comm") as f:
        name = f.read().strip()
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return {"pid": pid, "name": name, "rss_kib": fields["Rss"], "pss_kib": fields["Pss"],
            "uss_kib": fields["Private_Clean"] + fields["Private_Dirty"], "anonymous_kib": fields["Anonymous"]}


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def stop(proc):
    tree = descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    # The WebKit processes leave once the app's socket closes; the next run must not share them.
    end = time.monotonic() + 10
    while time.monotonic() < end and any(os.path.exists(f"/proc/{p}") for p in tree[1:]):
        time.sleep(0.05)
    for p in tree[1:]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def one_run(binary, log, idle_s=None, keep_final=None):
    empty = xwd_frame()
    empty_hash = hashlib.sha1(empty).digest()
    frames = []  # (seconds since spawn, hash, frame or None when already seen)
    kept = {}
    started = time.monotonic()
    proc = subprocess.Popen([binary], stdout=log, stderr=subprocess.STDOUT)
    last_change = None
    content_seen = False
    while True:
        frame = xwd_frame()
        at_s = time.monotonic() - started
        digest = hashlib.sha1(frame).digest()
        if digest not in kept:
            kept[digest] = frame
            # A coarse look (a few ms) only at new frames, to know when the content is there.
            content_seen = content_seen or colors(frame, step=16) >= MIN_COLORS // 2
        if not frames or frames[-1][1] != digest:
            last_change = at_s
        frames.append((at_s, digest))
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with {proc.returncode} during start-up (see the log)")
        if content_seen and at_s - last_change >= SETTLE_S:
            break
        if at_s > MAX_WAIT_S:
            break
    color_counts = {d: colors(f) for d, f in kept.items()}
    mapped = next((t for t, d in frames if d != empty_hash), None)
    contentful = next((t for t, d in frames if color_counts[d] >= MIN_COLORS), None)
    final = frames[-1][1]
    complete = next(t for t, d in frames if d == final)
    intervals = [b[0] - a[0] for a, b in zip(frames, frames[1:])]
    result = {
        "window_mapped_ms": None if mapped is None else round(mapped * 1000),
        "first_contentful_paint_ms": None if contentful is None else round(contentful * 1000),
        "visually_complete_ms": round(complete * 1000),
        "final_frame_colors": color_counts[final],
        "frame_interval_ms": round(statistics.median(intervals) * 1000, 1) if intervals else None,
        "frames": len(frames),
    }
    if idle_s is not None:
        # Idle means after the window settled, with nobody touching it.
        time.sleep(idle_s)
        procs = [memory(p) for p in descendants(proc.pid) if os.path.exists(f"/proc/{p}")]
        result["idle_after_s"] = round(time.monotonic() - started, 1)
        # Another WebKit app running at the same time shares library pages and lowers the PSS.
        ours = {p["pid"] for p in procs}
        result["other_webkit_processes"] = sorted(
            _comm(p) for p in os.listdir("/proc")
            if p.isdigit() and int(p) not in ours and _comm(p).startswith("WebKit"))
        result["processes"] = procs
        result["rss_total_kib"] = sum(p["rss_kib"] for p in procs)
        result["pss_total_kib"] = sum(p["pss_kib"] for p in procs)
        result["uss_total_kib"] = sum(p["uss_kib"] for p in procs)
    if keep_final:
        with open(keep_final, "wb") as f:
            f.write(kept[final])
    stop(proc)
    return result


def drop_caches():
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError as e:
        print(f"cannot drop the page cache: {e}", file=sys.stderr)
        return False


def once():
    binary, idle_s, out = sys.argv[2], float(sys.argv[3]), sys.argv[4]
    log = open(os.path.splitext(out)[0] + ".log", "w")
    loadavg = open("/proc/loadavg").read().split()[:3]
    # The settled screen, kept so that a fast "first paint" can be checked to be the real screen.
    r = one_run(binary, log, idle_s, keep_final=os.path.splitext(out)[0] + ".xwd")
    r["binary"] = binary
    r["loadavg_before"] = loadavg
    r["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
    with open(out, "w") as f:
        json.dump(r, f, indent=2)
    print(json.dumps({k: v for k, v in r.items() if k != "processes"}), flush=True)


def main():
    if sys.argv[1] == "--once":
        return once()
    binary, runs, idle_s, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    log = open(os.path.splitext(out)[0] + ".log", "w")
    report = {"binary": binary, "min_colors": MIN_COLORS, "loadavg_before": open("/proc/loadavg").read().split()[:3]}
    # The first launch in a fresh home creates the library and settings: not a start-up to time.
    warm_up = one_run(binary, log)
    report["first_launch_fresh_home"] = warm_up
    if "--drop-caches" in sys.argv:
        report["cache_dropped"] = drop_caches()
        if report["cache_dropped"]:
            report["cold_cache_run"] = one_run(binary, log)
            print("cold page cache:", json.dumps(report["cold_cache_run"]), flush=True)
    report["runs"] = []
    for i in range(runs):
        last = i == runs - 1
        r = one_run(binary, log, idle_s if last else None,
                    os.path.splitext(out)[0] + "-final-frame.xwd" if last else None)
        report["runs"].append(r)
        print(f"run {i + 1}:", json.dumps({k: v for k, v in r.items() if k != "processes"}), flush=True)
    fcp = [r["first_contentful_paint_ms"] for r in report["runs"]]
    if None in fcp:
        raise SystemExit(f"a run never showed the UI's content within {MAX_WAIT_S} s: {fcp}")
    report["first_contentful_paint_median_ms"] = statistics.median(fcp)
    report["visually_complete_median_ms"] = statistics.median(r["visually_complete_ms"] for r in report["runs"])
    report["window_mapped_median_ms"] = statistics.median(r["window_mapped_ms"] for r in report["runs"])
    report["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
    last = report["runs"][-1]
    print(f"first contentful paint: median {report['first_contentful_paint_median_ms']} ms, runs {fcp}")
    print(f"idle after {last['idle_after_s']} s: RSS {last['rss_total_kib'] / 1024:.0f} MiB, "
          f"PSS {last['pss_total_kib'] / 1024:.0f} MiB, USS {last['uss_total_kib'] / 1024:.0f} MiB")
    for p in last["processes"]:
        print(f"  {p['name']:<22} RSS {p['rss_kib'] / 1024:6.1f} MiB  PSS {p['pss_kib'] / 1024:6.1f} MiB  "
              f"USS {p['uss_kib'] / 1024:6.1f} MiB  anonymous {p['anonymous_kib'] / 1024:6.1f} MiB")


if __name__ == "__main__":
    main()
