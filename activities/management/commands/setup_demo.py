import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from activities.demo import load_demo_data
from movement.models import ApiToken, Scope, hash_token
from movement.tokens import create_token
from supporters.models import Supporter

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".demo-credentials"
TOKEN_FILE = Path(settings.BASE_DIR) / ".demo-token"


class Command(BaseCommand):
    help = (
        "Load demo data on the first run, and create a staff login and an API token for local "
        "use. Their secrets are kept in .demo-credentials and .demo-token (both git-ignored)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--supporters", type=int, default=300, help="Number of demo supporters."
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The address the server will listen on, for the printed links.",
        )

    def handle(self, *args, supporters, base_url, **options):
        if Supporter.objects.exists():
            self.stdout.write("Demo data: already loaded, left as it is.")
        else:
            counts = load_demo_data(supporter_count=supporters)
            self.stdout.write(
                f"Demo data: {counts['supporters']} supporters, "
                f"{counts['activities_sent']} activity deliveries, {counts['events']} events."
            )

        credentials = self.staff_login()
        token = self.api_token()
        self.stdout.write("")
        self.stdout.write(f"Staff login:  {credentials['username']} / {credentials['password']}")
        self.stdout.write(f"API token:    {token}   (also in .demo-token)")
        base_url = base_url.rstrip("/")
        self.stdout.write(f"Open {base_url}/ and the API docs at {base_url}/api/docs/")

    def staff_login(self) -> dict:
        User = get_user_model()
        if CREDENTIALS_FILE.exists():
            credentials = json.loads(CREDENTIALS_FILE.read_text())
            if User.objects.filter(username=credentials["username"]).exists():
                return credentials
        credentials = {"username": "staff", "password": secrets.token_urlsafe(12)}
        user, _ = User.objects.get_or_create(username=credentials["username"])
        user.is_staff = True
        user.is_superuser = True
        user.set_password(credentials["password"])
        user.save()
        CREDENTIALS_FILE.write_text(json.dumps(credentials))
        CREDENTIALS_FILE.chmod(0o600)
        return credentials

    def api_token(self) -> str:
        if TOKEN_FILE.exists():
            plaintext = TOKEN_FILE.read_text().strip()
            if ApiToken.objects.usable().filter(key_hash=hash_token(plaintext)).exists():
                return plaintext
        _, plaintext = create_token("demo", [scope.value for scope in Scope])
        TOKEN_FILE.write_text(plaintext + "\n")
        TOKEN_FILE.chmod(0o600)
        return plaintext
