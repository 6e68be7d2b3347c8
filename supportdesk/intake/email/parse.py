"""Turns raw RFC 822 bytes into what a ticket needs, whatever the sending client did.

The stdlib parser builds the MIME tree; decoding of headers, bodies and file names is done
here rather than by ``policy.default``'s content manager, because that decodes with the
*declared* charset and replaces what does not fit: a GBK message labelled gb2312 (the
default of many Chinese clients) would come out as mojibake. Here every piece of text is
decoded by :func:`decode_bytes`, which tries the declared charset (with the usual Chinese
label fixes), then UTF-8, then GB18030, and only then replaces bytes.

:func:`parse_message` never raises: whatever cannot be understood is listed in
``ParsedMail.problems`` and the rest is kept. That is why the helpers below catch every
exception around stdlib calls: on hostile input those raise almost anything (LookupError,
ValueError, IndexError, AttributeError...), and one unreadable header or part must cost
only that header or part.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email
import email.header
import email.utils
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.feedparser import FeedParser
from email.generator import NLCRE, BytesGenerator  # type: ignore[attr-defined]
from email.message import Message, _parseparam  # type: ignore[attr-defined]
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import nh3

# Labels mail clients put on text that is really in a superset of the named charset.
CHARSET_FIXES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-2022-jp": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "unknown": "",
    "x-user-defined": "",
    "default": "",
    "charset": "",
}
# Single-byte labels that any byte string "decodes" in: a body that is valid UTF-8 with
# multi-byte sequences was written as UTF-8 whatever the label says.
SINGLE_BYTE = {"ascii", "cp1252", "iso8859-15", "iso8859-2", "cp1250", "cp1251", "koi8-r"}
FALLBACKS = ("utf-8", "gb18030")
JAPANESE = {"iso2022_jp_ext": ("cp932", "euc_jp"), "euc_jp": ("cp932",), "cp932": ("euc_jp",)}

MAX_HEADER_CHARS = 16_000
MAX_TEXT_CHARS = 2_000_000


def codec_for(label: str | None) -> str:
    """The Python codec to use for a MIME charset label, or '' when it is unusable."""
    name = (label or "").strip().strip("\"'").lower()
    if not name:
        return ""
    name = CHARSET_FIXES.get(name, name)
    if not name:
        return ""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return ""
    return CHARSET_FIXES.get(canonical, canonical)


def decode_bytes(
    data: bytes, label: str | None = None, hint: str | None = None
) -> tuple[str, bool]:
    """Decodes ``data``; the flag says whether bytes had to be replaced.

    ``label`` is the charset the sender declared for these bytes, ``hint`` one declared
    elsewhere in the message (for raw 8-bit headers, which carry no label of their own).
    """
    declared = codec_for(label)
    candidates: list[str] = []
    if declared:
        if declared in SINGLE_BYTE and _has_utf8_sequences(data):
            candidates.append("utf-8")
        candidates.append(declared)
    else:
        hinted = codec_for(hint)
        if hinted and hinted not in SINGLE_BYTE:
            candidates.append(hinted)
            # Japanese mail declares ISO-2022-JP and leaves raw Shift_JIS in its headers.
            candidates.extend(JAPANESE.get(hinted, ()))
    candidates.extend(c for c in FALLBACKS if c not in candidates)
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        # Latin-1 bytes often form valid GB18030 pairs by chance (ö + l = 鰈): an
        # undeclared guess must read like Chinese, i.e. mostly GB2312's common characters.
        if codec == "gb18030" and codec != declared and not _reads_as_chinese(text):
            continue
        return text, False
    # UTF-8 cut short (a truncated header, a lost last byte) is still UTF-8.
    lenient = data.decode("utf-8", errors="replace")
    if _has_valid_multibyte(data) and lenient.count("\ufffd") <= max(1, len(lenient) // 50):
        return lenient, True
    if not declared or declared in SINGLE_BYTE:
        # Windows-1252 maps every byte: Latin text under a wrong or missing label stays legible.
        return data.decode("cp1252", errors="replace"), False
    return data.decode(declared, errors="replace"), True


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _has_valid_multibyte(data: bytes) -> bool:
    return len(_UTF8_SEQUENCE.findall(data)) >= 2


_ASCII = re.compile(r"[\x00-\x7f]+")


def _reads_as_chinese(text: str) -> bool:
    wide = _ASCII.sub("", text)
    if not wide:
        return True
    # GB2312 encodes each character it has as two bytes >= 0xA1, so every "?" in the
    # encoding is a replaced character: one encode call, not one per character.
    uncommon = wide.encode("gb2312", errors="replace").count(b"?")
    return len(wide) - uncommon >= 0.9 * len(wide)


def _has_utf8_sequences(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- headers ------------------------------------------------------------------------------

_ENCODED_WORD_GAP = re.compile(r"(\?=)\s+(=\?)")
_BROKEN_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")


def decode_header_value(value: object, hint: str | None = None) -> str:
    """Decodes one raw header value: RFC 2047 words, raw 8-bit bytes, folding."""
    if value is None:
        return ""
    raw = str(value)[:MAX_HEADER_CHARS]
    # Raw 8-bit bytes arrive as surrogate escapes; put them back to decode them properly.
    raw_bytes = raw.encode("utf-8", errors="surrogateescape")
    if not raw_bytes.isascii():
        raw, _replaced = decode_bytes(raw_bytes, None, hint)
    raw = re.sub(r"\r?\n[ \t]+", " ", raw)
    if "=?" not in raw:
        return raw.strip()
    try:
        chunks = email.header.decode_header(_ENCODED_WORD_GAP.sub(r"\1\2", raw))
    except Exception:
        return _decode_words_by_hand(raw)
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset)[0])
        else:
            parts.append(chunk)
    text = "".join(parts)
    if "=?" in text:
        text = _decode_words_by_hand(text)
    return text.strip()


def _decode_words_by_hand(raw: str) -> str:
    def one(match: re.Match[str]) -> str:
        charset, kind, payload = match.groups()
        try:
            if kind.lower() == "b":
                data = _b64(payload)
            else:
                data = email.header.decode_header(f"=?{charset}?q?{payload}?=")[0][0]
                if isinstance(data, str):
                    data = data.encode("latin-1", errors="replace")
        except Exception:
            return match.group(0)
        return decode_bytes(data, charset.split("*")[0])[0]

    return _BROKEN_ENCODED_WORD.sub(one, raw).strip()


def _b64(payload: str) -> bytes:
    import base64

    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned)


class _Part(Message):
    """A parsed MIME part that remembers what is read from its headers more than once.

    The parser is done with a part's headers before parse_message reads them, and nothing
    here changes them, so each answer stays true; one lookup scanned every header.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_raw_headers: dict[str, list[str]] | None = None
        self.known_content_type: str | None = None
        self.known_charset: tuple[str | None] | None = None


