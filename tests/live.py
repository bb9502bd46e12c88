"""Live gunicorn servers and a concurrent ingestion workload for the concurrency tests.

The workload posts overlapping batches: every request carries activities of one supporter
(or two, through the bulk endpoint) and links entities from a pool shared by all supporters,
in its own random order. Each request tags the values it writes with its own number, so the
final database state shows which request wrote each row last. From that, :func:`check_serial`
proves the state equals the result of running the requests one at a time in some order.
"""

import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.db import connection

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from movement.models import ApiToken, Scope
from supporters.models import Supporter

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
STARTUP_SECONDS = 30
REQUEST_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """Return a URL for the test database that pytest-django created (PostgreSQL only)."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@dataclass
class Server:
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def gunicorn(workers: int = 2, threads: int = 4):
    """Run ``gunicorn movement.wsgi`` on a free loopback port against the test database."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "movement.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "live-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        # Close connections after each request, so no server connection outlives the test and
        # blocks pytest-django from flushing or dropping the database.
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
    }
    command = [
        str(GUNICORN),
        "movement.wsgi",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        str(REQUEST_SECONDS),
        "--graceful-timeout",
        "5",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", log, process)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.unlink(missing_ok=True)


def _wait_until_ready(server: Server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log_text()[-3000:]}")
        try:
            requests.get(f"{server.url}/api/activity", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in {STARTUP_SECONDS} s")


# --- The workload ---------------------------------------------------------------------------


@dataclass
class Workload:
    """The requests to send, and what each one wrote, for checking the final state."""

    supporters: list[str]
    requests: list[tuple[str, dict]] = field(default_factory=list)  # (path, body)
    # identity -> {request number: the values that request sent for it}
    activity_writes: dict[str, dict[int, dict]] = field(default_factory=lambda: defaultdict(dict))
    entity_writes: dict[tuple, dict[int, dict]] = field(default_factory=lambda: defaultdict(dict))


def build_workload(
    *,
    clients: int,
    requests_per_client: int,
    supporters: int = 4,
    activities_per_supporter: int = 30,
    entities: int = 20,
    batch: int = 15,
    seed: int = 20240228,
) -> Workload:
    rng = random.Random(seed)
    workload = Workload([f"LIVE-{index}" for index in range(supporters)])
    pool = (activities_per_supporter, entities)
    for number in range(clients * requests_per_client):
        if number % 3 == 2:
            chosen = rng.sample(workload.supporters, 2)
            records = [_record(rng, number, s, batch // 2, pool) for s in chosen]
            for record in records:
                _note_writes(workload, number, record)
            workload.requests.append(("/api/activity/bulk", {"records": records}))
        else:
            supporter = rng.choice(workload.supporters)
            record = _record(rng, number, supporter, batch, pool)
            _note_writes(workload, number, record)
            workload.requests.append(("/api/activity", record))
    return workload


def _record(rng, number, supporter, batch, pool):
    activity_count, entity_count = pool
    ids = [f"{supporter}-A{index}" for index in range(activity_count)]
    activities = []
    for external_id in rng.sample(ids, batch):
        entity_ids = rng.sample(range(entity_count), rng.randint(0, 3))
        activities.append(
            {
                "external_id": external_id,
                "upsert": True,
                "topic": "event_engagement",
                "title": f"RSVP {external_id} r{number}",
                "source": "live_test",
                "body": f"written by request {number}",
                "happened_at": f"2024-03-{1 + number % 28:02d}T10:00:00Z",
                "entities": [
                    {
                        "kind": "event",
                        "source": "LivePlatform",
                        "external_id": f"EVT_{index}",
                        "name": f"Event {index} r{number}",
                        "metadata": {"request": number},
                    }
                    for index in entity_ids
                ],
            }
        )
    return {"external_id": supporter, "activities": activities}


def _note_writes(workload, number, record):
    for activity in record["activities"]:
        workload.activity_writes[activity["external_id"]][number] = {
            "title": activity["title"],
            "body": activity["body"],
            "links": {("LivePlatform", e["external_id"]) for e in activity["entities"]},
            "supporter": record["external_id"],
        }
        for entity in activity["entities"]:
            workload.entity_writes[("LivePlatform", entity["external_id"])][number] = {
                "name": entity["name"],
                "metadata": entity["metadata"],
            }


def seed(workload: Workload) -> str:
    """Create the workload's supporters and return a token that may write activities."""
    for external_id in workload.supporters:
        Supporter.objects.create(external_id=external_id)
    _, plaintext = ApiToken.generate("live test", [Scope.ACTIVITY_WRITE, Scope.READ])
    return plaintext


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def run_clients(workload: Workload, servers: list[str], token: str, clients: int) -> Outcome:
    """Send the workload from ``clients`` threads, each with its own HTTP session.

    Client ``i`` sends requests ``i, i + clients, ...`` to server ``i % len(servers)``.
    """
    outcome = Outcome()
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(index):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        base = servers[index % len(servers)]
        start.wait(timeout=30)
        for number in range(index, len(workload.requests), clients):
            path, body = workload.requests[number]
            try:
                response = session.post(base + path, json=body, timeout=REQUEST_SECONDS)
            except requests.RequestException as error:
                with lock:
                    outcome.errors.append(f"request {number}: {error!r}")
                continue
            with lock:
                outcome.statuses[response.status_code] += 1
                if response.status_code == 200:
                    outcome.responses.append(response.json())
                else:
                    outcome.errors.append(f"request {number}: {response.text[:300]}")
        session.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_SECONDS * len(workload.requests))
    outcome.seconds = time.monotonic() - started
    if any(thread.is_alive() for thread in threads):
        outcome.errors.append("a client thread did not finish in time")
    return outcome


# --- Checks ---------------------------------------------------------------------------------


def created_counts(outcome: Outcome) -> tuple[Counter, Counter]:
    """Count how often each activity and entity was reported ``created`` across all responses."""
    activities, entities = Counter(), Counter()
    for body in outcome.responses:
        # Two activities of one request may link the same new entity; it counts once.
        created_here = set()
        for record in body.get("records", [body]):
            for activity in record["activities"]:
                if activity["result"] == "created":
                    activities[activity["external_id"]] += 1
                for entity in activity["entities"]:
                    if entity["result"] == "created":
                        created_here.add((entity["source"], entity["external_id"]))
        entities.update(created_here)
    return activities, entities


def final_writers(workload: Workload) -> tuple[dict, dict, list[str]]:
    """Find the request that wrote each stored row last; return mismatches as messages."""
    problems = []
    activity_writer, entity_writer = {}, {}
    for entity in ActivityEntity.objects.filter(source="LivePlatform"):
        key = (entity.source, entity.external_id)
        writer = int(entity.name.rsplit(" r", 1)[1])
        sent = workload.entity_writes[key].get(writer)
        if sent is None or sent["metadata"] != entity.metadata:
            problems.append(f"entity {key} does not match what request {writer} sent")
        entity_writer[key] = writer
    rows = Activity.objects.filter(source="live_test").select_related("supporter")
    for activity in rows.prefetch_related("entities"):
        writer = int(activity.title.rsplit(" r", 1)[1])
        sent = workload.activity_writes[activity.external_id].get(writer)
        links = {(e.source, e.external_id) for e in activity.entities.all()}
        if sent is None:
            problems.append(f"activity {activity.external_id} names unknown request {writer}")
        elif (sent["body"], sent["links"], sent["supporter"]) != (
            activity.body,
            links,
            activity.supporter.external_id,
        ):
            problems.append(f"activity {activity.external_id} mixes writes of several requests")
        activity_writer[activity.external_id] = writer
    return activity_writer, entity_writer, problems


def check_serial(workload: Workload, activity_writer: dict, entity_writer: dict) -> list[str]:
    """Return the requests in an order whose serial run gives the stored state, or raise.

    For each row, every other request that wrote it must come before the one whose values
    were kept. A serial order exists exactly when these constraints have no cycle.
    """
    before = defaultdict(set)  # request -> requests that must run after it
    indegree = Counter()
    nodes = set(range(len(workload.requests)))
    for writes, writer_of in (
        (workload.activity_writes, activity_writer),
        (workload.entity_writes, entity_writer),
    ):
        for identity, writers in writes.items():
            last = writer_of[identity]
            for number in writers:
                if number != last and last not in before[number]:
                    before[number].add(last)
                    indegree[last] += 1

    order = []
    ready = sorted(node for node in nodes if indegree[node] == 0)
    while ready:
        node = ready.pop()
        order.append(node)
        for later in before[node]:
            indegree[later] -= 1
            if indegree[later] == 0:
                ready.append(later)
    if len(order) != len(nodes):
        raise AssertionError("the stored state matches no serial order of the requests")
    return order


def row_counts() -> dict[str, int]:
    return {
        "activities": Activity.objects.count(),
        "entities": ActivityEntity.objects.count(),
        "links": ActivityEntityLink.objects.count(),
    }


def duplicate_rows() -> dict[str, int]:
    """Count rows that share an identity, straight from the tables."""
    with connection.cursor() as cursor:
        found = {}
        for label, sql in (
            (
                "activities",
                "SELECT count(*) FROM (SELECT external_id FROM activities_activity "
                "WHERE external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1) d",
            ),
            (
                "entities",
                "SELECT count(*) FROM (SELECT source, external_id FROM activities_activityentity "
                "GROUP BY source, external_id HAVING count(*) > 1) d",
            ),
            (
                "links",
                "SELECT count(*) FROM (SELECT activity_id, entity_id "
                "FROM activities_activityentitylink GROUP BY activity_id, entity_id "
                "HAVING count(*) > 1) d",
            ),
        ):
            cursor.execute(sql)
            found[label] = cursor.fetchone()[0]
    return found


def summary(outcome: Outcome) -> str:
    return json.dumps(
        {
            "requests": sum(outcome.statuses.values()),
            "statuses": dict(outcome.statuses),
            "seconds": round(outcome.seconds, 1),
        }
    )


def report(line: str):
    """Print a measured figure; run pytest with ``-s`` to see it."""
    print(line, flush=True)


def assert_guarantees(workload: Workload, outcome: Outcome, server_logs: list[str], token: str):
    """Assert the concurrency guarantees: no errors, no duplicates, a serial final state."""
    # Every request succeeded, and no error reached a client.
    assert outcome.errors == []
    assert outcome.statuses == {200: len(workload.requests)}
    for log in server_logs:
        assert "deadlock" not in log.lower()
        assert "Traceback" not in log
        assert token not in log

    # Each row exists once and was reported created once.
    assert duplicate_rows() == {"activities": 0, "entities": 0, "links": 0}
    assert Activity.objects.count() == len(workload.activity_writes)
    assert ActivityEntity.objects.count() == len(workload.entity_writes)
    created_activities, created_entities = created_counts(outcome)
    assert set(created_activities.values()) == {1}
    assert set(created_entities.values()) == {1}
    assert len(created_activities) == len(workload.activity_writes)
    assert len(created_entities) == len(workload.entity_writes)

    # The final state is what some serial order of the requests gives.
    activity_writer, entity_writer, problems = final_writers(workload)
    assert problems == []
    order = check_serial(workload, activity_writer, entity_writer)
    assert len(order) == len(workload.requests)
