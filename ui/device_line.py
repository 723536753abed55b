"""The line under "Use the graphics card" in the settings: where answers run, as `mysearch doctor` says.

Finding out loads llama.cpp's backends (a child process first lists the GPUs, which can take seconds with
a slow driver), so it runs on a thread and the line says "Checking…" until then. The words are the
app's own, built from the placement's numbers, so they are translated; the engine's English reason is
not shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from mysearch.errors import MySearchError


@dataclass(frozen=True)
class Where:
    """What the line needs, without Qt: ``kind`` is gpu, partial, off, none, small, driver, no-model."""

    kind: str
    device: str = ""
    layers: int = 0
    total: int = 0
    free_mib: int = 0
    need_mib: int = 0


def where_answers_run(model: str, gpu: str) -> Where:
    """The answer model's placement for this setting, as the answer would make it."""
    from mysearch.answer import backends, models

    if gpu == "off":
        return Where("off")
    try:
        entry = models.get(model)
        if not models.installed(entry):
            return Where("no-model")
        path = models.resolve(entry)
        placement = backends.place(path, gpu)
    except (MySearchError, OSError):
        return Where("no-model")
    total = placement.model_layers or 0
    device = placement.device
    mib = backends.MIB
    if device is not None and placement.layers != 0:
        name = f"{device.description} ({device.backend})"
        if placement.layers == -1 or placement.layers >= total:
            return Where("gpu", name, total, total)
        return Where("partial", name, placement.layers, total)
    if placement.need:  # a GPU was found, but too small for even a third of the model
        gpus = backends.gpu_devices(backends.devices())
        if gpus:
            best = max(gpus, key=lambda d: d.free)
            return Where("small", f"{best.description} ({best.backend})", free_mib=(best.free or best.total) // mib,
                         need_mib=placement.need // mib)
    if backends.gpu_problem():
        return Where("driver")
    return Where("none")


class _Relay(QObject):
    found = Signal(object)


class DeviceLine(QLabel):
    """A label that fills itself from :func:`where_answers_run` off the GUI thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.where: Where | None = None
        self._relay = _Relay(self)
        self._relay.found.connect(self._show)
        self._asked = 0
        self.setText(self.tr("Checking where answers run…"))

    def check(self, model: str, gpu: str) -> None:
        self._asked += 1
        ticket = self._asked
        self.where = None
        self.setText(self.tr("Checking where answers run…"))

        def work() -> None:
            found = where_answers_run(model, gpu)
            self._relay.found.emit((ticket, found))

        threading.Thread(target=work, name="mysearch-device-line", daemon=True).start()

    def _show(self, result: tuple[int, Where]) -> None:
        ticket, where = result
        if ticket != self._asked:  # a later choice is being checked
            return
        self.where = where
        self.setText(self.describe(where))

    def describe(self, w: Where) -> str:
        if w.kind == "gpu":
            return self.tr("Answers run on the graphics card {device}: all {total} layers of the model.").format(
                device=w.device, total=w.total)
        if w.kind == "partial":
            return self.tr("Answers run partly on the graphics card {device}: {layers} of {total} layers fit "
                           "in its free memory, the rest runs on the processor.").format(
                device=w.device, layers=w.layers, total=w.total)
        if w.kind == "small":
            return self.tr("Answers run on the processor: the graphics card {device} has {free} MiB free, "
                           "the model needs about {need} MiB.").format(device=w.device, free=w.free_mib,
                                                                       need=w.need_mib)
        if w.kind == "off":
            return self.tr("Answers run on the processor: the graphics card is turned off here.")
        if w.kind == "driver":
            return self.tr("Answers run on the processor: the graphics card's driver did not answer.")
        if w.kind == "no-model":
            return self.tr("The answer model is not on this computer yet.")
        return self.tr("Answers run on the processor: no graphics card that mysearch can use was found.")
