"""The mysearch desktop app (PySide6): a client of the process that owns the library.

Qt lives only in this package; the engine (``mysearch``) never imports it. The library's owner
(indexing, watching, the vector store) runs in a child process, ``mysearch serve``, or is a
``mysearch watch`` that runs already; the window is a ``mysearch.client.RemoteClient`` of it (searches,
previews, status and the answers' passages over its control socket: ``ui.engine``) and generates answers
itself. Every client call runs off the GUI thread through ``ui.worker.Runner``, so the window never
freezes. The app is a program of its own (``python -m ui``, ``ui.app.run``), which ``mysearch app`` starts.
"""
