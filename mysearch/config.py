"""Settings: declared once, read by the CLI (`mysearch config`), the UI and the engine.

Every setting has a dotted key, a type, a default and a description. Values live in
``<home>/settings.json``; an environment variable ``MYSEARCH_<KEY>`` (dots as ``__``, upper case,
e.g. ``MYSEARCH_STORE__URL``) overrides a value for one run, which is how tests point at temporary
folders without touching a real profile.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import logfile
from .errors import ConfigError

try:
    import fcntl
except ImportError:  # Windows: one writer at a time is up to the user there
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

HOME_ENV = "MYSEARCH_HOME"


@dataclass(frozen=True)
class Range:
    """The numbers a setting accepts: ``low`` and ``high`` included, unless ``above`` (then only > low)."""

    low: float | None = None
    high: float | None = None
    above: bool = False

    def __contains__(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self) -> str:
        def num(x: float) -> str:
            return f"{x:g}"

        if self.above:
            low = f"greater than {num(self.low)}"  # type: ignore[arg-type]
            return low if self.high is None else f"{low} and at most {num(self.high)}"
        if self.low is not None and self.high is not None:
            return f"from {num(self.low)} to {num(self.high)}"
        return f"at least {num(self.low)}" if self.low is not None else f"at most {num(self.high)}"  # type: ignore[arg-type]


POSITIVE = Range(0, above=True)
NOT_NEGATIVE = Range(0)


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str
    choices: tuple[str, ...] | None = None
    range: Range | None = None  # for numbers: what a person may set
    secret: bool = False  # masked wherever it is shown (CLI, app, logs)


SCHEMA: tuple[Setting, ...] = (
    Setting("folders", list, [], "Folders and single files (e.g. saved web pages) to index."),
    Setting("index.ignore", list, [],
            "Your own ignore patterns, matched as in a .gitignore (! takes a file back, even from the built-in ones)."),
    Setting("index.max_file_mb", float, 100.0, "Files larger than this many MiB are skipped.", range=POSITIVE),
    Setting(
        "index.timeout_s",
        float,
        120.0,
        "Time limit for extracting one file; slower files are skipped.",
        range=POSITIVE,
    ),
    Setting(
        "index.purge_missing_days",
        float,
        30.0,
        "Days a missing folder (unplugged disk, unmounted share) keeps its files in the index, marked unavailable.",
        range=Range(0, 36500),
    ),
    Setting("index.hidden", bool, False, "Also index hidden files and folders (names starting with a dot)."),
    Setting("ocr.enabled", bool, True,
            "Read scanned PDF pages and pictures of text with OCR, when the OCR engine is installed."),
    Setting("ocr.languages", list, ["ko", "en"], "Languages OCR reads (ko, en)."),
    Setting("ocr.max_pages", int, 50, "Most pages of one file read with OCR.", range=Range(1, 100000)),
    Setting(
        "embedding.model",
        str,
        "multilingual-e5-small",
        "Embedding model for meaning search (see `mysearch models list`).",
    ),
    Setting("embedding.batch_size", int, 32, "Chunks embedded per batch.", range=Range(1, 4096)),
    Setting(
        "embedding.threads",
        int,
        0,
        "CPU threads for embedding; 0 means all physical cores.",
        range=Range(0, 1024),
    ),
    Setting("chunk.tokens", int, 256, "Largest chunk, in the embedding model's tokens.", range=Range(16, 8192)),
    Setting("chunk.overlap", int, 32, "Tokens shared by neighbouring chunks.", range=Range(0, 4096)),
    Setting(
        "watch.debounce_s",
        float,
        0.3,
        "Quiet time after a change before it is indexed (bursts are coalesced).",
        range=Range(0, 60),
    ),
    Setting(
        "watch.rescan_s",
        float,
        300.0,
        "How often folders that cannot be watched are rescanned, in seconds.",
        range=Range(1),
    ),
    Setting(
        "watch.reconcile_s",
        float,
        300.0,
        "How often every folder is compared with the index by file size and time (repairs missed changes).",
        range=Range(1),
    ),
    Setting(
        "watch.max_watches",
        int,
        0,
        "Folders the watcher may watch; 0 means the system's limit (inotify).",
        range=NOT_NEGATIVE,
    ),
    Setting("store.url", str, "", "Chroma server URL (http://host:port); empty uses the embedded store."),
    Setting("search.k", int, 10, "Number of results shown.", range=Range(1, 1000)),
    Setting(
        "search.keyword_weight",
        float,
        1.0,
        "Weight of the keyword ranking in the fused result.",
        range=Range(0, 100),
    ),
    Setting(
        "search.dense_weight",
        float,
        1.0,
        "Weight of the meaning ranking in the fused result.",
        range=Range(0, 100),
    ),
    Setting(
        "search.fusion",
        str,
        "score",
        "How the two rankings are combined: standardised scores (score) or reciprocal ranks (rrf).",
        ("score", "rrf"),
    ),
    Setting(
        "embedding.extra",
        list,
        ["all-minilm-l6-v2"],
        "More embedding models run beside the chosen one and fused with it (English-only ones sit out Korean queries).",
    ),
    Setting(
        "search.extra_weight",
        float,
        1.0,
        "Weight of each extra embedding model's ranking in the fused result.",
        range=Range(0, 100),
    ),
    Setting(
        "answer.model",
        str,
        "qwen2.5-coder-1.5b-instruct",
        "Local model that writes answers (see `mysearch models list`).",
    ),
    Setting("answer.gpu", str, "auto", "Run the answer model on the GPU when the build supports one.", ("auto", "off")),
    Setting("answer.threads", int, 0, "CPU threads for answering; 0 means all physical cores.", range=Range(0, 1024)),
    Setting("answer.sources", int, 3, "Passages given to the model for one answer.", range=Range(1, 20)),
    Setting("answer.max_tokens", int, 256, "Longest answer, in the model's tokens.", range=Range(1, 4096)),
    Setting("web.enabled", bool, False, "Mix web search results into answers (sends the question to the web)."),
    Setting(
        "web.provider",
        str,
        "duckduckgo",
        "Web search service: DuckDuckGo, a SearXNG instance or the Brave Search API.",
        ("duckduckgo", "searxng", "brave"),
    ),
    Setting("web.url", str, "", "Address of the web search service (SearXNG: the instance; Brave: optional)."),
    Setting("web.api_key", str, "", "API key for services that need one (Brave).", secret=True),
    Setting(
        "web.results",
        int,
        3,
        "Web pages read for one answer; their passages compete with the files' for answer.sources places.",
        range=Range(1, 20),
    ),
    Setting("web.deadline_s", float, 5.0, "Time limit for web search plus reading its pages, in seconds.",
            range=Range(0.5, 60)),
    Setting("web.page_max_kb", int, 2048, "Largest web page read for an answer, in KiB; larger ones use their snippet.",
            range=Range(16, 65536)),
    Setting("web.max_redirects", int, 5, "Redirects followed when reading a web page.", range=Range(0, 20)),
    Setting("web.proxy", str, "", "HTTP proxy for web search and page reading (http://host:port); empty: none."),
    Setting("web.ca_file", str, "", "Extra certificate authorities (PEM file) trusted for web search, e.g. a proxy's."),
    Setting(
        "ui.theme", str, "system", "Window colours: follow the system, light or dark.", ("system", "light", "dark")
    ),
    Setting(
        "ui.language", str, "system", "App language: follow the system, English or Korean.", ("system", "en", "ko")
    ),
)

_BY_KEY = {s.key: s for s in SCHEMA}


def setting(key: str) -> Setting:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ConfigError(f"unknown setting '{key}' (see `mysearch config list`)") from None


def parse_value(s: Setting, raw: Any) -> Any:
    """Turn a string (from the command line or environment) or JSON value into the setting's type."""
    try:
        if s.type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if s.type is list:
            if isinstance(raw, list):
                return [str(x) for x in raw]
            text = str(raw).strip()
            if text.startswith("["):
                return [str(x) for x in json.loads(text)]
            return [p for p in (x.strip() for x in text.split(",")) if p]
        value = s.type(raw)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ConfigError(f"'{raw}' is not a valid {s.type.__name__} for {s.key}") from None
    if s.choices and value not in s.choices:
        raise ConfigError(f"{s.key} must be one of: {', '.join(s.choices)}")
    if s.type is float and not math.isfinite(value):
        raise ConfigError(f"'{raw}' is not a valid number for {s.key}")
    if s.range is not None and value not in s.range:
        raise ConfigError(f"{s.key} must be {s.range.describe()} (not {raw})")
    if s.secret and value:
        logfile.hide(value)  # whoever reads it, it never reaches a log
    return value


