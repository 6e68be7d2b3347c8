# The SLA tests' desk (actions at a fixed moment, with their after-commit reactions).
from supportdesk.sla.tests.conftest import desk  # noqa: F401
