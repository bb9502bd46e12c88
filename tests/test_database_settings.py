"""Connection settings that the service relies on."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgres_sessions_use_ssd_page_cost():
    if connection.vendor != "postgresql":
        pytest.skip("random_page_cost is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
