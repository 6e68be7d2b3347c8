"""Every change to the knowledge base goes through these functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.knowledge.choices import ArticleStatus
from supportdesk.knowledge.models import (
    REVIEW_INTERVAL_DAYS,
    Article,
    ArticleFeedback,
    ArticleFile,
    ArticleVersion,
    Deflection,
    TypicalCase,
)
from supportdesk.knowledge.selectors import (
    REQUIREMENTS_CACHE_KEY,
    SYNONYMS_CACHE_KEY,
    normalize_permissions,
)
from supportdesk.tickets.actions import do_record_event
from supportdesk.tickets.attachments import check_uploads
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Ticket

# Shipped permissions articles can require (Article.Meta.permissions); admins grant them to
# groups or users in the admin.
READ_ENGINEERING = "knowledge.read_engineering"

EDITABLE_FIELDS = (
    "title", "body", "problem_type", "category", "product", "applicable_versions",
    "required_permissions", "keywords", "synonyms", "is_public", "owner", "next_review_on",
)  # fmt: skip


def can_edit(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_agent)


def _require_editor(user: User) -> None:
    if not can_edit(user):
        raise PermissionDenied


def _snapshot(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        value = getattr(article, f"{name}_id" if name in ("product", "owner") else name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def _save_version(article: Article, actor: User | None, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        fields=_snapshot(article),
        author=actor,
        note=note[:200],
    )


def _after_change(article: Article) -> None:
    from supportdesk.search import tasks

    cache.delete_many([SYNONYMS_CACHE_KEY, REQUIREMENTS_CACHE_KEY])
    pk = article.pk
    transaction.on_commit(lambda: tasks.index_article(pk))


def known_permissions() -> set[str]:
    from django.contrib.auth.models import Permission

    return {
        f"{app}.{code}"
        for app, code in Permission.objects.values_list("content_type__app_label", "codename")
    }


def clean_permissions(text: str) -> str:
    """Normalized requirement; a name that is no permission would hide the article from
    everyone but superusers, so it is refused with the names at fault."""
    normalized = normalize_permissions(text)
    unknown = set(filter(None, normalized.split(","))) - (
        known_permissions() if normalized else set()
    )
    if unknown:
        raise ActionError(
            {
                "required_permissions": [
                    _("Unknown permissions: %(names)s. Write app_label.codename, e.g. %(example)s.")
                    % {"names": ", ".join(sorted(unknown)), "example": READ_ENGINEERING}
                ]
            }
        )
    return normalized


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "required_permissions" in values:
        try:
            values["required_permissions"] = clean_permissions(values["required_permissions"])
        except ActionError as error:
            errors.update(error.message_dict)
    if not str(values.get("title", "")).strip():
        errors["title"] = [_("An article needs a title.")]
    if not str(values.get("body", "")).strip():
        errors["body"] = [_("An article needs a body.")]
    if errors:
        raise ActionError(errors)


def do_create_article(
    values: dict[str, Any],
    *,
    actor: User,
    source_ticket: Ticket | None = None,
    note: str = "",
) -> Article:
    _require_editor(actor)
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    values.setdefault("owner", actor)
    _validate(values)
    with transaction.atomic():
        article = Article.objects.create(**values, source_ticket=source_ticket)
        _save_version(article, actor, note or _("Created"))
        _after_change(article)
    return article


def do_update_article(
    article: Article,
    changes: dict[str, Any],
    *,
    actor: User,
    expected_version: int | None = None,
    note: str = "",
) -> Article:
    _require_editor(actor)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if expected_version is not None and expected_version != article.version:
            raise ActionError(
                {"__all__": [_("Someone else saved this article meanwhile; reload it.")]}
            )
        changes = dict(changes)
        if "required_permissions" in changes:
            changes["required_permissions"] = clean_permissions(changes["required_permissions"])
        changed = False
        for name, value in changes.items():
            if name in EDITABLE_FIELDS and getattr(article, name) != value:
                setattr(article, name, value)
                changed = True
        if not changed:
            return article
        _validate({"title": article.title, "body": article.body})
        article.version += 1
        article.updated_at = timezone.now()
        article.save()
        _save_version(article, actor, note)
        _after_change(article)
    return article


def do_restore_version(article: Article, number: int, *, actor: User) -> Article:
    version = ArticleVersion.objects.filter(article=article, number=number).first()
    if version is None:
        raise ActionError({"version": [_("No such version.")]})
    changes: dict[str, Any] = {}
    for name, value in version.fields.items():
        if name in ("product", "owner"):
            changes[f"{name}_id"] = value
        elif name == "next_review_on" and value:
            changes[name] = dt.date.fromisoformat(value)
        else:
            changes[name] = value
    # product_id / owner_id are set directly; they are not in EDITABLE_FIELDS by that name.
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        _save_version(locked, actor, _("Restored version %(number)s") % {"number": number})
        _after_change(locked)
    return locked


def do_record_feedback(
    article: Article, *, user: User | None, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    with transaction.atomic():
        feedback = ArticleFeedback.objects.create(
            article=article, user=user, helpful=helpful, comment=comment[:2000]
        )
        counter = "helpful_count" if helpful else "not_helpful_count"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return feedback


def do_record_deflection(article: Article, *, user: User | None, query: str = "") -> Deflection:
    with transaction.atomic():
        deflection = Deflection.objects.create(article=article, user=user, query=query[:200])
        Article.objects.filter(pk=article.pk).update(deflection_count=F("deflection_count") + 1)
    return deflection


def do_review_article(article: Article, *, actor: User, outcome: str, note: str = "") -> Article:
    """Records a review (R-KB-2) as a version: "still valid" or "updated" moves the next
    review a cycle on, "retired" takes the article out of search."""
    _require_editor(actor)
    labels = {
        "valid": _("Reviewed: still valid"),
        "updated": _("Reviewed: updated"),
        "retired": _("Reviewed: retired"),
    }
    if outcome not in labels:
        raise ActionError({"outcome": [_("Unknown review outcome.")]})
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if outcome == "retired":
            article.status = ArticleStatus.RETIRED
        else:
            article.status = ArticleStatus.PUBLISHED
            article.next_review_on = timezone.localdate() + dt.timedelta(days=REVIEW_INTERVAL_DAYS)
        article.version += 1
        article.save()
        _save_version(article, actor, note or labels[outcome])
        _after_change(article)
    return article


# --- from case to article (R-CL-4) ---------------------------------------------------------


def article_draft_from_ticket(ticket: Ticket) -> dict[str, Any]:
    """The guides' article structure, filled from the ticket, in the desk's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _draft(ticket)


