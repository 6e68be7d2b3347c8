"""Attachments are served only to those who may see the ticket, and only as inert downloads."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.core.errors import ActionError
from supportdesk.tests_support import Cast, upload
from supportdesk.tickets import actions
from supportdesk.tickets.models import Attachment

pytestmark = pytest.mark.django_db


def download(user, attachment: Attachment):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("tickets:attachment_download", args=[attachment.pk]))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_download_is_an_attachment_with_the_original_chinese_name(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload("报错截图 (1).png")])
    attachment = ticket.attachments.get()
    response = download(cast.colleague, attachment)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("报错截图 (1).png") in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert body_of(response).startswith(b"\x89PNG")


def test_the_stored_file_name_is_random_not_the_uploaded_name(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload("../../etc/passwd.txt")])
    attachment = ticket.attachments.get()
    assert attachment.filename == "passwd.txt"
    assert "passwd" not in attachment.file.name and ".." not in attachment.file.name


@pytest.mark.parametrize("name", ["page.html", "page.htm", "logo.svg", "run.js", "x.xhtml"])
def test_html_svg_and_script_files_are_refused_at_upload(cast: Cast, name: str) -> None:
    ticket = cast.ticket()
    with pytest.raises(ActionError) as err:
        actions.do_add_attachments(
            ticket, actor=cast.customer, files=[upload(name, b"<script>alert(1)</script>")]
        )
    assert name in err.value.message_dict["attachments"][0]
    assert ticket.attachments.count() == 0


def test_an_html_upload_through_the_portal_is_refused_with_a_message(cast: Cast) -> None:
    ticket = cast.ticket()
    client = Client()
    client.force_login(cast.customer)
    response = client.post(
        reverse("portal:add_files", args=[ticket.number]),
        {"attachments": [upload("invoice.svg", b"<svg onload=alert(1)>")]},
    )
    assert response.status_code == 400
    assert "invoice.svg" in response.content.decode()
    assert ticket.attachments.count() == 0


def test_a_png_named_file_containing_html_is_served_as_a_non_html_download(cast: Cast) -> None:
    html = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    ticket = cast.ticket(attachments=[upload("x.png", html, "text/html")])
    response = download(cast.customer, ticket.attachments.get())
    assert response.status_code == 200
    # The browser's claimed type is ignored; the name maps to an inert type, never HTML.
    assert "html" not in response["Content-Type"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_unknown_type_is_served_as_octet_stream(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload("capture.har", b'{"log": {}}', "text/html")])
    response = download(cast.customer, ticket.attachments.get())
    assert response["Content-Type"] == "application/octet-stream"


def test_another_organizations_attachment_is_404(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload("合同.pdf", b"%PDF-1.4")])
    attachment = ticket.attachments.get()
    assert download(cast.outsider, attachment).status_code == 404
    assert download(cast.l1, attachment).status_code == 200


def test_an_internal_attachment_is_404_for_the_customer(cast: Cast) -> None:
    ticket = cast.ticket()
    note = actions.do_add_note(
        ticket, actor=cast.l1, body="内部分析", attachments=[upload("内部.log")]
    )
    attachment = Attachment.objects.get(event=note)
    assert download(cast.customer, attachment).status_code == 404
    assert download(cast.l2, attachment).status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload()])
    response = download(None, ticket.attachments.get())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_missing_attachment_id_is_404(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.l1)
    assert client.get(reverse("tickets:attachment_download", args=[999999])).status_code == 404
