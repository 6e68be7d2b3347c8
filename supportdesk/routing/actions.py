"""Every change routing makes: automatic assignment, escalation requests, collaboration threads.

Each action runs in one transaction, writes the ticket's timeline through
``tickets.actions.do_record_event`` and moves the ticket only through
``tickets.actions.do_assign``; notifications follow from those events after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from supportdesk.accounts.choices import STAFF_ROLES
from supportdesk.accounts.models import Team, User
from supportdesk.core.errors import ActionError
from supportdesk.routing.choices import EscalationStatus, RoutingMethod, ThreadStatus
from supportdesk.routing.models import (
    Availability,
    CollaborationThread,
    EngineerSkill,
    EscalationRequest,
    RoutedTicket,
    RouteRule,
    TeamRouting,
    ThreadMessage,
    VipRoute,
)
from supportdesk.tickets import permissions
from supportdesk.tickets.actions import do_assign, do_record_event
from supportdesk.tickets.choices import Classification, EventKind, TicketType
from supportdesk.tickets.models import Ticket

# --- routing new tickets ---------------------------------------------------------------


@dataclass
class Destination:
    """Where a ticket goes and which configuration said so (shown on the timeline)."""

    team: Team
    rule: str
    engineer: User | None = None
    classification: str = ""


@dataclass
class Pick:
    engineer: User | None
    why: str
    details: dict[str, Any] = field(default_factory=dict)


def available_members(team: Team, now: dt.datetime) -> QuerySet[User]:
    """Active engineers of the team who are on duty and not away, by id."""
    return (
        team.members.filter(is_active=True, role__in=STAFF_ROLES)
        .exclude(availability__on_duty=False)
        .exclude(availability__away_until__gt=now)
        .order_by("id")
    )


def _product_line(ticket: Ticket) -> str:
    installed = ticket.installed_product
    return installed.product.product_line if installed is not None else ""


def _effective_classification(ticket: Ticket) -> str:
    # A feature request filed as such is 需求类 even when nobody classified it (R-TK-4).
    if not ticket.classification and ticket.type == TicketType.REQUEST:
        return Classification.REQUIREMENT
    return ticket.classification


def _rule_matches(rule: RouteRule, ticket: Ticket, classification: str) -> bool:
    return (
        (not rule.classification or rule.classification == classification)
        and (rule.category_id is None or rule.category_id == ticket.category_id)
        and (not rule.product_line or rule.product_line == _product_line(ticket))
        and (not rule.channel or rule.channel == ticket.channel)
    )


def choose_destination(ticket: Ticket) -> Destination | None:
    """The team (and maybe engineer) for a new ticket, or None when nothing is configured.

    1. A VIP route for the ticket's organization, else for its tier (dedicated queue/engineer).
    2. The team the ticket was filed to, when that team hands out tickets automatically.
    3. The first route rule matching classification, category, product line and channel.
    """
    classification = _effective_classification(ticket)
    org = ticket.organization
    if org is not None:
        vip = (
            VipRoute.objects.filter(active=True)
            .filter(Q(organization=org) | Q(organization__isnull=True, customer_tier=org.tier))
            .select_related("team", "engineer", "organization")
            .order_by(F("organization_id").asc(nulls_last=True), "id")  # its own route first
            .first()
        )
        if vip is not None:
            team = vip.team or (vip.engineer.teams.order_by("id").first() if vip.engineer else None)
            if team is not None:
                rule = _("VIP route for %(who)s") % {
                    "who": org.name if vip.organization_id else vip.get_customer_tier_display()
                }
                return Destination(team, rule, vip.engineer, classification)
    if ticket.team is not None:
        if TeamRouting.objects.filter(team=ticket.team, active=True).exists():
            return Destination(ticket.team, _("Filed to this team"), None, classification)
        return None
    routes = RouteRule.objects.filter(active=True).select_related("team")
    for route in routes:
        if _rule_matches(route, ticket, classification):
            label = _("Route rule “%(name)s”") % {"name": route.name}
            return Destination(route.team, label, None, classification)
    return None


def _loads(engineers: QuerySet[User]) -> dict[int, int]:
    counted = engineers.annotate(
        open_load=Count("assigned_tickets", filter=Q(assigned_tickets__is_open=True))
    ).values_list("id", "open_load")
    return dict(counted)


def _least_loaded(candidates: list[User], loads: dict[int, int]) -> User:
    return min(candidates, key=lambda u: (loads.get(u.pk, 0), u.pk))


def pick_engineer(
    ticket: Ticket, dest: Destination, config: TeamRouting | None, now: dt.datetime
) -> Pick:
    """Chooses among the team's available engineers by the team's method.

    Called under the lock of the team's ``TeamRouting`` row, so the round-robin pointer and
    the open loads it reads cannot change until this ticket's assignment commits.
    """
    available = list(available_members(dest.team, now))
    unavailable = [
        str(u)
        for u in dest.team.members.filter(is_active=True, role__in=STAFF_ROLES).exclude(
            pk__in=[u.pk for u in available]
        )
    ]
    details: dict[str, Any] = {"unavailable": unavailable}
    preferred_note = ""
    if dest.engineer is not None:
        if any(u.pk == dest.engineer.pk for u in available):
            return Pick(dest.engineer, _("the customer's dedicated engineer"), details)
        preferred_note = _("The dedicated engineer %(name)s is off duty or away. ") % {
            "name": dest.engineer
        }
    if config is None or not config.active or config.method == RoutingMethod.QUEUE_ONLY:
        why = preferred_note + _("This team picks its tickets from the queue.")
        return Pick(None, why, details)
    if not available:
        return Pick(
            None,
            preferred_note
            + _("Nobody in the team is on duty and not away; left in the team queue."),
            details,
        )
    if config.method == RoutingMethod.ROUND_ROBIN:
        last = config.last_assigned_id or 0
        chosen = next((u for u in available if u.pk > last), available[0])
        return Pick(chosen, preferred_note + _("next in the rotation"), details)
    loads = _loads(dest.team.members.filter(pk__in=[u.pk for u in available]))
    details["open_loads"] = {str(u): loads.get(u.pk, 0) for u in available}
    if config.method == RoutingMethod.SKILLS:
        line, category = _product_line(ticket), ticket.category_id
        match = Q(pk__in=[])
        if line:
            match |= Q(product_line=line)
        if category is not None:
            match |= Q(category_id=category)
        scores: dict[int, int] = {}
        for engineer_id in EngineerSkill.objects.filter(
            match, engineer__in=[u.pk for u in available]
        ).values_list("engineer_id", flat=True):
            scores[engineer_id] = scores.get(engineer_id, 0) + 1
        skilled = [u for u in available if scores.get(u.pk)]
        if skilled:
            best = max(scores.values())
            chosen = _least_loaded([u for u in skilled if scores[u.pk] == best], loads)
            why = _("knows %(what)s (fewest open tickets among those who do: %(load)s)") % {
                "what": " / ".join(x for x in (line, str(ticket.category or "")) if x),
                "load": loads.get(chosen.pk, 0),
            }
            return Pick(chosen, preferred_note + why, details)
        preferred_note += _("Nobody available has a matching skill; ")
    chosen = _least_loaded(available, loads)
    why = _("fewest open tickets (%(load)s)") % {"load": loads.get(chosen.pk, 0)}
    return Pick(chosen, preferred_note + why, details)


def route_new_ticket(ticket_id: int, *, now: dt.datetime | None = None) -> bool:
    """Routes a newly filed ticket once (R-TK-4). Returns whether this call routed it.

    1. Skip tickets already routed, already assigned, or that nothing configured applies to.
    2. Lock the destination team's ``TeamRouting`` row: routings for one team queue up here.
    3. Claim the ticket (``RoutedTicket``, primary key = ticket): a second delivery of the
       same job fails the insert and does nothing.
    4. Pick the engineer, write the ``routing`` event explaining the decision, move the
       round-robin pointer, and assign, all in this transaction.
    """
    # The decision is written for the whole desk, in the desk's language (like SLA entries).
    with translation.override(settings.LANGUAGE_CODE):
        return _route(ticket_id, now or timezone.now())


def _route(ticket_id: int, now: dt.datetime) -> bool:
    if RoutedTicket.objects.filter(ticket_id=ticket_id).exists():
        return False
    ticket = (
        Ticket.objects.select_related(
            "organization", "team", "category", "installed_product__product"
        )
        .filter(pk=ticket_id, is_open=True, assignee__isnull=True)
        .first()
    )
    if ticket is None:
        return False
    dest = choose_destination(ticket)
    if dest is None:
        return False
    with transaction.atomic():
        config = TeamRouting.objects.select_for_update().filter(team=dest.team).first()
        try:
            with transaction.atomic():
                RoutedTicket.objects.create(ticket_id=ticket.pk, routed_at=now)
        except IntegrityError:
            return False
        if Ticket.objects.filter(pk=ticket.pk, assignee__isnull=False).exists():
            return False  # someone took it by hand meanwhile
        pick = pick_engineer(ticket, dest, config, now)
        method = (
            config.get_method_display()
            if config is not None and config.active
            else RoutingMethod.QUEUE_ONLY.label
        )
        lines = [
            _("Rule: %(rule)s") % {"rule": dest.rule},
            _("Team: %(team)s") % {"team": dest.team},
            _("Method: %(method)s") % {"method": method},
        ]
        if dest.classification:
            class_label = Classification(dest.classification).label
            lines.append(_("Classification: %(label)s") % {"label": class_label})
        if pick.engineer is not None:
            lines.append(
                _("Assigned to %(name)s: %(why)s") % {"name": pick.engineer, "why": pick.why}
            )
        else:
            lines.append(str(pick.why))
        if pick.details.get("unavailable"):
            lines.append(
                _("Not available: %(names)s") % {"names": ", ".join(pick.details["unavailable"])}
            )
        label = _("Automatic routing")
        changes: dict[str, Any] = {}
        if dest.classification and dest.classification != ticket.classification:
            changes["classification"] = dest.classification
        do_record_event(
            ticket,
            kind=EventKind.ROUTING,
            actor=None,
            actor_label=label,
            body="\n".join(lines),
            data={
                "rule": dest.rule,
                "team": dest.team.pk,
                "method": config.method if config is not None and config.active else "",
                "engineer": pick.engineer.pk if pick.engineer else None,
                **pick.details,
            },
            changes=changes,
        )
        if (
            pick.engineer is not None
            and config is not None
            and config.method == RoutingMethod.ROUND_ROBIN
        ):
            config.last_assigned = pick.engineer
            config.save(update_fields=["last_assigned"])
        do_assign(ticket, actor=None, team=dest.team, assignee=pick.engineer, actor_label=label)
    return True


# --- availability ---------------------------------------------------------------------------


def do_set_availability(
    actor: User, *, on_duty: bool, away_until: dt.datetime | None, note: str = ""
) -> Availability:
    """An engineer says whether they take new tickets (on duty) and until when they are away."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if away_until is not None and away_until <= timezone.now():
        raise ActionError({"away_until": [_("Choose a time in the future, or leave it empty.")]})
    availability, _created = Availability.objects.update_or_create(
        engineer=actor,
        defaults={
            "on_duty": on_duty,
            "away_until": away_until,
            "note": note.strip()[:200],
            "updated_at": timezone.now(),
        },
    )
    return availability


