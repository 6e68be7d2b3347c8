"""Reading mail as real clients write it: the shared corpus, Chinese mail, broken mail."""

from __future__ import annotations

import email
import json
import re
import unicodedata
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.intake.email.parse import (
    _COMPAT32,
    html_to_text,
    parse_message,
    repair_header_block,
    sanitize_html,
    split_quoted,
)

from .corpus import CORPUS, corpus_id, corpus_messages

MESSAGES = corpus_messages()


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def _words(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", _norm(text).lower()))


def test_the_corpus_is_there() -> None:
    assert len(MESSAGES) >= 400, f"expected the shared corpus at {CORPUS}"


@pytest.mark.parametrize("path", MESSAGES, ids=corpus_id)
def test_every_corpus_message_parses_without_error(path: Path) -> None:
    result = parse_message(path.read_bytes())
    assert not [p for p in result.problems if p.startswith("parser error")]
    # Whatever the message, there is something to show an agent or a reason why not.
    assert result.text or result.attachments or result.problems or result.subject


# Where Zammad's expectation records a Zammad quirk rather than the message's content.
ZAMMAD_QUIRKS = {
    # Zammad leaves the UTF-7 body and subject undecoded; we decode them.
    "mail018.yml": {"subject", "body"},
    # The body is doubly-encoded UTF-8 under an unknown label; Zammad and we show it differently.
    "mail060.yml": {"body"},
    # Zammad decodes the NFD file name as Latin-1 ("eì" for "é").
    "mail064.yml": {"attachments"},
    # The name is labelled us-ascii but holds a Latin-1 "ö": Zammad shows U+FFFD, we "ö".
    "mail073.yml": {"attachments"},
    # Zammad renames the second of two equally named files.
    "mail102.yml": {"attachments"},
}
ZAMMAD = sorted((CORPUS / "zammad").glob("*.yml"))


@pytest.mark.parametrize("expectation", ZAMMAD, ids=lambda p: p.name)
def test_zammad_messages_match_their_expectations(expectation: Path) -> None:
    expected = yaml.load(expectation.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    quirks = ZAMMAD_QUIRKS.get(expectation.name, set())
    result = parse_message(expectation.with_suffix(".box").read_bytes())

    sender = expected.get("from_email", "").strip('"').lower()
    if "@" in sender:
        assert result.from_address == sender
    if "subject" not in quirks:
        assert _norm(result.subject) == _norm(expected.get("subject"))
    body = expected.get("body") or ""
    if "body" not in quirks and body != "no visible content":
        wanted = _words(html_to_text(body) if expected["content_type"] == "text/html" else body)
        got = _words(result.text) | _words(html_to_text(result.html))
        assert len(wanted & got) >= 0.8 * len(wanted), sorted(wanted - got)[:20]
    if "attachments" not in quirks:
        wanted_names = {
            _norm(a["filename"])
            for a in expected.get("attachments") or []
            if a.get("filename") and a["filename"] != "message.html"
        }
        given_names = {_norm(a.filename) for a in result.attachments if not a.generated_name}
        # Every name the sender gave is kept exactly (Zammad adds names of its own).
        assert given_names <= wanted_names


STALWART = sorted((CORPUS / "stalwart-mail-parser").glob("*/*.json"))
# Where Stalwart's tree is a different, equally valid reading of a broken structure.
STALWART_BODY_QUIRKS = {
    # A part header block that declares multipart/alternative and then text/plain: Stalwart
    # shows the whole raw nested structure as text, we read the alternatives inside it.
    "malformed/020.json",
    "malformed/021.json",
    # Three text/plain alternatives: Stalwart lists all, we show one rendering of a message.
    "thirdparty/001.json",
}


def _stalwart_header(tree: dict, name: str) -> object:
    for header in tree["parts"][0]["headers"]:
        if header["name"] == name:
            return header["value"]
    return None


def _addresses_in(value: object) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "address" and isinstance(item, str):
                found.append(item.lower())
            else:
                found.extend(_addresses_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_addresses_in(item))
    return found


@pytest.mark.parametrize("expectation", STALWART, ids=lambda p: str(p.relative_to(CORPUS)))
def test_stalwart_messages_match_their_expectations(expectation: Path) -> None:
    tree = json.loads(expectation.read_text(encoding="utf-8"))
    result = parse_message(expectation.with_suffix(".eml").read_bytes())

    subject = _stalwart_header(tree, "subject")
    if isinstance(subject, dict) and isinstance(subject.get("Text"), str):
        assert _norm(result.subject) == _norm(subject["Text"])
    senders = _addresses_in(_stalwart_header(tree, "from"))
    if senders and "@" in senders[0]:
        assert result.from_address == senders[0]
    texts = [
        tree["parts"][index]["body"].get("Text", "")
        for index in tree["text_body"]
        if isinstance(tree["parts"][index]["body"], dict)
    ]
    wanted = _words(" ".join(t for t in texts if isinstance(t, str)))
    got = _words(result.text) | _words(html_to_text(result.html))
    quirk = str(expectation.relative_to(CORPUS / "stalwart-mail-parser")) in STALWART_BODY_QUIRKS
    if wanted and not quirk:
        assert len(wanted & got) >= 0.8 * len(wanted), sorted(wanted - got)[:20]


# --- Chinese mail -------------------------------------------------------------------------


def _mail(body: str, *, charset: str, subject: str = "打印机无法连接", **headers: str) -> bytes:
    head = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    return (
        f"From: =?utf-8?b?5byg5Lyf?= <zhang.wei@yunfan.example>\r\n"
        f"To: support@desk.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <abc@yunfan.example>\r\n{head}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode("ascii", "surrogateescape") + body.encode("gb18030" if "gb" in charset else "utf-8")


def test_gbk_text_labelled_gb2312_reads_without_mojibake() -> None:
    # 镕 and 喆 are in GBK but not in GB2312: the usual mislabel of Chinese clients.
    result = parse_message(_mail("朱镕基和王喆的打印机坏了。", charset="gb2312", subject="ascii"))
    assert result.text == "朱镕基和王喆的打印机坏了。"
    assert result.problems == []


def test_an_unknown_charset_label_falls_back_to_what_the_bytes_are() -> None:
    raw = _mail("服务器宕机", charset="x-nonsense", subject="ascii")
    assert parse_message(raw).text == "服务器宕机"


def test_mislabelled_latin1_in_a_corpus_file_name_is_read_as_latin1() -> None:
    result = parse_message((CORPUS / "zammad" / "mail073.box").read_bytes())
    assert "Forex Platte ohne Wölbung.jpg" in [a.filename for a in result.attachments]


def test_utf8_cut_short_is_still_read_as_utf8() -> None:
    path = CORPUS / "flanker" / "russian-attachment-yahoo.eml"
    names = [a.filename for a in parse_message(path.read_bytes()).attachments]
    assert any(name.startswith("Картинка с очень") for name in names)


def test_latin1_bytes_are_not_read_as_chinese() -> None:
    raw = _mail("Wölbung", charset="x-nonsense", subject="ascii").replace(
        "Wölbung".encode(), "Wölbung".encode("latin-1")
    )
    assert parse_message(raw).text == "Wölbung"


def test_encoded_chinese_subject_sender_and_attachment_names_are_decoded() -> None:
    message = EmailMessage()
    message["From"] = "张伟 <Zhang.Wei@YunFan.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "回复: 【技术支持】TS202611230001 打印机无法连接"
    message.set_content("见附件。")
    message.add_attachment(b"log", maintype="text", subtype="plain", filename="错误日志.txt")
    result = parse_message(message.as_bytes())
    assert result.from_name == "张伟"
    assert result.from_address == "zhang.wei@yunfan.example"
    assert result.subject == "回复: 【技术支持】TS202611230001 打印机无法连接"
    assert [a.filename for a in result.attachments] == ["错误日志.txt"]
    assert result.attachments[0].content == b"log"


def test_gb2312_encoded_word_attachment_name_as_chinese_clients_write_it() -> None:
    name = (
        "=?gb2312?B?" + __import__("base64").b64encode("故障截图.png".encode("gbk")).decode() + "?="
    )
    raw = (
        "From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
        f'--b\r\nContent-Type: image/png; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\n"
    ).encode()
    assert [a.filename for a in parse_message(raw).attachments] == ["故障截图.png"]


# --- HTML ---------------------------------------------------------------------------------


def test_html_is_sanitized_and_remote_images_are_not_loaded() -> None:
    html = (
        '<p onclick="x()">你好<script>alert(1)</script></p>'
        '<img src="http://tracker.example/p.gif"><img src="cid:logo@x">'
        '<a href="javascript:alert(1)">x</a><style>p{}</style>'
    )
    cleaned = sanitize_html(html, {"logo@x": "/attachments/7/"})
    assert "script" not in cleaned and "onclick" not in cleaned and "style" not in cleaned
    assert "tracker.example" not in cleaned
    assert 'src="/attachments/7/"' in cleaned
    assert "javascript" not in cleaned


def test_an_html_only_mail_gets_a_readable_text_with_numbered_steps() -> None:
    message = EmailMessage()
    message["From"] = "a@b.example"
    message["Subject"] = "步骤"
    message.set_content(
        "<html><body><p>请按以下步骤操作：</p><ol><li>重启服务</li><li>清除缓存</li></ol></body></html>",
        subtype="html",
    )
    result = parse_message(message.as_bytes())
    assert "1. 重启服务" in result.text and "2. 清除缓存" in result.text


# --- quoted history -----------------------------------------------------------------------

QUOTED_STYLES = {
    "outlook_zh": (
        "发件人: 技术支持 <support@desk.example>\n"
        "发送时间: 2026年11月23日 10:00\n"
        "收件人: 张伟\n"
        "主题: 【技术支持】TS202611230001"
    ),
    "outlook_en": (
        "________________________________\n"
        "From: Support <support@desk.example>\n"
        "Sent: Monday, November 23, 2026 10:00 AM\n"
        "To: Zhang Wei"
    ),
    "outlook_original": (
        "-----原始邮件-----\n发件人: support@desk.example\n发送时间: 2026年11月23日 10:00"
    ),
    "foxmail": (
        "------------------ 原始邮件 ------------------\n"
        '发件人: "技术支持"<support@desk.example>;\n'
        "发送时间: 2026年11月23日(星期一) 上午10:00"
    ),
    "qqmail": (
        "------------------\xa0原始邮件\xa0------------------\n"
        '发件人: "技术支持"<support@desk.example>;'
    ),
    "netease": '在 2026-11-23 10:00:00，"技术支持" <support@desk.example> 写道：\n>您好',
    "apple_zh": "在 2026年11月23日，上午10:00，技术支持 <support@desk.example> 写道：\n\n> 您好",
    "gmail_en": "On Mon, Nov 23, 2026 at 10:00 AM Support <support@desk.example> wrote:\n> Hello",
    "gmail_wrapped": (
        "On Mon, Nov 23, 2026 at 10:00 AM Support Team of the Desk <\n"
        "support@desk.example> wrote:\n"
        "> Hello"
    ),
    "plain_quote": "> 请提供日志\n> 谢谢",
}


@pytest.mark.parametrize("style", sorted(QUOTED_STYLES))
def test_quoted_history_is_folded_for_each_mail_client(style: str) -> None:
    tail = "" if style == "plain_quote" else "\n\n之前的内容"
    text = "已经重启了，问题依旧。\n\n" + QUOTED_STYLES[style] + tail
    new, quoted = split_quoted(text)
    assert new == "已经重启了，问题依旧。"
    assert quoted


def test_a_mail_without_history_is_kept_whole() -> None:
    assert split_quoted("第一行\n第二行") == ("第一行\n第二行", "")


# --- automatic mail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Precedence: auto_reply",
        "X-Autoreply: yes",
        "X-Autorespond: 1",
    ],
)
def test_auto_replies_are_recognised(header: str) -> None:
    raw = f"From: a@b.example\r\nSubject: 不在办公室\r\n{header}\r\n\r\n我休假中".encode()
    assert parse_message(raw).is_auto_reply


def test_a_delivery_status_report_names_the_failed_address_and_message() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; Nobody@Yunfan.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"Message-ID: <ack-1@desk.example>\r\nSubject: x\r\n\r\n--r--\r\n"
    )
    result = parse_message(raw)
    assert result.is_bounce and result.is_auto_reply
    assert result.bounced_recipients == ["nobody@yunfan.example"]
    assert result.bounced_message_ids == ["ack-1@desk.example"]


