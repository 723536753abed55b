"""Which devices llama.cpp can run the answer model on here, and how much of the model goes to the GPU.

The llama.cpp build mysearch ships loads its backends at run time (ggml's dynamic backend loading, as
llama.cpp's own releases and Ollama do): one CPU module per x86 feature level, of which the best for this
CPU is picked, and a Vulkan module (CUDA and Metal where they were built) that loads only when its driver
library is on the computer. So one build runs on every laptop and uses the GPU where there is one; a
missing driver, a GPU that is too small or a device that fails falls back to the CPU with a reason the
user can read (`mysearch doctor`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import re
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_TYPES = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accel", 4: "meta"}
MIB = 1 << 20
# Room beside the weights and the KV cache for llama.cpp's compute buffers (a 1.5B model at a 512-token
# batch needs ~300 MiB) and the driver's own allocations.
OVERHEAD = 512 * MIB


@dataclass(frozen=True)
class Device:
    name: str
    description: str
    kind: str  # cpu, gpu, igpu, accel
    backend: str
    free: int
    total: int

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "type": self.kind,
            "backend": self.backend,
            "free_mib": self.free // MIB,
            "total_mib": self.total // MIB,
        }


@dataclass(frozen=True)
class Placement:
    """Where the answer model goes: ``layers`` is llama.cpp's n_gpu_layers (-1 = all, 0 = CPU only)."""

    layers: int
    main_gpu: int  # index among llama.cpp's GPU devices; -1 uses none at all
    device: Device | None
    reason: str | None  # why the GPU is not (fully) used; None when it is
    model_layers: int | None = None
    need: int | None = None  # bytes the model needs on the device

    @property
    def on_gpu(self) -> bool:
        return self.layers != 0 and self.device is not None


_GPU_MODULES = ("vulkan", "cuda", "metal", "hip", "sycl", "opencl", "musa")
PROBE_TIMEOUT_S = 30.0
_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_lib_dir: Path = Path()
_dynamic = False  # backends are modules (GGML_BACKEND_DL) that this process loads itself
_gpu_tried = False
_gpu_problem: str | None = None  # why no GPU module was loaded, when one exists


def _bind(lib: ctypes.CDLL) -> None:
    for name, res, args in (
        ("ggml_backend_reg_count", ctypes.c_size_t, []),
        ("ggml_backend_reg_get", ctypes.c_void_p, [ctypes.c_size_t]),
        ("ggml_backend_reg_name", ctypes.c_char_p, [ctypes.c_void_p]),
        ("ggml_backend_dev_count", ctypes.c_size_t, []),
        ("ggml_backend_dev_get", ctypes.c_void_p, [ctypes.c_size_t]),
        ("ggml_backend_dev_name", ctypes.c_char_p, [ctypes.c_void_p]),
        ("ggml_backend_dev_description", ctypes.c_char_p, [ctypes.c_void_p]),
        ("ggml_backend_dev_type", ctypes.c_int, [ctypes.c_void_p]),
        ("ggml_backend_dev_memory", None,
         [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)]),
        ("ggml_backend_dev_backend_reg", ctypes.c_void_p, [ctypes.c_void_p]),
        ("ggml_backend_load", ctypes.c_void_p, [ctypes.c_char_p]),
        ("ggml_backend_load_all_from_path", None, [ctypes.c_char_p]),
    ):
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype, fn.argtypes = res, args


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep ggml's own log ("load_backend: loaded CPU backend ...", "ggml_vulkan: No devices found.") out
    of the user's terminal while backends load: llama-cpp-python prints every message to stderr until a
    model sets its level, and what matters here goes to mysearch's log instead."""
    logger = logging.getLogger("llama-cpp-python")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)


def _ggml(gpu: bool = True) -> ctypes.CDLL:
    """libggml from llama-cpp-python's package, with its backends ready.

    In a build with backend modules the CPU module best for this CPU is loaded here; GPU modules only
    once a child process has loaded them and listed the devices without crashing or hanging, since a
    broken driver can take the whole process down inside vkCreateInstance. A build with static backends
    has them registered already and is left as it is.
    """
    global _lib, _lib_dir, _dynamic
    with _lock, _quiet():
        if _lib is None:
            import llama_cpp  # loads libllama and the libggml it links

            lib_dir = Path(llama_cpp.__file__).resolve().parent / "lib"
            names = _mapped_ggml() + sorted(lib_dir.glob("libggml.*")) + sorted(lib_dir.glob("ggml.dll"))
            if not names:
                raise OSError(f"libggml not found in {lib_dir}")
            lib = ctypes.CDLL(str(names[0]))
            _bind(lib)
            _dynamic = lib.ggml_backend_reg_count() == 0 and hasattr(lib, "ggml_backend_load")
            if _dynamic:
                _load_best_cpu(lib, lib_dir)
            _lib, _lib_dir = lib, lib_dir
        if gpu and _dynamic:
            _load_gpu_modules(_lib)
        return _lib


