#!/usr/bin/env python
"""Peak memory of a server's process tree: RSS, and PSS and USS from ``smaps_rollup``.

RSS counts every page a process maps, shared or not: two forked workers sharing 40 MB each
count it twice. PSS splits each shared page between the processes mapping it (the tree's PSS
sum is the memory it really takes); USS is what only that process holds (what killing it
frees). ``MemMonitor`` is ``benchlib.RssMonitor`` (same 50 ms samples, same peaks) plus
PSS/USS and peaks per process; ``bench_http.py`` uses it on our server. Run standalone to
watch another server (the peer's gunicorn, whose pid its ``bench_http.py`` writes)::

    python bench/mem_watch.py --pidfile /tmp/peer/state/gunicorn.pid --out peer_mem.json

It waits for the pid file to name a live process, samples until that process exits, writes
JSON and prints it. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from seed import COMMON  # noqa: E402

sys.path.insert(0, str(COMMON))
from benchlib import RssMonitor, tree_pids  # noqa: E402


def rollup_kb(pid: int) -> dict[str, int]:
    """Rss, Pss and Uss (private clean + dirty) of one process in kB; {} if it is gone."""
    fields: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                    fields[key] = int(rest.split()[0])
    except OSError:
        return {}
    if "Rss" not in fields:
        return {}
    return {
        "rss": fields["Rss"],
        "pss": fields.get("Pss", 0),
        "uss": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
    }


MAPPING = re.compile(r"[0-9a-f]+-[0-9a-f]+ ")


def by_mapping(pid: int, top: int = 12) -> list[dict[str, Any]]:
    """Where one process's memory is: PSS and USS (MB) per mapping name, largest PSS first.

    Anonymous mappings (Python's object arenas, Rust and C heaps) are one group, ``[anon]``;
    ``[heap]`` is the brk heap (glibc's small allocations); files are named by their path.
    """
    groups: dict[str, dict[str, float]] = {}
    name = "[anon]"
    try:
        with open(f"/proc/{pid}/smaps") as fh:
            for line in fh:
                if MAPPING.match(line):  # a mapping's first line: address range, perms...
                    fields = line.split()
                    name = fields[5] if len(fields) > 5 else "[anon]"
                    continue
                head, _, rest = line.partition(":")
                if head in ("Pss", "Private_Clean", "Private_Dirty"):
                    entry = groups.setdefault(name, {"pss": 0.0, "uss": 0.0})
                    kb = int(rest.split()[0])
                    entry["pss" if head == "Pss" else "uss"] += kb / 1024
    except OSError:
        return []
    rows = sorted(groups.items(), key=lambda kv: -kv[1]["pss"])[:top]
    return [
        {"mapping": n, "pss_mb": round(v["pss"], 1), "uss_mb": round(v["uss"], 1)} for n, v in rows
    ]


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


class MemMonitor(RssMonitor):  # type: ignore[misc]
    """RssMonitor's peaks (from ``smaps_rollup``), plus PSS/USS and peaks per process."""

    def __init__(self, root_pid: int, interval: float = 0.05) -> None:
        super().__init__(root_pid, interval)
        self.peak_tree: dict[str, int] = {"rss": 0, "pss": 0, "uss": 0}
        self.per_pid: dict[int, dict[str, Any]] = {}

    def sample(self) -> None:
        totals = {"rss": 0, "pss": 0, "uss": 0}
        for pid in tree_pids(self.root):
            mem = rollup_kb(pid)
            if not mem:
                continue
            entry = self.per_pid.get(pid)
            if entry is None:
                role = "root" if pid == self.root else "child"
                entry = {"role": role, "cmd": process_name(pid), "rss": 0, "pss": 0, "uss": 0}
                self.per_pid[pid] = entry
            for key, value in mem.items():
                totals[key] += value
                entry[key] = max(entry[key], value)
            self.peak_proc_kb = max(self.peak_proc_kb, mem["rss"])
        for key, value in totals.items():
            self.peak_tree[key] = max(self.peak_tree[key], value)
        self.peak_total_kb = self.peak_tree["rss"]

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def snapshot(self) -> dict[str, Any]:
        """The peaks so far, in MB (RssMonitor's two keys kept for compare.py and old JSON)."""
        mb = 1024
        children = [e for e in self.per_pid.values() if e["role"] == "child"]
        return {
            "peak_tree_rss_mb": self.peak_tree["rss"] / mb,
            "peak_tree_pss_mb": self.peak_tree["pss"] / mb,
            "peak_tree_uss_mb": self.peak_tree["uss"] / mb,
            "peak_single_proc_rss_mb": self.peak_proc_kb / mb,
            "peak_worker_rss_mb": max((e["rss"] for e in children), default=0) / mb,
            "peak_worker_pss_mb": max((e["pss"] for e in children), default=0) / mb,
            "peak_worker_uss_mb": max((e["uss"] for e in children), default=0) / mb,
            "processes": [
                {
                    "pid": pid,
                    "role": e["role"],
                    "cmd": e["cmd"],
                    "peak_rss_mb": round(e["rss"] / mb, 1),
                    "peak_pss_mb": round(e["pss"] / mb, 1),
                    "peak_uss_mb": round(e["uss"] / mb, 1),
                }
                for pid, e in sorted(self.per_pid.items())
            ],
        }

    def stop(self) -> dict[str, Any]:
        self._halt.set()
        self.join()
        return self.snapshot()


def alive(pid: int) -> bool:
    """Running (a zombie's /proc entry stays until its parent reaps it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--pid", type=int)
    src.add_argument("--pidfile", type=Path, help="wait until it names a live process")
    ap.add_argument("--timeout", type=float, default=3600, help="give up waiting after (s)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    deadline = time.monotonic() + args.timeout
    pid = args.pid
    stale = args.pidfile.read_text().strip() if args.pidfile and args.pidfile.exists() else None
    while pid is None:
        text = args.pidfile.read_text().strip() if args.pidfile.exists() else ""
        if text and text != stale and alive(int(text)):
            pid = int(text)
        elif time.monotonic() > deadline:
            raise SystemExit(f"no new live pid in {args.pidfile}")
        else:
            time.sleep(0.05)
    mon = MemMonitor(pid)
    mon.start()
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    res = {"root_pid": pid, "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
    res.update(mon.stop())
    Path(args.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
