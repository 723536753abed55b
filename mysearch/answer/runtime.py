"""The answer model, loaded once per process and shared.

llama.cpp runs one generation at a time per model object, so callers take ``Runtime.lock`` around a
generation. Where the model goes is decided by ``backends.place``: every layer on the GPU when it fits,
some when only part fits, the CPU otherwise, with the reason kept for `mysearch doctor`. The CPU runs with
one thread per physical core (llama-cpp-python's default of half the logical CPUs is one thread on a
2-core laptop).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from . import backends, models

log = logging.getLogger(__name__)

N_CTX = 4096  # prompts are kept small (prefill dominates on a CPU); this leaves room for long answers


def physical_cores() -> int:
    try:
        import psutil

        return psutil.cpu_count(logical=False) or os.cpu_count() or 1
    except ImportError:
        return os.cpu_count() or 1


def gpu_offload_supported() -> bool:
    """Whether llama.cpp sees a device here that it can offload to (not only whether it was built for one)."""
    try:
        backends.ensure_loaded()
        import llama_cpp
    except (ImportError, OSError):
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
    placement: backends.Placement | None = None
    gpu_reason: str | None = None
    _cancel: threading.Event | None = None
    _callback: object = None
    _users: int = 0  # answers writing with it now (``use``); a switch closes it only once they are done
    retired: bool = False  # replaced by another model: closed when the last user lets go
    closed: bool = False

    def __post_init__(self) -> None:
        """llama.cpp asks this callback between graph nodes whether to stop; a cancel then takes effect
        within milliseconds even in the middle of evaluating a long prompt."""
        import llama_cpp

        def should_abort(_data: object) -> bool:
            cancel = self._cancel
            return cancel is not None and cancel.is_set()

        self._callback = llama_cpp.ggml_abort_callback(should_abort)
        llama_cpp.llama_set_abort_callback(self.llm._ctx.ctx, self._callback, None)  # type: ignore[attr-defined]

    def retain(self) -> None:
        """One more user: the model is not closed under it, even if another model is loaded meanwhile."""
        with _load_lock:
            if self.closed:
                raise ModelError(f"the answer model {self.name} was closed; ask again")
            self._users += 1

    def release(self) -> None:
        with _load_lock:
            self._users -= 1
            if self.retired and self._users <= 0:
                self._close()

    def _retire(self) -> None:
        """Called with ``_load_lock`` held, when another model takes its place."""
        self.retired = True
        if self._users <= 0:
            self._close()

    def _close(self) -> None:
        if not self.closed:
            self.closed = True
            self.llm.close()  # type: ignore[attr-defined]

    def abort_on(self, cancel: threading.Event | None) -> None:
        self._cancel = cancel

    def after_abort(self) -> None:
        """An aborted decode leaves half-written cache entries past ``n_tokens``; the next evaluation
        removes them, and the sampler must not reuse stale logits."""
        self.llm._requires_eval = True  # type: ignore[attr-defined]

    def context_tokens(self) -> int:
        return int(self.llm.n_tokens)  # type: ignore[attr-defined]

    def info(self) -> dict[str, object]:
        dev = self.placement.device if self.placement and self.gpu_layers else None
        total = self.placement.model_layers if self.placement else None
        return {
            "model": self.name,
            "file": str(self.path),
            "device": "gpu" if self.gpu_layers else "cpu",
            "gpu": dev.as_json() if dev else None,
            "gpu_layers": (total or -1) if self.gpu_layers == -1 else self.gpu_layers,
            "model_layers": total,
            "gpu_reason": self.gpu_reason,
            "threads": self.threads,
            "context": N_CTX,
            "load_s": round(self.load_s, 2),
        }


_loaded: dict[tuple[str, int, str], Runtime] = {}
_load_lock = threading.Lock()
_loading: dict[tuple[str, int, str], float] = {}  # loads under way (read without the lock), since when


def load(name: str, gpu: str = "auto", threads: int = 0) -> Runtime:
    """The model ``name``, loaded on first use and kept for the life of the process."""
    threads = threads or physical_cores()
    key = (name, threads, gpu)
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        for old in list(_loaded):  # one answer model in memory at a time (once its answers are written)
            _loaded.pop(old)._retire()
        _loading[key] = time.monotonic()
        try:
            return _load(key, name, gpu, threads)
        finally:
            _loading.pop(key, None)


def loading_for(name: str, gpu: str = "auto", threads: int = 0) -> float | None:
    """Seconds since this process began loading the model, None if it is not loading it now."""
    since = _loading.get((name, threads or physical_cores(), gpu))
    return None if since is None else time.monotonic() - since


def _load(key: tuple[str, int, str], name: str, gpu: str, threads: int) -> Runtime:
    """``load``'s work, with ``_load_lock`` held."""
    entry = models.get(name)
    path = models.resolve(entry)
    try:
        backends.ensure_loaded(gpu=gpu != "off")
        import llama_cpp
        from llama_cpp import Llama
    except (ImportError, OSError) as exc:
        raise ModelError(f"llama-cpp-python is not installed ({exc}); run `make install`") from None
    t0 = time.monotonic()
    placement = backends.place(path, gpu, N_CTX)
    reason = placement.reason
    layers = placement.layers

    said = io.StringIO()

    def open_model(n_gpu_layers: int) -> object:
        # one device or none: llama.cpp would otherwise spread layers over every GPU it sees, and with
        # layers on the CPU still send big batches to a GPU (main_gpu -1 keeps it off entirely)
        main_gpu = placement.main_gpu if n_gpu_layers else -1
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
                split_mode=llama_cpp.LLAMA_SPLIT_MODE_NONE,
                main_gpu=main_gpu,
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
            reason = f"loading on {placement.device.name if placement.device else 'the GPU'} failed ({exc})"
            layers = 0
            try:
                llm = open_model(0)
            except (ValueError, RuntimeError) as exc2:
                raise failed(exc2) from None
    finally:  # quiet from now on: llama.cpp reports a stopped generation as errors; a stop is not one here
        logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
    rt = Runtime(name, path, llm, threads, layers, time.monotonic() - t0, threading.Lock(), placement, reason)
    _loaded[key] = rt
    return rt


