"""Helpers shared by the long-running commands (``serve``, ``worker``, ``demo``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def ensure_data_dirs() -> None:
    """Creates the data directory the embedded defaults write to (database, queue, files).

    Settings create it only when they have to write the secret key; with ``SECRET_KEY`` set,
    a fresh machine would otherwise fail on the first SQLite or upload write.
    """
    for directory in (settings.DATA_DIR, settings.MEDIA_ROOT, settings.STATIC_ROOT):
        Path(directory).mkdir(parents=True, exist_ok=True)
