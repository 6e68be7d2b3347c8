from supportdesk.api.tests.conftest import api  # noqa: F401 - the checked API client
