"""E-mail: single messages (.eml), mailboxes (.mbox, one section per message) and Outlook's .msg.

``.eml`` and ``.mbox`` are read with the standard library's e-mail parser: the subject, sender, recipients
and date as a header block, then the plain-text body (HTML bodies made plain by the HTML text reader);
attachments are not opened. ``.msg`` files are OLE2 containers whose properties are streams named by
property tag ([MS-OXMSG]); olefile reads them.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import mailbox
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section
from mysearch.sources.registry import register

MAX_MESSAGES = 20_000


def _header_block(subject: str | None, sender: str | None, to: str | None, date: str | None) -> str:
    parts = [("Subject", subject), ("From", sender), ("To", to), ("Date", date)]
    return "\n".join(f"{k}: {v}" for k, v in parts if v)


def _plain(html: str) -> str:
    import lxml.html

    from mysearch.sources.html_text import element_text

    if not html.strip():
        return ""
    return element_text(lxml.html.document_fromstring(html))


def _message_text(msg: email.message.EmailMessage) -> tuple[str, str | None, str | None]:
    """(text, subject, ISO date) of one parsed message."""
    body = msg.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeError):  # an unknown charset: the raw bytes as best we can
            content = (body.get_payload(decode=True) or b"").decode("utf-8", "replace")
        text = _plain(content) if body.get_content_type() == "text/html" else content
    subject = str(msg.get("subject", "") or "") or None
    date = None
    if msg.get("date"):
        try:
            date = email.utils.parsedate_to_datetime(str(msg["date"])).date().isoformat()
        except (TypeError, ValueError):
            date = None
    head = _header_block(subject, str(msg.get("from", "") or "") or None, str(msg.get("to", "") or "") or None,
                         str(msg.get("date", "") or "") or None)
    return f"{head}\n\n{text}".strip(), subject, date


class EmailExtractor:
    kind = "email"
    extensions = (".eml", ".mbox")

    def extract(self, path: Path) -> Document:
        path = Path(path)
        if path.suffix.lower() == ".eml":
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if not msg.keys():
                raise ExtractionError("damaged e-mail: no headers")
            text, subject, date = _message_text(msg)
            return Document(sections=[Section(text)], title=subject, date=date, kind="eml")
        box = mailbox.mbox(str(path), factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default),
                           create=False)
        sections = []
        try:
            for n, msg in enumerate(box, 1):
                if n > MAX_MESSAGES:
                    break
                text, subject, _ = _message_text(msg)
                sections.append(Section(text, page=n, label=subject))
        finally:
            box.close()
        return Document(sections=sections, kind="mbox")


# --- Outlook .msg -------------------------------------------------------------------------------

_SUBJECT, _SENDER, _TO, _BODY, _HTML = "0037", "0C1A", "0E04", "1000", "1013"


def _msg_property(ole, tag: str) -> str | None:
    for kind, decode in (("001F", lambda b: b.decode("utf-16-le", "replace")), ("001E", None), ("0102", None)):
        name = f"__substg1.0_{tag}{kind}"
        if ole.exists(name):
            raw = ole.openstream(name).read()
            if decode is not None:
                return decode(raw).rstrip("\x00")
            for enc in ("utf-8", "cp949", "cp1252"):  # 8-bit strings are in the sender's code page
                try:
                    return raw.decode(enc).rstrip("\x00")
                except UnicodeDecodeError:
                    continue
    return None


class OutlookMsgExtractor:
    kind = "msg"
    extensions = (".msg",)

    def extract(self, path: Path) -> Document:
        from mysearch.sources.legacy_office import open_ole

        ole = open_ole(Path(path))
        try:
            subject = _msg_property(ole, _SUBJECT)
            sender, to = _msg_property(ole, _SENDER), _msg_property(ole, _TO)
            body = _msg_property(ole, _BODY)
            if not body and (html := _msg_property(ole, _HTML)):
                body = _plain(html)
            date = None
            meta_time = ole.getmtime("__properties_version1.0") if ole.exists("__properties_version1.0") else None
            if meta_time:
                date = meta_time.date().isoformat()
        finally:
            ole.close()
        text = f"{_header_block(subject, sender, to, None)}\n\n{body or ''}".strip()
        return Document(sections=[Section(text)], title=subject, date=date, kind="msg")


register(EmailExtractor())
register(OutlookMsgExtractor())
