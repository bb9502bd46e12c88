import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from movement.models import ApiToken, Scope
from supporters.models import Supporter

CASES = Path(__file__).parent / "cases"


def load_case(name: str) -> dict:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


@pytest.fixture
def make_token(db):
    def make(*scopes, **kwargs):
        token, plaintext = ApiToken.generate("test", scopes or [s.value for s in Scope], **kwargs)
        return plaintext

    return make


@pytest.fixture
def api(make_token):
    """An API client whose token grants every scope."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token()}")
    return client


@pytest.fixture
def member(db):
    """The supporter that Movement's documented examples name."""
    return Supporter.objects.create(
        external_id="MembershipNumber", first_name="Ada", last_name="Lovelace"
    )


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "staff", "staff@example.org", "pw-staff-123", is_staff=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
