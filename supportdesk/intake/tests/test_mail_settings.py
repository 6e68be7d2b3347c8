"""What an administrator sets on mailboxes and mail templates, through the admin."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from supportdesk.intake.email import ingest
from supportdesk.intake.models import Mailbox, MailTemplate, OutboundMessage
from supportdesk.tests_support import Cast

MAILBOX_FORM = {
    "name": "技术支持",
    "address": "support@desk.example",
    "language": "zh-hans",
    "closed_ticket_policy": "follow_up",
    "is_active": "on",
    "imap_host": "imap.desk.example",
    "imap_port": "993",
    "imap_security": "ssl",
    "imap_username": "support",
    "imap_folder": "INBOX",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "tls_verify": "on",
}


def _post_mailbox(client: Any, url: str, **fields: str) -> Any:
    return client.post(url, {**MAILBOX_FORM, **fields})


def test_an_admin_enters_a_mailbox_password_that_is_stored_encrypted_and_never_shown(
    cast: Cast, client: Any
) -> None:
    client.force_login(cast.admin)
    secret = "Pa55-邮箱-word"
    response = _post_mailbox(client, "/admin/intake/mailbox/add/", imap_password_new=secret)
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get()
    assert mailbox.imap_password == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT imap_password_encrypted FROM intake_mailbox")
        stored = cursor.fetchone()[0]
    assert stored and secret not in stored

    page = client.get(f"/admin/intake/mailbox/{mailbox.pk}/change/").content.decode()
    assert secret not in page and stored not in page
    assert "已保存（加密）" in page  # "stored (encrypted)"; the desk speaks zh-Hans by default

    # Saving again without typing the password keeps it.
    _post_mailbox(client, f"/admin/intake/mailbox/{mailbox.pk}/change/", name="Support")
    mailbox.refresh_from_db()
    assert mailbox.name == "Support" and mailbox.imap_password == secret


def test_a_mailbox_cannot_name_an_unreadable_ca_file_or_two_password_sources(
    cast: Cast, client: Any
) -> None:
    client.force_login(cast.admin)
    response = _post_mailbox(
        client,
        "/admin/intake/mailbox/add/",
        tls_ca_file="/nonexistent/ca.pem",
        imap_password_new="x",
        imap_password_env="SUPPORT_IMAP_PASSWORD",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "无法将该文件读取为 PEM 格式的 CA 证书" in page  # cannot be read as PEM CA certificates
    assert "请输入密码或填写环境变量名，二者只能选其一。" in page  # password or variable, not both
    assert Mailbox.objects.count() == 0


def test_customers_and_agents_cannot_open_the_mailbox_settings(cast: Cast, client: Any) -> None:
    for user in (cast.customer, cast.l1):
        client.force_login(user)
        assert client.get("/admin/intake/mailbox/add/").status_code in (302, 403)
        assert client.get("/admin/intake/mailtemplate/add/").status_code in (302, 403)


def _mail(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "张伟 <zhang.wei@yunfan.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="yunfan.example")
    message.set_content("办公室的打印机无法连接。")
    return message.as_bytes()


@pytest.fixture
def mailbox(cast: Cast) -> Mailbox:
    return Mailbox.objects.create(name="技术支持", address="support@desk.example")


def test_an_edited_chinese_acknowledgement_is_used_for_the_next_new_ticket(
    cast: Cast, mailbox: Mailbox, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/admin/intake/mailtemplate/add/",
        {
            "kind": "ack",
            "language": "zh-hans",
            "subject": "【技术支持】{{ number }} 已受理：{{ subject }}",
            "body": "您好！\n\n您的问题已登记为工单 {{ number }}（{{ subject }}）。"
            "{% if due %}我们将在 {{ due|date:'Y-m-d H:i' }} 前答复。{% endif %}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest.receive(_mail("打印机<无法>连接"), mailbox).message.ticket
    assert ticket is not None
    outgoing = OutboundMessage.objects.get(ticket=ticket)
    assert outgoing.subject == f"【技术支持】{ticket.number} 已受理：打印机<无法>连接"
    # Text is not HTML: nothing escaped in it; the HTML part is escaped.
    assert outgoing.body_text.startswith("您好！\n\n您的问题已登记为工单 " + ticket.number)
    assert "（打印机<无法>连接）" in outgoing.body_text
    assert "我们将在" in outgoing.body_text
    assert "打印机&lt;无法&gt;连接" in outgoing.body_html
    sent = mail.outbox[-1]
    assert sent.subject == outgoing.subject

    # English customers still get the shipped wording.
    assert not MailTemplate.objects.filter(language="en").exists()


def test_a_broken_template_is_refused_with_the_template_error(
    cast: Cast, mailbox: Mailbox, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/admin/intake/mailtemplate/add/",
        {
            "kind": "ack",
            "language": "zh-hans",
            "subject": "【技术支持】{{ number }}",
            "body": "工单 {{ number }} {% if due %}已登记",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "该模板无法使用" in page  # "This template cannot be used"
    assert "endif" in page  # the template engine's own words: what is missing
    assert MailTemplate.objects.count() == 0

    # The shipped template still answers.
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest.receive(_mail("打印机无法连接"), mailbox).message.ticket
    assert ticket is not None
    assert "已受理" not in OutboundMessage.objects.get(ticket=ticket).subject


def test_a_template_whose_filter_fails_is_refused_too(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    template = MailTemplate(
        kind="reply", language="en", subject="{{ number|nosuchfilter }}", body="{{ body }}"
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "subject" in error.value.message_dict
