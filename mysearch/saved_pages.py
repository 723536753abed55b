"""Where kept web pages live: the library's "Saved pages" folder (an indexed folder).

Pages are fetched and stored by ``web.save`` (`mysearch add URL` and the app's "Save to library"), only
because the user asked; the copy is what gets searched, and mysearch never goes back to the site.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from .errors import MySearchError


class FetchError(MySearchError):
    """The page could not be fetched or kept."""


def is_url(text: str) -> bool:
    return urlparse(text).scheme in ("http", "https")


def saved_pages_folder(home: Path) -> Path:
    return Path(home) / "Saved pages"
