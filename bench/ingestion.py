"""Ingestion throughput: the HTTP endpoints under gunicorn against psycopg alone.

Both sides get the same batches (same supporters, activities and entities) from the same number
of concurrent clients, and the rows each side wrote are deleted before the other side runs, so
both always create. Request bodies are encoded before the clock starts.
"""

import http.client
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from bench import raw

logger = logging.getLogger(__name__)

ENTITY_SOURCE = "bench_platform"
ENTITY_POOL = 200
ACTIVITIES_PER_BULK_RECORD = 10


@dataclass
class Workload:
    """The batches for one endpoint and batch size."""

    endpoint: str  # "activity" or "bulk"
    batch_size: int
    batches: list[list[tuple[str, list[dict]]]]

    @property
    def path(self) -> str:
        return "/api/activity" if self.endpoint == "activity" else "/api/activity/bulk"

    @property
    def activities(self) -> int:
        return len(self.batches) * self.batch_size

    def rounds(self, count: int) -> list["Workload"]:
        """Split the batches into ``count`` consecutive workloads of about equal size."""
        size = -(-len(self.batches) // count)
        return [
            Workload(self.endpoint, self.batch_size, self.batches[start : start + size])
            for start in range(0, len(self.batches), size)
        ]

    def body(self, batch) -> bytes:
        records = [
            {"external_id": supporter, "activities": activities} for supporter, activities in batch
        ]
        if self.endpoint == "activity":
            return json.dumps(records[0]).encode()
        return json.dumps({"records": records}).encode()


@dataclass
class Throughput:
    activities: int
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.activities / self.seconds if self.seconds else 0.0

    @classmethod
    def total(cls, parts: list["Throughput"]) -> "Throughput":
        return cls(
            sum(part.activities for part in parts),
            sum(part.requests for part in parts),
            sum(part.seconds for part in parts),
        )


def _entity(number: int) -> dict:
    key = number % ENTITY_POOL
    return {
        "kind": "event",
        "source": ENTITY_SOURCE,
        "external_id": f"BENCH-EVT-{key}",
        "name": f"Benchmark event {key}",
        "metadata": {"Location": "Civic Centre", "Timezone": "Australia/Sydney"},
        "external_url": f"https://events.example.org/e/BENCH-EVT-{key}",
    }


def _activity(prefix: str, number: int, happened_at: datetime) -> dict:
    return {
        "external_id": f"{prefix}-{number}",
        "upsert": True,
        "topic": "event_rsvp",
        "title": f"RSVP'd to Benchmark event {number % ENTITY_POOL}",
        "source": "event_platform",
        "body": "User confirmed attendance through the event page.",
        "status": "confirmed",
        "happened_at": (happened_at - timedelta(minutes=number)).isoformat().replace("+00:00", "Z"),
        "entities": [_entity(number)],
    }


def build_workload(
    endpoint: str, batch_size: int, batch_count: int, supporters: int, prefix: str
) -> Workload:
    """Build ``batch_count`` batches of ``batch_size`` activities with one entity each.

    ``/api/activity`` carries one supporter per request; the bulk endpoint carries records of up
    to ten activities, each for another supporter. Supporters are drawn from ``S-0000002`` up.
    """
    now = datetime.now(UTC).replace(microsecond=0)
    per_record = (
        batch_size if endpoint == "activity" else min(batch_size, ACTIVITIES_PER_BULK_RECORD)
    )
    number = 0
    batches = []
    for _ in range(batch_count):
        batch = []
        for _ in range(0, batch_size, per_record):
            supporter = f"S-{2 + (number * 7919) % (supporters - 1):07d}"
            activities = [_activity(prefix, number + offset, now) for offset in range(per_record)]
            number += per_record
            batch.append((supporter, activities))
        batches.append(batch)
    return Workload(endpoint, batch_size, batches)


def _run_concurrently(items, concurrency: int, time_limit: float, make_worker) -> Throughput:
    """Feed ``items`` to ``concurrency`` threads until done or ``time_limit`` seconds pass.

    ``make_worker()`` runs in each thread and returns a callable that handles one item and
    returns its activity count. The first error stops every thread and is raised here.
    """
    lock = threading.Lock()
    position = 0
    done_activities = 0
    done_requests = 0
    errors: list[BaseException] = []
    deadline = time.monotonic() + time_limit

    def loop():
        nonlocal position, done_activities, done_requests
        try:
            handle = make_worker()
            while not errors and time.monotonic() < deadline:
                with lock:
                    if position >= len(items):
                        return
                    item = items[position]
                    position += 1
                stored = handle(item)
                with lock:
                    done_activities += stored
                    done_requests += 1
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise errors[0]
    return Throughput(done_activities, done_requests, elapsed)


def run_http(
    workload: Workload, base_url: str, token: str, concurrency: int, time_limit: float
) -> Throughput:
    """Post every batch to the service; raise on any response other than 200."""
    host, port = base_url.removeprefix("http://").split(":")
    bodies = [workload.body(batch) for batch in workload.batches]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    activities_per_request = workload.batch_size

    def make_worker():
        connection = http.client.HTTPConnection(host, int(port), timeout=120)

        def post(body):
            connection.request("POST", workload.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            if response.status != 200:
                raise RuntimeError(
                    f"POST {workload.path} returned {response.status}: {content[:500]!r}"
                )
            return activities_per_request

        return post

    return _run_concurrently(bodies, concurrency, time_limit, make_worker)


def run_raw(workload: Workload, conninfo: str, concurrency: int, time_limit: float) -> Throughput:
    """Upsert every batch with :func:`bench.raw.upsert_batch`, one connection per thread."""
    connections = []

    def make_worker():
        connection = psycopg.connect(conninfo)
        connections.append(connection)
        return lambda batch: raw.upsert_batch(connection, batch)

    try:
        return _run_concurrently(workload.batches, concurrency, time_limit, make_worker)
    finally:
        for connection in connections:
            connection.close()


def delete_ingested(conninfo: str, first_new_activity_id: int) -> None:
    """Delete what a run stored: activities from ``first_new_activity_id`` on, and the pool."""
    with psycopg.connect(conninfo) as connection:
        connection.execute(
            "DELETE FROM activities_activityentitylink WHERE activity_id >= %s",
            [first_new_activity_id],
        )
        connection.execute(
            "DELETE FROM activities_activity WHERE id >= %s", [first_new_activity_id]
        )
        connection.execute(
            "DELETE FROM activities_activityentity WHERE source = %s", [ENTITY_SOURCE]
        )


def next_activity_id(conninfo: str) -> int:
    with psycopg.connect(conninfo) as connection:
        (last,) = connection.execute(
            "SELECT coalesce(max(id), 0) FROM activities_activity"
        ).fetchone()
    return last + 1
