"""One way to reach a library, whoever owns it: the CLI and the desktop app are clients of it.

A library has one owner at a time: the process holding its lock (the app's ``mysearch serve`` child,
``mysearch watch``, or a one-shot command such as ``mysearch index``), which alone opens the vector store
and writes. ``Client`` is everything a program a person uses asks of a library: search, ask, status,
what is indexed, settings, pause and resume, Korean tokens. ``LocalClient`` serves it from a
``Library`` in this process (a command with nobody else around; and the owner itself, whose control
socket is a ``LocalClient`` spoken to over the wire); ``RemoteClient`` asks the owner over that socket
(``mysearch.channel``). ``connect`` chooses between them: the one place that does.

Settings are a file every process may edit in place (``config``); ``settings_changed`` then tells the
owner to read it again. Answers are written in the asking process either way (``Client.ask``): the owner
retrieves and hands over the passages, the answer model runs here (llama.cpp releases the GIL, so a
window stays responsive while it writes).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import folders, permissions, tokens
from .channel import request, socket_path
from .config import Config
from .errors import ConfigError
from .lock import OwnerLock
from .search import Filters, Hit

if TYPE_CHECKING:
    from .answer import Event
    from .ingest.indexer import IndexReport, ProgressFn
    from .library import Library
    from .owner.loop import IndexService

QUICK_S = 10.0  # a ping, a state poll or a control waits this long at most: a busy owner is not a gone one


class Client:
    """What the CLI and the app ask of a library. Methods block (a socket or a database): the app calls
    them off its GUI thread."""

    home: Path
    config: Config
    remote: bool = False  # the library is owned by another process

    # --- searching and answering ----------------------------------------------------------------
    def search(
        self, text: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
        prefix: bool = False,
    ) -> list[Hit]:
        """``Library.search``: ``prefix`` while typing (the last word may be unfinished)."""
        raise NotImplementedError

    def chunk_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        """Whole passages of hits, by chunk id (an answer reads its sources whole)."""
        raise NotImplementedError

    def preview(self, chunk_id: int, text: str) -> dict[str, Any]:
        """``Library.preview``: the chunk with the query's words marked, and its neighbours."""
        raise NotImplementedError

    def tokenize(self, text: str, bigrams: bool = True) -> list[str]:
        """The keyword index's tokens for ``text`` (Korean morphemes from the owner's Kiwi)."""
        raise NotImplementedError

    def ask(
        self, question: str, cancel: threading.Event | None = None, filters: Filters | None = None,
        web_search: bool | None = None,
    ) -> Iterator[Event]:
        """Stream a grounded answer (``mysearch.answer.ask``): retrieval here through ``search`` and
        ``chunk_texts``, the model in this process."""
        from . import answer

        return answer.ask(self, question, cancel=cancel, filters=filters, web_search=web_search)

    # --- state ----------------------------------------------------------------------------------
    def status(self, max_problems: int | None = None) -> dict[str, Any]:
        """``Library.status`` as JSON, with the owner's ``service`` state where one runs. ``max_problems``
        keeps a poll's reply small however many files failed (``problems_total`` says how many)."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the indexer is doing now, without touching the database (the app polls it)."""
        raise NotImplementedError

    def problems(self) -> list[dict[str, str]]:
        """Every skipped or failed file with its reason."""
        raise NotImplementedError

    def owner_pid(self) -> int | None:
        """The process that holds the library now (this one included), None when nobody does."""
        return OwnerLock(self.home).holder()

    # --- what is indexed, and settings ----------------------------------------------------------
    def folders(self) -> list[str]:
        return list(self.config.get("folders"))

    def add(self, targets: list[str]) -> list[str]:
        """``folders.add``, then the owner is told."""
        added = folders.add(self.config, self.home, targets)
        self.settings_changed()
        return added

    def remove(self, targets: list[str]) -> list[str]:
        removed = folders.remove(self.config, targets)
        self.settings_changed()
        return removed

    def exclude(self, path: str) -> str:
        """``folders.exclude`` (the app's "Remove from index"); the owner drops the file's chunks."""
        rule = folders.exclude(self.config, path)
        self.settings_changed()
        return rule

    def save_result(self, url: str, title: str = "") -> Path:
        """Keep a web result's page in the library (the app's "Save to library"); the owner indexes it."""
        from .web.save import save_result

        path = save_result(self.config, self.home, url, title)
        if self.settings_changed():  # the Saved pages folder may be new to it
            self.sync()
        return path

    def set_setting(self, key: str, value: object) -> object:
        """Change a setting (checked against its schema) and return the value now in effect."""
        saved = self.config.set(key, value)
        self.settings_changed()
        return saved

    def reset_setting(self, key: str) -> object:
        self.config.reset(key)
        self.settings_changed()
        return self.config.get(key)

    # --- the owner's work -----------------------------------------------------------------------
    def settings_changed(self) -> bool:
        """The owner reads the settings again (folders, rules, models); False when no indexer runs to
        be told (the next one reads them when it starts)."""
        raise NotImplementedError

    def sync(self, progress: ProgressFn | None = None) -> IndexReport | None:
        """Bring the index in step with the files: here and now (the report), or by asking the running
        owner to rescan (None)."""
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def resume(self) -> None:
        raise NotImplementedError


