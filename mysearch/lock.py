"""One process owns a library's vector store at a time.

Chroma's embedded store is not safe for two processes: a second one sees the rows but its vector
queries miss what the first wrote (measured with chromadb 1.x). So whoever opens the vectors takes an exclusive lock on
``<home>/owner.lock`` (released by the OS if the process dies) and writes its PID there, and anyone
else gets a clear message naming that process instead of stale or corrupt results.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import StoreBusy

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class OwnerLock:
    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "owner.lock"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, what: str = "use the index") -> None:
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            pid = self.owner_pid()
            who = f"process {pid}" if pid else "another process"
            raise StoreBusy(
                f"cannot {what}: this library is in use by mysearch {who} (indexing, watching or the app); "
                "stop it or wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def holder(self) -> int | None:
        """PID of the process that owns the library now, or None when nobody does."""
        if self._fd is not None:
            return os.getpid()
        if not self.path.exists():
            return None
        fd = os.open(self.path, os.O_RDWR)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            else:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return None
        except OSError:
            return self.owner_pid() or -1
        finally:
            os.close(fd)

    def owner_pid(self) -> int | None:
        try:
            text = self.path.read_text().strip()
            return int(text) if text else None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None
