"""`mysearch add URL`: keep a local copy of a web page, indexed like any saved page.

The page is fetched only because the user asked for it, saved as HTML with the browser-style
``<!-- saved from url=... -->`` marker (so the web extractor records where it came from) into the
library's "Saved pages" folder, which is added to the indexed folders. The copy is what gets
searched; mysearch never goes back to the site on its own.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from . import __version__
from .errors import MySearchError

MAX_BYTES = 20 * 2**20
TIMEOUT_S = 20.0


class FetchError(MySearchError):
    """The page could not be fetched."""


def is_url(text: str) -> bool:
    return urlparse(text).scheme in ("http", "https")


def saved_pages_folder(home: Path) -> Path:
    return Path(home) / "Saved pages"


def _file_name(url: str, html: bytes) -> str:
    m = re.search(rb"<title[^>]*>(.*?)</title>", html[:200_000], re.IGNORECASE | re.DOTALL)
    title = m.group(1).decode("utf-8", "replace") if m else urlparse(url).netloc
    slug = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip()[:80] or "page"
    return f"{slug} {hashlib.sha1(url.encode()).hexdigest()[:8]}.html"


def save_page(url: str, home: Path) -> Path:
    """Fetch ``url`` and store it; fetching the same URL again replaces the earlier copy."""
    req = urllib.request.Request(url, headers={"User-Agent": f"mysearch/{__version__} (saving a page)"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            ctype = resp.headers.get("Content-Type", "")
            if ctype and "html" not in ctype and "xml" not in ctype:
                raise FetchError(f"{url} is not a web page ({ctype})")
            body = resp.read(MAX_BYTES + 1)
            final_url = resp.geturl()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot fetch {url}: {reason} (are you online?)") from None
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url} is larger than {MAX_BYTES // 2**20} MiB")
    folder = saved_pages_folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(final_url.encode()).hexdigest()[:8]
    for old in folder.glob(f"* {digest}.html"):
        old.unlink()
    target = folder / _file_name(final_url, body)
    marker = f"<!-- saved from url=({len(final_url):04d}){final_url} -->\n".encode()
    tmp = target.with_suffix(".part")
    tmp.write_bytes(marker + body)
    tmp.replace(target)
    return target
