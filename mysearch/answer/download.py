"""`mysearch models pull`: the one place that downloads a model, and only when the user asks.

The download goes to ``FILE.partial`` beside the target and resumes with an HTTP Range request after an
interruption; the file takes its real name only once its size and sha256 match the catalog, so a
half-downloaded or tampered file is never loaded.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..errors import ModelError
from .models import ModelEntry, local_path

ProgressFn = Callable[[int, int | None], None]


def pull(entry: ModelEntry, progress: ProgressFn | None = None, timeout: float = 30.0) -> Path:
    target = local_path(entry)
    if target.exists():
        return target
    if not entry.url:
        raise ModelError(f"model {entry.name} has no download address; add its file with `mysearch models add`")
    if not entry.sha256:
        raise ModelError(f"model {entry.name} has no sha256 in the catalog, so a download could not be checked")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    have = partial.stat().st_size if partial.exists() else 0
    digest = hashlib.sha256()
    if have:
        with open(partial, "rb") as f:
            while block := f.read(1 << 22):
                digest.update(block)
    if entry.size and have > entry.size:  # longer than the file can be: not a part of it
        partial.unlink(missing_ok=True)
        have, digest = 0, hashlib.sha256()
    if not (entry.size and have == entry.size):  # a complete partial only needs its check
        have, digest = _fetch(entry, partial, have, digest, progress, timeout)
    if entry.size and have != entry.size:
        raise ModelError(f"download of {entry.name} stopped at {have:,} of {entry.size:,} bytes; pull again to resume")
    sha = digest.hexdigest()
    if sha != entry.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(f"downloaded {entry.name} has sha256 {sha[:12]}…, expected {entry.sha256[:12]}…; removed it")
    os.replace(partial, target)
    return target


def _fetch(
    entry: ModelEntry, partial: Path, have: int, digest: hashlib._Hash, progress: ProgressFn | None, timeout: float
) -> tuple[int, hashlib._Hash]:
    """Append the rest of the file to ``partial``; returns the bytes now held and their running hash.

    A server answers 416 (range not satisfiable) when the partial file already holds every byte: that is
    a finished download, to be checked, not an error to report forever."""
    assert entry.url is not None
    req = urllib.request.Request(entry.url, headers={"User-Agent": "mysearch"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            if have and resp.status != 206:  # the server ignored Range: start over
                have = 0
                digest = hashlib.sha256()
                partial.unlink(missing_ok=True)
            length = resp.headers.get("Content-Length")
            total = have + int(length) if length else entry.size
            with open(partial, "ab") as out:
                while block := resp.read(1 << 20):
                    out.write(block)
                    digest.update(block)
                    have += len(block)
                    if progress:
                        progress(have, total)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            # "Content-Range: bytes */N" gives the whole length: equal means the partial file is complete
            total = (exc.headers.get("Content-Range") or "").rpartition("/")[2]
            if not total.isdigit() or int(total) == have:
                return have, digest  # the sha256 check decides whether those bytes are the model
            partial.unlink(missing_ok=True)  # longer than the file: not a part of it; start over next time
        msg = f"download of {entry.name} stopped at {have:,} bytes ({exc.reason}); run pull again to resume"
        raise ModelError(msg) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        msg = f"download of {entry.name} stopped at {have:,} bytes ({reason}); run pull again to resume"
        raise ModelError(msg) from None
    return have, digest
