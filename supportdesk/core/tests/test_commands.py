"""The ``supportdesk`` commands: createadmin, token, verify_timelines, serve, worker, demo."""

from __future__ import annotations

import getpass
import http.cookiejar
import io
import os
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import ApiToken, User
from supportdesk.core.demo_data import DEMO_MAILBOX, load_demo_data
from supportdesk.tests_support import Cast
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

STRONG = "lantern-orchard-7-quiet"


def run(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages from Django's validators follow the active language; assert on the English.
    with translation.override("en"):
        yield


# --- createadmin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_createadmin_makes_an_administrator_with_the_password_from_the_environment(
    monkeypatch,
) -> None:
    monkeypatch.setenv("SUPPORTDESK_ADMIN_PASSWORD", STRONG)
    out = run("createadmin", "boss", email="boss@example.com",
              password_from_env="SUPPORTDESK_ADMIN_PASSWORD")  # fmt: skip
    user = User.objects.get(username="boss")
    assert user.role == Role.ADMIN and user.is_superuser and user.is_staff
    assert user.email == "boss@example.com"
    assert user.check_password(STRONG)
    assert "Administrator boss created." in out


@pytest.mark.django_db
def test_createadmin_asks_for_the_password_twice(monkeypatch) -> None:
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    run("createadmin", "boss", email="boss@example.com")
    assert User.objects.get(username="boss").check_password(STRONG)


@pytest.mark.django_db
def test_createadmin_refuses_two_different_passwords(monkeypatch) -> None:
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        run("createadmin", "boss", email="boss@example.com")
    assert not User.objects.filter(username="boss").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [("12345678", "too common"), ("s3cr", "too short")],
)
def test_createadmin_refuses_a_weak_password_with_the_reason(
    monkeypatch, password: str, message: str
) -> None:
    monkeypatch.setenv("PW", password)
    with pytest.raises(CommandError, match=message):
        run("createadmin", "boss", email="boss@example.com", password_from_env="PW")
    assert not User.objects.filter(username="boss").exists()


@pytest.mark.django_db
def test_createadmin_refuses_an_empty_password_variable(monkeypatch) -> None:
    monkeypatch.setenv("PW", "")
    with pytest.raises(CommandError, match="PW is unset or empty"):
        run("createadmin", "boss", email="boss@example.com", password_from_env="PW")


@pytest.mark.django_db
def test_createadmin_refuses_an_empty_password_at_the_prompt(monkeypatch) -> None:
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "")
    with pytest.raises(CommandError, match="empty"):
        run("createadmin", "boss", email="boss@example.com")


@pytest.mark.django_db
def test_createadmin_refuses_a_bad_email_and_a_taken_username(monkeypatch, cast: Cast) -> None:
    monkeypatch.setenv("PW", STRONG)
    with pytest.raises(CommandError, match="not an email address"):
        run("createadmin", "boss", email="boss-at-example", password_from_env="PW")
    with pytest.raises(CommandError, match="taken"):
        run("createadmin", "admin", email="admin@example.com", password_from_env="PW")


# --- token ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_prints_a_key_once_that_authenticates_as_the_user(cast: Cast) -> None:
    out = run("token", "chen.l1", name="monitoring")
    raw = out.strip()
    assert raw.startswith("sd_") and "\n" not in raw
    token = ApiToken.objects.authenticate(raw)
    assert token is not None
    assert token.user == cast.l1 and token.name == "monitoring"
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=raw).exists()


@pytest.mark.django_db
def test_token_refuses_an_unknown_user_a_blank_name_or_a_deactivated_user(cast: Cast) -> None:
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        run("token", "nobody", name="ci")
    with pytest.raises(CommandError, match="Name the token"):
        run("token", "chen.l1", name="  ")
    cast.l2.is_active = False
    cast.l2.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="deactivated"):
        run("token", "zhao.l2", name="ci")
    assert not ApiToken.objects.exists()


# --- verify_timelines ----------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_timelines_passes_on_the_demo_desk() -> None:
    load_demo_data(tickets=20)
    assert "All 20 ticket timelines are intact." in run("verify_timelines")


