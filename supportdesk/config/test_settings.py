"""Settings for the test suite: the product's settings with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("SUPPORTDESK_DATA_DIR", tempfile.mkdtemp(prefix="supportdesk-test-"))
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from supportdesk.config.settings import *  # noqa: F403
from supportdesk.config.settings import HUEY

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Background jobs run inline in tests, where a worker would run them in production.
HUEY = {**HUEY, "immediate": True}
if "filename" in HUEY:
    # Each pytest-xdist worker its own queue: tests that queue jobs and run them by hand
    # (``queued_jobs``) flush the queue, and must not flush or run another worker's jobs.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    HUEY["filename"] = os.path.join(os.environ["SUPPORTDESK_DATA_DIR"], f"tasks-{_worker}.sqlite3")

# A file, not :memory:, so tests can run several processes against the test database on
# SQLite too (numbering under concurrency).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["SUPPORTDESK_DATA_DIR"], "test.sqlite3")
    }
