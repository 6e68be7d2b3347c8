"""Mail becomes tickets and replies, once, in the right thread, and nothing is lost."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.intake import actions
from supportdesk.intake.choices import ClosedTicketPolicy, InboundState, OutboundState
from supportdesk.intake.email import ingest
from supportdesk.intake.models import BouncedAddress, InboundMessage, Mailbox, OutboundMessage
from supportdesk.tests_support import Cast
from supportdesk.tickets.actions import do_add_reply, do_transition
from supportdesk.tickets.choices import Channel, CloseReason, EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket, TicketEvent, TicketLink

from .corpus import corpus_messages


@pytest.fixture
def mailbox(cast: Cast) -> Mailbox:
    return Mailbox.objects.create(
        name="技术支持",
        address="support@desk.example",
        team=cast.l1_team,
        default_priority=cast.priority("P3"),
    )


def make_mail(
    *,
    sender: str = "张伟 <zhang.wei@yunfan.example>",
    subject: str = "打印机无法连接",
    body: str = "办公室的打印机从今天早上开始无法连接，已经重启过。",
    attachments: tuple[tuple[str, bytes], ...] = (),
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", make_msgid(domain="client.example"))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    for filename, content in attachments:
        maintype, subtype = ("image", "png") if filename.endswith(".png") else ("text", "plain")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def test_a_new_mail_opens_a_ticket_on_the_email_channel(cast: Cast, mailbox: Mailbox) -> None:
    raw = make_mail(attachments=(("错误截图.png", b"\x89PNG\r\n\x1a\n0000"),))
    outcome = ingest.receive(raw, mailbox)

    message = outcome.message
    assert message.state == InboundState.INGESTED
    ticket = message.ticket
    assert ticket is not None
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "打印机无法连接"
    assert "打印机从今天早上开始无法连接" in ticket.description
    assert ticket.organization == cast.org
    assert ticket.contact is not None and ticket.contact.email == "zhang.wei@yunfan.example"
    assert ticket.team == cast.l1_team and ticket.priority.code == "P3"
    assert [a.filename for a in ticket.attachments.all()] == ["错误截图.png"]
    assert bytes(message.raw) == raw


def test_the_same_mail_twice_never_makes_two_tickets(cast: Cast, mailbox: Mailbox) -> None:
    raw = make_mail()
    first = ingest.receive(raw, mailbox)
    second = ingest.receive(raw, mailbox)
    assert first.created and not second.created
    assert second.message.pk == first.message.pk
    assert Ticket.objects.count() == 1


def test_an_unknown_sender_gets_a_ticket_without_an_organization(
    cast: Cast, mailbox: Mailbox
) -> None:
    outcome = ingest.receive(make_mail(sender="someone@elsewhere.example"), mailbox)
    ticket = outcome.message.ticket
    assert ticket is not None and ticket.organization is None and ticket.contact is None


def test_a_new_colleague_of_a_known_organization_becomes_a_contact(
    cast: Cast, mailbox: Mailbox
) -> None:
    outcome = ingest.receive(make_mail(sender="王芳 <wang.fang@yunfan.example>"), mailbox)
    ticket = outcome.message.ticket
    assert ticket is not None and ticket.organization == cast.org
    assert ticket.contact is not None and ticket.contact.name == "王芳"


@pytest.mark.parametrize(
    "prefix", ["", "Re: ", "回复: ", "答复：", "转发: ", "Fwd: ", "RE: 回复: "]
)
def test_a_reply_with_the_ticket_number_lands_in_its_ticket(
    cast: Cast, mailbox: Mailbox, prefix: str
) -> None:
    ticket = cast.ticket()
    body = (
        "我试过了，还是不行。\n"
        "\n"
        "-----原始邮件-----\n"
        "发件人: support@desk.example\n"
        "发送时间: 2026年11月23日\n"
        "\n"
        "请重启"
    )
    raw = make_mail(
        sender="李娜 <li.na@yunfan.example>",
        subject=f"{prefix}【技术支持】{ticket.number} 登录时提示 token 失效",
        body=body,
    )
    outcome = ingest.receive(raw, mailbox)
    assert outcome.message.ticket == ticket
    reply = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REPLY).get()
    # The quoted history is folded away: the timeline shows what is new.
    assert reply.body == "我试过了，还是不行。"
    assert reply.actor == cast.colleague
    assert Ticket.objects.count() == 1


def test_a_stranger_quoting_a_ticket_number_gets_a_new_linked_ticket(
    cast: Cast, mailbox: Mailbox
) -> None:
    ticket = cast.ticket()
    raw = make_mail(
        sender="intruder@beichen.example", subject=f"Re: 【技术支持】{ticket.number} 我也有问题"
    )
    outcome = ingest.receive(raw, mailbox)
    new = outcome.message.ticket
    assert new is not None and new != ticket
    assert new.organization == cast.other_org
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REPLY).exists()
    assert TicketLink.objects.filter(from_ticket=new, to_ticket=ticket).exists()


def test_a_reply_without_the_number_threads_by_in_reply_to(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest.receive(make_mail(sender="someone@elsewhere.example"), mailbox)
    ticket = outcome.message.ticket
    acknowledgement = OutboundMessage.objects.get(ticket=ticket)
    raw = make_mail(
        sender="someone@elsewhere.example",
        subject="Re: the printer",
        In_Reply_To=f"<{acknowledgement.message_id}>",
        References=f"<{acknowledgement.message_id}>",
    )
    second = ingest.receive(raw, mailbox)
    assert second.message.ticket == ticket


def test_mail_from_our_own_address_is_ignored(cast: Cast, mailbox: Mailbox) -> None:
    outcome = ingest.receive(make_mail(sender="support@desk.example"), mailbox)
    assert outcome.message.state == InboundState.IGNORED
    assert Ticket.objects.count() == 0


def test_an_out_of_office_reply_opens_nothing_and_sends_nothing(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    raw = make_mail(subject="自动回复: 我正在休假", Auto_Submitted="auto-replied")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest.receive(raw, mailbox)
    assert outcome.message.state == InboundState.IGNORED
    assert Ticket.objects.count() == 0 and mail.outbox == []


def test_an_auto_reply_to_a_ticket_is_recorded_without_an_acknowledgement(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    ticket = cast.ticket()
    raw = make_mail(subject=f"Automatic reply: 【技术支持】{ticket.number}", X_Autoreply="yes")
    with django_capture_on_commit_callbacks(execute=True):
        ingest.receive(raw, mailbox)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.EMAIL).exists()
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REPLY).exists()
    assert mail.outbox == []


def test_a_bounce_is_recorded_on_its_ticket_and_flags_the_address(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest.receive(make_mail(sender="gone@yunfan.example"), mailbox)
    ticket = outcome.message.ticket
    acknowledgement = OutboundMessage.objects.get(ticket=ticket)
    bounce = (
        "From: MAILER-DAEMON@mx.yunfan.example\r\nTo: support@desk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; gone@yunfan.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{acknowledgement.message_id}>\r\n\r\n--r--\r\n"
    ).encode()
    result = ingest.receive(bounce, mailbox)
    assert result.message.ticket == ticket
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.EMAIL).get()
    assert "gone@yunfan.example" in event.body
    assert BouncedAddress.objects.get(address="gone@yunfan.example").bounces == 1
    assert Ticket.objects.count() == 1


def _close(ticket: Ticket, cast: Cast) -> Ticket:
    for status in (Status.DIAGNOSING, Status.IMPLEMENTING, Status.RESOLVED):
        ticket = do_transition(
            ticket,
            actor=cast.l1,
            to=status,
            solution="已更换驱动",
            result=ResolutionResult.SOLVED,
        )
    return do_transition(
        ticket, actor=cast.l1, to=Status.CLOSED, close_reason=CloseReason.CUSTOMER_CONFIRMED
    )


def test_mail_to_a_closed_ticket_opens_a_linked_follow_up_by_default(
    cast: Cast, mailbox: Mailbox
) -> None:
    ticket = _close(cast.ticket(), cast)
    raw = make_mail(subject=f"回复: 【技术支持】{ticket.number} 又出现了")
    new = ingest.receive(raw, mailbox).message.ticket
    assert new is not None and new != ticket
    assert TicketLink.objects.filter(from_ticket=new, to_ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_mail_to_a_closed_ticket_reopens_it_when_the_mailbox_says_so(
    cast: Cast, mailbox: Mailbox
) -> None:
    mailbox.closed_ticket_policy = ClosedTicketPolicy.REOPEN
    mailbox.save()
    ticket = _close(cast.ticket(), cast)
    raw = make_mail(subject=f"回复: 【技术支持】{ticket.number} 又出现了")
    assert ingest.receive(raw, mailbox).message.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED


def test_refused_attachments_are_noted_and_the_mail_still_becomes_a_ticket(
    cast: Cast, mailbox: Mailbox
) -> None:
    raw = make_mail(attachments=(("setup.exe", b"MZ" + b"0" * 20), ("日志.txt", b"log")))
    outcome = ingest.receive(raw, mailbox)
    ticket = outcome.message.ticket
    assert ticket is not None
    assert [a.filename for a in ticket.attachments.all()] == ["日志.txt"]
    assert any("setup.exe" in p for p in outcome.message.problems)


def test_a_flooding_sender_is_rate_limited(cast: Cast, mailbox: Mailbox, settings: object) -> None:
    settings.INTAKE_RATE_LIMIT_MESSAGES = 3  # type: ignore[attr-defined]
    outcomes = [ingest.receive(make_mail(subject=f"spam {i}"), mailbox) for i in range(5)]
    assert [o.message.state for o in outcomes].count(InboundState.IGNORED) == 2
    assert Ticket.objects.count() == 3


def test_an_unparseable_mail_is_quarantined_and_can_be_released(
    cast: Cast, mailbox: Mailbox
) -> None:
    raw = b"\x00\x01 not a mail at all"
    outcome = ingest.receive(raw, mailbox)
    assert outcome.message.state == InboundState.QUARANTINED
    assert outcome.message.problems
    assert Ticket.objects.count() == 0


def test_a_mail_whose_ticket_cannot_be_filed_is_kept_quarantined_with_nothing_half_done(
    cast: Cast,
) -> None:
    from supportdesk.crm.models import Contact
    from supportdesk.tickets.models import Priority

    mailbox = Mailbox.objects.create(name="技术支持", address="support@desk.example")
    Priority.objects.update(active=False)  # filing a ticket now fails: no priority
    contacts = Contact.objects.count()
    raw = make_mail(sender="新同事 <new.colleague@yunfan.example>")

    message = ingest.receive(raw, mailbox).message
    stored = InboundMessage.objects.get(pk=message.pk)
    assert stored.state == InboundState.QUARANTINED
    assert bytes(stored.raw) == raw
    assert any("ActionError" in problem for problem in stored.problems)
    # The actions' changes were undone with them: no ticket, no contact made for the sender.
    assert Ticket.objects.count() == 0 and Contact.objects.count() == contacts
    # The same mail again is the same stored message, not a second one.
    assert ingest.receive(raw, mailbox).created is False

    Priority.objects.update(active=True)
    retried = actions.do_retry_inbound(stored, actor=cast.admin)
    assert retried.state == InboundState.INGESTED and retried.ticket is not None
    assert InboundMessage.objects.count() == 1


def test_retrying_a_quarantined_mail_keeps_it_there_until_an_admin_releases_it(
    cast: Cast, mailbox: Mailbox
) -> None:
    message = ingest.receive(b"Subject: no sender\r\n\r\n\xd5\xc5", mailbox).message
    assert message.state == InboundState.QUARANTINED
    assert actions.do_retry_inbound(message, actor=cast.admin).state == InboundState.QUARANTINED
    released = actions.do_release_inbound(message, actor=cast.admin)
    assert released.state == InboundState.INGESTED and released.ticket is not None
    with pytest.raises(PermissionDenied):
        actions.do_release_inbound(message, actor=cast.l1)


def test_inline_images_of_html_mail_point_to_the_stored_attachment(
    cast: Cast, mailbox: Mailbox
) -> None:
    message = EmailMessage()
    message["From"] = "zhang.wei@yunfan.example"
    message["To"] = "support@desk.example"
    message["Subject"] = "截图"
    message["Message-ID"] = make_msgid()
    message.set_content("见图")
    message.add_alternative(
        '<p>见图<img src="cid:shot@x"><img src="https://tracker.example/p.gif"></p>',
        subtype="html",
    )
    html_part = message.get_payload()[1]  # type: ignore[index]
    html_part.add_related(  # type: ignore[union-attr]
        b"\x89PNG\r\n\x1a\n0000", maintype="image", subtype="png", cid="<shot@x>",
        filename="shot.png",
    )  # fmt: skip
    outcome = ingest.receive(message.as_bytes(), mailbox)
    attachment = outcome.message.ticket.attachments.get()  # type: ignore[union-attr]
    assert f'src="/attachments/{attachment.pk}/"' in outcome.message.html
    assert "tracker.example" not in outcome.message.html


def test_every_corpus_message_ingests_without_error(cast: Cast, mailbox: Mailbox) -> None:
    for path in corpus_messages():
        outcome = ingest.receive(path.read_bytes(), mailbox)
        assert outcome.message.state != InboundState.NEW, path
        if outcome.message.state == InboundState.QUARANTINED:
            # Only mail with no sender at all may wait for an admin; never an exception.
            assert not [p for p in outcome.message.problems if "Error" in p], (path, outcome)
    assert Ticket.objects.count() > 200


def test_an_agents_public_reply_goes_out_threaded(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest.receive(make_mail(message_id="<first@client.example>"), mailbox)
    ticket = outcome.message.ticket
    assert ticket is not None
    with django_capture_on_commit_callbacks(execute=True):
        do_add_reply(
            ticket, actor=cast.l1, body="请按以下步骤操作：\n1. 重启打印机\n2. 重新安装驱动"
        )
    assert [m.state for m in OutboundMessage.objects.order_by("pk")] == [OutboundState.SENT] * 2
    acknowledgement, reply = mail.outbox
    assert acknowledgement.subject == f"【技术支持】{ticket.number} 打印机无法连接"
    assert reply.subject == f"【技术支持】{ticket.number} 打印机无法连接"
    assert reply.extra_headers["In-Reply-To"] == "<first@client.example>"
    assert "<first@client.example>" in reply.extra_headers["References"]
    html = str(reply.alternatives[0][0])  # type: ignore[union-attr]
    assert "<ol><li>重启打印机</li><li>重新安装驱动</li></ol>" in html
    assert reply.from_email == "技术支持 <support@desk.example>"


def test_ingesting_a_message_takes_a_bounded_number_of_queries(
    cast: Cast, mailbox: Mailbox
) -> None:
    with CaptureQueriesContext(connection) as queries:
        ingest.receive(make_mail(), mailbox)
    assert len(queries) < 60
    assert InboundMessage.objects.count() == 1


def test_the_agent_sees_the_state_of_outgoing_mail_on_the_ticket_page(
    cast: Cast, mailbox: Mailbox, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest.receive(make_mail(), mailbox).message.ticket
    assert ticket is not None
    client.force_login(cast.l1)
    page = client.get(f"/desk/tickets/{ticket.number}/")
    assert page.status_code == 200
    assert 'id="ticket-mail"' in page.content.decode()
    assert 'data-state="sent"' in page.content.decode()


def test_an_admin_can_download_the_raw_message_and_release_quarantined_mail(
    cast: Cast, mailbox: Mailbox, client
) -> None:
    raw = b"Subject: no sender at all\r\n\r\n" + "张伟: 打印机坏了".encode("gb2312")
    message = ingest.receive(raw, mailbox).message
    assert message.state == InboundState.QUARANTINED
    client.force_login(cast.admin)
    download = client.get(f"/admin/intake/inboundmessage/{message.pk}/raw/")
    assert download.status_code == 200 and download.content == raw
    listing = client.get("/admin/intake/inboundmessage/?state=quarantined")
    assert "no sender at all" in listing.content.decode()
    client.post(
        "/admin/intake/inboundmessage/",
        {"action": "release", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.state == InboundState.INGESTED
    assert message.ticket is not None and "打印机坏了" in message.ticket.description


def test_a_customer_cannot_download_raw_mail(cast: Cast, mailbox: Mailbox, client) -> None:
    message = ingest.receive(make_mail(), mailbox).message
    client.force_login(cast.customer)
    response = client.get(f"/admin/intake/inboundmessage/{message.pk}/raw/")
    assert response.status_code == 302


def test_the_acknowledgement_speaks_the_customers_language(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest.receive(make_mail(), mailbox).message.ticket
    assert ticket is not None
    chinese = mail.outbox[-1]
    assert f"我们已收到您的请求，工单号为 {ticket.number}。" in chinese.body
    assert "工程师将在" in chinese.body

    cast.colleague.language = "en"
    cast.colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        english = ingest.receive(make_mail(sender="li.na@yunfan.example"), mailbox)
    assert english.message.ticket is not None
    assert "We have received your request and opened ticket" in mail.outbox[-1].body
    assert "An engineer will respond by" in mail.outbox[-1].body


def _html_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "zhang.wei@yunfan.example"
    message["To"] = "support@desk.example"
    message["Subject"] = "截图"
    message["Message-ID"] = make_msgid()
    message.set_content("见图")
    message.add_alternative(
        '<p>见图<script>alert(1)</script><img src="cid:shot@x"></p>', subtype="html"
    )
    message.get_payload()[1].add_related(  # type: ignore[index, union-attr]
        b"\x89PNG\r\n\x1a\n0000", maintype="image", subtype="png", cid="<shot@x>",
        filename="shot.png",
    )  # fmt: skip
    return message.as_bytes()


def test_an_agent_sees_a_received_mail_as_sent_with_its_inline_image(
    cast: Cast, mailbox: Mailbox, client
) -> None:
    message = ingest.receive(_html_mail(), mailbox).message
    ticket = message.ticket
    assert ticket is not None
    client.force_login(cast.l1)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    url = f"/mail/{ticket.number}/{message.pk}/"
    assert url in page
    shown = client.get(url).content.decode()
    attachment = ticket.attachments.get()
    assert f'<img src="/attachments/{attachment.pk}/">' in shown
    assert "alert(1)" not in shown


def test_customers_and_outsiders_cannot_open_received_mail(
    cast: Cast, mailbox: Mailbox, client
) -> None:
    message = ingest.receive(_html_mail(), mailbox).message
    ticket = message.ticket
    assert ticket is not None
    url = f"/mail/{ticket.number}/{message.pk}/"
    client.force_login(cast.customer)
    assert client.get(url).status_code == 404
    other = cast.ticket(by=cast.outsider)
    client.force_login(cast.l1)
    assert client.get(f"/mail/{other.number}/{message.pk}/").status_code == 404


def test_a_bounced_address_is_flagged_on_the_ticket_page(
    cast: Cast, mailbox: Mailbox, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest.receive(make_mail(), mailbox).message.ticket
    assert ticket is not None
    BouncedAddress.objects.create(address="zhang.wei@yunfan.example", bounces=1)
    client.force_login(cast.l1)
    with_flag = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "badge-red" in with_flag.split('id="ticket-mail"')[1].split("</section>")[0]
