"""``python -m ui [HOME]`` opens the app (``mysearch app`` does the same)."""

import sys
from pathlib import Path

from .app import main

if __name__ == "__main__":  # the indexer's spawned helper processes must not open a second window
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
