"""Mail intake against the peer, in one run: ``bench/mail_bench.py`` and the peer's
``bench_email.py`` (django-helpdesk ``get_email`` over a local folder), interleaved.

Usage (from the project root; the peer set up as in ``../shared/bench/peer/README.md``, with
its database migrated and seeded)::

    .venv/bin/python bench/mail_compare.py [--reps 3] [--db sqlite,postgres]
        [--baseline /path/to/another/tree]

Each repetition runs, for each database: the peer (300 generated bilingual messages, one
timed run, net of its start-up), then ours on the same 300 messages (3 rounds) and on the
shared corpus (3 rounds), with the default batch and, if ``--baseline`` is given, that
tree's intake one message at a time (for a before/after in the same run). The load
average is recorded before each measurement; the table gives medians over repetitions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT.parent / "shared" / "bench" / "peer"
# The peer harness's own fixed places (its README).
PEER_HOME = Path(os.environ.get("PEER_HOME", "/tmp/peer"))  # noqa: S108
PEER_PY = Path(os.environ.get("PEER_VENV", str(PEER_HOME / "venv"))) / "bin" / "python"
PEER_MESSAGES = PEER_HOME / "mail_src"  # written by its bench_email.py
CORPUS = ROOT.parent / "shared" / "corpus" / "mail"
RATE = re.compile(r"= (\d+) messages/s .*?; (\d+) messages per CPU second")


def _peer(db: str, peer_env: dict[str, str]) -> float:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    env = {**os.environ, **peer_env, "PEER_DB": db}
    subprocess.run(
        [str(PEER_PY), "bench_email.py", "--messages", "300", "--runs", "1", "--out", str(out)],
        cwd=PEER,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([str(PEER_PY), "cleanup.py"], cwd=PEER, env=env, check=True, capture_output=True)
    return float(json.loads(out.read_text())["msgs_per_s_net"]["median"])


def _ours(tree: Path, db: str, folder: Path, batch: int, pg_url: str) -> tuple[int, int]:
    command = [
        str(ROOT / ".venv" / "bin" / "python"),
        str(tree / "bench" / "mail_bench.py"),
        "--db", db, "--rounds", "3", "--folder", str(folder), "--batch", str(batch),
        "--pg-url", pg_url,
    ]  # fmt: skip
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    found = RATE.search(done.stdout)
    if found is None:
        raise RuntimeError(done.stdout + done.stderr)
    return int(found.group(1)), int(found.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--baseline", type=Path, help="a tree whose intake is the 'before'")
    parser.add_argument("--peer-sqlite", default=str(PEER_HOME / "db.sqlite3"))
    parser.add_argument("--peer-pg-name", default="peer")
    parser.add_argument("--peer-state", default=str(PEER_HOME / "state"))
    args = parser.parse_args()
    peer_env = {
        "PEER_SQLITE": args.peer_sqlite,
        "PEER_PG_NAME": args.peer_pg_name,
        "PEER_STATE": args.peer_state,
    }
    runs: dict[tuple[str, str], list[tuple[float, float, float]]] = {}

    def record(db: str, what: str, wall: float, cpu: float, load: float) -> None:
        runs.setdefault((db, what), []).append((wall, cpu, load))
        print(f"{db:8} {what:42} {wall:6.0f} msg/s  {cpu:5.0f} /CPU-s  load {load:.1f}")
        sys.stdout.flush()

    for rep in range(args.reps):
        print(f"-- repetition {rep + 1}")
        for db in args.db.split(","):
            pg = "postgres://supportdesk:supportdesk@127.0.0.1:5432/h_mail_bench"
            load = os.getloadavg()[0]
            record(db, "peer get_email, 300 generated", _peer(db, peer_env), 0, load)
            subjects = [("300 generated", PEER_MESSAGES), ("corpus (408)", CORPUS)]
            for label, folder in subjects:
                load = os.getloadavg()[0]
                wall, cpu = _ours(ROOT, db, folder, 0, pg)
                record(db, f"ours, batches of 20, {label}", wall, cpu, load)
                if args.baseline is not None:
                    load = os.getloadavg()[0]
                    wall, cpu = _ours(args.baseline, db, folder, 1, pg + "_base")
                    record(db, f"baseline, one by one, {label}", wall, cpu, load)

    print("\n| database | what | msgs/s (median) | runs | msgs per CPU-s | load avg |")
    print("| --- | --- | ---: | --- | ---: | --- |")
    for (db, what), values in runs.items():
        walls = [v[0] for v in values]
        cpus = [v[1] for v in values if v[1]]
        loads = [v[2] for v in values]
        per_cpu = f"{statistics.median(cpus):.0f}" if cpus else "–"
        print(
            f"| {db} | {what} | {statistics.median(walls):.0f} | "
            f"{', '.join(f'{w:.0f}' for w in walls)} | {per_cpu} | "
            f"{min(loads):.1f}–{max(loads):.1f} |"
        )


if __name__ == "__main__":
    main()
