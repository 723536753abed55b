"""The installed app's window, started from the package inside the test root: window_test.py ROOT [SHOT]

Runs on the build machine: an Xvfb display here, whose socket package-test.sh shares into ROOT, and the
app started 5 times as the ordinary user `tester` in ROOT (``/usr/bin/mysearch app``, the menu entry's
command) with the UI probe on. Each launch is timed from start to the probe's "shown" event (the window
has painted) and must report the search box visible. Then the sample documents are indexed, the app is
started once more, a query is typed and the window is saved to SHOT (default docs/package-window.png).
Prints one JSON line; exits 1 with the reason if the window did not show.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5


def _xvfb() -> tuple[subprocess.Popen, str]:
    for n in range(140, 200):
        if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return proc, f":{n}"
            time.sleep(0.05)
        proc.kill()
        proc.wait()
    raise RuntimeError("could not start Xvfb")


def _user(root: str, display: str, *cmd: str, **kw) -> subprocess.Popen:
    env = ["HOME=/home/tester", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", f"DISPLAY={display}",
           "MYSEARCH_UI_PROBE=1", "PYTHONUNBUFFERED=1"]
    return subprocess.Popen(["chroot", "--userspec=tester:tester", root, "env", "-i", *env, *cmd],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", **kw)


def _reply(proc: subprocess.Popen, want: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the app exited ({proc.wait()}): {proc.stderr.read()[-2000:]}")
        if line.startswith("{"):
            msg = json.loads(line)
            if msg.get("event") == want or msg.get("op") == want:
                return msg
    raise RuntimeError(f"no {want} from the app within {timeout} s")


def _call(proc: subprocess.Popen, op: str, **kw: object) -> dict:
    proc.stdin.write(json.dumps({"op": op, **kw}, ensure_ascii=False) + "\n")
    proc.stdin.flush()
    return _reply(proc, op)


def _quit(proc: subprocess.Popen) -> None:
    try:
        _call(proc, "quit")
        proc.wait(30)
    except (RuntimeError, OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()


def launch(root: str, display: str) -> tuple[float, subprocess.Popen]:
    started = time.time()
    proc = _user(root, display, "/usr/bin/mysearch", "app")
    shown = _reply(proc, "shown")
    state = _call(proc, "state")
    if not state.get("visible"):
        raise RuntimeError(f"the window is not visible: {state}")
    return shown["t"] - started, proc


def main() -> int:
    root = sys.argv[1]
    shot = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/package-window.png")
    xvfb, display = _xvfb()
    result: dict[str, object] = {"display": display}
    try:
        times = []
        for _ in range(RUNS):
            seconds, proc = launch(root, display)
            times.append(round(seconds, 3))
            _quit(proc)
        result.update({"launch_s": times, "first_launch_s": times[0], "launch_p50_s": statistics.median(times)})
        docs = "/opt/mysearch/_internal/mysearch/smoke_docs"
        for cmd in (["add", docs], ["index"]):
            p = _user(root, display, "/usr/bin/mysearch", *cmd)
            out, err = p.communicate(timeout=300)
            if p.returncode != 0:
                raise RuntimeError(f"mysearch {' '.join(cmd)} failed: {err[-2000:]}")
        _seconds, proc = launch(root, display)
        try:
            deadline = time.monotonic() + 120
            while not _call(proc, "state").get("engine_ready") and time.monotonic() < deadline:
                time.sleep(0.5)
            _call(proc, "type", text="tomato soup")
            while not _call(proc, "state").get("results") and time.monotonic() < deadline:
                time.sleep(0.3)
            time.sleep(1.0)  # let the hybrid results and the preview settle
            state = _call(proc, "state")
            grabbed = _call(proc, "grab", path="/home/tester/window.png")
        finally:
            _quit(proc)
        result["screenshot_results"] = [Path(p).name for p in state.get("results", [])]
        if not grabbed.get("ok"):
            raise RuntimeError(f"the screenshot failed: {grabbed}")
        shot.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(os.path.join(root, "home/tester/window.png"), shot)
        result["screenshot"] = str(shot)
    except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError) as exc:
        print(f"window test failed: {exc}", file=sys.stderr)
        return 1
    finally:
        xvfb.terminate()
        xvfb.wait()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