def default_home() -> Path:
    """The platform's user-data folder, unless MYSEARCH_HOME says otherwise."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("mysearch", appauthor=False))


class Config:
    """Settings of one home folder. Reads are cheap; ``set`` writes the file atomically.

    A reload parses into a new dict and swaps it in only when the file reads: a file with a syntax error
    (a hand edit, a half-written copy from an older version) keeps the last good settings, and the reason
    is in ``error`` (shown by `mysearch status`), so a running owner never falls back to the defaults and
    starts re-embedding under another model. Writers take ``settings.json.lock``, re-read the file, change
    only their own key and replace the file from a temporary file of their own, so two processes setting
    different keys at once both keep their change."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = self.home / "settings.json"
        self._values: dict[str, Any] = {}
        self.error: str | None = None  # why the file could not be read last time (None: it could)
        self.reload(strict=True)

    def reload(self, strict: bool = False) -> None:
        """Read the file again (another process, such as the CLI, may have changed it).

        ``strict`` (the first read) raises ``ConfigError`` for a file that does not parse; later reloads
        keep the last good settings instead and report it."""
        try:
            values = self._read()
        except ConfigError as exc:
            if strict:
                raise
            if self.error != str(exc):
                log.warning("%s; keeping the last good settings", exc)
            self.error = str(exc)
            return
        self._values, self.error = values, None

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(f"cannot read settings file {self.path}: {exc}") from None
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"cannot read settings file {self.path}: {exc}") from None
        if not isinstance(values, dict):
            raise ConfigError(f"cannot read settings file {self.path}: not a JSON object")
        return values

    def get(self, key: str) -> Any:
        s = setting(key)
        env = os.environ.get("MYSEARCH_" + key.upper().replace(".", "__"))
        if env is not None:
            return parse_value(s, env)
        if key in self._values:
            return parse_value(s, self._values[key])
        return list(s.default) if isinstance(s.default, list) else s.default

    def set(self, key: str, value: Any) -> Any:
        s = setting(key)
        parsed = parse_value(s, value)
        if key in ("embedding.model", "embedding.extra"):
            _check_embedding_models(key, parsed if isinstance(parsed, list) else [parsed])
        self._write(key, parsed)
        return parsed

    def reset(self, key: str) -> None:
        setting(key)
        self._write(key, _RESET)

    def items(self) -> list[tuple[Setting, Any]]:
        return [(s, self.get(s.key)) for s in SCHEMA]

    def _write(self, key: str, value: Any) -> None:
        """Change one key in the file as it is now (under the lock), then take the result as ours."""
        self.home.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.path.with_name(self.path.name + ".lock")):
            try:
                current = self._read()
            except ConfigError:  # unreadable: our last good settings are the best base there is
                current = dict(self._values)
            for stale in self.home.glob(".settings-*.tmp"):  # a writer killed mid-way (we hold the lock now)
                with contextlib.suppress(OSError):
                    stale.unlink()
            if value is _RESET:
                current.pop(key, None)
            else:
                current[key] = value
            fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.home)
            try:
                os.fchmod(fd, 0o600)  # it may hold an API key
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(json.dumps(current, indent=2, ensure_ascii=False))
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        self._values, self.error = current, None


_RESET = object()


def _check_embedding_models(key: str, names: list[str]) -> None:
    """A typo in a model name would leave every chunk waiting for a model that never comes: refuse it."""
    from . import embed

    known = {i.name for i in embed.available()}
    if unknown := [n for n in names if n not in known]:
        raise ConfigError(
            f"{key}: unknown embedding model {', '.join(repr(n) for n in unknown)} "
            f"(available: {', '.join(sorted(known))})"
        )


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock held by this process until the block ends (released by the OS if it dies)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
