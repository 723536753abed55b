"""A second Unix account for tests where permissions are the point: ``nobody``, reached with ``setpriv``.

Only root can switch to another account; elsewhere these tests are skipped (they say why). A process
started this way has nobody's uid and gid and no capabilities (the kernel drops them on the switch).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

import pytest

NOBODY = 65534


def as_other_user() -> list[str] | None:
    """A command prefix that runs the rest as ``nobody``, or None where this cannot be done."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        return None
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


needs_other_user = pytest.mark.skipif(as_other_user() is None, reason="needs root and setpriv to act as another user")


def run_as_other_user(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    prefix = as_other_user()
    assert prefix is not None
    return subprocess.run([*prefix, *cmd], capture_output=True, text=True, errors="replace", timeout=60, **kwargs)


@functools.cache
def python_for_other_user() -> str | None:
    """A Python interpreter the other account may run (ours may sit in a folder only root can enter)."""
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if candidate and run_as_other_user(candidate, "-c", "pass").returncode == 0:
            return candidate
    return None
