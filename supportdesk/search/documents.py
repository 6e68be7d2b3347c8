"""What each kind of object contributes to the index, and the full rebuild."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from supportdesk.crm.models import Contact, Organization
from supportdesk.knowledge.choices import ArticleStatus
from supportdesk.knowledge.models import Article
from supportdesk.search.analysis import ANALYZER_VERSION
from supportdesk.search.backends import DocFields, document_values, get_backend
from supportdesk.search.choices import DocKind
from supportdesk.search.models import IndexState, PendingTicket, SearchDocument
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)
BATCH = 500
# Tickets the worker indexes per transaction when draining the pending list.
PENDING_BATCH = 500


def _public_replies() -> Prefetch:
    return Prefetch(
        "events",
        queryset=TicketEvent.objects.filter(kind=EventKind.REPLY, is_public=True).only(
            "ticket_id", "body"
        ),
        to_attr="public_replies",
    )


# What ``ticket_fields`` reads: loading only these halves the cost of a batch's read.
TICKET_FIELDS = (
    "number", "subject", "description", "steps_tried", "solution", "root_cause",
    "organization_id", "status", "is_open", "archived_at",
)  # fmt: skip


def ticket_fields(ticket: Ticket) -> DocFields:
    replies = getattr(ticket, "public_replies", None)
    if replies is None:
        replies = list(ticket.events.filter(kind=EventKind.REPLY, is_public=True).only("body"))
    # Internal notes stay out: a customer searching their own tickets must not be able
    # to probe what agents wrote among themselves.
    body = "\n".join(
        p for p in [ticket.description, ticket.steps_tried, ticket.solution] if p
    ) + "".join(f"\n{r.body}" for r in replies if r.body)
    return DocFields(
        title=ticket.subject,
        keywords=f"{ticket.number} {ticket.root_cause}",
        body=body,
        organization_id=ticket.organization_id,
        ref=ticket.number,
        extra={
            "status": ticket.status,
            "solution": ticket.solution[:300],
            "archived": ticket.archived_at is not None,
        },
        is_open=ticket.is_open,
        archived=ticket.archived_at is not None,
    )


def article_fields(article: Article) -> DocFields:
    return DocFields(
        title=article.title,
        keywords=" ".join(
            [article.keywords, article.problem_type, article.synonyms.replace("\n", " ")]
        ),
        body=article.body,
        is_public=article.is_public,
        ref=str(article.pk),
        extra={"category": article.category},
        required_permissions=article.required_permissions,
    )


def organization_fields(org: Organization) -> DocFields:
    return DocFields(
        title=org.name,
        body=" ".join([org.email_domains, org.phone, org.address, org.industry, org.notes]),
        organization_id=org.pk,
        ref=str(org.pk),
    )


def contact_fields(contact: Contact) -> DocFields:
    return DocFields(
        title=contact.name,
        body=" ".join([contact.email, contact.phone, contact.department, contact.title]),
        keywords=contact.organization.name,
        organization_id=contact.organization_id,
        ref=str(contact.organization_id),
    )


# --- keeping up with changes (called from the worker tasks) --------------------------------


def index_ticket(ticket_id: int) -> None:
    ticket = Ticket.objects.filter(pk=ticket_id).prefetch_related(_public_replies()).first()
    if ticket is None or ticket.merged_into_id is not None:
        get_backend().remove(DocKind.TICKET, ticket_id)
        return
    get_backend().index_document(DocKind.TICKET, ticket.pk, ticket_fields(ticket))


def index_tickets(ticket_ids: list[int]) -> int:
    """Indexes many tickets at once (the worker draining the pending list, a bulk import):
    two reads and, per generation, one upsert, in one transaction. Tickets that are gone or
    merged leave the index. Returns how many documents were written."""
    from supportdesk.search.backends import _state

    tickets = list(
        Ticket.objects.filter(pk__in=ticket_ids, merged_into__isnull=True)
        .only(*TICKET_FIELDS)
        .prefetch_related(_public_replies())
    )
    values = {t.pk: document_values(ticket_fields(t)) for t in tickets}
    gone = set(ticket_ids) - values.keys()
    state = _state()
    generations = {state.active, *([state.building] if state.building else [])}
    update_fields = [*next(iter(values.values()), {}).keys(), "updated_at"]
    with transaction.atomic():
        if gone:
            SearchDocument.objects.filter(kind=DocKind.TICKET, object_id__in=gone).delete()
        for generation in generations:
            if not values:
                break
            # An upsert, not delete-then-insert: two workers indexing the same ticket at once
            # (it changed again while the first one ran) both write, and the later one wins.
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(generation=generation, kind=DocKind.TICKET, object_id=pk, **v)
                    for pk, v in values.items()
                ],
                update_conflicts=True,
                unique_fields=["generation", "kind", "object_id"],
                update_fields=update_fields,
            )
    return len(values) * len(generations)


def queue_ticket(ticket_id: int) -> None:
    """Marks a ticket for the next ``index_pending`` (a no-op when it is already marked)."""
    table = PendingTicket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ticket_id, queued_at) VALUES (%s, %s) "  # noqa: S608 - constant
            "ON CONFLICT (ticket_id) DO NOTHING",
            [ticket_id, timezone.now()],
        )


def _claim_pending(limit: int) -> list[int]:
    """Takes up to ``limit`` pending tickets off the list, inside the caller's transaction:
    when it rolls back they are pending again. On PostgreSQL concurrent workers skip each
    other's rows; SQLite serializes writers anyway (transactions begin IMMEDIATE)."""
    table = PendingTicket._meta.db_table
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE ticket_id IN "  # noqa: S608 - constant
            f"(SELECT ticket_id FROM {table} LIMIT %s{lock}) RETURNING ticket_id",
            [limit],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def index_pending(batch: int = PENDING_BATCH) -> int:
    """Indexes every pending ticket, ``batch`` per transaction; returns how many.

    A ticket is claimed (its pending row deleted) before it is read, in the same transaction
    as its new document: a change committed after the read queues the ticket again, and a
    crash leaves it pending."""
    done = 0
    while True:
        with transaction.atomic():
            ids = _claim_pending(batch)
            if not ids:
                return done
            index_tickets(ids)
        done += len(ids)


