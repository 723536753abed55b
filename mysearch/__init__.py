"""mysearch: local-first personal search. The engine; it never imports Qt."""

__version__ = "0.1.0"