def _capped(st: dict[str, Any], max_problems: int | None) -> dict[str, Any]:
    if max_problems is not None:
        problems = list(st["problems"])
        st["problems_total"] = len(problems)
        st["problems"] = problems[: int(max_problems)]
    return st


class LocalClient(Client):
    """A ``Library`` in this process, and its indexing loop where this process runs one (``service``).

    ``extra_models=False`` ranks with the chosen embedding model and keywords only: a one-shot ``ask``
    would otherwise load the extra (English) model, and torch, for one query (3-6 s of a cold ``ask``,
    benchmarks/bench_cold_ask.py)."""

    def __init__(self, lib: Library, service: IndexService | None = None, extra_models: bool = True) -> None:
        self.lib, self.service, self.extra_models = lib, service, extra_models
        self.home, self.config = lib.home, lib.config

    def search(
        self, text: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
        prefix: bool = False,
    ) -> list[Hit]:
        return self.lib.search(text, k, filters, mode, prefix, extra_models=self.extra_models)

    def chunk_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        return self.lib.chunk_texts(chunk_ids)

    def preview(self, chunk_id: int, text: str) -> dict[str, Any]:
        return self.lib.preview(chunk_id, text)

    def tokenize(self, text: str, bigrams: bool = True) -> list[str]:
        return tokens.tokenize(text, bigrams=bigrams)

    def status(self, max_problems: int | None = None) -> dict[str, Any]:
        st = self.service.status() if self.service else self.lib.status().as_json()
        return _capped(st, max_problems)

    def state(self) -> dict[str, Any]:
        s = self.service.state if self.service else None
        return {"pid": os.getpid(), "phase": s.phase if s else "idle", "paused": bool(s and s.paused),
                "on_battery": bool(s and s.on_battery), "progress": dict(s.progress) if s else {},
                "last_update": dict(s.last_report) if s else {}}

    def problems(self) -> list[dict[str, str]]:
        return list(self.lib.status().problems)

    def owner_pid(self) -> int | None:
        return self.lib.lock.holder()

    def settings_changed(self) -> bool:
        if self.service is None:
            return False
        self.lib.config.reload()
        self.service.settings_changed()
        return True

    def sync(self, progress: ProgressFn | None = None) -> IndexReport | None:
        if self.service is not None:
            self.service.request_sync()
            return None
        return self.lib.index(progress=progress)

    def pause(self) -> None:
        self._loop().pause()

    def resume(self) -> None:
        self._loop().resume()

    def _loop(self) -> IndexService:
        if self.service is None:
            raise ConfigError("no running mysearch watcher or app for this library")
        return self.service