@pytest.mark.django_db
def test_verify_timelines_fails_on_an_event_inserted_behind_the_products_back(
    cast: Cast,
) -> None:
    intact, forged = cast.ticket(), cast.ticket(subject="报表导出失败")
    TicketEvent(
        ticket=forged, kind=EventKind.NOTE, body="客户同意关闭", prev_hash=forged.last_event_hash,
        hash="0" * 64,
    ).save()  # fmt: skip
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("verify_timelines", stdout=out)
    assert err.value.returncode == 1
    assert "1 of 2" in str(err.value)
    assert forged.number in out.getvalue() and intact.number not in out.getvalue()


@pytest.mark.django_db
def test_verify_timelines_fails_when_the_ticket_no_longer_ends_its_chain(cast: Cast) -> None:
    ticket = cast.ticket()
    Ticket.objects.filter(pk=ticket.pk).update(last_event_hash="f" * 64)
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("verify_timelines", stdout=out)
    assert err.value.returncode == 1
    assert ticket.number in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("serve", "--port", "0"), "--port must be between 1 and 65535."),
        (("serve", "--workers", "0"), "--workers must be at least 1."),
        (("serve", "--threads", "0"), "--threads must be at least 1."),
        (("demo", "--port", "70000"), "--port must be between 1 and 65535."),
        (("demo", "--tickets", "-1"), "--tickets cannot be negative."),
    ],
)
def test_long_running_commands_refuse_bad_options_before_starting(
    args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)


