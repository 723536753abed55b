"""The mysearch desktop app (PySide6): a thin client of ``mysearch.library.Library``.

Qt lives only in this package; the engine (``mysearch``) never imports it. Every engine call runs off
the GUI thread through ``ui.worker.Runner``; the window reads only cheap in-memory state on its own
thread, so it never freezes while the library indexes.
"""
