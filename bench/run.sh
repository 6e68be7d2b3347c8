#!/usr/bin/env bash
# The whole benchmark: for each database, seed supportdesk up to each size and measure it over
# HTTP, run the peer (django-helpdesk, ../shared/bench/peer) at the same sizes, print ratios.
#
#   bash bench/run.sh [SIZES]            # default SIZES="100000"; e.g. "10000 100000"
#
# Env knobs:
#   DBS="sqlite postgres"   which databases (PostgreSQL: 127.0.0.1:5432, role supportdesk)
#   PEER=1                  also run the peer (0 = reuse the peer's results already in $PEER_HOME)
#   FRESH=1                 start from an empty database (0 = top up the existing one)
#   HTTP_N=20 SEARCH_N=5 INGEST_PER_RUN=150 RUNS=5   samples, as the peer's run_all.sh
#   BENCH_HOME=/tmp/supportdesk-bench               databases, server logs and JSON results
#   PG_URL=postgres://supportdesk:supportdesk@127.0.0.1:5432/supportdesk_bench
# Creating/dropping the PostgreSQL databases uses `su postgres` (as the peer's scripts do).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
SIZES=${1:-"100000"}
DBS=${DBS:-"sqlite postgres"}
PEER=${PEER:-1}
FRESH=${FRESH:-1}
HTTP_N=${HTTP_N:-20}; SEARCH_N=${SEARCH_N:-5}; INGEST_PER_RUN=${INGEST_PER_RUN:-150}; RUNS=${RUNS:-5}
BENCH_HOME=${BENCH_HOME:-/tmp/supportdesk-bench}
PG_URL=${PG_URL:-postgres://supportdesk:supportdesk@127.0.0.1:5432/supportdesk_bench}
PEER_DIR=${PEER_DIR:-$(cd "$ROOT/../shared/bench/peer" 2>/dev/null && pwd || echo /work/shared/bench/peer)}
PEER_HOME=${PEER_HOME:-/tmp/peer}
export PEER_HOME BENCH_COMMON=${BENCH_COMMON:-$(dirname "$PEER_DIR")/common}

for DB in $DBS; do
  OUT=$BENCH_HOME/results/$DB
  export SUPPORTDESK_DATA_DIR=$BENCH_HOME/$DB
  mkdir -p "$OUT" "$SUPPORTDESK_DATA_DIR"
  if [ "$DB" = sqlite ]; then
    export DATABASE_URL=sqlite:///$SUPPORTDESK_DATA_DIR/db.sqlite3
    [ "$FRESH" = 1 ] && rm -f "$SUPPORTDESK_DATA_DIR"/db.sqlite3*
  else
    export DATABASE_URL=$PG_URL
    if [ "$FRESH" = 1 ]; then
      su postgres -c "dropdb --if-exists supportdesk_bench && createdb -O supportdesk supportdesk_bench"
    fi
  fi
  for N in $SIZES; do
    echo "== supportdesk $DB $N tickets =="
    /usr/bin/time -f "seed wall %e s, peak %M KB" \
      "$PY" "$HERE/seed.py" --tickets "$N" --truth-out "$OUT/truth_$N.json" | tail -2
    "$ROOT/.venv/bin/supportdesk" reindex  # seeding writes rows only, not the search index
    "$PY" "$HERE/bench_http.py" -n "$HTTP_N" --search-n "$SEARCH_N" \
      --per-run "$INGEST_PER_RUN" --runs "$RUNS" --out "$OUT/http_${N}.json"
  done
  if [ "$PEER" = 1 ]; then
    echo "== peer (django-helpdesk) $DB $SIZES =="
    [ -x "$PEER_HOME/venv/bin/python" ] || bash "$PEER_DIR/setup.sh"
    if [ "$DB" = postgres ] && ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='peer'\"" | grep -q 1; then
      PEER_WITH_PG=1 bash "$PEER_DIR/setup.sh"
    fi
    # One size at a time, so that mem_watch.py records the PSS of each size's HTTP run (the
    # peer's bench_http.py writes its gunicorn's pid; benchlib.RssMonitor samples RSS only).
    PEER_FRESH=$FRESH
    for N in $SIZES; do
      "$PY" "$HERE/mem_watch.py" --pidfile "$PEER_HOME/state/gunicorn.pid" \
        --out "$OUT/peer_mem_$N.json" > /dev/null &
      WATCH=$!
      FRESH=$PEER_FRESH PEER_DB=$DB bash "$PEER_DIR/run_all.sh" "$N"
      wait "$WATCH" || true
      PEER_FRESH=0
    done
  fi
  for N in $SIZES; do
    "$PY" "$HERE/compare.py" --ours "$OUT/http_$N.json" --peer "$PEER_HOME/results/$DB" \
      --peer-mem "$OUT/peer_mem_$N.json" --n "$N"
    echo
  done
done
