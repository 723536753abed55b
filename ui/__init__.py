"""The mysearch desktop app (PySide6): a client of the process that owns the library.

Qt lives only in this package; the engine (``mysearch``) never imports it. The library's owner
(indexing, watching, the vector store) runs in a child process, ``mysearch serve``, or is a
``mysearch watch`` that runs already; the window searches through its control socket
(``ui.engine``), reads previews from the catalog read-only, and generates answers itself. Every
engine call runs off the GUI thread through ``ui.worker.Runner``, so the window never freezes.
"""
