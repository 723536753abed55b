"""The library's owner: the one process that writes its index (``mysearch serve``, ``mysearch watch``).

``loop`` is the indexing thread (watch, debounce, index, embed, OCR), ``control`` the socket that other
processes' ``RemoteClient`` talk to, ``process`` the lifetime of the owner process that runs both.
"""
