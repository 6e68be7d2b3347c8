"""Administrators' wording of outgoing mail (``MailTemplate``): checked on save, used first.

Subject and text are rendered without HTML escaping (they are not HTML); the HTML part is
escaped as usual. A template is compiled and rendered once with sample values before it is
saved, so a syntax error or a failing filter is refused with its message instead of
breaking the next acknowledgement.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.template import engines
from django.template.backends.django import Template
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from ..models import MailTemplate

PARTS = ("subject", "body", "body_html")


def compile_part(source: str, *, html: bool) -> Template:
    if not html:
        source = "{% autoescape off %}" + source + "{% endautoescape %}"
    template = engines["django"].from_string(source)
    assert isinstance(template, Template)
    return template


def render_custom(custom: MailTemplate, context: dict[str, Any]) -> tuple[str, str, str | None]:
    """Subject, text and HTML (None: the caller makes it from the text)."""
    subject = compile_part(custom.subject, html=False).render(context)
    text = compile_part(custom.body, html=False).render(context)
    html = (
        compile_part(custom.body_html, html=True).render(context)
        if custom.body_html.strip()
        else None
    )
    return subject, text, html


def sample_context() -> dict[str, Any]:
    return {
        "ticket": None,
        "event": None,
        "number": "TS202601010001",
        "subject": "打印机无法连接",
        "body": "1. 重启打印机\n2. 重新连接",
        "body_html": "<ol><li>重启打印机</li><li>重新连接</li></ol>",
        "due": dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC),
        "agent": "张工",
    }


def validate_template(custom: MailTemplate) -> None:
    errors: dict[str, str] = {}
    context = sample_context()
    for part in PARTS:
        source = getattr(custom, part) or ""
        if part == "body_html" and not source.strip():
            continue
        try:
            compile_part(source, html=part == "body_html").render(context)
        except Exception as exc:  # any template error is the admin's to see, not a crash
            errors[part] = _("This template cannot be used: %(error)s") % {"error": exc}
    if errors:
        raise ValidationError(errors)
