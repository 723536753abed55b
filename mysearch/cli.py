"""The ``mysearch`` command: a thin client of the library (``client.connect``: the running owner, or
``Library`` in this process when nobody else owns it).

Output contract (other tools rely on it): ``--json`` prints exactly one JSON object (or one per line
for ``search --queries``) on stdout; errors print one readable line on stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from . import __version__
from .client import RemoteClient, connect
from .config import default_home, parse_value, setting
from .errors import ConfigError, MySearchError
from .logfile import MASK, log_to_file
from .permissions import PRIVATE_UMASK
from .search import Filters
from .terminal import TerminalText, json_text, write_control

log = logging.getLogger("mysearch")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-01-31") from None


def _setting_value(key: str):
    """An argument checked like the setting it overrides for one run (``-k`` like ``search.k``)."""

    def parse(text: str) -> object:
        try:
            return parse_value(setting(key), text)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


HIDDEN_COMMANDS = frozenset({"serve"})  # the app's child process: parsed, never offered


class _Offered(Mapping):
    """The commands argparse checks a name against (all) and lists in help and errors (the offered)."""

    def __init__(self, commands: dict[str, argparse.ArgumentParser]) -> None:
        self.commands = commands

    def __getitem__(self, name: str) -> argparse.ArgumentParser:
        return self.commands[name]

    def __contains__(self, name: object) -> bool:
        return name in self.commands

    def __iter__(self) -> Iterator[str]:
        return (name for name in self.commands if name not in HIDDEN_COMMANDS)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Commands(argparse._SubParsersAction):
    """Subcommands where a hidden one works but is never named in ``--help`` or "invalid choice"."""

    def __init__(self, *args, **kwargs) -> None:  # argparse passes them on
        super().__init__(*args, **kwargs)
        self.choices = _Offered(self._name_parser_map)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mysearch", description="Local-first personal search.")
    p.add_argument("--home", help="library folder (default: $MYSEARCH_HOME or the user data folder)")
    p.add_argument("--store-url", help="use a Chroma server at this URL instead of the embedded store")
    p.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")
    p.add_argument("--version", action="version", version=f"mysearch {__version__}")
    p.add_argument("--smoke", action="store_true",
                   help="check this install: index two sample files in a temporary library, search, answer, "
                        "open the window; one JSON line of timings")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", action=_Commands)
    as_json = "print one JSON object instead of text"

    a = sub.add_parser("add", help="add folders or files to index")
    a.add_argument("paths", nargs="+", help="folders, files, or web page URLs (a local copy is saved)")
    r = sub.add_parser("remove", help="stop indexing folders or files")
    r.add_argument("paths", nargs="+", help="folders or files added before")

    i = sub.add_parser("index", help="bring the index in step with the files")
    i.add_argument("--json", action="store_true", help=as_json)

    s = sub.add_parser("search", help="search the index")
    s.add_argument("text", nargs="?", help='what to look for; "quoted phrases" must match as written')
    s.add_argument("-k", type=_setting_value("search.k"), default=None,
                   help="number of results (default: the search.k setting)")
    s.add_argument("--json", action="store_true", help=as_json)
    s.add_argument("--queries", help="JSONL file of {_id, text} queries; prints one line per query")
    s.add_argument("--type", action="append", default=[], help="file type, e.g. pdf (repeatable)")
    s.add_argument("--after", type=_date, help="modified on or after this date")
    s.add_argument("--before", type=_date, help="modified before this date")
    s.add_argument("--in", dest="folders", action="append", default=[], help="only under this folder")
    s.add_argument("--mode", choices=("hybrid", "keyword", "dense"), default="hybrid",
                   help="by meaning and keywords (hybrid, the default), keywords only, or meaning only")

    sub.add_parser("watch", help="keep the index in step with the folders until stopped (Ctrl+C)")
    sub.add_parser("pause", help="pause the running watcher's indexing (searching goes on)")
    sub.add_parser("resume", help="resume the running watcher's indexing")

    st = sub.add_parser("status", help="what is indexed and what was skipped")
    st.add_argument("--json", action="store_true", help=as_json)

    c = sub.add_parser("config", help="read or change settings")
    csub = c.add_subparsers(dest="action", required=True, metavar="ACTION")
    key = "a setting's name, e.g. search.k (see `mysearch config list`)"
    cg = csub.add_parser("get", help="print a setting's value")
    cg.add_argument("key", help=key)
    cg.add_argument("--reveal", action="store_true", help="print a secret setting (an API key) in clear")
    cs = csub.add_parser("set", help="change a setting")
    cs.add_argument("key", help=key)
    cs.add_argument("value", help="the new value; for a secret setting, - reads it from standard input")
    cr = csub.add_parser("reset", help="put a setting back to its default")
    cr.add_argument("key", help=key)
    cl = csub.add_parser("list", help="every setting with its value and description")
    cl.add_argument("--json", action="store_true", help=as_json)

    q = sub.add_parser("ask", help="answer a question from your files, citing them")
    q.add_argument("question", help="the question, in words")
    q.add_argument("--json", action="store_true", help=as_json)
    q.add_argument("--type", action="append", default=[], help="file type, e.g. pdf (repeatable)")
    q.add_argument("--after", type=_date, help="modified on or after this date")
    q.add_argument("--before", type=_date, help="modified before this date")
    q.add_argument("--in", dest="folders", action="append", default=[], help="only under this folder")
    q.add_argument("--web", dest="web", action="store_true", default=None,
                   help="also search the web for this question (sends it to web.provider)")
    q.add_argument("--no-web", dest="web", action="store_false", help="answer from the files only this time")

    m = sub.add_parser("models", help="embedding and answer models")
    msub = m.add_subparsers(dest="action", required=True, metavar="ACTION")
    ml = msub.add_parser("list", help="the models mysearch knows, which are installed and in use")
    ml.add_argument("--json", action="store_true", help=as_json)
    mu = msub.add_parser("use", help="choose the embedding or answer model by name")
    mu.add_argument("name", help="a name from `mysearch models list`")
    ma = msub.add_parser("add", help="register a GGUF answer model file you have")
    ma.add_argument("file", help="the .gguf file")
    ma.add_argument("--name", help="name to use (default: from the file)")
    ma.add_argument("--copy", action="store_true", help="copy the file into the models folder")
    ma.add_argument("--use", action="store_true", help="also make it the answer model")
    mp = msub.add_parser("pull", help="download a catalogued answer model (needs the internet; resumable)")
    mp.add_argument("name", help="a catalogued answer model (see `mysearch models list`)")

    d = sub.add_parser("doctor", help="what this computer runs: llama.cpp build, GPU, models, speed")
    d.add_argument("--json", action="store_true", help=as_json)
    d.add_argument("--no-speed", action="store_true", help="skip the short speed test of the answer model")

    ea = sub.add_parser("eval-answers", help="measure answers on a SQuAD-format set")
    ea.add_argument("dataset", help="a SQuAD-format JSON file")
    ea.add_argument("--json", action="store_true", help=as_json)
    ea.add_argument("--articles", type=int, default=10, help="articles whose paragraphs are indexed")
    ea.add_argument("--questions", type=int, default=40, help="answerable questions asked")
    ea.add_argument("--unanswerable", type=int, default=20, help="questions from articles not indexed")
    ea.add_argument("--neighbours", type=int, default=0,
                    help="questions about paragraphs held back from the indexed articles (unanswerable)")
    ea.add_argument("--no-attribution", action="store_true", help="trust only the citations the model writes")
    ea.add_argument("--seed", type=int, default=0, help="seed for choosing the articles and questions")
    ea.add_argument("--details", metavar="FILE",
                    help="write one JSON line per question (answer, raw model text, passages, verdicts) to FILE")

    e = sub.add_parser("eval", help="measure retrieval quality on a BEIR folder or SQuAD JSON")
    e.add_argument("dataset", help="a BEIR folder, a SQuAD-format JSON file, or (with --exact) any folder of files")
    e.add_argument("--json", action="store_true", help=as_json)
    e.add_argument("--model", help="embedding model to evaluate (default: the library's)")
    e.add_argument("--limit", type=int, help="only the first N queries")
    e.add_argument("--mode", action="append", choices=("keyword", "dense", "hybrid"),
                   help="which search to measure (repeatable; default: all three)")
    e.add_argument("--exact", action="store_true",
                   help="also measure strings found in one document only (exact file at rank 1), made-up words "
                   "and off-topic questions (no result)")
    e.add_argument("--exact-docs", type=int, default=300, help="documents the --exact strings are taken from")

    sub.add_parser("repl", help="index, then an interactive search prompt")
    sub.add_parser("app", help="open the desktop app on this library")
    sv = sub.add_parser("serve")  # hidden (HIDDEN_COMMANDS): the app's child process that owns the library
    sv.add_argument("--parent", type=int, help="stop when this process (the app) exits")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Everything printed goes through ``TerminalText``: file text never drives the terminal."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalText(out), TerminalText(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--smoke"]:  # no command: it opens its own temporary library
        from . import smoke

        return smoke.main()
    args = build_parser().parse_args(argv)
    home = Path(args.home).expanduser() if args.home else default_home()
    if args.store_url:
        os.environ["MYSEARCH_STORE__URL"] = args.store_url
    if args.command == "app":  # the app finds or starts the library's owner itself, after its window shows
        return start_app(home)
    # whatever this process writes is library data (Chroma's files too): this user's alone. Not for the
    # app: the programs it opens files with would inherit the umask.
    os.umask(PRIVATE_UMASK)
    log_to_file(home, "mysearch", args.verbose)
    try:
        from .library import Library

        with Library.open(home) as lib:
            return COMMANDS[args.command](lib, args)
    except MySearchError as exc:
        print(f"mysearch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mysearch: interrupted; work done so far is kept", file=sys.stderr)
        return 130
    except Exception as exc:  # one line for the user, the traceback for the log
        log.exception("unexpected error")
        print(f"mysearch: unexpected error: {exc} (details in {home / 'logs' / 'mysearch.log'})", file=sys.stderr)
        return 1


def app_command(*args: str) -> list[str]:
    """How to run the desktop app, a program of its own (``ui``: the engine never imports Qt). In a
    packaged build ``sys.executable`` is the bundle's program, which reads ``-m ui`` the same way."""
    return [sys.executable, "-m", "ui", *args]


