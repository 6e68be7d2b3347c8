from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from supportdesk.search.documents import rebuild, stale_analyzer


class Command(BaseCommand):
    help = "Rebuilds the search index into a new generation, then switches to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="only when the index was built by another analyzer version (after an upgrade)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_stale"] and stale_analyzer() is None:
            self.stdout.write("search index is current")
            return
        count = rebuild()
        self.stdout.write(f"indexed {count} documents")
