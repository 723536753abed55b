"""Answers from the user's own files: a local model reads numbered sources and its citations are checked.

The modules, in the order a question meets them: ``stream`` (``ask``: retrieve, prompt, generate, check,
as a stream of events every client shows the same way), ``prompt`` (the fixed instructions and the
numbered sources), ``citations`` (which sentence each source supports), ``runtime`` and ``backends``
(llama.cpp, on the GPU where it helps), ``prefix`` (the fixed prompt's saved state), ``pace`` (time
estimates), ``models`` and ``download`` (the answer model catalog, and the one place that downloads),
``evaluate`` (answer quality on a data set). Clients use the names below.
"""

from .stream import (
    NOT_FOUND,
    Answer,
    Citation,
    Done,
    Event,
    Sources,
    Stage,
    Token,
    ask,
    cache_dir,
    warm_up,
)

__all__ = [
    "NOT_FOUND", "Answer", "Citation", "Done", "Event", "Sources", "Stage", "Token", "ask", "cache_dir", "warm_up",
]
