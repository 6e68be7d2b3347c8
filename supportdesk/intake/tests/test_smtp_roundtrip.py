"""A real SMTP round trip: our ingress in, Django's SMTP backend out, threads kept whole."""

from __future__ import annotations

import datetime as dt
import email
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from django.test import override_settings
from django.utils import timezone

from supportdesk.intake.choices import OutboundState, SmtpSecurity
from supportdesk.intake.email.smtp import ingress_controller
from supportdesk.intake.models import Mailbox, OutboundMessage
from supportdesk.intake.tasks import send_due_outbound
from supportdesk.tests_support import Cast
from supportdesk.tickets.actions import do_add_reply
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

from .tls_support import TlsFiles, make_tls_files

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """The customer's mail server: keeps what supportdesk sends."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.over_tls: list[bool] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        with self.arrived:
            self.over_tls.append(session.ssl is not None)
            self.messages.append(email.message_from_bytes(raw, policy=policy.default))
            self.arrived.notify_all()
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    port = free_port()
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def ingress(cast: Cast) -> Iterator[int]:
    port = free_port()
    controller = ingress_controller("127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


def smtp_backend(port: int) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )


def send_to_ingress(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.send_message(message)


def customer_mail(subject: str, body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "张伟 <zhang.wei@yunfan.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="yunfan.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def test_a_customer_mail_round_trip_keeps_one_thread(
    cast: Cast, sink: tuple[Sink, int], ingress: int
) -> None:
    outside, sink_port = sink
    Mailbox.objects.create(name="技术支持", address="support@desk.example", team=cast.l1_team)
    first = customer_mail("打印机无法连接", "办公室的打印机无法连接。")

    with smtp_backend(sink_port):
        send_to_ingress(ingress, first)
        ticket = Ticket.objects.get()
        assert ticket.subject == "打印机无法连接"

        # The acknowledgement went out with the number and the expected response time.
        assert len(outside.messages) == 1
        acknowledgement = outside.messages[0]
        assert ticket.number in str(acknowledgement["Subject"])
        assert str(acknowledgement["Auto-Submitted"]) == "auto-replied"
        assert acknowledgement["In-Reply-To"] == first["Message-ID"]
        ack_text = acknowledgement.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert ticket.number in ack_text

        do_add_reply(ticket, actor=cast.l1, body="请按以下步骤操作：\n1. 重启打印机\n2. 重新连接")
        assert len(outside.messages) == 2
        reply = outside.messages[1]
        # Django folds a long encoded Subject before its first word; clients trim the space.
        subject = str(reply["Subject"]).strip()
        assert subject == f"【技术支持】{ticket.number} 打印机无法连接"
        assert reply["In-Reply-To"] == first["Message-ID"]
        assert first["Message-ID"] in reply["References"]
        assert reply["From"].endswith("<support@desk.example>")

        # The customer answers the agent's mail from their client: back into the same ticket.
        answer = customer_mail(
            f"回复: {subject}",
            (
                "重启后可以连接了，谢谢！\n"
                "\n"
                "在 2026年11月23日 10:00，技术支持 <support@desk.example> 写道：\n"
                "> 请按以下步骤操作"
            ),
            In_Reply_To=reply["Message-ID"],
            References=f"{first['Message-ID']} {reply['Message-ID']}",
        )
        send_to_ingress(ingress, answer)

    assert Ticket.objects.count() == 1
    replies = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REPLY).order_by("pk")
    assert [r.body for r in replies] == [
        "请按以下步骤操作：\n1. 重启打印机\n2. 重新连接",
        "重启后可以连接了，谢谢！",
    ]
    assert replies[1].actor == cast.customer
    # The customer's reply is not answered with another acknowledgement.
    assert len(outside.messages) == 2


def test_the_ingress_refuses_mail_for_addresses_it_does_not_serve(cast: Cast, ingress: int) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused), smtplib.SMTP("127.0.0.1", ingress) as c:
        c.sendmail("a@b.example", ["nobody@desk.example"], b"Subject: x\r\n\r\nhi")
    assert Ticket.objects.count() == 0


def test_outgoing_mail_waits_while_the_smtp_server_is_down_and_is_sent_once_later(
    cast: Cast, ingress: int
) -> None:
    Mailbox.objects.create(name="技术支持", address="support@desk.example")
    down_port = free_port()
    with smtp_backend(down_port):
        send_to_ingress(ingress, customer_mail("服务器宕机", "生产服务器无响应。"))
    outgoing = OutboundMessage.objects.get()
    assert outgoing.state == OutboundState.RETRYING
    assert outgoing.attempts == 1 and outgoing.last_error

    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=down_port, decode_data=False)
    controller.start()
    try:
        with (
            smtp_backend(down_port),
            time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False),
        ):
            send_due_outbound.call_local()
            send_due_outbound.call_local()
    finally:
        controller.stop()
    outgoing.refresh_from_db()
    assert outgoing.state == OutboundState.SENT
    assert len(handler.messages) == 1


# --- the mailbox's own SMTP server, over STARTTLS -----------------------------------------

SMTP_PASSWORD = "smtp-test-password"


def _check_login(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: object) -> AuthResult:  # fmt: skip
    assert isinstance(auth_data, LoginPassword)
    ok = auth_data.login == b"support" and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


@pytest.fixture
def tls_relay(tmp_path: Path) -> Iterator[tuple[Sink, int, TlsFiles]]:
    """The mailbox's outgoing server: STARTTLS required, then a password."""
    files = make_tls_files(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.cert, files.key)
    port = free_port()
    handler = Sink()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        decode_data=False,
        tls_context=context,
        require_starttls=True,
        authenticator=_check_login,
        auth_required=True,
    )
    controller.start()
    yield handler, port, files
    controller.stop()


def _smtp_mailbox(port: int, **fields: object) -> Mailbox:
    mailbox = Mailbox(
        name="技术支持",
        address="support@desk.example",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=SmtpSecurity.STARTTLS,
        smtp_username="support",
        **fields,
    )
    mailbox.set_smtp_password(SMTP_PASSWORD)
    mailbox.save()
    return mailbox


def test_mail_goes_out_through_the_mailbox_smtp_server_over_starttls(
    cast: Cast, tls_relay: tuple[Sink, int, TlsFiles], ingress: int
) -> None:
    relay, port, files = tls_relay
    _smtp_mailbox(port, tls_ca_file=str(files.ca))
    # The desk's default server is down: the mail can only arrive through the mailbox's own.
    with smtp_backend(free_port()):
        send_to_ingress(ingress, customer_mail("邮件网关故障", "无法发送邮件。"))
    outgoing = OutboundMessage.objects.get()
    assert outgoing.state == OutboundState.SENT, outgoing.last_error
    assert len(relay.messages) == 1 and relay.over_tls == [True]
    assert Ticket.objects.get().number in str(relay.messages[0]["Subject"])


def test_an_smtp_server_with_an_untrusted_certificate_gets_nothing_and_the_mail_waits(
    cast: Cast, tls_relay: tuple[Sink, int, TlsFiles], ingress: int
) -> None:
    relay, port, _files = tls_relay
    _smtp_mailbox(port)  # no CA file: the test CA is not trusted
    send_to_ingress(ingress, customer_mail("邮件网关故障", "无法发送邮件。"))
    outgoing = OutboundMessage.objects.get()
    assert outgoing.state == OutboundState.RETRYING
    assert "CERTIFICATE_VERIFY_FAILED" in outgoing.last_error
    assert relay.messages == []
