"""Indexing runs in the worker, off the request path (immediate in tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from supportdesk.search import documents


@db_task()
def index_ticket(ticket_id: int) -> None:
    documents.index_ticket(ticket_id)


@db_task()
def index_article(article_id: int) -> None:
    documents.index_article(article_id)


@db_task()
def index_organization(org_id: int) -> None:
    documents.index_organization(org_id)


@db_task()
def index_contact(contact_id: int) -> None:
    documents.index_contact(contact_id)
