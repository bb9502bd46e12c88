"""The setup_demo command that `make run` calls."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from activities.models import Activity, ActivityEntity
from movement.models import ApiToken, hash_token
from supporters.models import Supporter


@pytest.fixture
def secrets_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "activities.management.commands.setup_demo.CREDENTIALS_FILE", tmp_path / "credentials"
    )
    monkeypatch.setattr("activities.management.commands.setup_demo.TOKEN_FILE", tmp_path / "token")
    return tmp_path


def run_setup(*args):
    out = StringIO()
    call_command("setup_demo", "--supporters", "30", *args, stdout=out)
    return out.getvalue()


def test_setup_demo_loads_data_and_prints_access(db, secrets_in_tmp):
    output = run_setup("--base-url", "http://127.0.0.1:8122/")

    assert Supporter.objects.count() == 30
    assert Supporter.objects.filter(external_id__in=["MembershipNumber", "M-000412"]).count() == 2
    assert Activity.objects.exists()
    assert ActivityEntity.objects.filter(kind="event").exists()
    assert (
        "Open http://127.0.0.1:8122/ and the API docs at http://127.0.0.1:8122/api/docs/" in output
    )
    token = (secrets_in_tmp / "token").read_text().strip()
    assert token in output
    assert ApiToken.objects.usable().filter(key_hash=hash_token(token)).exists()
    assert get_user_model().objects.get(username="staff").is_staff


def test_setup_demo_second_run_keeps_data_and_secrets(db, secrets_in_tmp):
    first = run_setup()
    activities = Activity.objects.count()

    second = run_setup()

    assert "already loaded" in second
    assert Activity.objects.count() == activities
    assert ApiToken.objects.count() == 1
    assert first.splitlines()[-3:] == second.splitlines()[-3:]
