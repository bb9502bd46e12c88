"""Benchmark the service against the raw PostgreSQL ceiling and write the figures to a page.

Usage (``make bench`` and ``make bench-quick`` run these)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/run.py
    DATABASE_URL=... .venv/bin/python bench/run.py --quick

``DATABASE_URL`` names a server and a maintenance database. The benchmark drops and creates its
own database (``bench_movement`` unless ``--database`` names another) on that server, migrates
it, fills it with synthetic data, serves it with gunicorn on a free 127.0.0.1 port and measures.
Nothing outside that database is touched. The default scale writes ``docs/benchmarks.md``;
``--quick`` writes ``bench/results/quick.md`` so a smoke run never overwrites the record.
"""

import argparse
import logging
import os
import pickle
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from bench import dataset, ingestion, reads, report, server  # noqa: E402

logger = logging.getLogger("bench")

DEFAULT_SCALE = (100_000, 1_000_000, 10_000)
QUICK_SCALE = (2_000, 20_000, 200)
INGESTION_ROUNDS = 2
BENCH_SECRET_KEY = "benchmark-only-secret-key-never-used-for-real-0123456789abcdef"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="Smoke scale: 2,000 supporters, 20,000 activities."
    )
    parser.add_argument("--supporters", type=int, help="Supporters to generate.")
    parser.add_argument("--activities", type=int, help="Activities to generate.")
    parser.add_argument("--entities", type=int, help="Entities to generate.")
    parser.add_argument(
        "--workers",
        type=int,
        default=server.recommended_workers(),
        help="gunicorn workers for ingestion (default: 2 per core plus one).",
    )
    parser.add_argument(
        "--database", default="bench_movement", help="Database to drop, create and fill."
    )
    parser.add_argument(
        "--random-page-cost",
        type=float,
        default=1.1,
        help="PostgreSQL's random_page_cost for the benchmark database (server default: 4).",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the database from the last run as it is."
    )
    parser.add_argument(
        "--skip-ingestion",
        action="store_true",
        help="Measure only the read side (for profiling; the page then lacks ingestion).",
    )
    parser.add_argument("--output", type=Path, help="Page to write the figures to.")
    parser.add_argument(
        "--note",
        default="",
        help="A sentence for the page about the conditions, such as other load on the machine.",
    )
    args = parser.parse_args(argv)
    supporters, activities, entities = QUICK_SCALE if args.quick else DEFAULT_SCALE
    args.scale = dataset.Scale.sized(
        args.supporters or supporters, args.activities or activities, args.entities or entities
    )
    if args.output is None:
        args.output = ROOT / ("bench/results/quick.md" if args.quick else "docs/benchmarks.md")
    return args


def database_urls(database: str) -> tuple[str, str]:
    """Return the maintenance URL from DATABASE_URL and the URL of the benchmark database."""
    maintenance = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(maintenance)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL server, got scheme {parts.scheme!r}")
    if parts.path.lstrip("/") == database:
        raise SystemExit(f"DATABASE_URL must name another database than {database!r}")
    return maintenance, urlunsplit(parts._replace(path="/" + database))


def recreate_database(maintenance_url: str, database: str, random_page_cost: float) -> None:
    """Drop and create the benchmark database with the planner's random page cost set."""
    name = sql.Identifier(database)
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
        connection.execute(
            sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
                name, sql.Literal(random_page_cost)
            )
        )