def index_article(article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status == ArticleStatus.RETIRED:
        get_backend().remove(DocKind.ARTICLE, article_id)
        return
    get_backend().index_document(DocKind.ARTICLE, article.pk, article_fields(article))


def index_organization(org_id: int) -> None:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        get_backend().remove(DocKind.ORGANIZATION, org_id)
        return
    get_backend().index_document(DocKind.ORGANIZATION, org.pk, organization_fields(org))


def index_contact(contact_id: int) -> None:
    contact = Contact.objects.filter(pk=contact_id).select_related("organization").first()
    if contact is None:
        get_backend().remove(DocKind.CONTACT, contact_id)
        return
    get_backend().index_document(DocKind.CONTACT, contact.pk, contact_fields(contact))


# --- rebuilding ----------------------------------------------------------------------------


def _all_documents() -> Iterator[tuple[str, int, DocFields]]:
    last = 0
    while True:
        batch = list(
            Ticket.objects.filter(pk__gt=last, merged_into__isnull=True)
            .order_by("pk")
            .prefetch_related(_public_replies())[:BATCH]
        )
        if not batch:
            break
        for ticket in batch:
            yield DocKind.TICKET, ticket.pk, ticket_fields(ticket)
        last = batch[-1].pk
    for article in Article.objects.exclude(status=ArticleStatus.RETIRED).iterator():
        yield DocKind.ARTICLE, article.pk, article_fields(article)
    for org in Organization.objects.iterator():
        yield DocKind.ORGANIZATION, org.pk, organization_fields(org)
    for contact in Contact.objects.select_related("organization").iterator():
        yield DocKind.CONTACT, contact.pk, contact_fields(contact)


def stale_analyzer() -> int | None:
    """The analyzer version of the active generation when it is not this code's (the index
    was built before an upgrade that changes tokens, and needs a rebuild), else None."""
    state = IndexState.objects.first()
    if state is None or state.analyzer == ANALYZER_VERSION:
        return None
    return state.analyzer


def rebuild() -> int:
    """Fills a new generation while searches keep reading the current one, then swaps.

    Changes indexed during the rebuild are written to both generations; the rebuild's
    own (possibly older) copy of such a document loses (``ignore_conflicts``). The new
    generation is stamped with this code's analyzer version.
    """
    with transaction.atomic():
        state, _ = IndexState.objects.select_for_update().get_or_create(pk=1)
        top = SearchDocument.objects.aggregate(m=Max("generation"))["m"] or 0
        state.building = max(state.active, top) + 1
        state.save()
        target = state.building
    count = 0
    pending: list[SearchDocument] = []
    for kind, object_id, fields in _all_documents():
        pending.append(
            SearchDocument(
                generation=target, kind=kind, object_id=object_id, **document_values(fields)
            )
        )
        if len(pending) >= BATCH:
            SearchDocument.objects.bulk_create(pending, ignore_conflicts=True)
            count += len(pending)
            pending = []
    SearchDocument.objects.bulk_create(pending, ignore_conflicts=True)
    count += len(pending)
    with transaction.atomic():
        state = IndexState.objects.select_for_update().get(pk=1)
        state.active, state.building = target, None
        state.analyzer = ANALYZER_VERSION
        state.save()
    # Old generations go after the swap, in batches, so no search ever sees an empty index.
    while True:
        ids = list(
            SearchDocument.objects.exclude(generation=target).values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        SearchDocument.objects.filter(pk__in=ids).delete()
    get_backend().compact()
    logger.info("search index rebuilt: %s documents in generation %s", count, target)
    return count
