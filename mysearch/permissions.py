"""Nobody else gets in: the library folder and the control socket's folder belong to this user alone.

The library holds the full text of every indexed file (``catalog.sqlite3``), logs, and settings with an
API key, so it is created 0700 and its files 0600, and a library made by an older mysearch (with the
default umask: 0755 / 0644) is tightened when it is opened. mysearch's own processes also run with a
0077 umask, so files that libraries write behind our back (Chroma's) are private from the start.

A folder that holds the control socket must be ours and closed to others: under the shared temporary
directory another account could have made it first, and would then see, or answer, our queries.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from .errors import MySearchError

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


class NotPrivate(MySearchError):
    """Something that must be this user's alone (a folder, the process behind the control socket) is not."""


def secure_home(home: Path) -> None:
    """Create the library folder 0700, or tighten an existing one and everything in it.

    A folder that is already 0700 was made (or tightened) by us, and what our processes wrote since is
    0600 by their umask; then only the top level, ``logs/`` and ``chroma/`` (written by Chroma, also when a
    library is opened in a process without that umask) are checked: a few dozen ``stat`` calls."""
    home = Path(home)
    if not hasattr(os, "getuid"):  # Windows: the profile folder's ACL already keeps other accounts out
        home.mkdir(parents=True, exist_ok=True)
        return
    if not home.exists():
        home.parent.mkdir(parents=True, exist_ok=True)
        try:
            home.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
    try:
        st = home.stat()
    except OSError:
        return
    if st.st_uid != os.getuid():  # someone else's library (root reading a user's): leave it as it is
        log.warning("library folder %s belongs to uid %s; its permissions were left alone", home, st.st_uid)
        return
    loose = bool(st.st_mode & 0o077)
    _tighten(home)
    if loose:
        log.info("tightening permissions of %s (was %o)", home, stat.S_IMODE(st.st_mode))
        _tighten_tree(home)
        return
    with os.scandir(home) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                _tighten(Path(entry.path))
    for part in ("chroma", "logs"):
        if (home / part).is_dir():
            _tighten_tree(home / part)


def create_private_file(path: Path) -> None:
    """Make an empty file 0600 unless it exists, whatever the umask (for files others then write to)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def _tighten_tree(top: Path) -> None:
    for folder, _dirs, files in os.walk(top):  # symlinks are not followed: what they point to is not ours
        _tighten(Path(folder))
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                _tighten(path)


def _tighten(path: Path) -> None:
    """Remove every group and other bit; the owner's stay as they are (an executable bit, a read-only file)."""
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        wanted = current & ~0o077
        if current != wanted:
            os.chmod(path, wanted)
    except OSError as exc:  # a file that vanished, or one that is not ours: not worth failing over
        log.debug("cannot tighten %s: %s", path, exc)


def private_dir(path: Path) -> Path:
    """``path`` as a folder only this user can enter, made so if missing; else ``NotPrivate``.

    Never trusts a folder that is already there: it must be a real folder (not a link), owned by us,
    with no group or other permissions (one of ours that is too open is closed)."""
    path = Path(path)
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise NotPrivate(f"{path} is not a folder; remove it so mysearch can make its private folder there")
    if st.st_uid != os.getuid():
        raise NotPrivate(
            f"{path} belongs to another user (uid {st.st_uid}), who could read or answer mysearch's requests; "
            "remove it, or set XDG_RUNTIME_DIR to a private folder"
        )
    if st.st_mode & 0o077:
        log.warning("%s was open to other users (mode %o); closed it", path, stat.S_IMODE(st.st_mode))
        os.chmod(path, DIR_MODE)
    return path


def is_private_dir(path: Path) -> bool:
    """A folder of ours that others cannot enter (the check of ``private_dir``, as a question)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077