def start_app(home: Path) -> int:
    """``mysearch app``: the app takes this process's place (same PID, same terminal, Ctrl+C stops it)."""
    argv = app_command("--home", str(home))
    sys.stdout.flush()
    sys.stderr.flush()
    if sys.platform == "win32":  # exec there is a new process anyway: wait for it like a shell would
        import subprocess

        return subprocess.call(argv)
    os.execv(argv[0], argv)
    return 0  # not reached


# --- commands ---------------------------------------------------------------------------------
def cmd_add(lib, args) -> int:
    client = connect(lib)
    for p in client.add(args.paths):
        print(f"added {p}")
    if not client.remote:
        print("run `mysearch index` to index it", file=sys.stderr)
    return 0


def cmd_remove(lib, args) -> int:
    for p in connect(lib).remove(args.paths):
        print(f"removed {p}")
    return 0


class _TerminalProgress:
    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:
        if not self.enabled or (time.monotonic() - self.last < 0.2 and p.phase != "done"):
            return
        self.last = time.monotonic()
        eta = f" ETA {p.eta_s:.0f}s" if p.eta_s else ""
        if p.phase == "read":
            line = f"reading {p.files_done}/{p.files_total} files ({p.files_per_s:.1f}/s){eta} {p.current}"
        elif p.phase == "embed":
            line = f"embedding {p.chunks_done}/{p.chunks_total} chunks ({p.chunks_per_s:.1f}/s){eta}"
        elif p.phase == "scan":
            line = "scanning folders…"
        else:
            line = ""
        width = os.get_terminal_size(sys.stderr.fileno()).columns - 1 if sys.stderr.isatty() else 100
        write_control(sys.stderr, "\r")
        sys.stderr.write(line[:width].ljust(width) + ("\n" if p.phase == "done" else ""))
        sys.stderr.flush()


