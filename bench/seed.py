#!/usr/bin/env python
"""Seeds the supportdesk database with N realistic tickets for the benchmarks.

Usage (from the project root, with the project's virtualenv)::

    python bench/seed.py --tickets 100000 [--database-url postgres://...] [--batch 5000]

* Tops up: tickets already seeded (``source == SEED_SOURCE``) are kept, so running it with
  10,000 then 100,000 adds 90,000. Ticket k (0-based) is always the same ticket.
* Text comes from the peer harness's shared corpus (``ticket_text(k)`` and one follow-up,
  ``FOLLOWUP_TEXTS[k % 7]``, per ticket) so ``corpus.truth_counts(N, 1)`` is the ground
  truth of any search.
* Ticket k is created at ``START + k * 108 s`` (800 tickets a local day), numbered
  ``TS{local date}{k % 800 + 1:04d}``; 1,000,000 tickets span 1,250 days.
* Rows are written with ``bulk_create`` in batches (this is seeding, not the measured path),
  with explicit ticket ids so every event's hash chain is computed before the insert; each
  timeline verifies with ``tickets.timeline_integrity.verify_timeline``. Memory stays flat.
* Afterwards: ``ANALYZE`` (SQLite) or ``VACUUM ANALYZE`` (PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COMMON = Path(os.environ.get("BENCH_COMMON", str(ROOT.parent / "shared" / "bench" / "common")))
if not COMMON.is_dir():
    COMMON = Path("/work/shared/bench/common")
sys.path.insert(0, str(COMMON))
sys.path.insert(0, str(ROOT))

from corpus import FOLLOWUP_TEXTS, ticket_text, truth_counts  # noqa: E402

SEED_SOURCE = "bench-seed"
PASSWORD = "bench-pass-2026"
PER_DAY = 800
STEP_SECONDS = 86400 // PER_DAY  # 108 s: ticket k's local day is exactly k // PER_DAY
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2022, 1, 1, tzinfo=LOCAL_TZ).astimezone(dt.UTC)
UTC = dt.UTC

AGENTS = [
    # username, display name, role, team kind
    ("bench.lead", "孙组长", "lead", "l1"),
    ("bench.l1a", "陈一线", "l1", "l1"),
    ("bench.l1b", "周一线", "l1", "l1"),
    ("bench.l2a", "赵二线", "l2", "l2"),
    ("bench.l2b", "吴二线", "l2", "l2"),
]
TEAMS = [("一线支持", "l1"), ("二线支持", "l2"), ("研发", "rnd")]
N_ORGS = 200
CHANNELS = ["portal"] * 5 + ["email"] * 3 + ["phone"] * 2 + ["im", "monitoring"]
PRIORITY_WEIGHTS = {"P0": 2, "P1": 10, "P2": 50, "P3": 38}
OPEN_STATUSES_MIX = [
    "received", "diagnosing", "diagnosing", "analyzing", "implementing",
    "waiting_customer", "resolved", "reopened",
]  # fmt: skip


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "SUPPORTDESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "supportdesk-bench")
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


class Base:
    """Reference rows every seeded ticket points at (created once, small)."""

    def __init__(self) -> None:
        from django.contrib.auth.hashers import make_password

        from supportdesk.accounts.models import Team, User
        from supportdesk.crm.models import (
            Contact,
            InstalledProduct,
            Organization,
            Product,
            ProductVersion,
        )
        from supportdesk.tickets.models import Category, Priority

        # One hash for every seeded login: the default hasher is slow on purpose.
        password_hash = make_password(PASSWORD)
        self.priorities = {p.code: p for p in Priority.objects.all()}
        self.categories = list(Category.objects.order_by("ordering", "id"))

        teams = {}
        for name, kind in TEAMS:
            teams[kind], _ = Team.objects.get_or_create(name=name, defaults={"kind": kind})
        self.teams = teams
        self.agents = []
        for username, display, role, team_kind in AGENTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    display_name=display,
                    role=role,
                    email=f"{username}@desk.example",
                    password=password_hash,
                )
                user.save()
            teams[team_kind].members.add(user)
            self.agents.append(user)
        self.lead = self.agents[0]

        product, _ = Product.objects.get_or_create(
            code="bench-suite", defaults={"name": "云帆业务平台", "product_line": "平台"}
        )
        versions = [
            ProductVersion.objects.get_or_create(product=product, version=v)[0]
            for v in ("3.2", "3.3", "4.0")
        ]
        tiers = ["standard"] * 7 + ["key"] * 2 + ["vip"]
        existing = {o.name: o for o in Organization.objects.filter(name__startswith="基准客户")}
        self.orgs = []
        self.customers = []
        self.contacts = []
        self.installs = []
        for i in range(N_ORGS):
            name = f"基准客户{i + 1:03d}有限公司"
            org = existing.get(name)
            if org is None:
                org = Organization.objects.create(
                    name=name,
                    tier=tiers[i % len(tiers)],
                    email_domains=f"cust{i + 1:03d}.example",
                    industry=["制造", "金融", "零售", "教育", "医疗"][i % 5],
                )
            username = f"cust{i + 1:03d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    display_name=f"客户联系人{i + 1:03d}",
                    role="customer",
                    organization=org,
                    email=f"{username}@cust{i + 1:03d}.example",
                    password=password_hash,
                )
                user.save()
            contact = Contact.objects.filter(user=user).first() or Contact.objects.create(
                organization=org, name=str(user), email=user.email, user=user
            )
            install = InstalledProduct.objects.filter(organization=org).first()
            if install is None:
                install = InstalledProduct.objects.create(
                    organization=org,
                    product=product,
                    version=versions[i % len(versions)],
                    model="YF-" + str(100 + i % 7),
                    serial_number=f"SN{i + 1:06d}",
                )
            self.orgs.append(org)
            self.customers.append(user)
            self.contacts.append(contact)
            self.installs.append(install)
        codes = list(PRIORITY_WEIGHTS)
        self.priority_cycle = [
            self.priorities[c] for c in codes for _ in range(PRIORITY_WEIGHTS[c])
        ]


@dataclass
class Chain:
    """Where a ticket's timeline stands while it is built."""

    at: dt.datetime
    prev: str = ""
    version: int = 0


