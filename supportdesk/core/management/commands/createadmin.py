"""``supportdesk createadmin USERNAME --email E``: the first administrator of a new install."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from supportdesk.accounts.actions import do_create_admin
from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "Creates an administrator. The password is read from the environment variable named "
        "by --password-from-env, or asked for twice; it must pass the password rules."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the password from this environment variable (for scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        email = options["email"].strip()
        if not username:
            raise CommandError("Give a username.")
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"--email: {email!r} is not an email address.") from exc
        if User.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken.")

        password = self._password(options["password_from_env"])
        try:
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        try:
            user = do_create_admin(username=username, email=email, password=password)
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.username} created."))

    def _password(self, env_var: str | None) -> str:
        if env_var:
            password = os.environ.get(env_var, "")
            if not password:
                raise CommandError(f"The environment variable {env_var} is unset or empty.")
            return password
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError(
                "No password given. Type it at the prompt or use --password-from-env VAR."
            ) from exc
        if first != second:
            raise CommandError("The two passwords differ; nothing was created.")
        if not first:
            raise CommandError("The password is empty; nothing was created.")
        return first
