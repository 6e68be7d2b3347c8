"""``supportdesk bench_mail``: messages ingested per second from a folder of raw mail.

Every round ingests every message of the folder through the real path (parse, thread,
store raw, create the ticket or reply with its attachments), single process, in batches as
the IMAP fetch does (``--batch 1``: one message per transaction, as the SMTP ingress). Each round
gives the messages fresh Message-IDs, so later rounds are new mail rather than duplicates.
Run it against a throwaway database: it creates a mailbox and real tickets.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from supportdesk.intake.email import ingest
from supportdesk.intake.models import Mailbox

_MESSAGE_ID = re.compile(rb"^(Message-ID:[ \t]*<)", re.I | re.M)


class Command(BaseCommand):
    help = "Measures mail ingestion throughput (messages per second) from a folder of mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--batch", type=int, default=ingest.BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        messages = [p.read_bytes() for p in corpus_paths(options["folder"])]
        mailbox, _created = Mailbox.objects.get_or_create(
            address="bench@desk.example", defaults={"name": "bench"}
        )
        size = max(1, options["batch"])
        total = 0
        elapsed = 0.0
        for round_number in range(options["rounds"]):
            tag = f"r{round_number}-{time.time_ns()}.".encode()
            batch = [_retag(raw, tag, index) for index, raw in enumerate(messages)]
            started = time.perf_counter()
            for start in range(0, len(batch), size):
                ingest.receive_batch(batch[start : start + size], mailbox)
            spent = time.perf_counter() - started
            total += len(batch)
            elapsed += spent
            self.stdout.write(
                f"round {round_number + 1}: {len(batch)} messages in {spent:.2f} s "
                f"= {len(batch) / spent:.0f} messages/s"
            )
        self.stdout.write(
            f"{connection.vendor}: {total} messages in {elapsed:.2f} s = "
            f"{total / elapsed:.0f} messages/s (single process, batches of {size})"
        )


def corpus_paths(folder: Path) -> list[Path]:
    """The message files of a corpus folder (not its expectation files and notes)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix not in {".yml", ".json", ".md"} and "LICENSE" not in p.name
    )


def _retag(raw: bytes, tag: bytes, index: int) -> bytes:
    if _MESSAGE_ID.search(raw[:65536]):
        return _MESSAGE_ID.sub(lambda m: m.group(1) + tag, raw, count=1)
    # Without a Message-ID a message is known by its digest: make each round's copy unique.
    return b"X-Bench-Round: " + tag + str(index).encode() + b"\r\n" + raw
