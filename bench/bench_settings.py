"""The product's settings with one change, for ``bench_http.py --conn-fix`` only.

Under ASGI, Django keeps database connections per request context, not per thread: with
``CONN_MAX_AGE`` > 0 (or ``None``, the SQLite default here) every request opens a new
connection and leaves it open until the garbage collector finds it. A single sequential
client then holds dozens of PostgreSQL connections, and each SQLite connection keeps its own
page cache and memory map. ``CONN_MAX_AGE = 0`` closes each at the end of its request; this
module measures what that costs and saves. The product is not changed.
"""

import os

from supportdesk.config.settings import *  # noqa: F403
from supportdesk.config.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0

# ``bench_http.py --pool``: PostgreSQL through Django's psycopg connection pool (needs the
# psycopg-pool package, which the product does not depend on yet), so a request borrows an
# open connection instead of opening one.
if os.environ.get("BENCH_DB_POOL") == "1" and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 4}