def service_environment(bench_url: str) -> dict[str, str]:
    """Return the environment of a production-like deployment on loopback, without TLS."""
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "movement.settings",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare_service(reuse: bool) -> dict[str, str]:
    """Migrate, collect static files, and create the API token and staff session."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from movement.models import Scope
    from movement.tokens import create_token

    if not reuse:
        call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    _, token = create_token("benchmark", [scope.value for scope in Scope])
    client = Client()
    client.force_login(user)
    return {
        "token": token,
        "session": client.cookies["sessionid"].value,
        "client": client,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Django's logging settings replace the root logger's level; the benchmark keeps its own.
    logger.setLevel(logging.INFO)
    maintenance_url, bench_url = database_urls(args.database)
    results_dir = ROOT / "bench/results"
    results_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    findings = report.Findings(scale=args.scale, workers=args.workers, note=args.note)
    findings.machine = report.describe_machine(bench_url)
    findings.machine["Benchmark database"] = (
        f"`{args.database}`, random_page_cost = {args.random_page_cost}"
    )

    if not args.reuse:
        logger.info("Creating database %s", args.database)
        recreate_database(maintenance_url, args.database, args.random_page_cost)
    env = service_environment(bench_url)
    setup_django(env)
    credentials = prepare_service(args.reuse)
    if not args.reuse:
        logger.info("Generating %s", args.scale)
        findings.dataset = dataset.generate(bench_url, args.scale)

    if not args.skip_ingestion:
        findings.ingestion = measure_ingestion(args, bench_url, env, credentials, results_dir)
    findings.reads = measure_reads(args, bench_url, env, credentials, results_dir)

    findings.seconds = time.monotonic() - started
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report.render(findings))
    # Kept so the page can be rendered again after bench/analysis.md changes.
    with open(results_dir / f"{args.output.stem}.pickle", "wb") as file:
        pickle.dump(findings, file)
    logger.info("Wrote %s in %.0f s", args.output, findings.seconds)
    return 0


def measure_ingestion(args, bench_url, env, credentials, results_dir) -> list[dict]:
    """Run each endpoint and batch size through gunicorn and through psycopg alone.

    The batches are split into rounds and the two sides alternate round by round, so other load
    on the machine (tests, other services) falls on both sides alike.
    """
    # Batch size -> (batches, seconds allowed per side). Each side stops at whichever comes first.
    if args.quick:
        plan = {1: (200, 20), 100: (20, 20), 1000: (10, 30)}
    else:
        plan = {1: (3000, 90), 100: (300, 90), 1000: (60, 120)}
    rows = []
    with server.Gunicorn(env, args.workers, results_dir / "gunicorn-ingest.log") as gunicorn:
        # Each worker imports the views and compiles its regular expressions on its first
        # requests; that start-up cost is not part of steady-state throughput.
        warmup = ingestion.build_workload(
            "bulk", 10, 4 * args.workers, args.scale.supporters, prefix="bench-warmup"
        )
        first_id = ingestion.next_activity_id(bench_url)
        ingestion.run_http(warmup, gunicorn.base_url, credentials["token"], args.workers, 60)
        ingestion.delete_ingested(bench_url, first_id)
        for endpoint in ("activity", "bulk"):
            for batch_size, (batch_count, time_limit) in plan.items():
                workload = ingestion.build_workload(
                    endpoint,
                    batch_size,
                    batch_count,
                    args.scale.supporters,
                    prefix=f"bench-{endpoint}-{batch_size}",
                )
                totals = {"raw": [], "http": []}
                for part in workload.rounds(INGESTION_ROUNDS):
                    first_id = ingestion.next_activity_id(bench_url)
                    totals["raw"].append(
                        ingestion.run_raw(
                            part, bench_url, args.workers, time_limit / INGESTION_ROUNDS
                        )
                    )
                    ingestion.delete_ingested(bench_url, first_id)

                    totals["http"].append(
                        ingestion.run_http(
                            part,
                            gunicorn.base_url,
                            credentials["token"],
                            args.workers,
                            time_limit / INGESTION_ROUNDS,
                        )
                    )
                    ingestion.delete_ingested(bench_url, first_id)
                raw = ingestion.Throughput.total(totals["raw"])
                http = ingestion.Throughput.total(totals["http"])
                logger.info(
                    "Ingestion %s x%d: HTTP %.0f/s, raw %.0f/s",
                    endpoint,
                    batch_size,
                    http.per_second,
                    raw.per_second,
                )
                rows.append(
                    {"endpoint": workload.path, "batch": batch_size, "http": http, "raw": raw}
                )
    with psycopg.connect(bench_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return rows


ATTENDEES_SQL = """
WITH attendees AS (
    SELECT DISTINCT a.supporter_id
    FROM activities_activityentitylink AS l
    JOIN activities_activity AS a ON a.id = l.activity_id
    WHERE l.entity_id = %(entity)s AND a.topic = 'event_attendance' AND a.status = 'attended'
)
SELECT s.id, s.external_id, s.first_name, s.last_name, s.email, s.phone_number,
       s.custom_fields, s.created_at, s.updated_at, count(*) OVER () AS total
