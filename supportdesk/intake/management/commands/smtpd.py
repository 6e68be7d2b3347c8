"""``supportdesk smtpd``: the SMTP ingress a mail server forwards support mail to."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from supportdesk.config.preload import load_for_work
from supportdesk.intake.email.smtp import ingress_controller


class Command(BaseCommand):
    help = "Receives support mail over SMTP and turns it into tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, **options: Any) -> None:
        # Mail with inline images links to their pages: loaded now, not on the first mail.
        load_for_work(segmenter=False)
        controller = ingress_controller(options["host"], options["port"])
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"SMTP ingress listening on {options['host']}:{options['port']}")
        try:
            stop.wait()
        finally:
            controller.stop()
