#!/usr/bin/env python
"""Side-by-side table (markdown) of supportdesk's and the peer's results at the same N.

    python bench/compare.py --ours RESULTS/sqlite/http_100000.json \
        --peer /tmp/peer/results/sqlite --n 100000

Latency rows: medians in ms, ``ours/peer`` (< 1 is faster) and the speed-up ``peer/ours``.
Rate rows: tickets/s, ``ours/peer`` (> 1 is faster). Targets are issue 2's.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def med(entry: Any) -> float | None:
    if isinstance(entry, dict):
        if "median" in entry:
            return float(entry["median"])
        for key in ("ms", "tickets_per_s", "total_ms"):
            if key in entry:
                return med(entry[key])
    return None


def summary(files: list[Path]) -> None:
    """One row per result file: the medians side by side (ms; creation in tickets/s)."""
    cols = [("floor", "healthz_floor"), ("queue", "desk_queue"), ("filtered", "desk_filtered"),
            ("ticket", "desk_ticket"), ("API list", "api_list"),
            ("API filtered", "api_list_filtered"), ("API ticket", "api_ticket"),
            ("portal list", "portal_list"), ("portal ticket", "portal_ticket")]  # fmt: skip
    head = ["db", "N", "commit", *[c for c, _ in cols], "search", "create c1", "create c4",
            "RSS proc MB", "RSS tree MB", "PSS tree MB", "server errors"]  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * 3 + "---:|" * (len(head) - 3))
    for f in files:
        r = load(f)
        row = [r.get("db", "?"), f"{r.get('seeded_tickets', 0):,}", r.get("git", "?")]
        for _, key in cols:
            m = med(r.get(key))
            row.append(f"{m:.0f}" if m is not None else "—")
        alls = [med(v) for v in (r.get("desk_search") or {}).values()]
        alls_v = [v for v in alls if v is not None]
        row.append(f"{sorted(alls_v)[len(alls_v) // 2]:.0f}" if alls_v else "—")
        for conc in (1, 4):
            c = (r.get("api_create") or {}).get(f"c{conc}") or {}
            m = med(c)
            errs = c.get("errors")
            row.append((f"{m:.0f}" if m else "—") + (f" ({errs} err)" if errs else ""))
        rss = r.get("rss") or {}
        row.append(f"{rss.get('peak_single_proc_rss_mb', 0):.0f}")
        row.append(f"{rss.get('peak_tree_rss_mb', 0):.0f}")
        pss = rss.get("peak_tree_pss_mb")
        row.append(f"{pss:.0f}" if pss is not None else "—")
        log = f.with_suffix(".server.log")
        errors = log.read_text(errors="replace").count("Traceback") if log.exists() else 0
        row.append(str(errors))
        print("| " + " | ".join(row) + " |")


def memory_rows(ours: dict[str, Any], peer_rss: dict[str, Any], peer_mem: dict[str, Any]) -> None:
    """Peaks in MB. RSS counts shared pages once per process that maps them; PSS splits them
    (a tree's PSS is the memory it takes). The peer's RSS comes from its own bench_http.py,
    its PSS from mem_watch.py run beside it (``--peer-mem``)."""
    before = ours.get("rss_before_search") or {}
    rows = [
        ("peak_single_proc_rss_mb", "peak RSS, largest process", peer_rss),
        ("peak_worker_rss_mb", "peak RSS, largest worker", peer_mem),
        ("peak_worker_pss_mb", "peak PSS, largest worker", peer_mem),
        ("peak_worker_uss_mb", "peak USS, largest worker", peer_mem),
        ("peak_tree_rss_mb", "peak RSS, whole server tree", peer_rss),
        ("peak_tree_pss_mb", "peak PSS, whole server tree", peer_mem),
    ]
    for key, label, peer in rows:
        mp = peer.get(key)
        mp_s = f"{mp:.0f} MB" if mp else "—"
        for rss, when in (
            (ours.get("rss") or {}, "HTTP bench"),
            (before, "before the first search"),
        ):
            mo = rss.get(key)
            if mo is None:
                continue
            ratio = f"{mo / mp:.2f}" if mp else "—"
            print(f"| {label} ({when}) | {mo:.0f} MB | {mp_s} | {ratio} | — | ≤ peer |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", type=Path)
    ap.add_argument("--peer", type=Path, help="peer results folder, e.g. /tmp/peer/results/sqlite")
    ap.add_argument("--peer-mem", type=Path, help="mem_watch.py's JSON of the peer's HTTP run")
    ap.add_argument("--n", type=int)
    ap.add_argument("--summary", type=Path, nargs="+", help="one row per result file instead")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
        return
    if args.ours is None or args.n is None:
        ap.error("--ours and --n are required without --summary")
    ours = load(args.ours)
    peer_http = load(args.peer / f"http_{args.n}.json") if args.peer else {}
    peer_ingest = load(args.peer / f"ingest_{args.n}.json") if args.peer else {}
    peer_rates = peer_ingest.get("rates", {})

    lat_rows: list[tuple[str, Any, Any, str]] = [
        ("floor: /healthz (HTTP+WSGI+SELECT 1)", ours.get("healthz_floor"), None, "—"),
        ("agent queue, first page", ours.get("desk_queue"), peer_http.get("list_total_ms"),
         "≥10× peer; <100 ms at 1M"),
        ("filtered queue page", ours.get("desk_filtered"), None, "<100 ms at 1M"),
        ("ticket page (agent)", ours.get("desk_ticket"), peer_http.get("detail_ms"),
         "≥3× peer; <100 ms at 1M"),
        ("API list (peer: list JSON XHR)", ours.get("api_list"), peer_http.get("list_data_ms"),
         "<100 ms at 1M"),
        ("API list, filtered", ours.get("api_list_filtered"), None, "<100 ms at 1M"),
        ("API ticket", ours.get("api_ticket"), None, "<100 ms at 1M"),
        ("portal list (customer)", ours.get("portal_list"), None, "<100 ms at 1M"),
        ("portal ticket (customer)", ours.get("portal_ticket"), None, "<100 ms at 1M"),
    ]  # fmt: skip
    searchable = ours.get("desk_search_supported", True)
    for term, entry in (ours.get("desk_search") or {}).items():
        peer_term = (peer_http.get("search") or {}).get(term, {})
        label = (
            f"search “{term}” (/search/, first 30 hits)"
            if searchable
            else f"search “{term}” (no q field: queue=all)"
        )
        lat_rows.append((label, entry, peer_term.get("total_ms"), "≥10× peer"))

    print(
        f"### {ours.get('db', '?')}, N = {args.n:,}, commit {ours.get('git', '?')}"
        f" ({ours.get('date_utc', '')} UTC)\n"
    )
    print("| metric | ours (median) | peer (median) | ours/peer | speed-up | target |")
    print("|---|---:|---:|---:|---:|---|")
    for name, o, p, target in lat_rows:
        mo, mp = med(o), med(p)
        if mo is None and isinstance(o, dict) and "status" in o:
            shown = f"HTTP {o['status']}"
        else:
            shown = f"{mo:.1f} ms" if mo is not None else "n/a"
        peer_shown = f"{mp:.1f} ms" if mp is not None else "—"
        ratio = f"{mo / mp:.3f}" if mo and mp else "—"
        speed = f"{mp / mo:.1f}×" if mo and mp else "—"
        print(f"| {name} | {shown} | {peer_shown} | {ratio} | {speed} | {target} |")
    creates = ours.get("api_create") or {}
    for conc in (1, 4):
        mo = med(creates.get(f"c{conc}"))
        mp = med(peer_rates.get(f"api_c{conc}"))
        mf = med(peer_rates.get(f"form_c{conc}"))
        shown = f"{mo:.0f} t/s" if mo else "n/a"
        ratio = f"{mo / mp:.2f}×" if mo and mp else "—"
        peer_shown = f"{mp:.0f} t/s (form {mf:.0f})" if mp and mf else "—"
        clients = f"{conc} client{'s' if conc > 1 else ''}"
        print(f"| API create, {clients} | {shown} | {peer_shown} | {ratio} | {ratio} | ≥3× peer |")
    memory_rows(ours, peer_http.get("rss") or {}, load(args.peer_mem) if args.peer_mem else {})
    if ours.get("desk_search_first_ms") is not None:
        first = ours["desk_search_first_ms"]
        label = "first search in a worker (loads the segmenter)"
        print(f"| {label} | {first:.0f} ms | — | — | — | — |")


if __name__ == "__main__":
    main()
