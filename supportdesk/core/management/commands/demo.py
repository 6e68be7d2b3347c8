"""``supportdesk demo``: the whole product on one machine, with demo data, in one command.

1. Migrates the database (SQLite in the data directory unless ``DATABASE_URL`` says else).
2. Loads the demo data if the desk has no tickets yet (a second run keeps what is there).
3. Starts ``supportdesk worker``, ``supportdesk serve`` and the SMTP ingress
   (``supportdesk smtpd``) as child processes, waits until ``/healthz`` answers, and prints
   the addresses and the demo logins.
4. On Ctrl-C or SIGTERM, stops the children (SIGTERM, then SIGKILL after a grace period);
   if any child dies on its own, stops the others and exits with an error.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from supportdesk.core.demo_data import DEMO_LOGINS, DEMO_MAILBOX, DEMO_PASSWORD, load_demo_data
from supportdesk.core.management.commands._runtime import ensure_data_dirs

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class Command(BaseCommand):
    help = (
        "Runs supportdesk with demo data on 127.0.0.1: migrates, loads demo data once, starts "
        "the worker, the web server and the SMTP ingress, and prints the demo logins. Ctrl-C "
        "stops everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Web server port (8000).")
        parser.add_argument(
            "--tickets", type=int, default=300, help="Demo tickets to create (300)."
        )
        parser.add_argument("--smtp-port", type=int, default=2525, help="SMTP ingress port (2525).")

    def handle(self, *args: Any, **options: Any) -> None:
        port, tickets, smtp_port = options["port"], options["tickets"], options["smtp_port"]
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        if not 0 < smtp_port < 65536 or smtp_port == port:
            raise CommandError("--smtp-port must be between 1 and 65535 and not --port.")
        if tickets < 0:
            raise CommandError("--tickets cannot be negative.")
        ensure_data_dirs()
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        fresh = self._load(tickets)
        # Children open their own connections; ours must not be shared across a fork/exec.
        connections.close_all()

        stop = threading.Event()
        received: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            received.append(signum)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            children["worker"] = self._spawn("worker", "--shutdown-timeout", "10")
            children["web server"] = self._spawn(
                "serve", "--host", HOST, "--port", str(port), "--no-access-log"
            )
            children["SMTP ingress"] = self._spawn(
                "smtpd", "--host", HOST, "--port", str(smtp_port)
            )
            for name, child in children.items():
                self.stdout.write(f"Started the {name} (pid {child.pid}).")
            self._wait_until_healthy(port, children, stop)
            self._wait_for_smtp(port, smtp_port, children, stop)
            if not stop.is_set():
                self._banner(port, smtp_port, fresh=fresh)
            while not stop.wait(0.5):
                self._check_alive(children, port)
        finally:
            self._stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Stopped the web server, the worker and the SMTP ingress.")

    # --- steps ------------------------------------------------------------------------

    def _load(self, tickets: int) -> bool:
        self.stdout.write(f"Loading demo data ({tickets} tickets) if the desk is empty…")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} tickets")

        made = load_demo_data(tickets=tickets, progress=progress)
        if made:
            elapsed = time.monotonic() - started
            self.stdout.write(f"Loaded demo data: {made} tickets in {elapsed:.0f} s.")
        else:
            self.stdout.write("The desk already has tickets: demo data was not loaded again.")
        return bool(made)

    def _spawn(self, *command: str) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C reaches only us, and we stop the children in order.
        return subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "supportdesk.config.cli", *command, "--skip-checks"],
            start_new_session=True,
            env=_demo_env(),
        )

    @staticmethod
    def _mail_out() -> str:
        if _demo_env().get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"):
            return f"written to files in {settings.EMAIL_FILE_PATH} (no mail leaves this machine)"
        return f"sent through {os.environ.get('EMAIL_HOST', 'EMAIL_BACKEND')}"

    def _check_alive(self, children: dict[str, subprocess.Popen[bytes]], port: int) -> None:
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                hint = {
                    "web server": f" Is port {port} already in use? Try --port.",
                    "SMTP ingress": " Is its port already in use? Try --smtp-port.",
                }.get(name, "")
                raise CommandError(f"The {name} stopped unexpectedly (exit code {code}).{hint}")

    def _wait_until_healthy(
        self, port: int, children: dict[str, subprocess.Popen[bytes]], stop: threading.Event
    ) -> None:
        url = f"http://{HOST}:{port}/healthz"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not stop.is_set():
            self._check_alive(children, port)
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise CommandError(
                    f"The web server did not answer {url} within {STARTUP_TIMEOUT:.0f} s."
                )
            stop.wait(0.25)

    def _wait_for_smtp(
        self,
        port: int,
        smtp_port: int,
        children: dict[str, subprocess.Popen[bytes]],
        stop: threading.Event,
    ) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not stop.is_set():
            self._check_alive(children, port)
            try:
                with socket.create_connection((HOST, smtp_port), timeout=1):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise CommandError(
                    f"The SMTP ingress did not listen on {HOST}:{smtp_port} within "
                    f"{STARTUP_TIMEOUT:.0f} s."
                )
            stop.wait(0.25)

    def _banner(self, port: int, smtp_port: int, *, fresh: bool) -> None:
        base = f"http://{HOST}:{port}"
        lines = [
            "",
            self.style.SUCCESS(f"supportdesk is running at {base}/"),
            "",
            f"  Customer portal    {base}/portal/",
            f"  Agent workspace    {base}/desk/",
            f"  Administration     {base}/admin/",
            f"  API (OpenAPI)      {base}/api/v1/openapi.json",
            f"  Mail in (SMTP)     smtp://{HOST}:{smtp_port}: mail to {DEMO_MAILBOX} (or any"
            " mailbox set up under Administration) becomes a ticket",
            f"  Mail out           {self._mail_out()}",
            f"  Sign in            {base}/login/",
            "",
            f"Demo logins (every password is {DEMO_PASSWORD!r}):",
        ]
        for login in DEMO_LOGINS:
            lines.append(f"  {login.role:<12} {login.username:<10} {DEMO_PASSWORD}  ({login.sees})")
        if not fresh:
            lines.append("  (valid if this desk's data was made by `supportdesk demo`)")
        lines += [
            "",
            "These passwords are fixed and printed because this is a demo: keep this instance",
            "on 127.0.0.1. For real use, start from an empty database and create the first",
            "administrator with: supportdesk createadmin USERNAME --email E",
            f"To start the demo over, stop it and delete {settings.DATA_DIR}.",
            "",
            "Press Ctrl-C to stop.",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, child in children.items():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it.")
                child.kill()
                child.wait()


def _demo_env() -> dict[str, str]:
    """Without a mail server of the user's own (EMAIL_HOST), the demo's outgoing mail
    (acknowledgements, replies, notifications) is written to files instead of retrying
    against a localhost:25 that isn't there; nothing leaves the machine."""
    env = dict(os.environ)
    if "EMAIL_HOST" not in env and "EMAIL_BACKEND" not in env:
        env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    return env
