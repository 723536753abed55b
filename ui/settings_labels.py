"""What the settings dialog calls each setting, and where it puts it, in words a person can act on.

The schema (``mysearch.config.SCHEMA``) says what a setting is; this table says how the app shows it:
the group (what a person decides: folders, what to skip, languages and models, answers, web,
appearance; the rest under Advanced), a short label and a one-line help shown as the tooltip. English
is the source text; ``ui/lang_ko.py`` has the Korean. A key the table does not know yet (a setting
added to the engine later) still gets a place by its prefix (``web.*`` goes to Web, anything else to
Advanced) and the schema's description as its label and help, never its raw key.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUPS = ("Folders", "What to skip", "Languages and models", "Answers", "Web", "Appearance", "Advanced")


@dataclass(frozen=True)
class Label:
    group: str
    text: str
    help: str


LABELS: dict[str, Label] = {
    "folders": Label("Folders", "Folders to search",
                     "Folders and single files that mysearch reads and keeps up to date."),
    "index.ignore": Label("What to skip", "Skip these names",
                          "One pattern per line: a name such as *.log, or a folder such as build/."),
    "index.max_file_mb": Label("What to skip", "Skip files larger than (MB)", "Bigger files are left out."),
    "index.timeout_s": Label("What to skip", "Give up on a file after (seconds)",
                             "A file that takes longer to read is left out and listed with its reason."),
    "index.purge_missing_days": Label("What to skip", "Forget a missing folder after (days)",
                                      "An unplugged disk keeps its files in the index, marked unavailable, "
                                      "for this many days."),
    "index.hidden": Label("What to skip", "Include hidden files",
                          "Also read files and folders whose names start with a dot."),
    "ocr.enabled": Label("Languages and models", "Read scans and pictures of text (OCR)",
                         "Scanned PDF pages and images are read with text recognition after all other "
                         "files, a few seconds a page."),
    "ocr.languages": Label("Languages and models", "Languages in scans",
                           "One per line: ko for Korean, en for English."),
    "ocr.max_pages": Label("Languages and models", "Pages read from one scan at most",
                           "Longer scans are read up to this page."),
    "embedding.model": Label("Languages and models", "Meaning search model",
                             "Finds passages by meaning, not just by words. A multilingual model also "
                             "understands Korean. Changing it rebuilds meaning search."),
    "embedding.extra": Label("Languages and models", "Also use these models",
                             "Extra meaning search models used beside the main one; each adds indexing time."),
    "search.extra_weight": Label("Advanced", "Influence of the extra models",
                                 "How much the extra meaning models count when results are ranked."),
    "embedding.batch_size": Label("Advanced", "Passages prepared at once",
                                  "Larger is a little faster and uses more memory."),
    "embedding.threads": Label("Advanced", "Processor cores for indexing", "0 uses all of them."),
    "chunk.tokens": Label("Advanced", "Passage length",
                          "How long each searchable passage is, in words and word pieces. Changing it re-reads "
                          "every file."),
    "chunk.overlap": Label("Advanced", "Text shared between passages",
                           "Neighbouring passages share this much text, so a sentence is never cut in two."),
    "watch.debounce_s": Label("Advanced", "Wait after a change (seconds)",
                              "Waits this long after a file changes before reading it again."),
    "watch.rescan_s": Label("Advanced", "Check unwatched folders every (seconds)",
                            "Folders the system cannot watch (network drives) are checked this often."),
    "watch.reconcile_s": Label("Advanced", "Double-check every folder every (seconds)",
                               "Compares each folder with the index, in case a change was missed."),
    "watch.max_watches": Label("Advanced", "Folders watched for changes at most",
                               "0 lets the system decide. Folders beyond this are checked on a timer instead."),
    "store.url": Label("Advanced", "Shared index server",
                       "Leave empty to keep the index on this computer (the usual choice)."),
    "search.k": Label("Appearance", "Results shown", "How many results the list shows."),
    "search.keyword_weight": Label("Advanced", "Influence of exact words",
                                   "How much matching the words you typed counts."),
    "search.dense_weight": Label("Advanced", "Influence of meaning",
                                 "How much matching the meaning of what you typed counts."),
    "search.fusion": Label("Advanced", "How the two rankings combine",
                           "Blend scores, or take turns by rank."),
    "answer.model": Label("Answers", "Answer model",
                          "The model on this computer that writes answers from your files."),
    "answer.gpu": Label("Answers", "Use the graphics card", "Writes answers faster where the graphics card can."),
    "answer.threads": Label("Advanced", "Processor cores for answers", "0 uses all of them."),
    "answer.sources": Label("Answers", "Passages read per answer",
                            "More passages give the model more to go on, and take longer."),
    "answer.max_tokens": Label("Answers", "Longest answer", "The most an answer may say, in words and word pieces."),
    "web.enabled": Label("Web", "Search the web too",
                         "Sends your question to the web search service below and mixes its pages into "
                         "answers. Off: nothing you type leaves this computer."),
    "web.provider": Label("Web", "Web search service",
                          "DuckDuckGo (no account needed), a SearXNG instance you choose, or Brave Search."),
    "web.url": Label("Web", "Service address", "The address of the SearXNG instance (not needed for Brave)."),
    "web.api_key": Label("Web", "Access key", "The key the service gave you (Brave needs one)."),
    "web.results": Label("Web", "Web pages per answer", "How many web pages the answer may read."),
    "web.deadline_s": Label("Web", "Wait for the web at most (seconds)",
                            "After this the answer is written from your files alone."),
    "web.page_max_kb": Label("Web", "Largest web page read (KiB)",
                             "Larger pages are not read; their short summary from the search is used."),
    "web.max_redirects": Label("Web", "Redirects followed", "How many times a page may send mysearch elsewhere."),
    "web.proxy": Label("Web", "Proxy", "Leave empty unless your network needs a proxy to reach the web."),
    "web.ca_file": Label("Web", "Certificate file", "Only if your network uses its own certificates."),
    "ui.theme": Label("Appearance", "Colours", "Follow the system, or always light or dark."),
    "ui.language": Label("Appearance", "Language", "The language of the app."),
}

# choices of the settings that have them, shown instead of the stored value
CHOICE_LABELS = {
    "system": "Follow the system",
    "light": "Light",
    "dark": "Dark",
    "en": "English",
    "ko": "한국어 (Korean)",
    "auto": "When available",
    "off": "Off",
    "score": "Blend scores",
    "rrf": "Take turns by rank",
    "duckduckgo": "DuckDuckGo",
    "searxng": "SearXNG",
    "brave": "Brave Search API",
}


def _short(description: str) -> str:
    """A label from a schema description: its first clause, without the trailing dot."""
    first = description.split(". ")[0].split("; ")[0].split(" (")[0].rstrip(".")
    return first if len(first) <= 60 else first[:57].rsplit(" ", 1)[0] + "…"


def label_for(key: str, description: str = "") -> Label:
    """The table's entry, or for a key it does not know: Web for ``web.*``, else Advanced, with the
    schema's description (never the raw key)."""
    if key in LABELS:
        return LABELS[key]
    group = "Web" if key.startswith("web.") else "Advanced"
    words = description or key.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    return Label(group, _short(words), description)