def test_corpus_bounces_are_recognised() -> None:
    bounces = [p for p in MESSAGES if "sisimai" in str(p) or "dsn" in str(p)]
    recognised = [p for p in bounces if parse_message(p.read_bytes()).is_auto_reply]
    assert len(recognised) >= 0.8 * len(bounces)


# --- broken mail --------------------------------------------------------------------------

HEADERS = st.sampled_from(
    [
        b"From: =?gb2312?B?1cXOsA==?= <a@b.example>\r\n",
        b"From: \xd5\xc5\xce\xb0 <\r\n",
        b"Subject: =?utf-8?q?broken=ZZ?=\r\n",
        b"Subject: =?x-unknown?b?////?=\r\n",
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        b"Content-Type: multipart/alternative\r\n",
        b"Content-Type: text/plain; charset=gb2312\r\n",
        b'Content-Type: text/plain; charset="no-such-charset"\r\n',
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Transfer-Encoding: x-uuencode\r\n",
        b"Content-Disposition: attachment; filename*=gbk''%D6%D0%CE%C4.txt\r\n",
        b"Message-ID: <<>>\r\n",
        b"Date: not a date\r\n",
        b"References: <a@b> <c@d\r\n",
        b"X-Broken line without colon\r\n",
    ]
)
BODIES = st.sampled_from(
    [
        b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n",
        b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x\r\n\r\n",
        b"--b\r\n--b\r\n--b--",
        b"=E4=BD=A0=E5=A5=BD=\r\n=ZZ",
        b"5L2g5aW9===\r\n!!!",
        b"\xff\xfe\x00\x00\xd5\xc5",
        b"",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HEADERS, max_size=8), BODIES, st.binary(max_size=300), st.integers(0, 400))
