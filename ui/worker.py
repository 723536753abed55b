"""Run engine calls off the GUI thread and hand their outcome back to it.

``Runner.submit(fn, done=..., failed=..., progress=...)`` runs ``fn`` on a worker thread of a
``QThreadPool``. The result goes to ``done`` and an exception to ``failed``, both called on the GUI
thread. A function that takes a ``report`` argument can stream values (answer tokens, for example):
each ``report(value)`` arrives at ``progress`` on the GUI thread, in order.

The callbacks are delivered through a small ``QObject`` that lives on the GUI thread; the worker only
emits signals, so no widget code ever runs on a worker thread (a plain lambda connected to a signal
emitted from a worker would run there, as Qt delivers it on the emitting thread).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class _Relay(QObject):
    """Lives on the GUI thread; its slots run there, whichever thread emits."""

    result = Signal(object)
    error = Signal(object)
    report = Signal(object)

    def __init__(self, runner: Runner, done: Callback | None, failed: Callback | None,
                 progress: Callback | None) -> None:
        super().__init__()
        self._runner = runner
        self._done, self._failed, self._progress = done, failed, progress
        self.result.connect(self._on_result)
        self.error.connect(self._on_error)
        self.report.connect(self._on_report)

    def _orphaned(self) -> bool:
        """The runner (or the window that owns it) was deleted or closed while this task ran: drop the
        outcome (its callbacks would touch widgets that are gone)."""
        if isValid(self._runner) and not self._runner.closed:
            return False
        self._runner._live.discard(self)  # plain Python state: still there when the C++ side is gone
        self.deleteLater()
        return True

    @Slot(object)
    def _on_result(self, value: object) -> None:
        if self._orphaned():
            return
        self._runner._finished(self)
        if self._done is not None:
            self._done(value)

    @Slot(object)
    def _on_error(self, exc: object) -> None:
        if self._orphaned():
            return
        self._runner._finished(self)
        if self._failed is not None:
            self._failed(exc)
        else:
            self._runner.unhandled(exc)

    @Slot(object)
    def _on_report(self, value: object) -> None:
        if self._progress is not None and isValid(self._runner) and not self._runner.closed:
            self._progress(value)


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], relay: _Relay, wants_report: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._relay, self._wants_report = fn, relay, wants_report

    def run(self) -> None:  # worker thread: only emit signals here
        try:
            value = self._fn(self._relay.report.emit) if self._wants_report else self._fn()
        except BaseException as exc:  # every failure goes back to the GUI thread
            log.debug("background task failed", exc_info=True)
            self._relay.error.emit(exc)
        else:
            self._relay.result.emit(value)


class Runner(QObject):
    """The one way the UI runs engine work. Create it on the GUI thread."""

    failed = Signal(object)  # exceptions nobody handled: the window shows them in words

    def __init__(self, max_threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._live: set[_Relay] = set()
        self.closed = False

    def submit(
        self,
        fn: Callable[..., Any],
        done: Callback | None = None,
        failed: Callback | None = None,
        progress: Callback | None = None,
    ) -> None:
        relay = _Relay(self, done, failed, progress)
        self._live.add(relay)
        self.pool.start(_Task(fn, relay, _takes_report(fn)))

    @property
    def busy(self) -> int:
        return len(self._live)

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self.pool.waitForDone(timeout_ms)

    def close(self, timeout_ms: int = 10000) -> bool:
        """Wait for running work, then drop every outcome still to be delivered (the app is quitting)."""
        done = self.wait(timeout_ms)
        self.closed = True
        self._live.clear()
        return done

    def unhandled(self, exc: object) -> None:
        self.failed.emit(exc)

    def _finished(self, relay: _Relay) -> None:
        self._live.discard(relay)
        relay.deleteLater()


def _takes_report(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "report" in params