FROM supporters_supporter AS s
JOIN attendees ON attendees.supporter_id = s.id
ORDER BY s.last_name, s.first_name, s.id
LIMIT 50
"""
EXPORT_SQL = (
    "SELECT id, external_id, first_name, last_name, email, phone_number, custom_fields, "
    "created_at, updated_at FROM supporters_supporter ORDER BY last_name, first_name, id"
)
ADMIN_LISTS = {
    "activities": "/admin/activities/activity/",
    "entities": "/admin/activities/activityentity/",
    "supporters": "/admin/supporters/supporter/",
}


def attendee_query(entity_id: int) -> str:
    """Return the search query string for "everyone who attended event ``entity_id``"."""
    return f"topic=event_attendance&status=attended&entity={entity_id}"


def measure_reads(args, bench_url, env, credentials, results_dir) -> dict:
    """Time the staff pages, the read API, raw SQL and the CSV export on a one-worker server.

    Requests are sequential, so one worker serves them all and its memory is the export's.
    """
    samples = 20 if args.quick else 100
    slow_samples = 10 if args.quick else 30
    client = credentials["client"]
    event_id, attendees = dataset.typical_event(bench_url, args.scale)
    results = {"samples": samples, "slow_samples": slow_samples}

    with server.Gunicorn(env, 1, results_dir / "gunicorn-reads.log") as gunicorn:
        api = reads.HttpReader(
            gunicorn.base_url, {"Authorization": f"Bearer {credentials['token']}"}
        )
        staff = reads.HttpReader(
            gunicorn.base_url, {"Cookie": f"sessionid={credentials['session']}"}
        )

        searches = []
        for label, entity_id, expected in (
            ("typical event", event_id, attendees),
            ("large event", 1, args.scale.large_attended),
        ):
            query = attendee_query(entity_id)
            body = api.check(f"/api/supporters/?{query}", expect=f'"count":{expected},'.encode())
            del body
            staff.check(f"/supporters/?{query}")
            searches.append(
                {
                    "label": label,
                    "entity": entity_id,
                    "attendees": expected,
                    "query": query,
                    "api": api.latency(f"/api/supporters/?{query}", samples),
                    "page": staff.latency(f"/supporters/?{query}", samples),
                    "raw": reads.sql_latency(
                        bench_url, ATTENDEES_SQL, {"entity": entity_id}, samples
                    ),
                    "api_queries": reads.count_queries(
                        lambda q=query: client.get(
                            f"/api/supporters/?{q}",
                            HTTP_AUTHORIZATION=f"Bearer {credentials['token']}",
                        )
                    ),
                    "page_queries": reads.count_queries(
                        lambda q=query: client.get(f"/supporters/?{q}")
                    ),
                }
            )
            logger.info("Attendee search for %s measured", label)
        results["searches"] = searches

        pages = []
        for label, path in (
            (f"supporter profile ({args.scale.heavy_activities:,} activities)", "/supporters/1/"),
            (f"entity page ({args.scale.large_event_supporters:,} supporters)", "/entities/1/"),
        ):
            staff.check(path)
            pages.append(
                {
                    "label": label,
                    "path": path,
                    "latency": staff.latency(path, slow_samples),
                    "queries": reads.count_queries(lambda p=path: client.get(p)),
                }
            )
            logger.info("%s measured", label)
        results["pages"] = pages

        admin = []
        for label, path in ADMIN_LISTS.items():
            staff.check(path)
            admin.append(
                {
                    "label": label,
                    "path": path,
                    "latency": staff.latency(path, slow_samples),
                    "queries": reads.count_queries(lambda p=path: client.get(p)),
                }
            )
            logger.info("Admin list of %s measured", label)
        results["admin"] = admin

        worker = gunicorn.worker_pids()[0]
        exports = []
        for label, query in (
            ("one ward (about a sixth)", "custom_field=ward%3ARiverside"),
            ("every supporter", ""),
        ):
            path = f"/supporters/export.csv?{query}"
            exports.append(
                {"label": label, "path": path, **vars(reads.measure_export(staff, path, worker))}
            )
            logger.info("Export of %s measured", label)
        results["exports"] = exports
        results["copy_rows_per_second"] = reads.raw_copy_rows_per_second(bench_url, EXPORT_SQL)
    return results


if __name__ == "__main__":
    sys.exit(main())
