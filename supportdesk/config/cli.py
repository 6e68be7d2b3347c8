"""The ``supportdesk`` command: Django's management commands under the product's name.

``supportdesk demo`` / ``serve`` / ``worker`` / ``createadmin`` / ``token`` are commands of
the ``core`` app; anything else (``migrate``, ``shell``...) is passed to Django as it is.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *sys.argv[1:]] if len(sys.argv) > 1 else [sys.argv[0], "help"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
