"""Text extraction in a separate process, with a time limit per file.

Parsers of PDFs and office files can hang, eat memory or crash the interpreter on a damaged file.
Running them in a child process turns each of those into a recorded skip: a file that takes longer
than the limit gets the child killed (and a new one started), a crash of the child is reported as a
damaged file, and the indexer goes on. The child starts lazily, on the first file that needs reading.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from pathlib import Path

from ..sources.base import Document, ExtractionError, SkipFile

log = logging.getLogger(__name__)

MEMORY_LIMIT = 4 * 2**30


def _serve(conn) -> None:  # multiprocessing connection
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    try:
        os.nice(5)
    except (AttributeError, OSError):
        pass
    from .. import sources

    while True:
        try:
            path = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if path is None:
            return
        try:
            if isinstance(path, tuple):  # ("ocr", path, page, languages)
                from .. import ocr

                _, file, page, languages = path
                conn.send(("ok", ocr.read_page(Path(file), page, tuple(languages))))
                continue
            conn.send(("ok", sources.extract(Path(path))))
        except SkipFile as exc:
            conn.send(("skip", str(exc)))
        except ExtractionError as exc:
            conn.send(("fail", str(exc)))
        except MemoryError:
            conn.send(("fail", "needs too much memory to read"))
        except PermissionError:
            conn.send(("fail", "permission denied"))
        except FileNotFoundError:
            conn.send(("fail", "vanished while being read"))
        except Exception as exc:  # a parser bug must not stop indexing
            conn.send(("fail", f"could not be read ({type(exc).__name__}: {exc})"[:300]))


class ExtractorProcess:
    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._proc: mp.process.BaseProcess | None = None
        self._conn = None

    def start(self) -> None:
        if self._proc is None or not self._proc.is_alive():
            self._start()

    def _start(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="mysearch-extract")
        self._proc.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        self._proc = None
        self._conn = None

    def extract(self, path: str) -> Document:
        """Raises SkipFile or ExtractionError with a reason a person understands."""
        return self._ask(path)

    def ocr(self, path: str, page: int, languages: tuple[str, ...]):  # -> ocr.OcrText
        """Read one page with OCR, under the same time and memory limits as any file."""
        return self._ask(("ocr", path, page, tuple(languages)))

    def _ask(self, request):
        self.start()
        assert self._conn is not None
        try:
            self._conn.send(request)
            if not self._conn.poll(self.timeout_s):
                self._kill()
                what = "to read" if isinstance(request, str) else f"to read page {request[2]} with OCR"
                raise ExtractionError(f"took longer than {self.timeout_s:g} s {what} (index.timeout_s)")
            status, payload = self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            self._kill()
            raise ExtractionError("the reader crashed on this file (damaged or unusual file?)") from None
        if status == "ok":
            return payload
        if status == "skip":
            raise SkipFile(payload)
        raise ExtractionError(payload)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        if self._proc is not None:
            self._proc.join(2)
            if self._proc.is_alive():
                self._proc.kill()
        self._proc = None
        self._conn = None
