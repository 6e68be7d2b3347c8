"""``supportdesk token USERNAME --name NAME``: an API token for scripts and integrations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.accounts.actions import do_issue_api_token
from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "Issues an API token acting as USERNAME and prints it once; only its hash is stored. "
        "Use it as 'Authorization: Bearer <token>'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", required=True, help="What will use the token, e.g. 'monitoring'."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.username} is deactivated; a token would not work.")
        try:
            token, raw = do_issue_api_token(user, name=options["name"])
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The token alone goes to stdout so scripts can capture it; the advice to stderr.
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.name!r} ({token.prefix}…) for {user.username}. It is shown only "
            "now: store it in your secret store."
        )
