"""The app-level measurements for scripts/bench; writes docs/PERFORMANCE.md."""

import json
import os
import platform
import re
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.environ["BENCH_WORK"]
APP = os.path.join(ROOT, "target/release/likeness-studio")
CLI = os.path.join(ROOT, "target/release/likeness")
RUNS = 5


def criterion_figures(name):
    text = open(os.path.join(ROOT, f"target/bench-{name}.txt")).read()
    out = {}
    for name, mid, unit in re.findall(r"^(\S+)\s*\n?\s*time:\s+\[\S+ \S+ (\S+) (\S+)", text, re.M):
        out[name] = f"{mid} {unit}"
    return out


def start_to_link():
    """`likeness session start` against a standalone Rehearsal: process start → link printed."""
    env = dict(os.environ, BENCH_KEY="rh_bench")
    base = ["--api-key-env", "BENCH_KEY", "--data-dir", os.path.join(WORK, "cli")]
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    serve = subprocess.Popen([CLI, *base, "--json", "rehearsal", "serve", "--port", port, "--host", "127.0.0.1"],
                             stdout=subprocess.PIPE, env=env, text=True)
    ready = json.loads(serve.stdout.readline())
    url = ready["data"]["baseUrl"]
    times = []
    try:
        for i in range(RUNS):
            t0 = time.perf_counter()
            subprocess.run([CLI, *base, "--json", "--base-url", url, "session", "start", "--name", f"Bench {i}",
                            "--talent-agrees", f"Bench {i}"],
                           env=env, check=True, capture_output=True)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        serve.terminate()
        serve.wait()
    return statistics.median(times), times


def colours():
    shot = subprocess.run("xwd -root -silent | /usr/bin/convert xwd:- -format %k info:", shell=True,
                          capture_output=True, text=True)
    try:
        return int(shot.stdout.strip() or 0)
    except ValueError:
        return 0


def tree_rss_kb(pid):
    ps = subprocess.run(["ps", "-eo", "pid=,ppid=,rss=,comm="], capture_output=True, text=True).stdout
    rows = [line.split(None, 3) for line in ps.strip().splitlines()]
    children = {}
    for p, pp, rss, comm in rows:
        children.setdefault(int(pp), []).append((int(p), int(rss), comm))
    total, parts, stack = 0, {}, [pid]
    own = next((int(r) for p, _, r, _ in rows if int(p) == pid), 0)
    total += own
    parts["likeness-studio"] = own
    while stack:
        for c, rss, comm in children.get(stack.pop(), []):
            total += rss
            parts[comm] = parts.get(comm, 0) + rss
            stack.append(c)
    return total, parts


def cold_start():
    firsts, rss = [], None
    for i in range(RUNS):
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(WORK, f"app{i}"))
        baseline = colours()
        t0 = time.perf_counter()
        app = subprocess.Popen([APP], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        painted = None
        while time.perf_counter() - t0 < 30:
            if colours() > max(baseline, 1) + 40:
                painted = (time.perf_counter() - t0) * 1000
                break
        firsts.append(painted)
        if i == RUNS - 1:
            time.sleep(10)
            rss = tree_rss_kb(app.pid)
        app.terminate()
        app.wait(10)
        time.sleep(1.5)
    return firsts, rss


def main():
    qr = criterion_figures("qr")
    signing = criterion_figures("signing")
    photo = criterion_figures("photo")
    link_ms, link_all = start_to_link()
    firsts, (rss_total, rss_parts) = cold_start()
    painted = [f for f in firsts if f is not None]
    e2e = os.path.join(ROOT, "artifacts/e2e/timings.json")
    ui_start = json.load(open(e2e)).get("start_to_qr_seconds") if os.path.exists(e2e) else None
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# Performance",
        "",
        f"Measured by `scripts/bench` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores ({cpu}), "
        f"Debian, release build, Xvfb 1280x860, WebKitGTK. Medians of {RUNS} runs unless noted.",
        "",
        "| what | figure | how |",
        "|---|---|---|",
    ]
    for name, fig in qr.items():
        lines.append(f"| QR render `{name}` | {fig} | criterion, `benches/qr.rs` |")
    for name, fig in signing.items():
        lines.append(f"| x402 `{name}` | {fig} | criterion, `benches/signing.rs` |")
    for name, fig in photo.items():
        lines.append(f"| Photo `{name}` | {fig} | criterion, `benches/photo.rs` |")
    lines.append(f"| Start → link ready (Rehearsal, CLI process incl. start-up) | {link_ms:.0f} ms "
                 f"(runs: {', '.join(f'{t:.0f}' for t in link_all)}) | `likeness session start` on loopback |")
    if ui_start is not None:
        lines.append(f"| Start → QR visible in the real window | {ui_start * 1000:.0f} ms (one run, debug build; includes the backend re-fetching the photo) | "
                     "WebDriver click → `#qr svg` present, `tests/e2e` |")
    if painted:
        lines.append(f"| Cold start → first paint | {statistics.median(painted):.0f} ms "
                     f"(runs: {', '.join(f'{t:.0f}' for t in painted)}) | spawn → screen content changes (xwd polling, ~±60 ms) |")
    lines.append(f"| Idle RSS, app + WebKit processes (10 s after start) | {rss_total / 1024:.0f} MiB "
                 f"({', '.join(f'{k} {v / 1024:.0f}' for k, v in sorted(rss_parts.items()))}) | `ps` over the process tree |")
    lines += ["", "Targets: QR render well under a frame (16 ms); Start → QR under 1 s on loopback; "
              "first paint under 2 s; idle RSS under 500 MiB (WebKitGTK alone is ~280 MiB).", ""]
    os.makedirs(os.path.join(ROOT, "docs"), exist_ok=True)
    path = os.path.join(ROOT, "docs/PERFORMANCE.md")
    # Hand-written sections after the table ("## Photo checks", …) are kept as they are.
    old = open(path).read() if os.path.exists(path) else ""
    kept = old[old.index("\n## ") + 1:] if "\n## " in old else ""
    open(path, "w").write("\n".join(lines) + ("\n" + kept if kept else ""))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