# --- long-running commands, as real processes ------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command_env(data_dir: Path) -> dict[str, str]:
    """The product's own settings on a throwaway SQLite desk (never the test database)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "HUEY_IMMEDIATE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="supportdesk.config.settings",
        SUPPORTDESK_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'supportdesk.sqlite3'}",
        SECRET_KEY="command-test-secret-key-0123456789-abcdefghijklmnop",
        FAST_PASSWORD_HASHER="1",
    )
    return env


class Process:
    """A ``supportdesk`` command in its own process, its output in a file."""

    def __init__(self, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.log = data_dir / f"{args[0]}.log"
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "supportdesk.config.cli", *args],
            env={**command_env(data_dir), **(env or {})},
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, check: Callable[[], object], what: str, timeout: float = 90.0) -> object:
        """Polls ``check`` until it is truthy; each round waits at most 0.2 s on the process."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            try:
                code = self.popen.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"exited with {code} before {what}:\n{self.output}")
        pytest.fail(f"no {what} within {timeout} s:\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        self.popen.send_signal(sig)
        return self.popen.wait(timeout=timeout)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


def http_get(url: str) -> tuple[int, bytes] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def maps(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_serve_answers_health_checks_and_serves_static_files(tmp_path: Path) -> None:
    port = free_port()
    server = Process(tmp_path, "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        health = server.wait_for(lambda: http_get(f"{base}/healthz"), "an answer on /healthz")
        assert health == (200, b'{"status": "ok", "database": "ok"}')
        for path in ("/static/django_htmx/htmx-2.min.js", "/static/admin/css/base.css"):
            status, body = http_get(base + path) or (0, b"")
            assert status == 200 and len(body) > 1000, path
        assert http_get(f"{base}/static/no-such-file.css") == (404, b"")
        # One worker: it loaded the application (the segmenter's library among it) before its
        # first request; the main process, with nobody to share it with, did not.
        (worker,) = children(server.popen.pid)
        assert "rjieba" in maps(worker) and "rjieba" not in maps(server.popen.pid)
        # granian finishes open requests on SIGTERM and exits cleanly.
        assert server.stop() == 0
    finally:
        server.kill()
    assert "Started worker-1" in server.output and "shutdown completed" in server.output


def test_serve_starts_while_the_database_is_down_and_says_so(tmp_path: Path) -> None:
    # With several workers the parent connects once before forking them (the driver's set-up,
    # shared): a database that is down at that moment must not keep the service from starting.
    port, closed = free_port(), free_port()
    down = f"postgres://supportdesk:supportdesk@127.0.0.1:{closed}/supportdesk"
    server = Process(
        tmp_path, "serve", "--port", str(port), "--workers", "2", env={"DATABASE_URL": down}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = server.wait_for(lambda: http_get(f"{base}/healthz"), "an answer on /healthz")
        assert health == (503, b"")
        login = http_get(f"{base}/login/")
        assert login is not None and login[0] == 200  # the sign-in page needs no database
        assert server.stop() == 0
    finally:
        server.kill()


def test_serve_with_several_workers_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    # ``serve`` hands over to granian's main process (supportdesk/config/server.py), which
    # starts the workers; the process id stays the one that was started.
    port = free_port()
    server = Process(tmp_path, "serve", "--port", str(port), "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    try:
        health = server.wait_for(lambda: http_get(f"{base}/healthz"), "an answer on /healthz")
        assert health == (200, b'{"status": "ok", "database": "ok"}')
        page = server.wait_for(lambda: http_get(f"{base}/login/"), "the sign-in page")
        assert page[0] == 200 and b"csrfmiddlewaretoken" in page[1]  # type: ignore[index]
        assert server.stop() == 0
    finally:
        server.kill()
    assert server.output.count("Started worker") == 2
    assert "shutdown completed" in server.output


def test_a_worker_forked_from_the_preloaded_parent_serves_signed_in_pages_and_search(
    tmp_path: Path,
) -> None:
    # The parent loads the application, the templates and the segmenter before it forks
    # (supportdesk/config/server.py); a worker started later, after one died, is forked from
    # the same state and must open its own database connection and find everything working.
    env = {**command_env(tmp_path), "ADMIN_PASSWORD": STRONG}
    for args in (["migrate"], ["createadmin", "boss", "--email", "boss@example.com",
                               "--password-from-env", "ADMIN_PASSWORD"]):  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "supportdesk.config.cli", *args],
            env=env, capture_output=True, timeout=180, check=True,
        )  # fmt: skip
    port = free_port()
    server = Process(tmp_path, "serve", "--port", str(port), "--workers", "2", "--threads", "2")
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> tuple[int, str]:
        with browser.open(base + path, timeout=10) as response:
            return response.status, response.read().decode()

    def search_works() -> None:
        status, page = get("/search/?q=" + urllib.parse.quote("打印机脱机"))
        assert status == 200 and 'name="q"' in page and "打印机脱机" in page

    try:
        server.wait_for(lambda: http_get(f"{base}/healthz"), "an answer on /healthz")
        login = get("/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
        assert token is not None
        form = {"username": "boss", "password": STRONG, "csrfmiddlewaretoken": token.group(1)}
        request = urllib.request.Request(
            base + "/login/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": base + "/login/"},
        )
        with browser.open(request, timeout=10) as response:
            assert "/login/" not in response.url  # signed in and sent on
        search_works()
        # The segmenter's native library is mapped in the parent: loaded once, shared.
        assert "rjieba" in maps(server.popen.pid)
        first = children(server.popen.pid)
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        # Both replacements running and past their start (on a loaded machine a worker can be
        # forked well before it gets to say so).
        server.wait_for(
            lambda: (
                len(set(children(server.popen.pid)) - set(first)) == 2
                and server.output.count("Started worker") == 4
            ),
            "two new workers",
        )
        server.wait_for(lambda: http_get(f"{base}/healthz"), "an answer from a new worker")
        search_works()  # the session is read through a new worker's own connection
        assert server.stop() == 0
    finally:
        server.kill()
    assert server.output.count("Started worker") == 4


def test_worker_runs_the_sweeps_and_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    worker = Process(tmp_path, "worker", "--shutdown-timeout", "5")
    try:
        worker.wait_for(lambda: "auto_archive_closed_tickets" in worker.output, "the task list")
        assert "supportdesk.tickets.tasks.auto_close_resolved_tickets" in worker.output
        assert worker.stop(signal.SIGTERM) == 0
    finally:
        worker.kill()
    assert "Shutting down gracefully" in worker.output
    assert "Consumer exiting" in worker.output
    assert (tmp_path / "tasks.sqlite3").exists()


PRELOAD_PROBE = """
import sys
import django
django.setup()
from supportdesk.config.preload import load_for_work
before = "supportdesk.workspace.views" in sys.modules
load_for_work(segmenter=sys.argv[1] == "with-segmenter")
print(
    before,
    "supportdesk.workspace.views" in sys.modules,
    "rjieba.rjieba" in sys.modules,
    "rjieba" in sys.modules,
)
"""


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("without", "False True False False"), ("with-segmenter", "False True True False")],
)
def test_long_running_processes_load_every_page_at_start_and_the_dictionary_only_if_asked(
    tmp_path: Path, mode: str, expected: str
) -> None:
    # The worker and the web server search and index; the mail intake commands do neither
    # and do not carry the segmenter's dictionary. Nobody imports the ``rjieba`` package,
    # which would build jieba's full dictionary (~32 MB) beside ours.
    done = subprocess.run(
        [sys.executable, "-c", PRELOAD_PROBE, mode],
        env=command_env(tmp_path), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stdout.split()[-4:] == expected.split()


def test_worker_refuses_to_run_when_jobs_run_inline(tmp_path: Path) -> None:
    env = {**command_env(tmp_path), "HUEY_IMMEDIATE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "supportdesk.config.cli", "worker"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "HUEY_IMMEDIATE" in done.stderr


def test_demo_migrates_loads_data_serves_and_stops_both_children(tmp_path: Path) -> None:
    port, smtp_port = free_port(), free_port()
    demo = Process(
        tmp_path, "demo", "--port", str(port), "--tickets", "12", "--smtp-port", str(smtp_port)
    )
    try:
        demo.wait_for(lambda: "Press Ctrl-C to stop." in demo.output, "the demo banner", 180)
        output = demo.output
        expected = [
            f"http://127.0.0.1:{port}/portal/", f"http://127.0.0.1:{port}/desk/", "/admin/",
            "/api/v1/openapi.json", "liu.yang", "chen.jing", "zhao.lei", "sun.li", "qian.jun",
            "admin", "supportdesk-demo", "because this is a demo",
        ]  # fmt: skip
        assert [text for text in expected if text not in output] == []
        pids = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", output)]
        assert len(pids) == 3  # worker, web server, SMTP ingress
        assert f"smtp://127.0.0.1:{smtp_port}" in output
        assert DEMO_MAILBOX in output
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "li.na@example.com", DEMO_MAILBOX, "打印机脱机"
        mail.set_content("车间的标签打印机一直显示脱机。")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.send_message(mail)

        def mailed_ticket() -> bool:
            with sqlite3.connect(tmp_path / "supportdesk.sqlite3") as db:
                query = "SELECT count(*) FROM tickets_ticket WHERE subject = '打印机脱机'"
                return db.execute(query).fetchone() == (1,)

        demo.wait_for(mailed_ticket, "the mailed ticket", 60)
        # With no mail server of the user's, the acknowledgement is written to a file.
        assert f"written to files in {tmp_path / 'sent-mail'}" in output
        sent = tmp_path / "sent-mail"

        def acknowledgement() -> bool:
            mails = [p.read_bytes() for p in sent.glob("*.log")] if sent.exists() else []
            return any(b"To: li.na@example.com" in mail for mail in mails)

        demo.wait_for(acknowledgement, "the acknowledgement", 60)
        assert http_get(f"http://127.0.0.1:{port}/healthz") is not None
        assert (http_get(f"http://127.0.0.1:{port}/login/") or (0,))[0] == 200
        assert demo.stop(signal.SIGINT) == 0
    finally:
        demo.kill()
    assert "Stopped the web server, the worker and the SMTP ingress." in demo.output
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with sqlite3.connect(tmp_path / "supportdesk.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM tickets_ticket").fetchone() == (13,)


@pytest.mark.sqlite
@pytest.mark.django_db
def test_migrate_leaves_sqlite_planner_statistics_in_place() -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets_category'")
        assert cursor.fetchone()[0] > 0