def _draft(ticket: Ticket) -> dict[str, Any]:
    images = [
        a for a in ticket.attachments.all() if a.content_type.startswith("image/") and a.is_public
    ]
    shots = "\n".join(
        f"![{a.filename}]({reverse('tickets:attachment_download', args=[a.pk])})" for a in images
    )
    sections = [
        (_("Problem description"), ticket.description),
        (_("Cause analysis"), ticket.root_cause),
        (_("Solution steps"), ticket.solution),
        (_("Screenshots"), shots),
    ]
    body = "\n\n".join(f"## {title}\n\n{text.strip() or '—'}" for title, text in sections)
    return {
        "title": ticket.subject,
        "body": body,
        "product": ticket.installed_product.product if ticket.installed_product_id else None,  # type: ignore[union-attr]
        "applicable_versions": ticket.env_software_version,
        "is_public": False,
    }


def do_create_article_from_ticket(
    ticket: Ticket, *, actor: User, values: dict[str, Any] | None = None
) -> Article:
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ActionError({"__all__": [_("Only a resolved ticket can become an article.")]})
    draft = article_draft_from_ticket(ticket)
    draft.update(values or {})
    with transaction.atomic():
        article = do_create_article(
            draft,
            actor=actor,
            source_ticket=ticket,
            note=_("Created from ticket %(number)s") % {"number": ticket.number},
        )
        article.linked_tickets.add(ticket)
        do_record_event(
            ticket,
            kind=EventKind.KNOWLEDGE,
            actor=actor,
            body=_("Knowledge article created: %(title)s") % {"title": article.title},
            data={"article_id": article.pk},
        )
    return article


# --- typical cases (R-CL-4) -----------------------------------------------------------------

TYPICAL_CASES_PER_MONTH = (3, 5)


def do_mark_typical_case(ticket: Ticket, *, actor: User) -> TypicalCase:
    if not (actor.is_active and actor.is_lead_or_above):
        raise PermissionDenied
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ActionError({"__all__": [_("Only a resolved ticket can be a typical case.")]})
    with transaction.atomic():
        case, created = TypicalCase.objects.get_or_create(
            ticket=ticket, defaults={"marked_by": actor}
        )
        if created:
            do_record_event(
                ticket,
                kind=EventKind.KNOWLEDGE,
                actor=actor,
                body=_("Marked as a typical case"),
                data={"typical_case": True},
            )
    return case


def do_add_article_files(
    article: Article, files: list[UploadedFile], *, actor: User
) -> list[ArticleFile]:
    """Images and attachments for an article, checked like ticket attachments."""
    _require_editor(actor)
    checked = check_uploads(files, field="attachments")
    with transaction.atomic():
        return [
            ArticleFile.objects.create(
                article=article,
                file=File(c.file, name=c.filename),
                filename=c.filename,
                content_type=c.content_type,
                size=c.file.size or 0,
                uploaded_by=actor,
            )
            for c in checked
        ]