def test_generated_malformed_mail_never_makes_the_parser_raise(
    headers: list[bytes], body: bytes, noise: bytes, cut: int
) -> None:
    raw = b"".join(headers) + b"\r\n" + body + noise
    result = parse_message(raw[: max(cut, 1)] if cut % 3 == 0 else raw)
    assert isinstance(result.problems, list)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_make_the_parser_raise(raw: bytes) -> None:
    result = parse_message(raw)
    # Nothing a database text column refuses.
    assert "\x00" not in result.subject + result.text + result.from_address + result.html


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(MESSAGES), st.integers(min_value=1, max_value=20_000))
def test_truncated_corpus_messages_never_make_the_parser_raise(path: Path, length: int) -> None:
    parse_message(path.read_bytes()[:length])


def test_attached_messages_are_stored_as_the_standard_library_writes_them() -> None:
    # parse_message writes attached messages with shortcuts of its own (parse.py,
    # _message_bytes): the file an agent downloads must be the bytes as_bytes() gives.
    checked = 0
    for path in MESSAGES:
        raw = path.read_bytes()
        expected = []
        parts = [email.message_from_bytes(repair_header_block(raw), policy=policy.compat32)]
        while parts:  # the attached messages of the mail itself, not those inside them
            part = parts.pop()
            payload = part.get_payload()
            if not isinstance(payload, list):
                continue
            inner = [p for p in payload if isinstance(p, Message)]
            if part.get_content_type() == "message/rfc822":
                expected.append(b"".join(p.as_bytes() for p in inner))
            else:
                parts.extend(inner)
        if not expected:
            continue
        stored = [a.content for a in parse_message(raw).attachments]
        for content in expected:
            assert content in stored, corpus_id(path)
            checked += 1
    assert checked >= 50


FOLDED_PIECES = st.sampled_from(
    ["a", "Re:", " ", "  ", "\t", ";", ",", "=?utf-8?b?5L2g?=", "\r\n ", "\n\t", "\r\n", "\n",
     "\r", "\x0b", "\x1f", "x" * 40, "y:", "é", "\udce9"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["Subject", "X", "DKIM-Signature"]), st.lists(FOLDED_PIECES, max_size=12))
def test_header_shortcut_folds_as_the_standard_library(name: str, pieces: list[str]) -> None:
    value = "".join(pieces)

    def fold(folding: policy.Compat32) -> tuple[str, bytes | str]:
        try:
            return "ok", folding.fold_binary(name, value)
        except Exception as exc:
            return "error", exc.__class__.__name__

    assert fold(_COMPAT32) == fold(policy.compat32)