def build_ticket(k: int, pk: int, base: Base, rng: random.Random) -> tuple[Any, list[Any]]:
    """Ticket k with its timeline, as unsaved model instances with the hash chain filled in."""
    from supportdesk.tickets.choices import OPEN_STATUSES
    from supportdesk.tickets.models import Ticket, TicketEvent

    subject, description = ticket_text(k)
    created = START + dt.timedelta(seconds=k * STEP_SECONDS)
    day = k // PER_DAY
    local_date = (START + dt.timedelta(days=day)).astimezone(LOCAL_TZ).date()
    number = f"TS{local_date:%Y%m%d}{k % PER_DAY + 1:04d}"
    o = rng.randrange(N_ORGS)
    org, customer, contact = base.orgs[o], base.customers[o], base.contacts[o]
    priority = base.priority_cycle[rng.randrange(len(base.priority_cycle))]
    channel = CHANNELS[k % len(CHANNELS)]
    by_agent = channel in ("phone", "monitoring")
    reporter = base.agents[1 + k % 2] if by_agent else customer

    roll = rng.random()
    if roll < 0.2:
        status = OPEN_STATUSES_MIX[rng.randrange(len(OPEN_STATUSES_MIX))]
    elif roll < 0.85:
        status = "closed"
    else:
        status = "archived"
    unassigned = status == "received" and rng.random() < 0.6
    agent_i = rng.randrange(len(base.agents))
    agent = None if unassigned else base.agents[agent_i]
    team = None if unassigned else base.teams["l2" if agent_i >= 3 else "l1"]

    ticket = Ticket(
        pk=pk,
        number=number,
        subject=subject,
        description=description,
        type=["fault", "fault", "question", "request"][k % 4],
        category=base.categories[k % len(base.categories)] if base.categories else None,
        priority=priority,
        channel=channel,
        source=SEED_SOURCE,
        organization=org,
        contact=contact,
        installed_product=base.installs[o],
        team=team,
        assignee=agent,
        created_by=reporter,
        created_at=created,
        first_response_due_at=created + dt.timedelta(minutes=priority.first_response_minutes),
        env_os=["Windows 11", "CentOS 7.9", "macOS 14", "麒麟 V10"][k % 4],
        env_software_version=["3.2", "3.3", "4.0"][k % 3],
        status=status,
    )

    events: list[Any] = []
    state = Chain(at=created)

    def add(
        kind: str, actor: Any, minutes: float, *, public: bool, body: str = "", **data: Any
    ) -> None:
        state.at = state.at + dt.timedelta(minutes=minutes)
        state.version += 1
        event = TicketEvent(
            ticket_id=pk,
            kind=kind,
            actor=actor,
            actor_label=str(actor),
            created_at=state.at,
            is_public=public,
            body=body,
            data={**data, "v": state.version},
            prev_hash=state.prev,
        )
        event.hash = event.compute_hash()
        state.prev = event.hash
        events.append(event)

    add("created", reporter, 0, public=True, body=description, channel=channel,
        priority=priority.code)  # fmt: skip
    if agent is not None and team is not None:
        add("assign", base.lead, 5 + rng.random() * 30, public=False, fields=["team", "assignee"],
            from_team="", from_team_kind="", to_team=team.name, to_team_kind=team.kind,
            from_assignee="", to_assignee=str(agent))  # fmt: skip
    # Exactly one follow-up per ticket (the lead answers unassigned ones), so
    # corpus.truth_counts(N, 1) stays the exact ground truth.
    add("reply", agent or base.lead, 10 + rng.random() * 90, public=True,
        body=FOLLOWUP_TEXTS[k % len(FOLLOWUP_TEXTS)], from_customer=False)  # fmt: skip
    ticket.first_responded_at = state.at

    def move(to: str, minutes: float, body: str = "", **extra: Any) -> None:
        add("status", agent, minutes, public=True, body=body, fields=["status"],
            **{"from": current["s"], "to": to, **extra})  # fmt: skip
        current["s"] = to

    current = {"s": "received"}
    solution = "已调整配置并重启服务，问题已解决。"
    if status in ("diagnosing", "analyzing", "implementing", "reopened", "waiting_customer"):
        if status == "reopened":
            move("resolved", 600, solution, result="solved")
            move("reopened", 1440, "客户反馈问题再次出现。")
        elif status == "waiting_customer":
            ticket.status_before_wait = "diagnosing"
            move("waiting_customer", 60, "请提供日志与截图。")
        else:
            move(status, 60)
    elif status == "resolved":
        ticket.solution, ticket.result = solution, "solved"
        move("resolved", 600, solution, result="solved")
        ticket.resolved_at = state.at
    elif status in ("closed", "archived"):
        ticket.solution, ticket.result = solution, "solved"
        if k % 2 == 0:
            move("resolved", 600, solution, result="solved")
            ticket.resolved_at = state.at
        ticket.close_reason = "customer_confirmed"
        move("closed", 1440, close_reason="customer_confirmed")
        ticket.closed_at = state.at
        if status == "archived":
            move("archived", 30 * 1440)
            ticket.archived_at = state.at

    ticket.updated_at = state.at
    ticket.version = state.version
    ticket.last_event_hash = state.prev
    # The priority instance is already attached, so this costs no query.
    ticket.sync_derived_fields()
    assert ticket.is_open == (status in OPEN_STATUSES)
    return ticket, events


