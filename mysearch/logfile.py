"""Where the CLI and the app write their logs: a small rotating file per program in the library home.

Logs are private (0600, in the library's 0700 folder) and never hold a secret setting's value: every
line is formatted by ``_Redacting``, which replaces the values ``hide`` was given (``Config`` gives it
each secret it reads) with ``********``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from .permissions import secure_home

MASK = "********"
_secrets: set[str] = set()


def hide(value: str) -> None:
    """Never write this value (an API key) to a log from now on."""
    if value and len(value) >= 4:  # a one-letter "secret" would blank out every log line
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """Each log file, the first and every rotated one, is created 0600 whatever the umask."""

    def _open(self):  # logging's own signature
        return open(  # the handler owns the stream
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
            opener=lambda path, flags: os.open(path, flags, 0o600),
        )


def log_to_file(home: Path, name: str, verbose: bool = False) -> None:
    """INFO and up go to ``home/logs/<name>.log`` (2 MiB, two old copies kept); ``verbose`` also prints
    them. A home that cannot hold a log (read-only disk) runs without one rather than failing."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    fmt = _Redacting("%(asctime)s %(process)d %(threadName)s %(name)s %(levelname)s %(message)s")
    try:
        secure_home(home)  # the log may be the first thing written there: the folder is made 0700 first
        (home / "logs").mkdir(mode=0o700, exist_ok=True)
        fh = _PrivateRotatingFile(home / "logs" / f"{name}.log", maxBytes=2**21, backupCount=2)
        fh.setFormatter(fmt)
        root.addHandler(fh)
    except OSError:
        pass
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(_Redacting())
        root.addHandler(stream)