def _raw_all(msg: Message, name: str) -> list[str]:
    # raw_items() keeps 8-bit bytes (as surrogate escapes); get() would turn them into U+FFFD.
    if isinstance(msg, _Part):
        if msg.known_raw_headers is None:
            index: dict[str, list[str]] = {}
            try:
                for k, v in msg.raw_items():
                    index.setdefault(k.lower(), []).append(str(v))
            except Exception:
                return []
            msg.known_raw_headers = index
        return list(msg.known_raw_headers.get(name.lower(), ()))
    wanted = name.lower()
    try:
        return [str(v) for k, v in msg.raw_items() if k.lower() == wanted]
    except Exception:
        return []


def _header(msg: Message, name: str, hint: str | None = None) -> str:
    values = _raw_all(msg, name)
    return decode_header_value(values[0], hint) if values else ""


def _addresses(msg: Message, name: str, hint: str | None = None) -> list[tuple[str, str]]:
    decoded = [decode_header_value(v, hint) for v in _raw_all(msg, name)]
    try:
        pairs = email.utils.getaddresses(decoded)
    except Exception:
        pairs = []
    out = []
    for display, address in pairs:
        address = address.strip().strip("<>").strip()
        if "@" not in address:
            continue
        out.append((display.strip().strip("\"'"), address.lower()))
    return out