def loaded(name: str, gpu: str = "auto", threads: int = 0) -> Runtime | None:
    """The model if this process has it in memory already (no load, no wait for one in progress)."""
    return _loaded.get((name, threads or physical_cores(), gpu))


@contextlib.contextmanager
def use(name: str, gpu: str = "auto", threads: int = 0) -> Iterator[Runtime]:
    """``load``, held for the block: a switch of answer models meanwhile closes this one only after it."""
    while True:
        rt = load(name, gpu, threads)
        try:
            rt.retain()
        except ModelError:  # switched away and closed between load and retain: load it again
            continue
        break
    try:
        yield rt
    finally:
        rt.release()


def system_info() -> dict[str, object]:
    """What `mysearch doctor` reports about the llama.cpp build."""
    try:
        backends.ensure_loaded()
        import llama_cpp
    except (ImportError, OSError) as exc:
        return {"installed": False, "error": str(exc)}
    raw = llama_cpp.llama_print_system_info()
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return {
        "installed": True,
        "version": llama_cpp.__version__,
        "backends": backends.backends(),
        "devices": [d.as_json() for d in backends.devices()],
        "gpu_offload": gpu_offload_supported(),
        "physical_cores": physical_cores(),
        "system_info": text.strip(),
    }


SPEED_PROMPT = (
    "A personal search app indexes the folders a person chooses, keeps the index in step as files change, "
    "finds passages by meaning and by keyword, and answers questions from those passages with numbered "
    "citations. It runs on the laptop itself: the embedding model, the keyword index and the answer model "
    "all stay on the computer, so nothing leaves it unless the person asks. Summarise this in one sentence:"
)


def measure_speed(rt: Runtime, new_tokens: int = 32) -> dict[str, object]:
    """Prompt and generation speed on a short fixed prompt, so `mysearch doctor` shows what the device
    actually does here (a GPU that is slower than the CPU is possible with software drivers)."""
    llm = rt.llm
    with rt.lock:
        tokens = llm.tokenize(SPEED_PROMPT.encode())  # type: ignore[attr-defined]
        llm.reset()  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        llm.eval(tokens)  # type: ignore[attr-defined]
        t1 = time.perf_counter()
        made = 0
        for _ in range(new_tokens):
            tok = llm.sample(temp=0.0)  # type: ignore[attr-defined]
            llm.eval([tok])  # type: ignore[attr-defined]
            made += 1
        t2 = time.perf_counter()
        llm.reset()  # type: ignore[attr-defined]
        rt.after_abort()
    return {
        "prompt_tokens": len(tokens),
        "prompt_tokens_per_s": round(len(tokens) / max(t1 - t0, 1e-9), 1),
        "generated_tokens": made,
        "generation_tokens_per_s": round(made / max(t2 - t1, 1e-9), 1),
        "first_token_ms": round((t1 - t0) * 1000 + (t2 - t1) * 1000 / max(made, 1)),
    }
