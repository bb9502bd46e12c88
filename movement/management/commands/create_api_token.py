from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from movement.models import Scope
from movement.tokens import create_token


class Command(BaseCommand):
    help = "Create an API token and print it, once, on stdout. Only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument(
            "name", help="A name for the integration or person that uses the token."
        )
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=Scope.values,
            required=True,
            help="A scope to grant; repeat for several.",
        )
        parser.add_argument(
            "--expires-in-days", type=int, default=None, help="Days until the token expires."
        )

    def handle(self, *args, name, scopes, expires_in_days, **options):
        if not name.strip():
            raise CommandError("The token name is empty. Name the integration that will use it.")
        if expires_in_days is not None and expires_in_days <= 0:
            raise CommandError("--expires-in-days must be a positive number of days.")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        token, plaintext = create_token(name.strip(), scopes, expires_at=expires_at)
        self.stderr.write(f"Created API token {token.pk} ({', '.join(token.scopes)}).")
        self.stdout.write(plaintext)