def seed(target: int, batch: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.db.models import Max

    from supportdesk.tickets.models import Ticket, TicketEvent, TicketSequence

    t0 = time.perf_counter()
    base = Base()
    have = Ticket.objects.filter(source=SEED_SOURCE).count()
    next_pk = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            # Seeding only: a crash means reseeding, so skip the fsyncs.
            cur.execute("PRAGMA synchronous=OFF")
    events_total = 0
    for lo in range(have, target, batch):
        hi = min(target, lo + batch)
        rng = random.Random(lo)  # deterministic per batch, whatever the batch of a top-up
        tickets, events = [], []
        for k in range(lo, hi):
            ticket, evs = build_ticket(k, next_pk + (k - have), base, rng)
            tickets.append(ticket)
            events += evs
        days: dict[dt.date, int] = {}
        for t in tickets:
            day = dt.date(int(t.number[2:6]), int(t.number[6:8]), int(t.number[8:10]))
            days[day] = max(days.get(day, 0), int(t.number[10:]))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            TicketEvent.objects.bulk_create(events, batch_size=2000)
            TicketSequence.objects.bulk_create(
                [TicketSequence(day=d, last=n) for d, n in days.items()],
                update_conflicts=True,
                unique_fields=["day"],
                update_fields=["last"],
            )
        events_total += len(events)
        done = hi - have
        rate = done / (time.perf_counter() - t0)
        print(f"  {hi:>9,} tickets  {events_total:>10,} events  {rate:,.0f} tickets/s", flush=True)
        del tickets, events
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, TicketEvent]):
                cur.execute(sql)
    seed_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
    return {
        "tickets_before": have,
        "tickets_seeded": max(0, target - have),
        "tickets_total": Ticket.objects.count(),
        "events_added": events_total,
        "seed_s": round(seed_s, 1),
        "analyze_s": round(time.perf_counter() - t1, 1),
    }


def verify_sample(count: int = 50) -> int:
    """Checks the hash chain of a spread of seeded tickets; returns how many were checked."""
    from supportdesk.tickets.models import Ticket
    from supportdesk.tickets.timeline_integrity import verify_timeline

    ids = list(Ticket.objects.filter(source=SEED_SOURCE).values_list("id", flat=True)[:1])
    last = Ticket.objects.filter(source=SEED_SOURCE).order_by("-id").values_list("id", flat=True)
    if not ids:
        return 0
    lo, hi = ids[0], last[0]
    step = max(1, (hi - lo) // max(1, count - 1))
    checked = 0
    for ticket in Ticket.objects.filter(id__in=range(lo, hi + 1, step)):
        bad = verify_timeline(ticket)
        if bad is not None:
            raise SystemExit(f"hash chain broken on {ticket.number} at event {bad.pk}")
        checked += 1
    return checked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tickets", type=int, required=True, help="total seeded tickets wanted")
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--no-migrate", action="store_true")
    ap.add_argument("--truth-out", help="write search ground truth (JSON) here")
    args = ap.parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    print(f"seeding {connection.vendor} up to {args.tickets:,} tickets", flush=True)
    result = seed(args.tickets, args.batch)
    result["verified_timelines"] = verify_sample()
    result["db"] = connection.vendor
    if args.truth_out:
        truth = {"tickets": args.tickets, "terms": truth_counts(args.tickets, 1)}
        Path(args.truth_out).write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
