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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, type=Path)
    ap.add_argument("--peer", type=Path, help="peer results folder, e.g. /tmp/peer/results/sqlite")
    ap.add_argument("--n", type=int, required=True)
    args = ap.parse_args()
    ours = load(args.ours)
    peer_http = load(args.peer / f"http_{args.n}.json") if args.peer else {}
    peer_ingest = load(args.peer / f"ingest_{args.n}.json") if args.peer else {}
    peer_rates = peer_ingest.get("rates", {})

    lat_rows: list[tuple[str, Any, Any, str]] = [
        ("floor: /healthz (HTTP+ASGI+SELECT 1)", ours.get("healthz_floor"), None, "—"),
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
        label = f"search “{term}”" if searchable else f"search “{term}” (no q field: queue=all)"
        lat_rows.append((label, entry, peer_term.get("total_ms"), "≥10× peer"))

    server = "serve_nodelay.py (TCP_NODELAY fixed)" if ours.get("nodelay_fix") else "as shipped"
    if ours.get("conn_fix"):
        server += " + CONN_MAX_AGE=0 (bench_settings.py)"
    if ours.get("pool"):
        server += " + psycopg pool"
    print(
        f"### {ours.get('db', '?')}, N = {args.n:,}, server {server}"
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
    o_rss, p_rss = ours.get("rss") or {}, peer_http.get("rss") or {}
    for key, label in (
        ("peak_single_proc_rss_mb", "peak RSS, largest process"),
        ("peak_tree_rss_mb", "peak RSS, whole server tree"),
    ):
        mo, mp = o_rss.get(key), p_rss.get(key)
        if mo is None:
            continue
        mp_s = f"{mp:.0f} MB" if mp else "—"
        ratio = f"{mo / mp:.2f}" if mp else "—"
        print(f"| {label} (HTTP bench) | {mo:.0f} MB | {mp_s} | {ratio} | — | ≤ peer |")


if __name__ == "__main__":
    main()
