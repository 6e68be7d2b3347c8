"""The ticket lifecycle (R-TK-5): which status may follow which, and what each move needs.

The five phases 问题接收 → 初步诊断 → 深入分析 → 解决方案实施 → 闭环管理 are the statuses
received → diagnosing → analyzing → implementing → resolved/closed/archived. Around them:
waiting_customer (需客户配合) pauses work and returns to where it was; reopened starts the
diagnosis again when a problem recurs or the customer rejects the fix.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from supportdesk.tickets.choices import Status

_ACTIVE = {Status.RECEIVED, Status.DIAGNOSING, Status.ANALYZING, Status.IMPLEMENTING}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset(
        {Status.DIAGNOSING, Status.ANALYZING, Status.WAITING_CUSTOMER, Status.RESOLVED,
         Status.CLOSED}
    ),
    Status.DIAGNOSING: frozenset(
        {Status.ANALYZING, Status.IMPLEMENTING, Status.WAITING_CUSTOMER, Status.RESOLVED,
         Status.CLOSED}
    ),
    Status.ANALYZING: frozenset(
        {Status.DIAGNOSING, Status.IMPLEMENTING, Status.WAITING_CUSTOMER, Status.RESOLVED,
         Status.CLOSED}
    ),
    Status.IMPLEMENTING: frozenset(
        {Status.ANALYZING, Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED}
    ),
    Status.REOPENED: frozenset(
        {Status.DIAGNOSING, Status.ANALYZING, Status.IMPLEMENTING, Status.WAITING_CUSTOMER,
         Status.RESOLVED, Status.CLOSED}
    ),
    # Leaving 需客户配合 goes back to any working status (normally the one before it).
    Status.WAITING_CUSTOMER: frozenset(
        {*_ACTIVE - {Status.RECEIVED}, Status.RESOLVED, Status.CLOSED}
    ),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED, Status.IMPLEMENTING}),
    Status.CLOSED: frozenset({Status.ARCHIVED, Status.REOPENED}),
    Status.ARCHIVED: frozenset({Status.REOPENED}),
}  # fmt: skip

# What the person making the move must provide, as (field, message if missing) pairs.
REQUIRED_INPUT: dict[Status, tuple[tuple[str, str | Promise], ...]] = {
    Status.RESOLVED: (
        ("solution", _("Describe the solution before resolving.")),
        ("result", _("Choose the result before resolving.")),
    ),
    Status.CLOSED: (
        ("close_reason", _("Closing needs the customer's confirmation or a recorded reason.")),
    ),
    Status.REOPENED: (("reason", _("Say why the ticket is reopened.")),),
    Status.WAITING_CUSTOMER: (("reason", _("Say what is needed from the customer.")),),
}


def allowed_transitions(current: str) -> frozenset[Status]:
    return TRANSITIONS.get(Status(current), frozenset())


def can_transition(current: str, target: str) -> bool:
    return Status(target) in allowed_transitions(current)
