from typing import Any

from django.core.management.base import BaseCommand

from supportdesk.search.documents import rebuild


class Command(BaseCommand):
    help = "Rebuilds the search index into a new generation, then switches to it."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild()
        self.stdout.write(f"indexed {count} documents")
