"""Fetching from a real IMAP server: Dovecot on 127.0.0.1, started by the test."""

from __future__ import annotations

import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from imapclient import IMAPClient

from supportdesk.intake.choices import ImapSecurity
from supportdesk.intake.email.imap import FetchResult, fetch, watch
from supportdesk.intake.models import InboundMessage, Mailbox
from supportdesk.tests_support import Cast
from supportdesk.tickets.models import Ticket

from .tls_support import TlsFiles, make_tls_files

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-test-password"


@dataclass
class Dovecot:
    port: int  # IMAP, STARTTLS offered
    imaps_port: int
    user: str
    tls: TlsFiles


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling a server that is starting, not waiting on our code
    raise RuntimeError("dovecot did not start")


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not os.path.exists(DOVECOT):
        pytest.fail("dovecot is not installed (.ci/run installs dovecot-imapd)")
    port = _free_port()
    imaps_port = _free_port()
    root = os.geteuid() == 0
    internal = "dovecot" if root else pwd.getpwuid(os.getuid()).pw_name
    login = "dovenull" if root else internal
    # Dovecot never delivers mail as root: as root, the mail belongs to its own user, in a
    # directory (not pytest's private one) that user can reach.
    uid, gid = (pwd.getpwnam("dovecot")[2:4]) if root else (os.getuid(), os.getgid())
    tmp_path = Path(tempfile.mkdtemp(prefix="supportdesk-dovecot-"))
    tmp_path.chmod(0o755)
    user = "support"
    tls = make_tls_files(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, uid, gid)
    (tmp_path / "passwd").write_text(f"{user}:{{PLAIN}}{PASSWORD}::::::\n")
    (tmp_path / "dovecot.conf").write_text(
        f"""
base_dir = {tmp_path}/run
state_dir = {tmp_path}/state
log_path = {tmp_path}/dovecot.log
protocols = imap
listen = 127.0.0.1
# TLS with the test's own CA: IMAPS on its port, STARTTLS on the plain one.
ssl = yes
ssl_cert = <{tls.cert}
ssl_key = <{tls.key}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp_path}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
# Without inotify (containers) Dovecot looks for new mail to announce over IDLE this often.
mailbox_idle_check_interval = 1 secs
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    for sub in ("run", "state"):
        (tmp_path / sub).mkdir()
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(tmp_path / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port)
        _wait_for(imaps_port)
        yield Dovecot(port=port, imaps_port=imaps_port, user=user, tls=tls)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(tmp_path, ignore_errors=True)


def _deliver(server: Dovecot, count: int) -> list[str]:
    ids = []
    with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
        client.login(server.user, PASSWORD)
        for index in range(count):
            message = EmailMessage()
            message["From"] = "张伟 <zhang.wei@yunfan.example>"
            message["To"] = "support@desk.example"
            message["Subject"] = f"第 {index + 1} 个问题"
            message["Message-ID"] = make_msgid(domain="yunfan.example")
            message.set_content(f"问题描述 {index + 1}")
            client.append("INBOX", message.as_bytes())
            ids.append(message["Message-ID"])
    return ids


@pytest.fixture
def mailbox(cast: Cast, dovecot: Dovecot) -> Mailbox:
    os.environ["SUPPORTDESK_TEST_IMAP_PASSWORD"] = PASSWORD
    return Mailbox.objects.create(
        name="技术支持",
        address="support@desk.example",
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_security=ImapSecurity.NONE,
        imap_username=dovecot.user,
        imap_password_env="SUPPORTDESK_TEST_IMAP_PASSWORD",
        imap_processed_folder="Processed",
    )


def _folder_count(server: Dovecot, folder: str) -> int:
    with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
        client.login(server.user, PASSWORD)
        if not client.folder_exists(folder):
            return 0
        return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


def test_mail_fetched_over_imap_becomes_tickets_and_is_filed_away(
    cast: Cast, dovecot: Dovecot, mailbox: Mailbox
) -> None:
    _deliver(dovecot, 3)
    result = fetch(mailbox)
    assert result.errors == [] and result.new == 3
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "第 1 个问题",
        "第 2 个问题",
        "第 3 个问题",
    ]
    assert _folder_count(dovecot, "INBOX") == 0
    assert _folder_count(dovecot, "Processed") == 3
    # Nothing left: a second run fetches nothing.
    assert fetch(mailbox).fetched == 0


def test_a_connection_dropped_mid_fetch_loses_and_duplicates_nothing(
    cast: Cast, dovecot: Dovecot, mailbox: Mailbox
) -> None:
    _deliver(dovecot, 5)
    filed: list[int] = []

    def drop_after_second(client: IMAPClient, uid: int) -> None:
        filed.append(uid)
        if len(filed) == 2:
            client._imap.sock.shutdown(socket.SHUT_RDWR)

    first = fetch(mailbox, after_each=drop_after_second)
    assert first.errors  # the run stopped on the dropped connection
    # The batch was stored before anything was filed away; what was not filed away yet
    # stays on the server for the next run.
    assert Ticket.objects.count() == 5
    assert _folder_count(dovecot, "INBOX") == 3

    second = fetch(mailbox)
    assert second.errors == []
    assert Ticket.objects.count() == 5
    assert InboundMessage.objects.count() == 5
    assert _folder_count(dovecot, "INBOX") == 0
    assert _folder_count(dovecot, "Processed") == 5


def test_a_message_stored_but_not_filed_before_the_drop_is_not_ingested_twice(
    cast: Cast, dovecot: Dovecot, mailbox: Mailbox
) -> None:
    _deliver(dovecot, 1)
    # The first run stores the message, then loses the connection before filing it away.
    mailbox.imap_processed_folder = "Processed"
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login(dovecot.user, PASSWORD)
        client.select_folder("INBOX")
        raw = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"])
    from supportdesk.intake.email import ingest

    for data in raw.values():
        ingest.receive(data[b"BODY[]"], mailbox)
    assert Ticket.objects.count() == 1

    result = fetch(mailbox)
    assert result.fetched == 1 and result.new == 0
    assert Ticket.objects.count() == 1
    assert _folder_count(dovecot, "Processed") == 1


def test_an_unreachable_imap_server_is_reported_not_raised(cast: Cast) -> None:
    mailbox = Mailbox.objects.create(
        name="x",
        address="down@desk.example",
        imap_host="127.0.0.1",
        imap_port=_free_port(),
        imap_security=ImapSecurity.NONE,
        imap_username="x",
    )
    result = fetch(mailbox)
    assert result.errors and result.fetched == 0


@dataclass
class _Watch:
    fetched_once: threading.Event
    arrived: threading.Event  # a fetch brought new mail
    results: list[int]  # new messages of each fetch so far


@contextmanager
def _watching(mailbox: Mailbox) -> Iterator[_Watch]:
    """``watch`` in a thread, as ``fetchmail --idle`` runs it. Polling would wait an hour:
    only IDLE can bring mail in time."""
    stop = threading.Event()
    seen = _Watch(threading.Event(), threading.Event(), [])

    def fetched(result: FetchResult) -> None:
        seen.results.append(result.new)
        seen.fetched_once.set()
        if result.new:
            seen.arrived.set()

    def run() -> None:
        try:
            watch(mailbox, stop, poll_seconds=3600, on_fetched=fetched)
        finally:
            connection.close()

    watcher = threading.Thread(target=run)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_new_mail_is_fetched_as_soon_as_the_server_announces_it_over_idle(
    cast: Cast, dovecot: Dovecot, mailbox: Mailbox
) -> None:
    with _watching(mailbox) as seen:
        assert seen.fetched_once.wait(timeout=30)
        _deliver(dovecot, 1)
        assert seen.arrived.wait(timeout=30), seen.results
    assert Ticket.objects.get().subject == "第 1 个问题"


@pytest.mark.django_db(transaction=True)
def test_mail_arriving_just_before_idle_starts_is_not_left_for_the_next_poll(
    cast: Cast, dovecot: Dovecot, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The watcher looks for mail that came after its fetch, finds none, and enters IDLE; a
    # mail delivered in between is announced around the IDLE command itself.
    from supportdesk.intake.email import imap

    real_connect = imap.connect
    connections = []

    def connect(box: Mailbox) -> IMAPClient:
        client = real_connect(box)
        connections.append(client)
        if len(connections) != 2:  # the first fetches; the second waits with IDLE
            return client
        real_search = client.search

        def search(*args: object, **kwargs: object) -> list[int]:
            found = real_search(*args, **kwargs)
            _deliver(dovecot, 1)
            return found

        client.search = search
        return client

    monkeypatch.setattr(imap, "connect", connect)
    with _watching(mailbox) as seen:
        assert seen.arrived.wait(timeout=30), seen.results
    assert Ticket.objects.get().subject == "第 1 个问题"


def test_the_fetchmail_command_fetches_every_mailbox_once(
    cast: Cast, dovecot: Dovecot, mailbox: Mailbox
) -> None:
    _deliver(dovecot, 2)
    out = io.StringIO()
    call_command("fetchmail", stdout=out)
    assert "support@desk.example: 2 fetched, 2 new" in out.getvalue()
    assert Ticket.objects.count() == 2


# --- stored credentials and TLS -----------------------------------------------------------


def _tls_mailbox(server: Dovecot, security: str, **fields: object) -> Mailbox:
    port = server.imaps_port if security == ImapSecurity.SSL else server.port
    mailbox = Mailbox(
        name="技术支持",
        address="support@desk.example",
        imap_host="127.0.0.1",
        imap_port=port,
        imap_security=security,
        imap_username=server.user,
        imap_processed_folder="Processed",
        **fields,
    )
    mailbox.set_imap_password(PASSWORD)
    mailbox.save()
    return mailbox


def test_the_stored_password_is_encrypted_and_fetches_over_imaps(
    cast: Cast, dovecot: Dovecot
) -> None:
    mailbox = _tls_mailbox(dovecot, ImapSecurity.SSL, tls_ca_file=str(dovecot.tls.ca))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_mailbox")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PASSWORD not in row
    assert mailbox.imap_password_encrypted and PASSWORD not in mailbox.imap_password_encrypted

    _deliver(dovecot, 2)
    result = fetch(Mailbox.objects.get(pk=mailbox.pk))
    assert result.errors == [] and result.new == 2
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.last_checked_at is not None


def test_starttls_fetch_verifies_the_server_against_the_mailbox_ca_file(
    cast: Cast, dovecot: Dovecot
) -> None:
    mailbox = _tls_mailbox(dovecot, ImapSecurity.STARTTLS, tls_ca_file=str(dovecot.tls.ca))
    _deliver(dovecot, 1)
    result = fetch(mailbox)
    assert result.errors == [] and result.new == 1
    assert Ticket.objects.get().subject == "第 1 个问题"


def test_an_untrusted_certificate_is_refused_unless_verification_is_turned_off(
    cast: Cast, dovecot: Dovecot
) -> None:
    # No CA file: the system's CAs do not know the test CA.
    mailbox = _tls_mailbox(dovecot, ImapSecurity.SSL)
    _deliver(dovecot, 1)
    result = fetch(mailbox)
    assert result.new == 0 and "CERTIFICATE_VERIFY_FAILED" in result.errors[0]
    mailbox.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in mailbox.last_error
    assert Ticket.objects.count() == 0

    # Only an explicit setting skips the check.
    mailbox.tls_verify = False
    mailbox.save()
    result = fetch(mailbox)
    assert result.errors == [] and result.new == 1


def test_a_password_stored_under_another_secret_key_is_a_clear_error_on_the_mailbox(
    cast: Cast, dovecot: Dovecot, settings: object
) -> None:
    mailbox = _tls_mailbox(dovecot, ImapSecurity.SSL, tls_ca_file=str(dovecot.tls.ca))
    _deliver(dovecot, 1)
    old_key = settings.SECRET_KEY  # type: ignore[attr-defined]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40  # type: ignore[attr-defined]
    settings.SECRET_KEY_FALLBACKS = []  # type: ignore[attr-defined]

    result = fetch(Mailbox.objects.get(pk=mailbox.pk))
    assert result.new == 0
    # The desk speaks zh-Hans by default: "The stored password cannot be decrypted with this
    # server's secret key (...). Enter the password again in the mailbox settings."
    assert result.errors == [
        "无法用本服务器的密钥解密已保存的密码（输入密码后密钥已更改）。请在邮箱设置中重新输入密码。"
    ]
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.errors[0]
    assert _folder_count(dovecot, "INBOX") == 1  # nothing taken off the server

    # After a key rotation the old key, kept as a fallback, still opens the password.
    settings.SECRET_KEY_FALLBACKS = [old_key]  # type: ignore[attr-defined]
    assert fetch(mailbox).new == 1
