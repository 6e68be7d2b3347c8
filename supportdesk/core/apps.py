from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def refresh_sqlite_statistics(using: str = "default", **kwargs: Any) -> None:
    """Refreshes SQLite's planner statistics after migrations.

    A new index without statistics can mislead SQLite's planner badly (the open queue went
    from 3.5 ms to 143 ms at a million tickets until ANALYZE ran; bench/RESULTS.md). The
    analysis limit keeps this to a sample, so it takes well under a second at that size.
    PostgreSQL's autovacuum keeps its own statistics.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


class CoreConfig(AppConfig):
    name = "supportdesk.core"
    label = "core"

    def ready(self) -> None:
        from django.apps import apps

        # Once per migrate run, after the last app: Django sends post_migrate for each app
        # that has models (this one has none), in INSTALLED_APPS order.
        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(refresh_sqlite_statistics, sender=last)
