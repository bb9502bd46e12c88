"""Two gunicorn servers on different ports ingest into one PostgreSQL database at once."""

import pytest
from django.db import connection

from tests import live

CLIENTS = 8
REQUESTS_PER_CLIENT = 12

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workload(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: several app servers share one database only in production "
            "setups, and SQLite is for a single process"
        )
    return live.build_workload(
        clients=CLIENTS, requests_per_client=REQUESTS_PER_CLIENT, seed=20240315
    )


def test_two_servers_keep_guarantees(workload):
    # given supporters, a token and two gunicorn servers on their own ports
    token = live.seed(workload)

    # when 8 clients split over the two servers post overlapping batches
    with live.gunicorn() as first, live.gunicorn() as second:
        assert first.url != second.url
        outcome = live.run_clients(workload, [first.url, second.url], token, CLIENTS)
        logs = [first.log_text(), second.log_text()]
    live.report(f"scale-out (2 servers, {CLIENTS} clients): {live.summary(outcome)}")

    # then both servers stored batches and every guarantee of a single server still applies
    assert "Ingested" in logs[0]
    assert "Ingested" in logs[1]
    live.assert_guarantees(workload, outcome, logs, token)
