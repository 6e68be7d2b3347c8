"""Knowledge base pages: agents list, write, compare and restore; customers read public
articles, rate them and say when one solved their problem (deflection, R-IN-6)."""

from __future__ import annotations

import difflib
from typing import cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.knowledge import actions
from supportdesk.knowledge.canned import customer_of, replies_for_ticket
from supportdesk.knowledge.forms import (
    ArticleFilesForm,
    ArticleForm,
    DeflectionForm,
    FeedbackForm,
    ReviewForm,
)
from supportdesk.knowledge.models import Article, ArticleFile
from supportdesk.knowledge.rendering import render_markdown
from supportdesk.knowledge.selectors import get_article_for_user, visible_articles
from supportdesk.tickets.permissions import agent_or_404
from supportdesk.tickets.selectors import get_ticket_for_user

LIST_SIZE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require_editor(request: HttpRequest) -> User:
    user = _user(request)
    if not actions.can_edit(user):
        raise Http404
    return user


def _form_errors(form: ArticleForm, error: ActionError) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(None if field not in form.fields else field, message)


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    articles = visible_articles(_user(request)).select_related("owner")[:LIST_SIZE]
    rows = [{"article": a, "overdue": a.review_overdue(today)} for a in articles]
    return render(
        request,
        "knowledge/article_list.html",
        {"rows": rows, "can_edit": actions.can_edit(_user(request))},
    )


@login_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article_for_user(_user(request), pk)
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            "can_edit": actions.can_edit(_user(request)),
            "feedback_form": FeedbackForm(),
            "overdue": article.review_overdue(timezone.localdate()),
            "stale": article.review_stale_for_readers(timezone.localdate()),
            "review_form": ReviewForm(),
            "files": [
                {"file": f, "url": reverse("knowledge:article_file", args=[f.pk])}
                for f in article.files.all()
            ],
            "files_form": ArticleFilesForm(),
            "linked_tickets": article.linked_tickets.only("number", "subject")[:20]
            if actions.can_edit(_user(request))
            else [],
        },
    )


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    user = _require_editor(request)
    form = ArticleForm(request.POST or None, initial={"owner": user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.do_create_article(
                form.values(), actor=user, note=form.cleaned_data["note"]
            )
        except ActionError as error:
            _form_errors(form, error)
        else:
            return redirect("knowledge:article", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_editor(request)
    article = get_article_for_user(user, pk)
    form = ArticleForm(request.POST or None, instance=article, initial={"version": article.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_article(
                article,
                form.values(),
                actor=user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except ActionError as error:
            _form_errors(form, error)
        else:
            return redirect("knowledge:article", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


@login_required
def article_from_ticket(request: HttpRequest, number: str) -> HttpResponse:
    """From case to article (R-CL-4): the form comes pre-filled from the resolved ticket."""
    user = _require_editor(request)
    ticket = get_ticket_for_user(user, number)
    form = ArticleForm(
        request.POST or None,
        initial={**actions.article_draft_from_ticket(ticket), "owner": user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.do_create_article_from_ticket(
                ticket, actor=user, values=form.values()
            )
        except ActionError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The article is linked to the ticket."))
            return redirect("knowledge:article", pk=article.pk)
    return render(
        request, "knowledge/article_form.html", {"form": form, "article": None, "ticket": ticket}
    )


def _numbers(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@login_required
@require_GET
def article_versions(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_editor(request)
    article = get_article_for_user(user, pk)
    versions = list(article.versions.select_related("author"))
    by_number = {v.number: v for v in versions}
    newer = by_number.get(_numbers(request, "b") or article.version)
    older = by_number.get(_numbers(request, "a") or max(article.version - 1, 1))
    diff = []
    if older and newer:
        diff = list(
            difflib.unified_diff(
                f"# {older.title}\n\n{older.body}".splitlines(),
                f"# {newer.title}\n\n{newer.body}".splitlines(),
                fromfile=f"v{older.number}",
                tofile=f"v{newer.number}",
                lineterm="",
            )
        )
    rows = [
        {"text": line, "kind": "add" if line.startswith("+") else "del" if line.startswith("-")
         else "ctx"}
        for line in diff
    ]  # fmt: skip
    return render(
        request,
        "knowledge/article_versions.html",
        {"article": article, "versions": versions, "older": older, "newer": newer, "rows": rows},
    )


@login_required
@require_POST
def article_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = _require_editor(request)
    article = get_article_for_user(user, pk)
    try:
        actions.do_restore_version(article, number, actor=user)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("knowledge:article", pk=pk)


@login_required
@require_POST
def article_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article_for_user(_user(request), pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        actions.do_record_feedback(
            article,
            user=_user(request),
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you for your feedback."))
    return redirect("knowledge:article", pk=pk)


@login_required
@require_POST
def article_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_editor(request)
    article = get_article_for_user(user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    actions.do_review_article(
        article, actor=user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("Review recorded."))
    return redirect("knowledge:article", pk=pk)


@login_required
@require_POST
def article_solved(request: HttpRequest, pk: int) -> HttpResponse:
    """ "This solved it" on a suggested article: no ticket is filed, a deflection is counted."""
    article: Article = get_article_for_user(_user(request), pk)
    form = DeflectionForm(request.POST)
    query = form.cleaned_data["query"] if form.is_valid() else ""
    actions.do_record_deflection(article, user=_user(request), query=query)
    messages.success(request, _("Glad the article helped. No ticket was filed."))
    return redirect("knowledge:article", pk=pk)


@login_required
@require_POST
def mark_typical_case(request: HttpRequest, number: str) -> HttpResponse:
    user = _require_editor(request)
    ticket = get_ticket_for_user(user, number)
    try:
        actions.do_mark_typical_case(ticket, actor=user)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as a typical case."))
    return redirect("workspace:ticket", number=number)


@login_required
@require_POST
def article_files(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_editor(request)
    article = get_article_for_user(user, pk)
    form = ArticleFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("attachments", [])))
        return redirect("knowledge:article", pk=pk)
    try:
        actions.do_add_article_files(article, form.cleaned_data["attachments"], actor=user)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("knowledge:article", pk=pk)


@login_required
@require_GET
def article_file(request: HttpRequest, pk: int) -> FileResponse:
    """An article's file for whoever may read the article (customers: public ones only);
    served with the same defences as ticket attachments."""
    stored = get_object_or_404(ArticleFile.objects.select_related("article"), pk=pk)
    get_article_for_user(_user(request), stored.article_id)
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=not stored.content_type.startswith("image/"),
    )
    ascii_name = stored.filename.encode("ascii", "replace").decode().replace('"', "_")
    disposition = "inline" if stored.content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stored.filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def canned_replies(request: HttpRequest, number: str) -> JsonResponse:
    """The reply box's picker (R-IN-3): every canned reply, filled from this ticket on the
    server, in the customer's language first. Agents only, and only on tickets they may see."""
    user = agent_or_404(_user(request))
    ticket = get_ticket_for_user(user, number)
    customer = customer_of(ticket)[1]
    language = customer.language if customer else settings.LANGUAGE_CODE
    replies = replies_for_ticket(ticket, user, language)
    return JsonResponse({"items": [vars(r) for r in replies]})
