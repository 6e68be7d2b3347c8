"""``supportdesk fetchmail``: fetches every IMAP mailbox once, or keeps polling."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from supportdesk.config.preload import load_for_work
from supportdesk.intake.email.imap import fetch_all, watch
from supportdesk.intake.models import Mailbox


class Command(BaseCommand):
    help = "Fetches support mail from the IMAP mailboxes and turns it into tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="Keep polling every N seconds (default: once)."
        )
        parser.add_argument(
            "--idle",
            action="store_true",
            help="Keep running; use IMAP IDLE where the server has it (polls with --every).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Mail with inline images links to their pages: loaded now, not on the first mail.
        load_for_work(segmenter=False)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        if options["idle"]:
            self._watch_all(stop, options["every"] or 60.0)
            return
        while True:
            for address, result in fetch_all().items():
                self.stdout.write(f"{address}: {result.fetched} fetched, {result.new} new")
                for error in result.errors:
                    self.stderr.write(f"{address}: {error}")
            if not options["every"] or stop.wait(options["every"]):
                return

    def _watch_all(self, stop: threading.Event, poll_seconds: float) -> None:
        def run(mailbox: Mailbox) -> None:
            try:
                watch(mailbox, stop, poll_seconds=poll_seconds)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run, args=(mailbox,), name=f"imap {mailbox.address}")
            for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
