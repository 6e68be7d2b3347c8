"""One cast for every test (STYLE.md #10).

Two customer organizations (云帆科技 with two contacts, 北辰物流 with one), the shipped
priority scheme, L1 and L2 teams, an L1 and an L2 engineer, a team lead and an admin.
"""

from __future__ import annotations

import pytest

from supportdesk.tests_support import Cast, make_cast


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()