_MSGID = re.compile(r"<([^<>\s]+)>")


def _message_ids(value: str) -> list[str]:
    found = _MSGID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return [m[:250] for m in found]


# --- result -------------------------------------------------------------------------------


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False
    # True when the sender gave no file name and one was made up from the part.
    generated_name: bool = False


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: str = ""
    date: dt.datetime | None = None
    text: str = ""
    html: str = ""
    new_text: str = ""
    quoted_text: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    is_auto_reply: bool = False
    is_bounce: bool = False
    bounced_recipients: list[str] = field(default_factory=list)
    bounced_message_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str:
        return self.from_address

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, nearest first."""
        return [*self.in_reply_to, *reversed(self.references)]


# --- bodies -------------------------------------------------------------------------------


def _payload_bytes(part: Message, problems: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:
        problems.append(f"undecodable part body: {exc.__class__.__name__}")
        raw = part.get_payload()
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    if isinstance(payload, bytes):
        return payload
    return b""


def _part_charset(part: Message) -> str | None:
    if isinstance(part, _Part):
        if part.known_charset is None:
            # Only a Content-Type that spells out "charset" can have one; most parts' do not.
            values = _raw_all(part, "content-type")
            if not values or "charset" not in values[0].lower():
                part.known_charset = (None,)
            else:
                part.known_charset = (_read_charset(part),)
        return part.known_charset[0]
    return _read_charset(part)


def _read_charset(part: Message) -> str | None:
    try:
        charset = part.get_param("charset")
    except Exception:
        return None
    if isinstance(charset, tuple):
        charset = email.utils.collapse_rfc2231_value(charset)
    return str(charset) if charset else None


def _raw_param(part: Message, header: str, param: str) -> str | tuple[str, str, str] | None:
    # Message.get_param() reads the header through get(), which has already replaced raw
    # 8-bit bytes; parse the raw value the same way the stdlib does instead.
    values = _raw_all(part, header)
    if not values:
        return None
    pairs = []
    for piece in _parseparam(";" + values[0].split(";", 1)[-1] if ";" in values[0] else ""):
        name, _sep, val = piece.partition("=")
        pairs.append((name.strip(), val.strip()))
    if not pairs:
        return None
    for name, val in email.utils.decode_params([("", ""), *pairs])[1:]:
        if name.lower() == param:
            if isinstance(val, tuple):
                charset, lang, text = val
                return (charset or "", lang or "", email.utils.unquote(text))
            return email.utils.unquote(val)
    return None


def _filename(part: Message, hint: str | None = None) -> str:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        # A parameter's name is written out in the header (RFC 2231 ones too: "name*0*"):
        # most parts need not have their parameters parsed to learn they name no file.
        values = _raw_all(part, header)
        if not values or param not in values[0].lower():
            continue
        try:
            value = _raw_param(part, header, param)
        except Exception:  # noqa: S112 - an unreadable parameter is as good as none
            continue
        if not value:
            continue
        if isinstance(value, tuple):
            charset, _lang, text = value
            name = decode_bytes(str(text).encode("latin-1", "replace"), charset or None, hint)[0]
        else:
            name = decode_header_value(value, hint)
        name = unicodedata.normalize("NFC", name.replace("\x00", "")).strip()
        if name:
            return name[:255]
    return ""


def _content_type(part: Message) -> str:
    if isinstance(part, _Part):
        if part.known_content_type is None:
            part.known_content_type = _read_content_type(part)
        return part.known_content_type
    return _read_content_type(part)


def _read_content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


EXTENSIONS = {
    "text/plain": ".txt",
    "text/html": ".html",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "text/rfc822-headers": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "text/calendar": ".ics",
}


class _Collector:
    def __init__(self, result: ParsedMail, hint: str | None) -> None:
        self.result = result
        self.hint = hint
        self.plain: list[str] = []
        self.html: list[str] = []
        self.parts_seen = 0

    def walk(self, part: Message, depth: int = 0) -> None:
        self.parts_seen += 1
        if depth > 40 or self.parts_seen > 2000:
            self.result.problems.append("MIME structure too deep or too large; rest ignored")
            return
        ctype = _content_type(part)
        if part.is_multipart() and not ctype.startswith("message/"):
            payload = part.get_payload()
            if not isinstance(payload, list):
                return
            if ctype == "multipart/alternative":
                self._alternative(payload, depth)
                return
            for sub in payload:
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1)
            return
        self._leaf(part, ctype)

    def _alternative(self, parts: list[Any], depth: int) -> None:
        # Keep one plain and one HTML rendering; other alternatives (calendar...) are files.
        plain_before, html_before = len(self.plain), len(self.html)
        for sub in parts:
            if not isinstance(sub, Message):
                continue
            ctype = _content_type(sub)
            if ctype == "text/plain" and len(self.plain) > plain_before:
                continue
            if ctype == "text/html" and len(self.html) > html_before:
                continue
            self.walk(sub, depth + 1)

    def _leaf(self, part: Message, ctype: str) -> None:
        disposition = _disposition(part)
        filename = _filename(part, self.hint)
        if ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
            data = _payload_bytes(part, self.result.problems)
            text, replaced = decode_bytes(data, _part_charset(part))
            if replaced:
                self.result.problems.append(f"some bytes of a {ctype} part could not be decoded")
            text = text[:MAX_TEXT_CHARS]
            (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        if ctype.startswith("message/") or ctype == "text/rfc822-headers":
            content = self._embedded_bytes(part)
        else:
            content = _payload_bytes(part, self.result.problems)
        if not content and not filename:
            return
        generated = not filename
        if not filename:
            filename = self._name_for(part, ctype)
        try:
            content_id = str(part.get("content-id") or "").strip().strip("<>")
        except Exception:
            content_id = ""
        self.result.attachments.append(
            ParsedAttachment(
                filename=filename,
                content_type=ctype,
                content=content,
                content_id=content_id[:250],
                inline=disposition == "inline"
                or (bool(content_id) and disposition != "attachment"),
                generated_name=generated,
            )
        )

    def _name_for(self, part: Message, ctype: str) -> str:
        """A readable name for a part its sender did not name."""
        extension = EXTENSIONS.get(ctype) or mimetypes.guess_extension(ctype) or ".bin"
        stem = ""
        payload = part.get_payload()
        if ctype == "message/rfc822" and isinstance(payload, list) and payload:
            inner = payload[0]
            if isinstance(inner, Message):
                stem = _header(inner, "Subject", self.hint)
        if not stem:
            stem = _header(part, "Content-Description", self.hint)
        if not stem:
            stem = ctype.split("/")[0] if ctype.startswith("image/") else "attachment"
        stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", stem).strip()[:120] or "attachment"
        if stem.lower().endswith(extension):
            return stem
        return f"{stem}{extension}"

    def _embedded_bytes(self, part: Message) -> bytes:
        payload = part.get_payload()
        try:
            if isinstance(payload, list):
                pieces = [_message_bytes(p) if isinstance(p, Message) else b"" for p in payload]
                return b"".join(pieces)
        except Exception:
            self.result.problems.append("an attached message could not be re-encoded")
        return _payload_bytes(part, self.result.problems)


# Message.as_bytes() spends most of its time re-folding headers that need no folding and
# writing bodies one line at a time; the two shortcuts below give the very same bytes.


class _Compat32(policy.Compat32):
    def fold_binary(self, name: str, value: Any) -> bytes:
        # Header.encode() keeps ASCII lines that fit as they are, joined by linesep. What it
        # would change goes to it: a line too long, a continuation line that is blank or does
        # not start with folding space, a line of a folded value ending in a space (it may
        # drop that space).
        if not isinstance(value, str) or not value.isascii():
            return super().fold_binary(name, value)
        limit = self.max_line_length or 1_000_000  # what Header.encode() takes 0 or None for
        lines = value.splitlines()
        if lines and len(name) + 2 + len(lines[0]) > limit:
            return super().fold_binary(name, value)
        if len(lines) > 1:
            if lines[0].endswith(" "):
                return super().fold_binary(name, value)
            for line in lines[1:]:
                if (
                    line[:1] not in (" ", "\t")
                    or line.isspace()
                    or line.endswith(" ")
                    or len(line) > limit
                ):
                    return super().fold_binary(name, value)
        return f"{name}: {self.linesep.join(lines)}{self.linesep}".encode("ascii")


_COMPAT32 = _Compat32()


class _BytesGenerator(BytesGenerator):
    def _write_lines(self, lines: str) -> None:
        # The stdlib writes each line and each line ending separately; one write is the same.
        if lines:
            self.write(NLCRE.sub(self._NL, lines))  # type: ignore[attr-defined]


def _message_bytes(msg: Message) -> bytes:
    """``msg.as_bytes()`` for a message parsed with compat32, only faster."""
    if msg.policy is not policy.compat32:
        return msg.as_bytes()
    out = BytesIO()
    _BytesGenerator(out, mangle_from_=False, policy=_COMPAT32).flatten(msg, unixfrom=False)
    return out.getvalue()


# --- HTML ---------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "blockquote", "pre", "hr", "section", "article", "header", "footer",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "head", "title", "xml"}
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.list_counters: list[int] = []

    def updatepos(self, i: int, j: int) -> int:
        # The base class counts lines and columns between every two tokens, for getpos(),
        # which nothing here reads: about a sixth of the parsing time.
        return j

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "ol":
            self.list_counters.append(0)
        elif tag == "li":
            self.out.append("\n")
            if self.list_counters:
                self.list_counters[-1] += 1
                self.out.append(f"{self.list_counters[-1]}. ")
            else:
                self.out.append("- ")
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "ol" and self.list_counters:
            self.list_counters.pop()
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(_HTML_SPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: S110 - malformed markup keeps the text read so far
        pass
    text = "".join(parser.out).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
SAFE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "font": {"color"},
    "ol": {"start"},
}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Remote images would be fetched when an agent opens the ticket (tracking pixels).
    if tag == "img" and attribute == "src" and not value.strip().lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str, cid_urls: dict[str, str] | None = None) -> str:
    """HTML safe to show: no script or style, no remote resources; cid: images mapped."""
    if not html.strip():
        return ""
    try:
        cleaned = nh3.clean(
            html,
            tags=SAFE_TAGS,
            clean_content_tags={"script", "style", "head", "title"},
            attributes=SAFE_ATTRIBUTES,
            attribute_filter=_keep_attribute,
            url_schemes={"http", "https", "mailto", "cid"},
            link_rel="noopener noreferrer nofollow",
        )
    except Exception:
        return ""
    if cid_urls:
        cleaned = re.sub(
            r'src="cid:([^"]+)"',
            lambda m: f'src="{cid_urls.get(_unquote_cid(m.group(1)), "")}"',
            cleaned,
        )
    return cleaned


def _unquote_cid(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value).strip().strip("<>")


# --- quoted history ---------------------------------------------------------------------

_QUOTE_STARTS = [
    # Outlook / Foxmail / QQ Mail / NetEase separators, Chinese and English.
    re.compile(
        r"^\s*-{2,}\s*(原始邮件|原始郵件|Original Message|Ursprüngliche Nachricht)\s*-{2,}\s*$",
        re.I,
    ),
    re.compile(r"^\s*-{5,}\s*(回复的原邮件|Reply Message)\s*-{5,}\s*$", re.I),
    # Apple Mail / NetEase / Gmail (Chinese): 在 2026年11月23日 10:00，张伟 <a@b> 写道：
    re.compile(r"^\s*在\s*.{4,200}(写道|寫道)\s*[:：]?\s*$"),
    re.compile(r"^\s*(\d{4}[-/年].{0,120})(写道|寫道)\s*[:：]\s*$"),
    # Gmail / Apple Mail / Thunderbird (English): On Mon, ... wrote:
    re.compile(r"^\s*On\s.{4,300}\swrote:\s*$", re.I),
    re.compile(r"^\s*Am\s.{4,300}\sschrieb.{0,80}:\s*$", re.I),
]  # fmt: skip
# One pattern for all of them (each keeps its own flags): a line is matched once, not six times.
_QUOTE_START = re.compile(
    "|".join(f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p in _QUOTE_STARTS)
)
_FROM_LINE = re.compile(r"^\s*\*?\s*(From|发件人|寄件者|Von)\s*\*?\s*[:：]", re.I)
_SENT_LINE = re.compile(
    r"^\s*\*?\s*(Sent|Date|发送时间|日期|时间|寄件日期|Gesendet|Datum)\s*\*?\s*[:：]", re.I
)
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
_ON_START = re.compile(r"^\s*(On|在)\s", re.I)
_WROTE_END = re.compile(r"(wrote|写道|寫道)\s*[:：]?\s*$", re.I)


def split_quoted(text: str) -> tuple[str, str]:
    """Splits a reply into what is new and the quoted history below it."""
    lines = text.split("\n")
    cut = _find_cut(lines)
    if cut is None:
        cut = _trailing_quote(lines)
    if cut is None or cut == 0:
        return text.strip(), ""
    new = "\n".join(lines[:cut]).rstrip()
    if not new.strip():
        return text.strip(), ""
    return new, "\n".join(lines[cut:]).strip()


def _find_cut(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        stripped = line.strip().replace("\xa0", " ")
        if not stripped:
            continue
        if _QUOTE_START.match(stripped):
            return _include_rule_above(lines, index)
        if _FROM_LINE.match(stripped) and any(
            _SENT_LINE.match(following.strip()) for following in lines[index + 1 : index + 5]
        ):
            return _include_rule_above(lines, index)
        # Gmail wraps a long attribution line: "On Mon, ... <a@b>\nwrote:"
        if _ON_START.match(stripped) and index + 1 < len(lines):
            joined = stripped + " " + lines[index + 1].strip()
            if _WROTE_END.search(joined) and len(joined) < 400:
                return index
    return None


def _include_rule_above(lines: list[str], index: int) -> int:
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above >= 0 and _OUTLOOK_RULE.match(lines[above]):
        return above
    return index


def _trailing_quote(lines: list[str]) -> int | None:
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and (lines[start - 1].lstrip().startswith(">") or not lines[start - 1].strip()):
        start -= 1
    if start < end and start > 0 and any(line.strip().startswith(">") for line in lines[start:end]):
        return start
    return None


# --- automatic mail -----------------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自動回覆|自动答复|Automatic reply|Auto(matic)?[- ]?(reply|response)|"
    r"Out of (the )?office|Abwesenheitsnotiz|I am out of the office)",
    re.I,
)
_BOUNCE_SUBJECT = re.compile(
    r"(Undeliver|Delivery Status Notification|Delivery (has )?fail|Returned mail|"
    r"Mail delivery failed|Non[- ]?delivery|退信|投递失败|系统退信|无法投递|未送达)",
    re.I,
)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.I)


def _classify(msg: Message, result: ParsedMail) -> None:
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    precedence = _header(msg, "Precedence").lower()
    if (auto_submitted and auto_submitted != "no") or precedence in {
        "auto_reply",
        "bulk",
        "junk",
        "list",
    }:
        result.is_auto_reply = True
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        result.is_auto_reply = True
    if _header(msg, "X-Auto-Response-Suppress") and _AUTO_SUBJECT.search(result.subject):
        result.is_auto_reply = True
    if _AUTO_SUBJECT.search(result.subject):
        result.is_auto_reply = True
    ctype = _content_type(msg)
    report_type = str(_raw_param(msg, "content-type", "report-type") or "").lower()
    delivery_report = ctype == "multipart/report" and report_type == "delivery-status"
    from_daemon = bool(_BOUNCE_SENDER.match(result.from_address)) and bool(
        _BOUNCE_SUBJECT.search(result.subject) or ctype == "multipart/report"
    )
    if delivery_report or from_daemon:
        result.is_bounce = True
    if result.is_bounce:
        result.is_auto_reply = True
        _bounce_details(msg, result)


def _bounce_details(msg: Message, result: ParsedMail) -> None:
    recipients: list[str] = []
    message_ids: list[str] = []
    stack = [msg]
    seen = 0
    while stack and seen < 200:
        part = stack.pop()
        seen += 1
        ctype = _content_type(part)
        payload = part.get_payload()
        if ctype == "message/delivery-status" and isinstance(payload, list):
            for block in payload:
                if not isinstance(block, Message):
                    continue
                for name in ("Final-Recipient", "Original-Recipient"):
                    value = _header(block, name)
                    if value:
                        address = value.split(";", 1)[-1].strip().strip("<>").lower()
                        if "@" in address and address not in recipients:
                            recipients.append(address)
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                message_ids.extend(_message_ids(_header(payload[0], "Message-ID")))
            else:
                text = decode_bytes(_payload_bytes(part, []), None)[0]
                found = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.I | re.M)
                if found:
                    message_ids.extend(_message_ids(found.group(1)))
        if isinstance(payload, list):
            stack.extend(p for p in payload if isinstance(p, Message))
    result.bounced_recipients = recipients
    result.bounced_message_ids = message_ids


# --- entry point --------------------------------------------------------------------------


def _first_charset(msg: Message) -> str | None:
    """The first charset a part declares that says more than the fallbacks already try."""
    for index, part in enumerate(msg.walk()):
        if index > 50:
            break
        charset = _part_charset(part)
        codec = codec_for(charset)
        if codec and codec not in SINGLE_BYTE and codec not in FALLBACKS:
            return charset
    return None


_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_SPACED_HEADER_LINE = re.compile(rb"^([!-9;-~]+)[ \t]+:")
# A line that is neither blank, nor a continuation, nor a header: one search over the block
# instead of a loop over its lines (bytes.isspace() is true for these six).
_ODD_HEADER_LINE = re.compile(rb"^(?=[^\n])(?![ \t\r\x0b\x0c]|[!-9;-~]+:)", re.M)


def _header_end(raw: bytes) -> int:
    """Where the first blank line (LF or CRLF) starts, or the length when there is none."""
    # Search first for the line ending the message starts with, then for the other only
    # before that: a large message is not scanned to its end for a blank line it lacks.
    first = raw.find(b"\n")
    if first > 0 and raw[first - 1] == 13:  # "\r"
        crlf = raw.find(b"\r\n\r\n")
        lf = raw.find(b"\n\n", 0, len(raw) if crlf == -1 else crlf + 1)
    else:
        lf = raw.find(b"\n\n")
        crlf = raw.find(b"\r\n\r\n", 0, len(raw) if lf == -1 else lf + 3)
    found = [position for position in (lf, crlf) if position != -1]
    return min(found) if found else len(raw)


def repair_header_block(raw: bytes) -> bytes:
    """Mends the header block the way lenient clients read it.

    A line inside the headers that is neither a header nor a continuation (a wrapped
    tracker value, a "---- Original email message ----" banner) would make the stdlib
    parser end the headers there and take the real From/Subject for body text.
    """
    end = _header_end(raw)
    if not _ODD_HEADER_LINE.search(raw, 0, end):
        return raw
    head, rest = raw[:end], raw[end:]
    lines = head.split(b"\n")
    mended: list[bytes] = []
    for index, line in enumerate(lines):
        line = _SPACED_HEADER_LINE.sub(rb"\1:", line)
        bare = line.rstrip(b"\r")
        envelope = index == 0 and bare.startswith(b"From ")
        if not bare.strip() or bare[:1].isspace() or _HEADER_LINE.match(bare) or envelope:
            mended.append(line)
        elif mended:
            mended.append(b" " + line)
    return b"\n".join(mended) + rest


def parse_message(raw: bytes) -> ParsedMail:
    """Parses a message; never raises (problems are listed on the result)."""
    result = ParsedMail()
    try:
        _parse_into(raw, result)
    except Exception as exc:  # a mailbox must never stop on one bad message
        result.problems.append(f"parser error: {exc.__class__.__name__}: {exc}"[:500])
    _without_nul(result)
    return result


def _without_nul(result: ParsedMail) -> None:
    """Drops NUL characters, which no database text column (nor jsonb) accepts."""
    for name in ("message_id", "subject", "from_name", "from_address", "reply_to", "text",
                 "html", "new_text", "quoted_text"):  # fmt: skip
        value = getattr(result, name)
        if "\x00" in value:
            setattr(result, name, value.replace("\x00", ""))
    for name in ("in_reply_to", "references", "to", "cc", "bounced_recipients",
                 "bounced_message_ids", "problems"):  # fmt: skip
        setattr(result, name, [v.replace("\x00", "") for v in getattr(result, name)])
    for attachment in result.attachments:
        attachment.filename = attachment.filename.replace("\x00", "")
        attachment.content_id = attachment.content_id.replace("\x00", "")


def _parse_into(raw: bytes, result: ParsedMail) -> None:
    if not isinstance(raw, bytes | bytearray):
        raise TypeError("raw message must be bytes")
    # compat32 keeps raw header values, which are decoded above with the charset fixes.
    # What email.message_from_bytes() does, but in one feed: it feeds 8 KiB at a time, and
    # each piece costs a trip through the parser's line machinery; the tree is the same.
    parser = FeedParser(_Part, policy=policy.compat32)
    parser.feed(repair_header_block(bytes(raw)).decode("ascii", "surrogateescape"))
    msg = parser.close()
    for defect in getattr(msg, "defects", [])[:20]:
        result.problems.append(f"defect: {defect.__class__.__name__}")
    hint = _first_charset(msg)
    result.subject = re.sub(r"\s+", " ", _header(msg, "Subject", hint)).strip()
    sender = (
        _addresses(msg, "From", hint)
        or _addresses(msg, "Sender", hint)
        or _addresses(msg, "Reply-To", hint)
        or _addresses(msg, "Return-Path", hint)
    )
    if sender:
        result.from_name, result.from_address = sender[0]
    else:
        result.problems.append("no sender address")
    result.to = [a for _n, a in _addresses(msg, "To")]
    result.cc = [a for _n, a in _addresses(msg, "Cc")]
    reply_to = _addresses(msg, "Reply-To")
    result.reply_to = reply_to[0][1] if reply_to else ""
    message_ids = _message_ids(_header(msg, "Message-ID"))
    result.message_id = message_ids[0] if message_ids else ""
    result.in_reply_to = _message_ids(_header(msg, "In-Reply-To"))
    result.references = _message_ids(_header(msg, "References"))[-50:]
    date_value = _header(msg, "Date")
    if date_value:
        try:
            parsed = email.utils.parsedate_to_datetime(date_value)
            result.date = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            result.problems.append("unreadable Date header")

    collector = _Collector(result, hint)
    collector.walk(msg)
    plain = "\n\n".join(t.strip("\r\n") for t in collector.plain if t.strip())
    html = "\n".join(collector.html)
    plain = plain.replace("\r\n", "\n").replace("\r", "\n")
    result.html = sanitize_html(html) if html else ""
    result.text = plain if plain.strip() else html_to_text(html)
    result.new_text, result.quoted_text = split_quoted(result.text)
    _classify(msg, result)
