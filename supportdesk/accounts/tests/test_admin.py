"""The admin pages (issue 2, point 6): administrators only; tickets and timeline read-only."""

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import ApiToken, User
from supportdesk.tests_support import Cast
from supportdesk.tickets.models import Priority, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "crm", "tickets"}


def signed_in(user: User) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def our_models() -> list[type[Model]]:
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_an_admin_can_open_every_changelist_and_change_page(cast: Cast) -> None:
    ticket = cast.ticket()
    client = signed_in(cast.admin)
    assert client.get(reverse("admin:index")).status_code == 200
    request = RequestFactory().get("/")
    request.user = cast.admin
    models = our_models()
    assert {m.__name__ for m in models} >= {
        "User", "Team", "ApiToken", "Organization", "Contact", "Product", "Priority",
        "Category", "Ticket", "TicketEvent",
    }  # fmt: skip
    for model in models:
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
        if admin.site._registry[model].has_add_permission(request):
            assert client.get(admin_url(model, "add")).status_code == 200, model
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
    page = client.get(admin_url(Ticket, "change", ticket.pk)).content.decode()
    assert ticket.number in page


def test_an_admin_can_search_the_changelists(cast: Cast) -> None:
    ticket = cast.ticket()
    client = signed_in(cast.admin)
    page = client.get(admin_url(Ticket, "changelist"), {"q": ticket.number}).content.decode()
    assert ticket.number in page
    page = client.get(admin_url(User, "changelist"), {"q": "云帆"}).content.decode()
    assert "zhang.wei" in page and "wang.qiang" not in page


@pytest.mark.parametrize("who", ["l1", "l2", "lead", "customer"])
def test_no_one_but_an_admin_reaches_the_admin(cast: Cast, who: str) -> None:
    client = signed_in(getattr(cast, who))
    for path in (reverse("admin:index"), admin_url(User, "changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_no_one_can_add_edit_or_delete_a_ticket_event_in_the_admin(cast: Cast) -> None:
    ticket = cast.ticket()
    event = ticket.events.get()
    client = signed_in(cast.admin)
    page = client.get(admin_url(TicketEvent, "change", event.pk)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(admin_url(TicketEvent, "add")).status_code == 403
    assert (
        client.post(admin_url(TicketEvent, "change", event.pk), {"body": "改写"}).status_code == 403
    )
    assert (
        client.post(admin_url(TicketEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    )
    changelist = client.post(
        admin_url(TicketEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    event.refresh_from_db()
    assert event.body == ticket.description
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_a_superuser_cannot_edit_tickets_or_events_either(cast: Cast) -> None:
    ticket = cast.ticket()
    cast.admin.is_superuser = True
    cast.admin.save()
    client = signed_in(cast.admin)
    assert client.post(admin_url(Ticket, "change", ticket.pk), {"subject": "x"}).status_code == 403
    assert client.post(admin_url(Ticket, "delete", ticket.pk), {"post": "yes"}).status_code == 403
    event = ticket.events.get()
    assert (
        client.post(admin_url(TicketEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    )
    ticket.refresh_from_db()
    assert ticket.subject != "x"


def test_creating_a_token_in_the_admin_shows_the_key_once(cast: Cast) -> None:
    client = signed_in(cast.admin)
    response = client.post(
        admin_url(ApiToken, "add"), {"user": cast.l1.pk, "name": "监控平台"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    key_messages = [m for m in shown if m.startswith("Copy the key now")]
    assert len(key_messages) == 1
    raw = key_messages[0].rsplit(" ", 1)[-1]
    assert ApiToken.objects.authenticate(raw) == token
    assert raw not in client.get(admin_url(ApiToken, "change", token.pk)).content.decode()
    assert token.key_hash != raw


def test_revoking_tokens_in_the_admin_stops_them_working(cast: Cast) -> None:
    token, raw = ApiToken.issue(cast.l1, "脚本")
    client = signed_in(cast.admin)
    client.post(
        admin_url(ApiToken, "changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.authenticate(raw) is None


def test_an_admin_creates_a_customer_who_must_belong_to_an_organization(cast: Cast) -> None:
    client = signed_in(cast.admin)
    data = {
        "username": "zhou.min",
        "usable_password": "true",
        "password1": "a-long-enough-password-1",
        "password2": "a-long-enough-password-1",
        "role": Role.CUSTOMER,
        "organization": "",
        "display_name": "周敏",
        "email": "zhou.min@yunfan.example",
        "language": "zh-hans",
        "time_zone": "Asia/Shanghai",
    }
    response = client.post(admin_url(User, "add"), data)
    assert response.status_code == 200
    assert "A customer must belong to an organization." in response.content.decode()
    assert not User.objects.filter(username="zhou.min").exists()

    response = client.post(admin_url(User, "add"), {**data, "organization": cast.org.pk})
    assert response.status_code == 302
    user = User.objects.get(username="zhou.min")
    assert user.organization == cast.org and user.is_customer and not user.is_staff
    assert user.check_password("a-long-enough-password-1")


def test_only_one_priority_can_be_the_default(cast: Cast) -> None:
    client = signed_in(cast.admin)
    p0 = Priority.objects.get(code="P0")
    data = {
        "code": "P0", "name": p0.name, "name_en": p0.name_en, "active": "on",
        "rank": p0.rank, "description": p0.description, "color": p0.color,
        "first_response_minutes": 10, "resolution_minutes": p0.resolution_minutes,
        "is_default": "on",
    }  # fmt: skip
    response = client.post(admin_url(Priority, "change", p0.pk), data)
    assert response.status_code == 200
    assert "P2 is already the default" in response.content.decode()
    response = client.post(admin_url(Priority, "change", p0.pk), {**data, "is_default": ""})
    assert response.status_code == 302
    p0.refresh_from_db()
    assert p0.first_response_minutes == 10


def test_a_team_lists_engineers_as_possible_members(cast: Cast) -> None:
    client = signed_in(cast.admin)
    form = (
        client.get(admin_url(type(cast.l1_team), "change", cast.l1_team.pk))
        .context["adminform"]
        .form
    )
    members = set(form.fields["members"].queryset)
    assert cast.l1 in members and cast.customer not in members