def _mapped_ggml() -> list[Path]:
    """The libggml that libllama itself loaded, on Linux.

    A wheel stores ``libggml.so``, ``libggml.so.0`` and ``libggml.so.0.25.3`` as three copies, not links:
    opening another copy than the one libllama links (by its soname) would register the backends in a
    second registry that llama.cpp never sees ("no backends are loaded"). A frozen app may hold it in
    another folder than ``lib_dir``, so any mapped libggml counts."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    for line in maps.splitlines():
        path = Path(line.split(maxsplit=5)[-1].strip()) if line.count(" ") >= 5 else None
        if path and re.fullmatch(r"libggml\.so(\.\d+)*", path.name):
            return [path]
    return []


def _modules(kind: str) -> list[Path]:
    return sorted(p for p in _lib_dir.glob(f"*ggml-{kind}*") if p.suffix in (".so", ".dll", ".dylib"))


def _load_best_cpu(lib: ctypes.CDLL, lib_dir: Path) -> None:
    """The CPU variant whose features this CPU has and which scores highest (what ggml's own loader does)."""
    best, best_score = None, 0
    for path in sorted(p for p in lib_dir.glob("*ggml-cpu*") if p.suffix in (".so", ".dll", ".dylib")):
        try:
            score_fn = getattr(ctypes.CDLL(str(path)), "ggml_backend_score", None)
        except OSError as exc:
            log.debug("CPU backend %s does not load: %s", path.name, exc)
            continue
        score = int(score_fn()) if score_fn is not None else 1
        if score > best_score:
            best, best_score = path, score
    if best is None or not lib.ggml_backend_load(str(best).encode()):
        raise OSError(f"no CPU backend of llama.cpp loads on this computer (looked in {lib_dir})")
    log.info("llama.cpp CPU backend: %s", best.name)


def _load_gpu_modules(lib: ctypes.CDLL) -> None:
    global _gpu_tried, _gpu_problem
    if _gpu_tried:
        return
    _gpu_tried = True
    modules = [p for m in _GPU_MODULES for p in _modules(m)]
    if not modules:
        return
    problem = _probe()
    if problem:
        _gpu_problem = problem
        log.warning("GPU backends not used: %s", problem)
        return
    for path in modules:
        if not lib.ggml_backend_load(str(path).encode()):
            log.info("GPU backend %s did not load (its driver library is missing)", path.name)


def _probe() -> str | None:
    """Load the GPU modules and list devices in a child process; a reason when that child failed."""
    code = "from mysearch.answer import backends; backends._probe_child()"
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return f"the GPU driver did not answer within {PROBE_TIMEOUT_S:.0f} s while listing GPUs"
    except OSError as exc:
        return f"could not check the GPU driver: {exc}"
    if proc.returncode != 0:
        tail = " | ".join(line.strip() for line in proc.stderr.splitlines()[-2:] if line.strip())
        how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        return f"the GPU driver failed while listing GPUs ({how}{': ' + tail if tail else ''})"
    return None


def _probe_child() -> None:
    global _gpu_tried
    lib = _ggml(gpu=False)
    if _dynamic:
        _gpu_tried = True
        for path in [p for m in _GPU_MODULES for p in _modules(m)]:
            lib.ggml_backend_load(str(path).encode())
    print(json.dumps([d.as_json() for d in devices()]))


def ensure_loaded(gpu: bool = True) -> None:
    """Call before anything asks llama.cpp about devices or loads a model (``gpu=False`` keeps any GPU
    module out of this process)."""
    _ggml(gpu)


def gpu_problem() -> str | None:
    return _gpu_problem


def _reg_names(lib: ctypes.CDLL) -> list[str]:
    regs = (lib.ggml_backend_reg_get(i) for i in range(lib.ggml_backend_reg_count()))
    return [lib.ggml_backend_reg_name(reg).decode() for reg in regs]


def built_gpu_backends() -> list[str]:
    """GPU backends this build carries as modules, whether or not their driver is here to load them."""
    lib = _ggml(gpu=False)
    present = {m for m in _GPU_MODULES if _modules(m)}
    present |= {n.lower() for n in _reg_names(lib) if n.lower() in _GPU_MODULES}
    return sorted(present)


def backends() -> list[str]:
    """The backends loaded in this process, e.g. ``["CPU", "Vulkan"]``."""
    return _reg_names(_ggml(gpu=False))


def devices() -> list[Device]:
    lib = _ggml(gpu=False)  # whatever is loaded; ensure_loaded() decides about GPU modules
    found = []
    for i in range(lib.ggml_backend_dev_count()):
        dev = lib.ggml_backend_dev_get(i)
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        lib.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        reg = lib.ggml_backend_dev_backend_reg(dev)
        found.append(
            Device(
                name=lib.ggml_backend_dev_name(dev).decode(errors="replace"),
                description=(lib.ggml_backend_dev_description(dev) or b"").decode(errors="replace"),
                kind=_TYPES.get(lib.ggml_backend_dev_type(dev), "unknown"),
                backend=lib.ggml_backend_reg_name(reg).decode() if reg else "?",
                free=free.value,
                total=total.value,
            )
        )
    return found


def gpu_devices(found: list[Device] | None = None) -> list[Device]:
    """The devices llama.cpp itself would offload to, in its order (so an index here is its main_gpu):
    discrete GPUs, or the integrated ones of the first backend that has any when there is no discrete one."""
    found = devices() if found is None else found
    gpus = [d for d in found if d.kind == "gpu" and d.backend != "RPC"]
    if gpus:
        return gpus
    igpus = [d for d in found if d.kind == "igpu"]
    return [d for d in igpus if d.backend == igpus[0].backend] if igpus else []


def place(model: Path, gpu: str = "auto", n_ctx: int = 4096) -> Placement:
    """How much of ``model`` goes to which GPU, from the free memory and the model's size."""
    if gpu == "off":
        return Placement(0, -1, None, "the GPU is turned off (answer.gpu = off)")
    try:
        ensure_loaded(gpu=True)
        found = devices()
    except OSError as exc:
        return Placement(0, -1, None, f"llama.cpp's backends could not be loaded: {exc}")
    return place_on(model, found, n_ctx)


def place_on(model: Path, found: list[Device], n_ctx: int = 4096) -> Placement:
    """``place`` for a given list of devices (what llama.cpp reported, or a test's)."""
    names = sorted({d.backend for d in found})
    gpus = gpu_devices(found)
    if not gpus:
        registered = _reg_names(_lib) if _lib is not None else []
        loaded = sorted({b for b in [*names, *registered] if b.lower() in _GPU_MODULES})
        if loaded:
            return Placement(0, -1, None, f"no GPU found: {', '.join(loaded)} loaded but saw no usable GPU device")
        built = built_gpu_backends()
        if not built:
            return Placement(0, -1, None, "this llama.cpp build has no GPU backend")
        if _gpu_problem:
            return Placement(0, -1, None, _gpu_problem)
        return Placement(0, -1, None, f"no GPU driver found: the {', '.join(built)} backend could not load here")
    best = max(range(len(gpus)), key=lambda i: gpus[i].free)
    dev = gpus[best]
    shape = model_shape(model)
    weights = model.stat().st_size
    n_layers = shape.get("layers") or 0
    kv = _kv_bytes(shape, n_ctx)
    need = weights + kv + OVERHEAD
    free = dev.free or dev.total
    if free >= need:
        return Placement(-1, best, dev, None, n_layers or None, need)
    if n_layers:
        per_layer = weights / (n_layers + 1)  # the output layer is about one more
        fit = int((free - OVERHEAD - kv) // per_layer) if free > OVERHEAD + kv else 0
        if fit >= max(1, n_layers // 3):
            reason = (f"{dev.name} has {free // MIB} MiB free; {fit} of {n_layers} layers fit "
                      f"(all need {need // MIB} MiB)")
            return Placement(min(fit, n_layers), best, dev, reason, n_layers, need)
    reason = f"{dev.name} has {free // MIB} MiB free; the model needs about {need // MIB} MiB"
    return Placement(0, -1, None, reason, n_layers or None, need)


def _kv_bytes(shape: dict[str, int], n_ctx: int) -> int:
    layers, heads, kv_heads, width = (shape.get(k, 0) for k in ("layers", "heads", "kv_heads", "width"))
    if not (layers and heads and width):
        return 0
    head_dim = width // heads
    return n_ctx * layers * (kv_heads or heads) * head_dim * 2 * 2  # K and V, fp16


_GGUF_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


def model_shape(path: Path) -> dict[str, int]:
    """Layer count and attention shape from a GGUF file's header (read before loading: llama.cpp needs
    the number of GPU layers up front). Empty when the file is not a GGUF this reader understands."""
    want = {"block_count": "layers", "attention.head_count": "heads", "attention.head_count_kv": "kv_heads",
            "embedding_length": "width"}
    out: dict[str, int] = {}
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"GGUF":
                return {}
            version, _tensors, n_kv = struct.unpack("<IQQ", f.read(20))
            if version < 2:
                return {}
            arch = ""

            def read_str() -> str:
                (n,) = struct.unpack("<Q", f.read(8))
                return f.read(n).decode("utf-8", "replace")

            def read_value(kind: int) -> object:
                if kind == 8:
                    return read_str()
                if kind == 9:
                    sub, count = struct.unpack("<IQ", f.read(12))
                    if sub in _GGUF_SCALARS:
                        size = struct.calcsize("<" + _GGUF_SCALARS[sub])
                        f.seek(size * count, 1)
                    else:
                        for _ in range(count):
                            read_value(sub)
                    return None
                fmt = "<" + _GGUF_SCALARS[kind]
                return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

            for _ in range(n_kv):
                key = read_str()
                (kind,) = struct.unpack("<I", f.read(4))
                value = read_value(kind)
                if key == "general.architecture":
                    arch = str(value)
                elif arch and key.startswith(arch + ".") and key[len(arch) + 1 :] in want:
                    out[want[key[len(arch) + 1 :]]] = int(value)  # type: ignore[arg-type]
                    if len(out) == len(want):
                        break
    except (OSError, struct.error, KeyError, ValueError) as exc:
        log.warning("could not read the GGUF header of %s: %s", path, exc)
        return {}
    return out
