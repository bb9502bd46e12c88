"""Eight clients ingest overlapping batches at once through a live gunicorn on PostgreSQL."""

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
            "needs PostgreSQL: the test runs gunicorn workers against the test database, and "
            "SQLite serialises every writer anyway"
        )
    return live.build_workload(clients=CLIENTS, requests_per_client=REQUESTS_PER_CLIENT)


def test_concurrent_ingest_is_serial(workload):
    # given supporters, a token and one gunicorn with 2 workers of 4 threads
    token = live.seed(workload)

    # when 8 clients post overlapping batches in different orders
    with live.gunicorn() as server:
        outcome = live.run_clients(workload, [server.url], token, CLIENTS)
        server_log = server.log_text()
    live.report(f"concurrency (1 server, {CLIENTS} clients): {live.summary(outcome)}")

    # then no request failed, no row is duplicated, and some serial order explains the state
    live.assert_guarantees(workload, outcome, [server_log], token)


def test_concurrent_replay_creates_nothing(workload):
    # given the workload stored once
    token = live.seed(workload)
    with live.gunicorn() as server:
        first = live.run_clients(workload, [server.url], token, CLIENTS)
        counts = live.row_counts()

        # when all 8 clients replay their requests at once
        second = live.run_clients(workload, [server.url], token, CLIENTS)
    live.report(f"concurrency replay (1 server, {CLIENTS} clients): {live.summary(second)}")

    # then every replay succeeded and created no activity or entity; links may differ, since
    # the last writer of an activity decides its entities
    assert first.errors == []
    assert second.errors == []
    assert second.statuses == {200: len(workload.requests)}
    assert live.row_counts()["activities"] == counts["activities"]
    assert live.row_counts()["entities"] == counts["entities"]
    assert live.created_counts(second) == ({}, {})
    assert live.duplicate_rows() == {"activities": 0, "entities": 0, "links": 0}

    # and the state is again that of a serial order, because the replay rewrote every row
    activity_writer, entity_writer, problems = live.final_writers(workload)
    assert problems == []
    assert len(live.check_serial(workload, activity_writer, entity_writer)) == len(
        workload.requests
    )