def cmd_index(lib, args) -> int:
    if not lib.folders():
        raise ConfigError("nothing to index yet: add a folder with `mysearch add FOLDER`")
    report = connect(lib).sync(progress=_TerminalProgress())
    if report is None:
        print(f"mysearch (process {lib.lock.holder()}) keeps this library up to date; asked it to rescan now")
        return 0
    if args.json:
        d = report.as_json()
        print(
            json_text({k: d[k] for k in ("indexed", "unchanged", "removed", "skipped", "failed", "chunks", "seconds")})
        )
    else:
        print(
            f"{report.indexed} indexed, {report.unchanged} unchanged, {report.removed} removed, "
            f"{report.skipped} skipped, {report.failed} failed; {report.chunks} chunks in {report.seconds:.1f} s"
        )
        if report.failed or report.skipped:
            print("see `mysearch status` for the reasons")
    return 0


def _filters(args) -> Filters:
    return Filters(
        types=tuple(args.type),
        after=args.after,
        before=args.before,
        folders=tuple(os.path.abspath(f) for f in args.folders),
    )


def _saved_from(path: object, url: object) -> str | None:
    """The address a saved web page came from, shown beside (never instead of) its local copy."""
    return str(url) if url and url != path else None


def _print_hits(hits: list[dict[str, object]]) -> None:
    if not hits:
        print("no results: no file holds these words, and none is close enough in meaning")
    on, off = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("[", "]")  # a match in bold, or in brackets
    for n, h in enumerate(hits, 1):
        where = f" (page {h['page']})" if h["page"] else (f" ({h['label']})" if h.get("label") else "")
        scan = " (read from a scan, OCR)" if h.get("ocr") else ""
        print(f"{n}. {h['path']}{where}{scan}  [{h['score']:.4f}]")
        if url := _saved_from(h["path"], h.get("url")):
            print(f"   saved from {url}")
        if h.get("unavailable"):
            print("   unavailable: its folder is missing for now (unplugged or unmounted?)")
        snippet, pos = str(h["snippet"]), 0
        sys.stdout.write("   ")
        for a, b in h.get("highlights", []):
            sys.stdout.write(snippet[pos:a])
            write_control(sys.stdout, on)
            sys.stdout.write(snippet[a:b])
            write_control(sys.stdout, off)
            pos = b
        print(snippet[pos:])


