"""Settings for the test suite: the product's settings with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("SUPPORTDESK_DATA_DIR", tempfile.mkdtemp(prefix="supportdesk-test-"))
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from supportdesk.config.settings import *  # noqa: E402,F403
from supportdesk.config.settings import HUEY  # noqa: E402

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Background jobs run inline in tests, where a worker would run them in production.
HUEY = {**HUEY, "immediate": True}
