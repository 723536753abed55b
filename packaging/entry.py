"""The packaged program's entry point: one executable, `mysearch`, for the desktop app and the CLI.

No arguments (a click in the menu) opens the app; anything else is the CLI, whose `mysearch app` starts
the app as ``[sys.executable, "-m", "ui", ...]``. The app and the GPU probe start child processes as
``[sys.executable, "-m", "mysearch", ...]`` and ``[sys.executable, "-c", CODE]``; in a frozen build
``sys.executable`` is this program, so those forms are understood here as a Python interpreter would.
Settings that must hold before anything loads are made here: the bundled models folder, Chroma's
telemetry off, and the bundled Korean fonts.
"""

from __future__ import annotations

import os
import sys


def _prepare() -> None:
    base = getattr(sys, "_MEIPASS", os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("MYSEARCH_BUNDLED_MODELS", os.path.join(base, "models"))
    os.environ["ANONYMIZED_TELEMETRY"] = "False"  # Chroma: never phone home, whatever the library says
    fonts = os.path.join(base, "fonts", "fonts.conf")
    if sys.platform.startswith("linux") and os.path.exists(fonts) and "FONTCONFIG_FILE" not in os.environ:
        os.environ["FONTCONFIG_FILE"] = fonts  # the system's fonts plus the bundled Nanum (Korean)


def main() -> int:
    _prepare()
    args = sys.argv[1:]
    if args[:1] == ["-c"]:  # the GPU probe's child
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
        return 0
    if not args or args[:2] == ["-m", "ui"]:  # the desktop app (`mysearch app` and the smoke test start it so)
        from ui.app import run

        return run(args[2:])
    if args[:2] == ["-m", "mysearch"]:  # the app's library owner (`mysearch serve`)
        args = args[2:]
    from mysearch.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
