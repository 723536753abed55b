"""File paths as the catalog stores them.

POSIX file names are bytes; Python shows undecodable ones with surrogate escapes, which SQLite cannot
store. Such a path is kept as ``bytes:<hex>`` (never confused with a real path: those are absolute),
so a file named in a legacy encoding (a CP949 name from an old zip) is still indexed and found.
"""

from __future__ import annotations

import os

_PREFIX = "bytes:"


def to_db(path: str) -> str:
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return _PREFIX + os.fsencode(path).hex()


def display(stored: str) -> str:
    """A readable form for people: undecodable bytes tried as CP949 (Korean), else replaced."""
    if not stored.startswith(_PREFIX):
        return stored
    raw = bytes.fromhex(stored[len(_PREFIX) :])
    for enc in ("utf-8", "cp949"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def to_fs(stored: str) -> str:
    """The path to open: a ``bytes:`` path back to the exact bytes the file system gave."""
    if not stored.startswith(_PREFIX):
        return stored
    return os.fsdecode(bytes.fromhex(stored[len(_PREFIX) :]))
