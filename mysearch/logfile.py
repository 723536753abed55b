"""Where the CLI and the app write their logs: a small rotating file per program in the library home."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path


def log_to_file(home: Path, name: str, verbose: bool = False) -> None:
    """INFO and up go to ``home/logs/<name>.log`` (2 MiB, two old copies kept); ``verbose`` also prints
    them. A home that cannot hold a log (read-only disk) runs without one rather than failing."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    try:
        (home / "logs").mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(home / "logs" / f"{name}.log", maxBytes=2**21, backupCount=2)
        fh.setFormatter(logging.Formatter("%(asctime)s %(process)d %(threadName)s %(name)s %(levelname)s %(message)s"))
        root.addHandler(fh)
    except OSError:
        pass
    if verbose:
        root.addHandler(logging.StreamHandler(sys.stderr))