def cmd_search(lib, args) -> int:
    filters, client = _filters(args), connect(lib)

    def search(text: str) -> list[dict[str, object]]:
        return [h.as_json() for h in client.search(text, args.k, filters, args.mode)]

    if args.queries:
        with open(args.queries, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                q = json.loads(line)
                print(json_text({"id": q.get("_id"), "hits": search(q["text"])}))
        return 0
    if not (args.text or "").strip():
        raise ConfigError("give a search text or --queries FILE")
    hits = search(args.text)
    if args.json:
        print(json_text({"query": args.text, "hits": hits}))
    else:
        _print_hits(hits)
    return 0


def cmd_status(lib, args) -> int:
    st = connect(lib).status()
    if args.json:
        print(json_text(st))
        return 0
    print(f"library: {st['home']}")
    print("folders: " + (", ".join(st["folders"]) or "none (add one with `mysearch add FOLDER`)"))
    f = st["files"]
    print(f"files: {f['indexed']} indexed, {f['skipped']} skipped, {f['failed']} failed; {st['chunks']} chunks")
    print(f"model: {st['model']} ({st['vectors_pending']} chunks waiting for vectors); store: {st['store']}")
    ocr = st.get("ocr") or {}
    if ocr:
        languages = "+".join(ocr.get("languages") or [])
        state = f"on ({languages}), {ocr.get('pages_pending', 0)} pages to read" if ocr.get("enabled") else (
            f"not reading scans: {ocr.get('unavailable')}")
        print(f"OCR: {state}")
    if st.get("settings_error"):
        print(f"settings: {st['settings_error']}; the last good settings are in use")
    for model, why in (st.get("models_failed") or {}).items():
        print(f"model {model} left out: {why}")
    for u in st.get("unavailable") or []:
        since = time.strftime("%Y-%m-%d %H:%M", time.localtime(u["since"]))
        print(f"unavailable: {u['folder']} (missing since {since}; its {u['files']} files are kept)")
    service = st.get("service")
    if service:
        print(f"watcher: process {st['owner_pid']}, {service['phase']}; watching {len(service['watched'])} folders")
        for root, why in service["polled"].items():
            print(f"  {root}: {why}")
        if service.get("last_reconcile"):
            when = time.strftime("%H:%M:%S", time.localtime(service["last_reconcile"]))
            print(f"  every folder last checked at {when} (every {service['reconcile_s']:g} s)")
    problems = st["problems"]
    for p in problems[:50]:
        print(f"  {p['state']}: {p['path']}: {p['reason']}")
    if len(problems) > 50:
        print(f"  … and {len(problems) - 50} more (status --json lists all)")
    return 0


def _shown(key: str, value: object, reveal: bool = False) -> object:
    """A secret setting's value as printed: masked unless asked for (an empty one stays empty)."""
    return MASK if setting(key).secret and value and not reveal else value


def cmd_config(lib, args) -> int:
    cfg = lib.config
    if args.action == "get":
        print(json_text(_shown(args.key, cfg.get(args.key), args.reveal)))
    elif args.action == "set":
        value = args.value
        if value == "-" and setting(args.key).secret:  # kept out of the shell's history and `ps`
            value = sys.stdin.readline().strip()
        print(json_text(_shown(args.key, connect(lib).set_setting(args.key, value))))
    elif args.action == "reset":  # the value now in effect, as `set` prints it
        print(json_text(_shown(args.key, connect(lib).reset_setting(args.key))))
    else:
        rows = [
            {"key": s.key, "type": s.type.__name__, "value": _shown(s.key, v), "default": s.default,
             "description": s.description, "secret": s.secret,
             "min": s.range.low if s.range else None, "max": s.range.high if s.range else None}
            for s, v in cfg.items()
        ]
        if args.json:
            print(json_text(rows))
        else:
            for r in rows:
                print(f"{r['key']} = {json_text(r['value'])}    # {r['description']}")
    return 0


def cmd_models(lib, args) -> int:
    from . import embed
    from .answer import models

    if args.action == "use":
        client = connect(lib)
        if args.name in {i.name for i in embed.available()}:
            client.set_setting("embedding.model", args.name)
            print(f"embedding model set to {args.name}; `mysearch index` builds its vectors (search keeps working)")
        else:
            entry = models.get(args.name)
            client.set_setting("answer.model", entry.name)
            where = "ready" if models.installed(entry) else f"get its file with `mysearch models pull {entry.name}`"
            print(f"answer model set to {entry.name} ({where})")
        return 0
    if args.action == "add":
        entry = models.add(Path(args.file), args.name, args.copy)
        if args.use:
            lib.config.set("answer.model", entry.name)
        print(f"added answer model {entry.name} ({entry.size / 1e9:.2f} GB, sha256 {entry.sha256})")
        if not args.use:
            print(f"use it with `mysearch models use {entry.name}`")
        return 0
    if args.action == "pull":
        from .answer import download

        entry = models.get(args.name)
        path = download.pull(entry, _DownloadProgress())
        print(f"{entry.name}: {path} (sha256 checked)")
        return 0
    current = lib.config.get("embedding.model")
    extra = set(lib.config.get("embedding.extra"))
    sizes = {m["name"]: m.get("size") for m in models.embedding_models()}
    rows = [
        {
            "name": i.name,
            "kind": "embedding",
            "multilingual": i.multilingual,
            "dim": i.dim,
            "package": i.package,
            "size": sizes.get(i.name),
            "installed": True,
            "description": i.description,
            "active": i.name == current or i.name in extra,
            "role": "chosen" if i.name == current else ("extra" if i.name in extra else None),
        }
        for i in embed.available()
    ]
    answer_model = lib.config.get("answer.model")
    for e in models.answer_models():
        row = {"kind": "answer", **e.as_json(), "installed": models.installed(e), "active": e.name == answer_model}
        row["description"] = e.note or f"{', '.join(e.languages)}; {e.licence}"
        rows.append(row)
    if args.json:
        print(json_text(rows))
    else:
        for r in rows:
            size = f"{r['size'] / 1e6:,.0f} MB" if r.get("size") else ""
            mark = "*" if r["active"] else " "
            state = "" if r["installed"] else " (not installed: models pull)"
            print(f"{mark} {r['kind']:<9} {r['name']:<30} {size:>9}  {r['description']}{state}")
    return 0


class _DownloadProgress:
    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if sys.stderr.isatty() and time.monotonic() - self.last > 0.3:
            self.last = time.monotonic()
            of = f" of {total / 1e6:,.0f}" if total else ""
            write_control(sys.stderr, "\r")
            sys.stderr.write(f"downloaded {done / 1e6:,.0f}{of} MB")
            sys.stderr.flush()


def cmd_ask(lib, args) -> int:
    from . import answer

    if not args.question.strip():
        raise ConfigError('give a question to answer, e.g. mysearch ask "when was the boiler serviced?"')
    # the model loads and makes the fixed part of its prompt ready (read back from the saved state) while
    # the question is searched: mostly native work beside mostly Python work
    warmed = threading.Event()
    warm = threading.Thread(target=_warm_up, args=(lib, warmed), name="mysearch-warm-up", daemon=True)
    warm.start()
    # the running app or watcher owns the store and its models: search through it, and take Korean
    # morphemes from its Kiwi (this process never loads one); alone, rank with the chosen model only
    client = connect(lib, extra_models=False)
    if isinstance(client, RemoteClient):
        client.korean_from_owner()
    cancel = threading.Event()

    def on_ctrl_c(_sig: int, _frame: object) -> None:
        if cancel.is_set():  # a second Ctrl+C while stopping: give up at once
            raise KeyboardInterrupt
        cancel.set()

    stream = client.ask(args.question, cancel=cancel, filters=_filters(args), web_search=args.web)
    previous = signal.signal(signal.SIGINT, on_ctrl_c)  # Ctrl+C stops the answer, keeping what was written
    try:
        result = _consume(stream, args.json)
    finally:
        signal.signal(signal.SIGINT, previous)
        warmed.set()  # not needed any more (an answer found nothing to ask the model): stop it, then wait
        warm.join()
    assert result is not None
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json_text(result.as_json()))
        return 0
    # what was streamed is the checked answer itself: nothing to correct or take back below it
    print()
    if result.stopped:
        print("(stopped)")
    elif result.abstained:
        print(answer.NOT_FOUND[result.language])
    for c in result.citations:
        if c.web:
            print(f"[{c.n}] web: {c.title} <{c.url}>")
            continue
        where = f", page {c.page}" if c.page else (f", {c.label}" if c.label else "")
        print(f"[{c.n}] {c.path}{where}")
        if url := _saved_from(c.path, c.url):
            print(f"    saved from {url}")
    return 0


