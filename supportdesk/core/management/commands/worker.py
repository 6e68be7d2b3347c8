"""``supportdesk worker``: runs background jobs and the periodic sweeps (Huey consumer).

The queue lives in a SQLite file in the data directory by default, in Redis when
``REDIS_URL`` is set (see settings ``HUEY``). Any number of workers may run at once: every
job is written to be safe under that (``tickets.tasks``).

SIGTERM stops gracefully: no new job starts, running ones get ``--shutdown-timeout``
seconds to finish. SIGINT (Ctrl-C) stops at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig

from supportdesk.config.preload import load_for_work
from supportdesk.core.management.commands._runtime import ensure_data_dirs


class Command(BaseCommand):
    help = "Runs the background worker: queued jobs and periodic sweeps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker threads (default: WORKER_THREADS, 2).",
        )
        parser.add_argument(
            "--shutdown-timeout",
            type=float,
            default=30.0,
            help="Seconds running jobs get to finish after SIGTERM (default 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_data_dirs()
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError(
                "HUEY_IMMEDIATE is set: jobs run inside the web process and there is nothing "
                "for a worker to do. Unset it to run a worker."
            )
        huey_settings: dict[str, Any] = settings.HUEY
        consumer_options: dict[str, Any] = dict(huey_settings.get("consumer", {}))
        if options["workers"] is not None:
            if options["workers"] < 1:
                raise CommandError("--workers must be at least 1.")
            consumer_options["workers"] = options["workers"]
        consumer_options.update(
            graceful_signal="TERM", shutdown_timeout=options["shutdown_timeout"]
        )
        config = ConsumerConfig(**consumer_options)
        config.validate()
        # Registers every app's tasks (``<app>/tasks.py``) with the consumer.
        autodiscover_modules("tasks")
        # Jobs render mail and index text: their first one should not pay for the imports.
        load_for_work(segmenter=True)
        consumer = HUEY.create_consumer(**config.values)
        # Huey installs its signal handlers only at the end of start-up; a SIGTERM in that
        # window (a deploy right after a restart) would kill the process without the graceful
        # path. Installing them before start-up closes the window; start-up installs them again.
        consumer._set_signal_handlers()
        consumer.run()
