#!/usr/bin/env python
"""HTTP latency, creation rate and server memory of supportdesk, the peer harness's method.

Starts ``supportdesk serve`` (granian, 2 threaded workers; the peer runs 2 gunicorn workers)
on a free 127.0.0.1 port against an already seeded database (``bench/seed.py``), signs in,
then times single-client, sequential, keep-alive requests (median of ``-n`` samples after warm-ups):

  healthz_floor     GET /healthz                             the floor: HTTP + WSGI + one query
  desk_queue        GET /desk/?queue=open                    agent queue, first page
  desk_filtered     GET /desk/?queue=all&status=S&priority=P  a filtered queue page
  desk_ticket       GET /desk/tickets/<number>/              rotating over 20 tickets
  desk_search[term] GET /search/?q=TERM                      the workspace search box
                                                             (everything, first page of 30)
  api_list          GET /api/v1/tickets?queue=open           Bearer token (ApiToken.issue)
  api_list_filtered GET /api/v1/tickets?status=S&priority=P
  portal_list       GET /portal/                              as a customer
  portal_ticket     GET /portal/tickets/<number>/             the customer's own tickets
  api_create        POST /api/v1/tickets, tickets/s with 1 and 4 concurrent clients

Peak RSS, PSS and USS of the server's process tree and of each process are sampled
throughout (``mem_watch.MemMonitor``: the peer's ``RssMonitor`` plus ``smaps_rollup``); the
searches run last, and the peaks before them are recorded too (``rss_before_search``): the
first search in a worker loads the Chinese segmenter's dictionary.
Times are wall time on loopback (server time + loopback, no browser), as in the peer README;
nothing is added to the server to measure it. Prints and writes JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from mem_watch import MemMonitor, by_mapping  # noqa: E402
from seed import COMMON, PASSWORD, SEED_SOURCE, setup_django  # noqa: E402

sys.path.insert(0, str(COMMON))
from benchlib import fmt, stats, timed, wait_http  # noqa: E402
from corpus import SEARCH_TERMS, ticket_text, truth_counts  # noqa: E402

AGENT = "bench.lead"
NUMBER_RE = re.compile(r"TS\d{12,}")


def git_state() -> str:
    """The commit measured, and whether the work tree differed from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return head + (" + uncommitted changes" if dirty else "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(port: int, workers: int, threads: int = 4) -> list[str]:
    cli = Path(sys.executable).parent / "supportdesk"
    return [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--threads", str(threads), "--no-access-log"]  # fmt: skip


def start_server(port: int, workers: int, log: Path, threads: int = 4) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.setdefault("LOG_LEVEL", "WARNING")
    env["DEBUG"] = "0"
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            server_command(port, workers, threads),
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    wait_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
    if proc.poll() is not None:
        raise SystemExit(f"server exited early; see {log}")
    return proc


def login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600, follow_redirects=False)
    r = client.get("/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
    assert match, f"no CSRF token on the login page ({r.status_code})"
    r = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": base + "/login/"},
    )
    assert r.status_code in (302, 303), f"login of {username} failed: {r.status_code}"
    return client


def sample(fn: Any, n: int, warm: int) -> list[float]:
    for _ in range(warm):
        fn()
    return [timed(fn)[0] for _ in range(n)]


class Probe:
    """Times one GET repeatedly; records status and a row count instead of aborting on errors."""

    def __init__(self, res: dict[str, Any], n: int, warm: int) -> None:
        self.res, self.n, self.warm = res, n, warm

    def get(self, name: str, client: httpx.Client, urls: list[str], count: Any = None) -> None:
        first = client.get(urls[0])
        entry: dict[str, Any] = {"url": urls[0], "status": first.status_code}
        if first.status_code != 200:
            entry["error"] = first.text[:300]
            self.res[name] = entry
            print(f"{name}: HTTP {first.status_code} {urls[0]}", flush=True)
            return
        if count is not None:
            entry["rows"] = count(first)
        it = {"i": 0}

        def one() -> None:
            url = urls[it["i"] % len(urls)]
            it["i"] += 1
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        entry["ms"] = stats(sample(one, self.n, self.warm))
        self.res[name] = entry
        print(f"{name}: {fmt(entry['ms'])} rows={entry.get('rows')}", flush=True)


def html_rows(r: httpx.Response) -> int:
    return len(set(NUMBER_RE.findall(r.text)))


def json_rows(r: httpx.Response) -> int:
    body = r.json()
    items = body.get("items", body) if isinstance(body, dict) else body
    return len(items) if isinstance(items, list) else -1


def create_rate(
    base: str, token: str, payload: Any, per_run: int, runs: int, conc: int, start_k: int
) -> dict[str, Any]:
    rates, errors = [], []
    k = start_k
    for _ in range(runs):
        jobs = list(range(k, k + per_run))
        k += per_run
        clients = [
            httpx.Client(base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"})
            for _ in range(conc)
        ]
        for c in clients:  # open the keep-alive connections outside the timed window
            c.get("/healthz")

        def work(c: httpx.Client, mine: list[int]) -> None:
            for j in mine:
                r = c.post("/api/v1/tickets", json=payload(j))
                if r.status_code not in (200, 201):
                    errors.append((r.status_code, r.text[:200]))

        threads = [
            threading.Thread(target=work, args=(clients[i], jobs[i::conc])) for i in range(conc)
        ]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rates.append(per_run / (time.perf_counter() - t0))
        for c in clients:
            c.close()
    return {"tickets_per_s": stats(rates), "errors": len(errors), "first_errors": errors[:3]}


def context_from_db(n_pages: int) -> dict[str, Any]:
    """Ticket numbers, filter values and an API token, read straight from the database."""
    from supportdesk.accounts.models import ApiToken, User
    from supportdesk.tickets.models import Priority, Ticket

    agent = User.objects.get(username=AGENT)
    seeded = Ticket.objects.filter(source=SEED_SOURCE)
    total = seeded.count()
    lo = seeded.order_by("id").values_list("id", flat=True)[0]
    hi = seeded.order_by("-id").values_list("id", flat=True)[0]
    step = max(1, (hi - lo) // n_pages)
    numbers = list(
        Ticket.objects.filter(id__in=range(lo, hi + 1, step)).values_list("number", flat=True)
    )[:n_pages]
    customer = User.objects.get(username="cust001")
    assert customer.organization_id is not None
    own = list(
        Ticket.objects.filter(organization_id=customer.organization_id)
        .order_by("-updated_at")
        .values_list("number", flat=True)[:n_pages]
    )
    p1 = Priority.objects.get(code="P1")
    _token, raw = ApiToken.issue(agent, "bench")
    org_id = customer.organization_id
    return {
        "total": total,
        "all_tickets": Ticket.objects.count(),
        "numbers": numbers,
        "customer": customer.username,
        "customer_numbers": own,
        "priority_id": p1.pk,
        "priority_code": p1.code,
        "token": raw,
        "organization_id": org_id,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--port", type=int, default=0, help="0 = a free port")
    # 1 is what ``supportdesk serve`` runs by default; 2 is the peer harness's gunicorn.
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (serve's default)")
    ap.add_argument("-n", type=int, default=20, help="samples per page metric (peer: HTTP_N=20)")
    ap.add_argument("--search-n", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--per-run", type=int, default=150, help="tickets per creation run")
    ap.add_argument("--runs", type=int, default=5, help="creation runs per concurrency")
    ap.add_argument("--skip-create", action="store_true")
    ap.add_argument("--no-migrate", action="store_true", help="do not migrate the database first")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    migrated = False
    if not args.no_migrate:
        from django.db.migrations.executor import MigrationExecutor

        # The schema must match the code being measured (new apps bring new tables), and
        # new indexes need statistics, or SQLite misjudges them (RESULTS.md, finding 8).
        executor = MigrationExecutor(connection)
        migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        call_command("migrate", verbosity=0)
        if migrated:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
    ctx = context_from_db(20)
    vendor = connection.vendor
    connection.close()
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(args.out).with_suffix(".server.log")
    res: dict[str, Any] = {
        "product": "supportdesk",
        "db": vendor,
        "seeded_tickets": ctx["total"],
        "tickets_in_db": ctx["all_tickets"],
        "workers": args.workers,
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "threads": args.threads,
        "server_cmd": " ".join(server_command(port, args.workers, args.threads)),
        "git": git_state(),
        "migrated_and_analyzed": migrated,
    }
    srv = start_server(port, args.workers, log, args.threads)
    mon = MemMonitor(srv.pid)
    mon.start()
    probe = Probe(res, args.n, args.warmup)
    try:
        agent = login(base, AGENT)
        # The floor every page pays: loopback, the server, middleware and one query.
        probe.get("healthz_floor", agent, ["/healthz"], None)
        probe.get("desk_queue", agent, ["/desk/?queue=open"], html_rows)
        filt = {"queue": "all", "status": "diagnosing", "priority": ctx["priority_id"]}
        probe.get("desk_filtered", agent, ["/desk/?" + urlencode(filt)], html_rows)
        probe.get("desk_ticket", agent, [f"/desk/tickets/{n}/" for n in ctx["numbers"]], html_rows)
        api = httpx.Client(
            base_url=base, timeout=600, headers={"Authorization": f"Bearer {ctx['token']}"}
        )
        probe.get("api_list", api, ["/api/v1/tickets?queue=open"], json_rows)
        filt_api = {"status": "diagnosing", "priority": ctx["priority_code"]}
        probe.get("api_list_filtered", api, ["/api/v1/tickets?" + urlencode(filt_api)], json_rows)
        probe.get("api_ticket", api, [f"/api/v1/tickets/{n}" for n in ctx["numbers"]], None)

        customer = login(base, ctx["customer"])
        probe.get("portal_list", customer, ["/portal/"], html_rows)
        probe.get(
            "portal_ticket",
            customer,
            [f"/portal/tickets/{n}/" for n in ctx["customer_numbers"]],
            html_rows,
        )

        if not args.skip_create:

            def payload(k: int) -> dict[str, Any]:
                subject, description = ticket_text(k)
                return {
                    "subject": "[ingest] " + subject,
                    "description": description,
                    "organization": ctx["organization_id"],
                    "priority": "P2",
                    "channel": "api",
                }

            probe_r = api.post("/api/v1/tickets", json=payload(0))
            res["api_create_probe"] = {"status": probe_r.status_code, "body": probe_r.text[:300]}
            if probe_r.status_code in (200, 201):
                res["api_create"] = {}
                for conc in (1, 4):
                    rate = create_rate(
                        base, ctx["token"], payload, args.per_run, args.runs, conc, conc * 10**6
                    )
                    res["api_create"][f"c{conc}"] = rate
                    print(f"api_create c{conc}: {fmt(rate['tickets_per_s'], 't/s')}", flush=True)
            else:
                print(f"api_create: HTTP {probe_r.status_code} {probe_r.text[:200]}", flush=True)
        # The search box's page (R-KB-3; every kind, as the box submits it), the peer's terms.
        # Last, so the memory peaks before the first search are known (segmenter dictionary).
        res["rss_before_search"] = mon.snapshot()
        truth = truth_counts(ctx["total"], 1)
        search_html = agent.get("/search/").text
        res["desk_search_supported"] = re.search(r'name="q"', search_html) is not None
        first_term = next(iter(SEARCH_TERMS))
        res["desk_search_first_ms"] = timed(lambda: agent.get("/search/?q=" + quote(first_term)))[0]
        searches: dict[str, Any] = {}
        search_probe = Probe(searches, args.search_n, 1)
        for term in SEARCH_TERMS:
            search_probe.get(term, agent, ["/search/?q=" + quote(term)], html_rows)
            searches[term]["expected_tickets"] = truth[term]["expected_tickets"]
            searches[term]["shown_at_most"] = 30  # the search page's first page
        res["desk_search"] = searches
    finally:
        # Where each process's memory is, at the end (the peaks are above).
        res["by_mapping"] = {
            f"{e['role']} {pid}": by_mapping(pid) for pid, e in sorted(mon.per_pid.items())
        }
        try:
            res["rss"] = mon.stop()
        except Exception as exc:  # never leave the server running
            res["rss"] = {"error": repr(exc)}
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(30)
        except subprocess.TimeoutExpired:
            srv.kill()
        res["loadavg_end"] = os.getloadavg()
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(json.dumps(res["rss"], indent=1))
    print(f"results in {args.out}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