# --- escalation requests (R-ES-2) ---------------------------------------------------------


def _lock_ticket(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("team", "assignee")
        .get(pk=ticket.pk)
    )


def can_decide(user: User, request: EscalationRequest) -> bool:
    """Members and the lead of the receiving team accept or return a request."""
    team = request.to_team
    return bool(
        permissions.is_agent(user)
        and (team.lead_id == user.pk or team.members.filter(pk=user.pk).exists())
    )


def do_request_escalation(
    ticket: Ticket, *, actor: User, to_team: Team, impact: str, tried: str, reason: str
) -> EscalationRequest:
    """Hands the ticket to the next tier's team with the escalation form's whole context.

    Refused: a ticket already waiting on a request, a request to the team that has it, and
    one that sends it straight back to the team it just came from (a loop; that team
    returns the request instead).
    """
    if not permissions.is_agent(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for name, value, message in (
        ("impact", impact, _("Describe the problem and its impact.")),
        ("tried", tried, _("List the solutions tried and their results.")),
        ("reason", reason, _("Say why it needs the next tier.")),
    ):
        if not value.strip():
            errors[name] = [message]
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        ticket = _lock_ticket(ticket)
        if not ticket.is_open:
            raise ActionError({"to_team": [_("Only an open ticket can be escalated.")]})
        if ticket.team_id == to_team.pk:
            raise ActionError({"to_team": [_("The ticket is already with this team.")]})
        pending = ticket.escalation_requests.filter(status=EscalationStatus.PENDING).first()
        if pending is not None:
            raise ActionError(
                {
                    "to_team": [
                        _("An escalation to %(team)s is already waiting for an answer.")
                        % {"team": pending.to_team}
                    ]
                }
            )
        last = (
            ticket.escalation_requests.exclude(status=EscalationStatus.RETURNED)
            .select_related("from_team")
            .order_by("-requested_at", "-id")
            .first()
        )
        if (
            last is not None
            and last.to_team_id == ticket.team_id
            and last.from_team_id == to_team.pk
        ):
            raise ActionError(
                {
                    "to_team": [
                        _(
                            "This ticket was just escalated from %(team)s; sending it straight "
                            "back would loop. Ask the team lead to reassign it instead."
                        )
                        % {"team": to_team}
                    ]
                }
            )
        request = EscalationRequest.objects.create(
            ticket=ticket,
            from_team=ticket.team,
            from_assignee=ticket.assignee,
            to_team=to_team,
            impact=impact.strip(),
            tried=tried.strip(),
            reason=reason.strip(),
            requested_by=actor,
        )
        body = "\n\n".join(
            [
                _("Escalation request to %(team)s (%(tier)s)")
                % {"team": to_team, "tier": to_team.get_kind_display()},
                _("Description and impact:") + "\n" + request.impact,
                _("Solutions tried and their results:") + "\n" + request.tried,
                _("Reason:") + "\n" + request.reason,
            ]
        )
        do_record_event(
            ticket,
            kind=EventKind.ESCALATION,
            actor=actor,
            body=body,
            data={
                "request": request.pk,
                "step": "requested",
                "from_team": ticket.team.name if ticket.team else "",
                "to_team": to_team.name,
                "to_team_kind": to_team.kind,
            },
        )
        do_assign(ticket, actor=actor, team=to_team, assignee=None, note=request.reason)
    return request


def _lock_request(request: EscalationRequest) -> EscalationRequest:
    locked = (
        EscalationRequest.objects.select_for_update(of=("self",))
        .select_related("to_team", "from_team", "from_assignee", "ticket")
        .get(pk=request.pk)
    )
    if locked.status != EscalationStatus.PENDING:
        raise ActionError(
            {"request": [_("This request was already %(status)s.") % {
                "status": locked.get_status_display().lower()}]}
        )  # fmt: skip
    return locked


def do_accept_escalation(request: EscalationRequest, *, actor: User) -> EscalationRequest:
    """A member of the receiving team takes the escalated ticket."""
    with transaction.atomic():
        request = _lock_request(request)
        if not can_decide(actor, request):
            raise PermissionDenied
        if not request.to_team.members.filter(pk=actor.pk).exists():
            raise ActionError(
                {"request": [_("Only a member of %(team)s can take it.") % {
                    "team": request.to_team}]}
            )  # fmt: skip
        request.status = EscalationStatus.ACCEPTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        do_record_event(
            request.ticket,
            kind=EventKind.ESCALATION,
            actor=actor,
            body=_("Accepted the escalation for %(team)s.") % {"team": request.to_team},
            data={"request": request.pk, "step": "accepted", "to_team": request.to_team.name},
        )
        do_assign(request.ticket, actor=actor, team=request.to_team, assignee=actor)
    return request


def do_return_escalation(
    request: EscalationRequest, *, actor: User, reason: str
) -> EscalationRequest:
    """The receiving team sends the ticket back to whoever had it, saying why."""
    if not reason.strip():
        raise ActionError({"reason": [_("Say why the request is returned.")]})
    with transaction.atomic():
        request = _lock_request(request)
        if not can_decide(actor, request):
            raise PermissionDenied
        request.status = EscalationStatus.RETURNED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.return_reason = reason.strip()
        request.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
        do_record_event(
            request.ticket,
            kind=EventKind.ESCALATION,
            actor=actor,
            body=_("Returned the escalation: %(reason)s") % {"reason": request.return_reason},
            data={"request": request.pk, "step": "returned", "to_team": request.to_team.name},
        )
        back_to = request.from_assignee
        if back_to is not None and (
            not back_to.is_active
            or (
                request.from_team is not None
                and not request.from_team.members.filter(pk=back_to.pk).exists()
            )
        ):
            back_to = None
        do_assign(
            request.ticket,
            actor=actor,
            team=request.from_team,
            assignee=back_to,
            note=request.return_reason,
        )
    return request


# --- collaboration threads (R-ES-4) -------------------------------------------------------


def _customer_notice(ticket: Ticket, team: Team, due_at: dt.datetime) -> str:
    """The sentence the customer reads, in their language and time zone."""
    contact_user = ticket.contact.user if ticket.contact and ticket.contact.user else None
    language = contact_user.language if contact_user else settings.LANGUAGE_CODE
    tz = contact_user.time_zone if contact_user else settings.TIME_ZONE
    with translation.override(language), timezone.override(tz):
        when = formats.date_format(timezone.localtime(due_at), "DATETIME_FORMAT")
        return _(
            "We have brought in our %(department)s colleagues to look into this. "
            "Expected by %(when)s."
        ) % {"department": team.get_kind_display(), "when": when}


def do_open_thread(
    ticket: Ticket,
    *,
    actor: User,
    team: Team,
    owner: User,
    subject: str,
    due_at: dt.datetime,
    message: str = "",
    tell_customer: bool = True,
) -> CollaborationThread:
    """Brings another department into the ticket with an owner and a deadline.

    The thread and its messages are internal; when ``tell_customer`` the customer gets a
    public timeline entry with the expected time (预计…内反馈).
    """
    if not permissions.is_agent(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors["subject"] = [_("Say what you need from them.")]
    if due_at <= timezone.now():
        errors["due_at"] = [_("The deadline must be in the future.")]
    if team.lead_id != owner.pk and not team.members.filter(pk=owner.pk).exists():
        errors["owner"] = [
            _("%(name)s is not a member of %(team)s.") % {"name": owner, "team": team}
        ]
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        ticket = _lock_ticket(ticket)
        if not ticket.is_open:
            raise ActionError({"subject": [_("The ticket is closed.")]})
        thread = CollaborationThread.objects.create(
            ticket=ticket,
            team=team,
            owner=owner,
            subject=subject.strip()[:200],
            due_at=due_at,
            created_by=actor,
        )
        if message.strip():
            ThreadMessage.objects.create(thread=thread, author=actor, body=message.strip())
        body = _("Collaboration with %(team)s: %(subject)s (owner %(owner)s)") % {
            "team": team,
            "subject": thread.subject,
            "owner": owner,
        }
        if message.strip():
            body += "\n" + message.strip()
        data = {"thread": thread.pk, "step": "opened", "team": team.name, "owner": str(owner),
                "due_at": due_at.isoformat()}  # fmt: skip
        do_record_event(ticket, kind=EventKind.COLLABORATION, actor=actor, body=body, data=data)
        if tell_customer:
            thread.customer_notice = _customer_notice(ticket, team, due_at)
            thread.save(update_fields=["customer_notice"])
            do_record_event(
                ticket,
                kind=EventKind.COLLABORATION,
                actor=actor,
                body=thread.customer_notice,
                is_public=True,
                data={"thread": thread.pk, "step": "expected", "due_at": due_at.isoformat()},
            )
    return thread


def _lock_open_thread(thread: CollaborationThread) -> CollaborationThread:
    locked = (
        CollaborationThread.objects.select_for_update(of=("self",))
        .select_related("ticket", "team")
        .get(pk=thread.pk)
    )
    if locked.status != ThreadStatus.OPEN:
        raise ActionError({"body": [_("This thread is closed.")]})
    return locked


def do_post_thread_message(thread: CollaborationThread, *, actor: User, body: str) -> ThreadMessage:
    """An internal message in the thread; the ticket's timeline lists it too."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if not body.strip():
        raise ActionError({"body": [_("The message is empty.")]})
    with transaction.atomic():
        thread = _lock_open_thread(thread)
        message = ThreadMessage.objects.create(thread=thread, author=actor, body=body.strip())
        do_record_event(
            thread.ticket,
            kind=EventKind.COLLABORATION,
            actor=actor,
            body=message.body,
            data={"thread": thread.pk, "step": "message", "team": thread.team.name},
        )
    return message


def do_close_thread(
    thread: CollaborationThread, *, actor: User, outcome: str
) -> CollaborationThread:
    """Closes the thread with what came out of it."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if not outcome.strip():
        raise ActionError({"outcome": [_("Record what came out of it.")]})
    with transaction.atomic():
        thread = _lock_open_thread(thread)
        now = timezone.now()
        thread.status, thread.outcome, thread.closed_at = ThreadStatus.CLOSED, outcome.strip(), now
        thread.save(update_fields=["status", "outcome", "closed_at"])
        do_record_event(
            thread.ticket,
            kind=EventKind.COLLABORATION,
            actor=actor,
            body=_("Closed the collaboration with %(team)s: %(outcome)s")
            % {"team": thread.team, "outcome": thread.outcome},
            data={
                "thread": thread.pk,
                "step": "closed",
                "team": thread.team.name,
                "overdue": thread.due_at < now,
            },
        )
    return thread


# --- overdue collaboration threads (R-ES-4) ------------------------------------------------

OVERDUE_BATCH = 200


def _desk_time(value: dt.datetime) -> str:
    # Stored text is read by everyone: written in the desk's zone, not the current user's.
    with timezone.override(settings.TIME_ZONE):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def do_mark_thread_overdue(thread_id: int, *, now: dt.datetime) -> bool:
    """Records, once, that an open thread's deadline passed; the notice follows after commit.

    1. Lock the ticket (the order every ticket action takes), then claim the thread with a
       conditional UPDATE on ``overdue_notified_at``: of two workers only the one whose
       UPDATE changed the row goes on, the other sees 0 rows and stops.
    2. The claim and the timeline entry commit together; the notifications receiver turns
       the entry into a notice to the thread's owner and the ticket's assignee.
    """
    ticket_id = (
        CollaborationThread.objects.filter(pk=thread_id).values_list("ticket_id", flat=True).first()
    )
    if ticket_id is None:
        return False
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
        claimed = CollaborationThread.objects.filter(
            pk=thread_id,
            status=ThreadStatus.OPEN,
            overdue_notified_at__isnull=True,
            due_at__lte=now,
        ).update(overdue_notified_at=now)
        if claimed != 1:
            return False
        thread = CollaborationThread.objects.select_related("team", "owner").get(pk=thread_id)
        with translation.override(settings.LANGUAGE_CODE):
            body = _(
                "The collaboration with %(team)s is overdue (expected by %(due)s): %(subject)s"
            ) % {"team": thread.team, "due": _desk_time(thread.due_at), "subject": thread.subject}
            label = _("Collaboration")
        do_record_event(
            ticket, kind=EventKind.COLLABORATION, actor=None, actor_label=label, body=body,
            data={"thread": thread.pk, "step": "overdue", "team": thread.team.name,
                  "owner": thread.owner_id, "due_at": thread.due_at.isoformat()},
        )  # fmt: skip
    return True


def notify_overdue_threads(now: dt.datetime | None = None) -> int:
    """The worker's minute job: every open thread past its deadline is reported once.

    A worker that was down reports, when it comes back, each thread whose deadline passed
    meanwhile (once). Returns how many this worker reported.
    """
    now = now or timezone.now()
    reported, last_pk = 0, 0
    while True:
        ids = list(
            CollaborationThread.objects.filter(
                status=ThreadStatus.OPEN,
                overdue_notified_at__isnull=True,
                due_at__lte=now,
                pk__gt=last_pk,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:OVERDUE_BATCH]
        )
        if not ids:
            return reported
        reported += sum(do_mark_thread_overdue(pk, now=now) for pk in ids)
        last_pk = ids[-1]
