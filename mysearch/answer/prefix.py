"""llama.cpp's evaluated state for the prompt's fixed part, kept on disk between processes.

Every prompt starts with the same instructions and worked examples (``prompt.messages``, ~200 tokens).
Within one process llama.cpp reuses their evaluated cache from one question to the next; a fresh
process (a one-shot ``mysearch ask``) would read them again first, seconds on a laptop CPU. Their state
(the key/value cache of sequence 0, ~6 MB for the 1.5B model) is saved once in the library folder and
read back in milliseconds by the next process.

The file is keyed by everything that makes the state valid: the model file (path, size, mtime), the
llama-cpp-python version, the context size, how many layers run on a GPU and the prompt text. It is
written to a temporary file and renamed, so a crash never leaves a half-written state that a later
process would load; a file that does not check out (wrong magic, wrong digest) is ignored and rewritten.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)

MAGIC = b"mysearch-prefix-state 1\n"
FOLDER = "prompt-state"  # under the library's cache folder


def cache_dir(home: Path) -> Path:
    return Path(home) / "cache" / FOLDER


def key(rt: Runtime, prompt_text: str) -> str:
    """A name that changes whenever the saved state would no longer be valid for this runtime and text."""
    import llama_cpp

    st = rt.path.stat()
    ident = {
        "file": str(rt.path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "llama_cpp": llama_cpp.__version__,
        "n_ctx": rt.llm.n_ctx(),  # type: ignore[attr-defined]
        "gpu_layers": rt.gpu_layers,
        "prompt": prompt_text,
    }
    digest = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in rt.name)
    return f"{safe}-{digest}"


def holds(rt: Runtime, tokens: list[int]) -> bool:
    """Whether the model's cache starts with ``tokens`` already (a question asked in this process)."""
    llm = rt.llm
    n = len(tokens)
    return bool(n) and int(llm.n_tokens) >= n and llm.input_ids[:n].tolist() == tokens  # type: ignore[attr-defined]


def restore(rt: Runtime, folder: Path, name: str) -> int:
    """Load the saved state ``name`` into the model (call with ``rt.lock`` held); returns the number of
    prompt tokens now cached, 0 when there is no usable file."""
    import llama_cpp

    path = folder / f"{name}.state"
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    parsed = _parse(data)
    if parsed is None:
        log.info("ignoring a damaged prompt state %s", path)
        return 0
    tokens, payload = parsed
    llm = rt.llm
    if holds(rt, tokens):
        return len(tokens)
    buf = (ctypes.c_uint8 * len(payload)).from_buffer_copy(payload)
    llm.reset()  # type: ignore[attr-defined]
    if not llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buf, len(payload), 0):  # type: ignore[attr-defined]
        log.info("llama.cpp refused the prompt state %s", path)
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)  # type: ignore[attr-defined]
        return 0
    llm.input_ids[: len(tokens)] = tokens  # type: ignore[attr-defined]
    llm.n_tokens = len(tokens)  # type: ignore[attr-defined]
    llm._requires_eval = True  # type: ignore[attr-defined]  # no logits were restored: never sample from them
    return len(tokens)


def save(rt: Runtime, folder: Path, name: str) -> Path | None:
    """Write the model's current cache as ``name`` (call with ``rt.lock`` held, right after the fixed
    prompt was evaluated); other states of the same model are removed. None if it could not be written."""
    import llama_cpp

    llm = rt.llm
    tokens = [int(t) for t in llm.input_ids[: llm.n_tokens]]  # type: ignore[attr-defined]
    if not tokens:
        return None
    ctx = llm._ctx.ctx  # type: ignore[attr-defined]
    size = llama_cpp.llama_state_seq_get_size(ctx, 0)
    buf = (ctypes.c_uint8 * size)()
    n = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
    if not n or n > size:
        return None
    payload = bytes(buf)[:n]
    header = json.dumps({"tokens": tokens, "sha256": hashlib.sha256(payload).hexdigest()}).encode() + b"\n"
    target = folder / f"{name}.state"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + header + payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only or full disk: the next process evaluates the prefix itself
        log.info("could not save the prompt state: %s", exc)
        return None
    model = name.rsplit("-", 1)[0]
    for old in folder.glob(f"{model}-*.state"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def _parse(data: bytes) -> tuple[list[int], bytes] | None:
    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        return None
    try:
        header = json.loads(data[len(MAGIC) : end])
        tokens = [int(t) for t in header["tokens"]]
        digest = str(header["sha256"])
    except (ValueError, KeyError, TypeError):
        return None
    payload = data[end + 1 :]
    if not tokens or hashlib.sha256(payload).hexdigest() != digest:
        return None
    return tokens, payload