class RemoteClient(Client):
    """A library owned by another process, asked over its control socket (thread-safe: one connection
    per call). ``config`` is this process's view of the same settings file."""

    remote = True

    def __init__(self, home: Path, timeout: float = 120.0, config: Config | None = None) -> None:
        self.home = Path(home)
        if config is None:
            permissions.secure_home(self.home)  # the app may be first: the folder is made private
            config = Config(self.home)
        self.config = config
        self.path = socket_path(self.home)
        self.timeout = timeout

    def call(self, req: dict[str, object], timeout: float | None = None) -> dict[str, Any]:
        return request(self.path, req, timeout or self.timeout)

    def ping(self) -> int | None:
        """The owner's PID, or None when nobody answers."""
        try:
            return int(self.call({"op": "ping"}, min(QUICK_S, self.timeout))["pid"])
        except (OSError, ValueError, KeyError):
            return None

    def available(self) -> bool:
        return self.ping() is not None

    def search(
        self, text: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
        prefix: bool = False,
    ) -> list[Hit]:
        req: dict[str, object] = {"op": "search", "text": text, "mode": mode}
        if prefix:
            req["prefix"] = True
        if k:
            req["k"] = k
        if filters is not None:
            req["filters"] = filters.as_json()
        return [Hit.from_json(h) for h in self.call(req)["hits"]]

    def chunk_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        texts = self.call({"op": "chunks", "ids": list(chunk_ids)})["texts"]
        return {int(i): str(t) for i, t in texts.items()}

    def preview(self, chunk_id: int, text: str) -> dict[str, Any]:
        return self.call({"op": "preview", "chunk_id": chunk_id, "text": text})

    def tokenize(self, text: str, bigrams: bool = True) -> list[str]:
        reply = self.call({"op": "tokenize", "text": text, "bigrams": bigrams}, min(QUICK_S, self.timeout))
        return list(reply["tokens"])

    def korean_from_owner(self) -> Callable[[], None]:
        """Korean morphemes in this process come from the owner, which has Kiwi loaded (``tokens.korean_from``:
        the app's window and a one-shot ``ask`` never load it); returns the undo."""
        return tokens.korean_from(lambda run: self.tokenize(run, bigrams=False))

    def status(self, max_problems: int | None = None) -> dict[str, Any]:
        req: dict[str, object] = {"op": "status"}
        if max_problems is not None:
            req["max_problems"] = max_problems
        return self.call(req)

    def state(self) -> dict[str, Any]:
        return self.call({"op": "state"}, min(QUICK_S, self.timeout))

    def problems(self) -> list[dict[str, str]]:
        return list(self.call({"op": "problems"})["problems"])

    def settings_changed(self) -> bool:
        try:
            self._control("settings_changed")
        except OSError:  # nobody answers now: whoever owns it next reads the settings as it starts
            return False
        return True

    def sync(self, progress: ProgressFn | None = None) -> IndexReport | None:
        self._control("sync")
        return None

    def pause(self) -> None:
        self._control("pause")

    def resume(self) -> None:
        self._control("resume")

    def _control(self, op: str) -> None:
        self.call({"op": op}, min(QUICK_S, self.timeout))


def connect(lib: Library, extra_models: bool = True) -> Client:
    """The library's running owner when another process holds it and answers, else ``lib`` itself.

    A watcher or the app owns the store: searching it through them never reads stale vectors, and
    ``sync`` asks them to rescan instead of waiting for their lock. ``extra_models``: see
    ``LocalClient``."""
    holder = lib.lock.holder()
    if holder is not None and holder != os.getpid():
        remote = RemoteClient(lib.home, config=lib.config)
        if remote.available():
            return remote
    return LocalClient(lib, extra_models=extra_models)