def _warm_up(lib, stop: threading.Event) -> None:
    from . import answer

    try:
        answer.warm_up(lib, cancel=stop)
    except Exception as exc:  # the answer itself reports a model that cannot load
        log.debug("warm-up: %s", exc)


def stage_line(stage) -> str:  # mysearch.answer.Stage
    """What the terminal shows while the first answer is prepared."""
    about = f" (about {stage.eta_s:.0f} s)" if stage.eta_s and stage.eta_s >= 0.5 else ""
    if stage.step == "loading":
        return f"loading the answer model{about}…"
    if stage.step == "reading":
        return f"reading {stage.sources} source{'s' if stage.sources != 1 else ''}{about}…"
    return "writing; each sentence shows once its source is checked…"


class _StageLine:
    """One status line on stderr while nothing of the answer is shown yet, on a terminal only (stdout
    and --json stay exactly as they were); cleared before the answer's first words."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False  # a status line is on the screen now
        self.shown_text = False  # the answer has begun: no more status lines

    def show(self, text: str) -> None:
        if self.enabled:
            write_control(sys.stderr, "\r\x1b[K")
            sys.stderr.write(text)
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            write_control(sys.stderr, "\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def _consume(stream, as_json: bool):
    from . import answer, paths

    status = _StageLine(not as_json and sys.stderr.isatty())
    try:
        for event in stream:
            if isinstance(event, answer.Sources) and not as_json:
                found = "; ".join(f"[{n}] {'web: ' + (h.url or '') if h.kind == 'web' else paths.display(h.path)}"
                                  for n, h in enumerate(event.hits, 1))
                print("Sources: " + (found or "none found") + "\n", flush=True)
            elif isinstance(event, answer.Stage) and not status.shown_text:
                status.show(stage_line(event))
            elif isinstance(event, answer.Token) and not as_json:
                status.clear()
                status.shown_text = True
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, answer.Done):
                return event.answer
    finally:
        status.clear()
    return None


def cmd_doctor(lib, args) -> int:
    from .answer import models, runtime

    report: dict[str, object] = {"llama_cpp": runtime.system_info(), "models_dir": str(models.models_dir())}
    name = lib.config.get("answer.model")
    try:
        entry = models.get(name)
        report["answer_model"] = {"name": name, "installed": models.installed(entry)}
        rt = runtime.load(name, lib.config.get("answer.gpu"), lib.config.get("answer.threads"))
        report["answer_model"] = {**rt.info(), "installed": True}
        if not args.no_speed:
            report["speed"] = runtime.measure_speed(rt)
    except MySearchError as exc:
        report["answer_model"] = {"name": name, "error": str(exc)}
    report["embedding_model"] = lib.config.get("embedding.model")
    runtimes: dict[str, object] = {}
    for model in lib.models():  # which engine runs each embedding model, and why a slower one if so
        try:
            e = lib.embedder(model)
            runtimes[model] = {"runtime": e.runtime, "fallback_reason": e.fallback_reason}
        except MySearchError as exc:
            runtimes[model] = {"error": str(exc)}
    report["embedding_runtimes"] = runtimes
    if args.json:
        print(json_text(report))
        return 0
    ll = report["llama_cpp"]
    print(f"llama.cpp: {ll.get('version', 'not installed')}; backends: {', '.join(ll.get('backends', [])) or 'none'}")
    for d in ll.get("devices", []):
        print(f"  device {d['name']} ({d['type']}, {d['backend']}): {d['description']}, "
              f"{d['free_mib']} of {d['total_mib']} MiB free")
    am = report["answer_model"]
    if "error" in am:
        print(f"answer model {name}: {am['error']}")
    else:
        where = "the CPU" if am["device"] == "cpu" else f"the GPU {am['gpu']['name']} ({am['gpu']['description']})"
        layers = f"{am['gpu_layers']} of {am['model_layers']} layers on the GPU" if am["device"] == "gpu" else ""
        print(f"answer model {am['model']}: on {where}; {layers + '; ' if layers else ''}{am['threads']} CPU threads; "
              f"loaded in {am['load_s']} s from {am['file']}")
        if am.get("gpu_reason"):
            print(f"  GPU not fully used: {am['gpu_reason']}")
    if "speed" in report:
        sp = report["speed"]
        print(f"speed: prompt {sp['prompt_tokens_per_s']} tokens/s, generation {sp['generation_tokens_per_s']} "
              f"tokens/s, first token after {sp['first_token_ms']} ms ({sp['prompt_tokens']}-token prompt)")
    print(f"embedding model: {report['embedding_model']}; models folder: {report['models_dir']}")
    for model, r in runtimes.items():
        if "error" in r:
            print(f"  {model}: {r['error']}")
        else:
            why = f" (the faster runtime did not load: {r['fallback_reason']})" if r["fallback_reason"] else ""
            print(f"  {model} runs on {r['runtime']}{why}")
    return 0


def cmd_eval_answers(lib, args) -> int:
    from .answer import evaluate as answer_eval

    ds = Path(args.dataset)
    home = lib.home / "eval-answers" / f"{ds.stem}-{lib.config.get('embedding.model')}"
    details = open(args.details, "w", encoding="utf-8") if args.details else None
    try:
        result = answer_eval.run(
            ds,
            home,
            lib.config,
            articles=args.articles,
            questions=args.questions,
            unanswerable=args.unanswerable,
            attribute=not args.no_attribution,
            seed=args.seed,
            neighbours=args.neighbours,
            progress=None if args.json else lambda line: print(line, file=sys.stderr),
            details=details,
        )
    finally:
        if details is not None:
            details.close()
    if args.json:
        print(json_text(result))
    else:
        for key, value in result.items():
            if key != "items":
                print(f"{key}: {value}")
    return 0


def cmd_watch(lib, args) -> int:
    from .owner.process import serve

    if not lib.folders():
        raise ConfigError("nothing to watch yet: add a folder with `mysearch add FOLDER`")

    def started(service) -> None:
        print(f"watching {len(lib.folders())} folders (process {os.getpid()}); Ctrl+C to stop", file=sys.stderr)
        for root, why in service.state.polled.items():
            print(f"  {root}: {why}", file=sys.stderr)

    last = ""

    def tick(service) -> None:
        nonlocal last
        line = f"{service.state.phase}: {json.dumps(service.state.last_report)}"
        if line != last and args.verbose:
            print(line, file=sys.stderr)
            last = line

    return serve(lib, nice=0, started=started, tick=tick)


def cmd_pause_resume(lib, args) -> int:
    client = connect(lib)  # with no running owner: "no running mysearch watcher or app"
    if args.command == "pause":
        client.pause()
    else:
        client.resume()
    print(f"indexing {'paused' if args.command == 'pause' else 'resumed'}")
    return 0


def cmd_repl(lib, args) -> int:
    if lib.folders():
        report = lib.index(progress=_TerminalProgress())
        print(f"{report.indexed + report.unchanged} files indexed ({report.chunks} new chunks).")
    print("Type a search (empty line or Ctrl+D to quit).")
    while True:
        try:
            text = input("search> ").strip()
        except EOFError:
            print()
            return 0
        if not text:
            return 0
        _print_hits([h.as_json() for h in lib.search(text)])


def cmd_eval(lib, args) -> int:
    from . import evaluate

    ds = Path(args.dataset)
    model = args.model or lib.config.get("embedding.model")
    home = lib.home / "eval" / f"{ds.stem if ds.is_file() else ds.name}-{model}"
    modes = tuple(args.mode) if args.mode else ("keyword", "dense", "hybrid")
    result = evaluate.run(
        ds, home, model, modes, args.limit, progress=_TerminalProgress(), exact=args.exact, exact_docs=args.exact_docs
    )
    if args.json:
        print(json_text(result))
        return 0
    queries = f", {result['queries']} queries" if "queries" in result else ""
    print(f"{result['dataset']}: {result['documents']} documents{queries}, {result['model']}")
    for mode in modes:
        r = result.get(mode)
        line = f"  {mode:<8}"
        if r:
            line += (
                f" nDCG@10 {r['ndcg@10']:.3f}  Recall@10 {r['recall@10']:.3f}  MRR@10 {r['mrr@10']:.3f}"
                f"  p50 {r['latency_ms_p50']} ms  p95 {r['latency_ms_p95']} ms"
            )
        if "exact" in result:
            x, empty = result["exact"][mode], result["made_up_no_results"][mode]
            off = result["off_topic_no_results"][mode]
            line += (f"  exact file at rank 1 {x['at_1']:.3f}  no result: made-up words {empty:.3f},"
                     f" off-topic questions {off:.3f}")
        print(line)
    return 0


def cmd_serve(lib, args) -> int:
    from .owner.process import serve

    return serve(lib, args.parent)


COMMANDS = {
    "serve": cmd_serve,
    "add": cmd_add,
    "remove": cmd_remove,
    "index": cmd_index,
    "search": cmd_search,
    "status": cmd_status,
    "config": cmd_config,
    "models": cmd_models,
    "repl": cmd_repl,
    "watch": cmd_watch,
    "pause": cmd_pause_resume,
    "resume": cmd_pause_resume,
    "eval": cmd_eval,
    "ask": cmd_ask,
    "doctor": cmd_doctor,
    "eval-answers": cmd_eval_answers,
}


if __name__ == "__main__":
    sys.exit(main())
