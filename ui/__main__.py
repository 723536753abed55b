"""``python -m ui [HOME]`` opens the app (``mysearch app`` and the installers' launcher start it so)."""

import sys

from .app import run

if __name__ == "__main__":  # the indexer's spawned helper processes must not open a second window
    sys.exit(run())
