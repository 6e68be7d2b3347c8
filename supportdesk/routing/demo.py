"""Demo routing: the demo teams hand out new tickets, 需求类 goes to R&D, VIPs to L2.

Called by ``core.demo_data.load_demo_data`` after the demo tickets exist. Those tickets
tell their own stories (their owners are part of them), so they are marked as routed: only
tickets filed from now on are routed.
"""

from __future__ import annotations

from supportdesk.accounts.choices import TeamKind
from supportdesk.accounts.models import Team
from supportdesk.crm.choices import CustomerTier
from supportdesk.routing.choices import RoutingMethod
from supportdesk.routing.models import RoutedTicket, RouteRule, TeamRouting, VipRoute
from supportdesk.tickets.choices import Classification
from supportdesk.tickets.models import Ticket


def load_demo() -> None:
    teams = {team.kind: team for team in Team.objects.order_by("id")}
    l1, l2, rnd = teams.get(TeamKind.L1), teams.get(TeamKind.L2), teams.get(TeamKind.RND)
    if l1 is None or l2 is None or TeamRouting.objects.exists():
        return
    RoutedTicket.objects.bulk_create(
        [RoutedTicket(ticket_id=pk) for pk in Ticket.objects.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    TeamRouting.objects.create(team=l1, method=RoutingMethod.ROUND_ROBIN)
    TeamRouting.objects.create(team=l2, method=RoutingMethod.LEAST_LOAD)
    if rnd is not None:
        TeamRouting.objects.create(team=rnd, method=RoutingMethod.SKILLS)
        RouteRule.objects.create(
            name="需求类转研发", order=10, classification=Classification.REQUIREMENT, team=rnd
        )
    RouteRule.objects.create(
        name="协助解决类转二线", order=20, classification=Classification.ASSISTED, team=l2
    )
    RouteRule.objects.create(name="其余进一线", order=100, team=l1)
    VipRoute.objects.create(customer_tier=CustomerTier.VIP, team=l2)
