"""The answer model, loaded once per process and shared.

llama.cpp runs one generation at a time per model object, so callers take ``Runtime.lock`` around a
generation. The GPU is used when this build of llama.cpp can offload (CUDA, Metal, Vulkan): every layer
goes to it; otherwise the CPU runs with one thread per physical core (llama-cpp-python's default of
half the logical CPUs is one thread on a 2-core laptop).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from . import catalog

log = logging.getLogger(__name__)

N_CTX = 4096  # prompts are kept small (prefill dominates on a CPU); this leaves room for long answers


def physical_cores() -> int:
    try:
        import psutil

        return psutil.cpu_count(logical=False) or os.cpu_count() or 1
    except ImportError:
        return os.cpu_count() or 1


def gpu_offload_supported() -> bool:
    try:
        import llama_cpp
    except ImportError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


@dataclass
class Runtime:
    name: str
    path: Path
    llm: object  # llama_cpp.Llama
    threads: int
    gpu_layers: int
    load_s: float
    lock: threading.Lock
    _cancel: threading.Event | None = None
    _callback: object = None

    def __post_init__(self) -> None:
        """llama.cpp asks this callback between graph nodes whether to stop; a cancel then takes effect
        within milliseconds even in the middle of evaluating a long prompt."""
        import llama_cpp

        def should_abort(_data: object) -> bool:
            cancel = self._cancel
            return cancel is not None and cancel.is_set()

        self._callback = llama_cpp.ggml_abort_callback(should_abort)
        llama_cpp.llama_set_abort_callback(self.llm._ctx.ctx, self._callback, None)  # type: ignore[attr-defined]

    def abort_on(self, cancel: threading.Event | None) -> None:
        self._cancel = cancel

    def after_abort(self) -> None:
        """An aborted decode leaves half-written cache entries past ``n_tokens``; the next evaluation
        removes them, and the sampler must not reuse stale logits."""
        self.llm._requires_eval = True  # type: ignore[attr-defined]

    def context_tokens(self) -> int:
        return int(self.llm.n_tokens)  # type: ignore[attr-defined]

    def info(self) -> dict[str, object]:
        return {
            "model": self.name,
            "file": str(self.path),
            "device": "gpu" if self.gpu_layers else "cpu",
            "gpu_layers": self.gpu_layers,
            "threads": self.threads,
            "context": N_CTX,
            "load_s": round(self.load_s, 2),
        }


_loaded: dict[tuple[str, int, int], Runtime] = {}
_load_lock = threading.Lock()


def load(name: str, gpu: str = "auto", threads: int = 0) -> Runtime:
    """The model ``name``, loaded on first use and kept for the life of the process."""
    threads = threads or physical_cores()
    layers = -1 if gpu == "auto" and gpu_offload_supported() else 0
    key = (name, threads, layers)
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        for old in list(_loaded):  # one answer model in memory at a time
            _loaded.pop(old).llm.close()  # type: ignore[attr-defined]
        entry = catalog.get(name)
        path = catalog.resolve(entry)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError(f"llama-cpp-python is not installed ({exc}); run `make install`") from None
        t0 = time.monotonic()

        said = io.StringIO()

        def open_model(n_gpu_layers: int) -> object:
            # verbose=False would make llama-cpp-python point descriptors 1 and 2 at /dev/null while it
            # loads, silencing (and racing with) every other thread's output; its log goes to a buffer
            # instead, which a failed load quotes, and it is quiet from then on
            said.seek(0)
            said.truncate()
            with contextlib.redirect_stderr(said):
                llm = Llama(
                    model_path=str(path),
                    n_ctx=N_CTX,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_gpu_layers=n_gpu_layers,
                    verbose=True,
                )
            llm.verbose = False
            return llm

        def failed(exc: Exception) -> ModelError:
            tail = " | ".join(line.strip() for line in said.getvalue().splitlines()[-3:] if line.strip())
            return ModelError(f"llama.cpp could not load {path}: {exc}" + (f" ({tail})" if tail else ""))

        try:
            try:
                llm = open_model(layers)
            except (ValueError, RuntimeError) as exc:
                if not layers:
                    raise failed(exc) from None
                log.warning("model does not fit the GPU (%s); running it on the CPU", exc)
                layers = 0
                try:
                    llm = open_model(0)
                except (ValueError, RuntimeError) as exc2:
                    raise failed(exc2) from None
        finally:  # quiet from now on: llama.cpp reports a stopped generation as errors; a stop is not one here
            logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
        rt = Runtime(name, path, llm, threads, layers, time.monotonic() - t0, threading.Lock())
        _loaded[key] = rt
        return rt


def system_info() -> dict[str, object]:
    """What `mysearch doctor` reports about the llama.cpp build."""
    try:
        import llama_cpp
    except ImportError as exc:
        return {"installed": False, "error": str(exc)}
    raw = llama_cpp.llama_print_system_info()
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return {
        "installed": True,
        "version": llama_cpp.__version__,
        "gpu_offload": gpu_offload_supported(),
        "physical_cores": physical_cores(),
        "system_info": text.strip(),
    }
