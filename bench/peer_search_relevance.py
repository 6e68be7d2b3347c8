#!/usr/bin/env python
"""Recall@5 and MRR of the peer's search (django-helpdesk) on our labelled query set (issue 5).

Runs with the peer's interpreter and project (``/work/shared/bench/peer``), on a peer database
seeded by the peer harness's ``seed.py`` with the shared corpus::

    cd /work/shared/bench/peer
    export PEER_SQLITE=/tmp/kb1m/peer/db.sqlite3 PEER_STATE=/tmp/kb1m/peer/state
    /tmp/peer/venv/bin/python peerproj/manage.py migrate -v0
    /tmp/peer/venv/bin/python seed.py --tickets 20000
    /tmp/peer/venv/bin/python /work/main/bench/peer_search_relevance.py [--out FILE.json]

Adds our tests' labelled set (``search/tests/relevance_data.py``) once: each ticket as a
helpdesk ``Ticket`` (subject, description, solution as its resolution), each article as a
``KBItem`` (title, body as the answer, keywords and synonyms as the question). Then runs each
labelled query through the peer's own search filter (``helpdesk.query.get_search_filter_args``,
what its ticket list's search box applies) over all tickets, and scores the first 30 results
against the labels, as ``bench/search_bench.py`` scores ours. A ``{T:name}`` in a query becomes
the peer's id of that ticket (its search matches ids).

The peer has no ranking: its list sorts by a column. Two orders are scored: by creation,
oldest first (the list's default sort), and newest first, its best case here, since the
labelled tickets are the newest. The peer's staff search does not search the knowledge base,
so labels that are articles are misses for it; a tickets-only score is reported as well.
Beyond a few hundred seeded tickets the result does not depend on the seeded count: a query
that matches the seeded templates matches thousands of them either way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PEER = Path(os.environ.get("PEER_DIR", "/work/shared/bench/peer"))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PEER / "peerproj"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from helpdesk.models import KBCategory, KBItem, Queue, Ticket  # noqa: E402
from helpdesk.query import get_search_filter_args  # noqa: E402

from supportdesk.search.tests.relevance_data import ARTICLES, QUERIES, TICKETS  # noqa: E402

LABEL_EMAIL = "labelled@bench.example"


def add_labelled_set() -> dict[int, str]:
    """Ticket id -> label key; idempotent."""
    queue = Queue.objects.order_by("id").first()
    if queue is None:
        raise SystemExit("seed the peer first (seed.py)")
    existing = {t.title: t for t in Ticket.objects.filter(submitter_email=LABEL_EMAIL)}
    keys: dict[int, str] = {}
    for name, values in TICKETS.items():
        ticket = existing.get(str(values["subject"]))
        if ticket is None:
            ticket = Ticket.objects.create(
                title=str(values["subject"]),
                description=str(values["description"]),
                resolution=str(values.get("solution", "")),
                queue=queue,
                submitter_email=LABEL_EMAIL,
                status=Ticket.RESOLVED_STATUS if values.get("solution") else Ticket.OPEN_STATUS,
            )
        keys[ticket.pk] = f"T:{name}"
    category, _ = KBCategory.objects.get_or_create(
        slug="labelled", defaults={"name": "Labelled", "title": "Labelled", "description": ""}
    )
    for values in ARTICLES.values():
        KBItem.objects.get_or_create(
            title=str(values["title"]),
            defaults={
                "category": category,
                "question": " ".join(
                    [str(values.get("keywords", "")), str(values.get("synonyms", ""))]
                ),
                "answer": str(values["body"]),
            },
        )
    get_user_model()  # the peer's models are loaded; nothing else needed
    return keys


def score(keys: dict[int, str], ids: dict[str, int], order: str) -> dict[str, object]:
    recalls: list[float] = []
    reciprocal: list[float] = []
    recalls_t: list[float] = []
    reciprocal_t: list[float] = []
    misses = []
    for raw, relevant in QUERIES:
        query = raw
        for key, pk in ids.items():
            query = query.replace("{" + key + "}", str(pk))
        found_ids = list(
            Ticket.objects.filter(get_search_filter_args(query))
            .distinct()
            .order_by(order, "id" if order == "created" else "-id")
            .values_list("id", flat=True)[:30]
        )
        found = [keys.get(pk) for pk in found_ids]
        top5 = set(found[:5])
        recalls.append(len(set(relevant) & top5) / len(relevant))
        rank = next((i + 1 for i, k in enumerate(found) if k in relevant), None)
        reciprocal.append(1 / rank if rank else 0.0)
        tickets = [r for r in relevant if r.startswith("T:")]
        if tickets:
            recalls_t.append(len(set(tickets) & top5) / len(tickets))
            rank_t = next((i + 1 for i, k in enumerate(found) if k in tickets), None)
            reciprocal_t.append(1 / rank_t if rank_t else 0.0)
        if rank != 1:
            misses.append({"query": raw, "rank": rank, "results": len(found_ids)})
    return {
        "queries": len(QUERIES),
        "recall@5": round(sum(recalls) / len(recalls), 3),
        "mrr": round(sum(reciprocal) / len(reciprocal), 3),
        "ticket_queries": len(recalls_t),
        "tickets_recall@5": round(sum(recalls_t) / len(recalls_t), 3),
        "tickets_mrr": round(sum(reciprocal_t) / len(reciprocal_t), 3),
        "misses": len(misses),
        "miss_examples": misses[:12],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    args = ap.parse_args()
    keys = add_labelled_set()
    ids = {key: pk for pk, key in keys.items()}
    result = {
        "peer_tickets": Ticket.objects.count(),
        "oldest_first": score(keys, ids, "created"),
        "newest_first": score(keys, ids, "-created"),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
