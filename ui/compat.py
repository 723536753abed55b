"""Work around a PySide6 6.12.0 bug on Python 3.11: every call of a Qt method that returns nothing
(``QLabel.setText``, ``QWidget.update``, ``processEvents`` ...) decrements the reference count of
``None`` without having incremented it. On Python 3.12+ ``None`` is immortal and nothing happens; on
3.11 the count reaches zero after some minutes of use and the interpreter aborts with
"Fatal Python error: none_dealloc: deallocating None". (Measured: -1 per call with 6.12.0, 0 with
6.11.3; the real fix is to pin ``PySide6-Essentials==6.11.3`` until a fixed release.)

``guard_none_refcount()`` detects the leak and, only then, does what CPython 3.12 does for immortal
objects: gives ``None`` a reference count so large that no run can use it up.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_HEADROOM = 1 << 40  # a trillion void calls: years of continuous use
_guarded = False


def none_leak_per_call() -> float:
    """How many references to None one void Qt call loses (0 on a correct build)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    calls = 200
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return (before - sys.getrefcount(None)) / calls


def guard_none_refcount() -> bool:
    """Make None's count unexhaustible if this PySide6 build leaks it; returns whether it had to."""
    global _guarded
    if _guarded:
        return True
    if sys.version_info >= (3, 12) or none_leak_per_call() < 0.5:
        return False
    refcnt = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    refcnt.value += _HEADROOM
    _guarded = True
    import PySide6

    log.warning("PySide6 %s loses a reference to None on every void call; guarded "
                "(pin PySide6-Essentials==6.11.3 to avoid this)", PySide6.__version__)
    return True
