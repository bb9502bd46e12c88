"""Read-side measurements: page and API latency, raw SQL latency, query counts, CSV export."""

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from bench.server import rss_kib

RSS_SAMPLE_SECONDS = 0.005


@dataclass
class Latency:
    """Wall-clock milliseconds of repeated sequential requests, after warm-up."""

    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class HttpReader:
    """Sequential GET requests to one server with fixed headers (token or session cookie)."""

    def __init__(self, base_url: str, headers: dict[str, str]):
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.headers = headers

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            connection.request("GET", path, headers=self.headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def check(self, path: str, expect: bytes | None = None) -> bytes:
        """GET ``path`` once; raise unless it returns 200 (and contains ``expect``)."""
        status, body = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} returned {status}: {body[:300]!r}")
        if expect is not None and expect not in body:
            raise RuntimeError(f"GET {path} returned 200 without {expect!r}")
        return body

    def latency(self, path: str, count: int, warmup: int = 3) -> Latency:
        for _ in range(warmup):
            self.check(path)
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            status, body = self.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"GET {path} returned {status}: {body[:300]!r}")
        return Latency(samples)


def sql_latency(conninfo: str, sql: str, params, count: int, warmup: int = 3) -> Latency:
    """Time ``sql`` executed and fully fetched by psycopg over one open connection."""
    with psycopg.connect(conninfo) as connection:
        for _ in range(warmup):
            connection.execute(sql, params).fetchall()
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            connection.execute(sql, params).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return Latency(samples)


def count_queries(fetch: Callable[[], object]) -> int:
    """Run ``fetch`` twice in this process and return the SQL query count of the second run.

    The first run warms the caches, as the warm-up requests do for the timed ones.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch()
    with CaptureQueriesContext(connection) as queries:
        fetch()
    return len(queries.captured_queries)


@dataclass
class Export:
    rows: int
    seconds: float
    peak_rss_growth_kib: int
    baseline_rss_kib: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure_export(reader: HttpReader, path: str, worker_pid: int) -> Export:
    """Stream one CSV export and sample the worker's resident memory while it runs.

    The server must have a single worker, ``worker_pid``, so the memory is the export's.
    """
    baseline = rss_kib(worker_pid)
    peak = baseline
    streaming = True

    def sample():
        nonlocal peak
        while streaming:
            peak = max(peak, rss_kib(worker_pid))
            time.sleep(RSS_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample)
    sampler.start()
    connection = http.client.HTTPConnection(reader.host, reader.port, timeout=600)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=reader.headers)
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET {path} returned {response.status}: {response.read(300)!r}")
        lines = 0
        while chunk := response.read(256 * 1024):
            lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
    finally:
        streaming = False
        sampler.join()
        connection.close()
    # The header line is not a row. A quoted cell with a newline would count twice; the
    # generated supporters have none.
    return Export(lines - 1, elapsed, peak - baseline, baseline)


def raw_copy_rows_per_second(conninfo: str, sql: str) -> float:
    """Time ``COPY (sql) TO STDOUT WITH CSV`` read to the end by psycopg: the export ceiling."""
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        started = time.perf_counter()
        rows = 0
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for data in copy:
                rows += bytes(data).count(b"\n")
        elapsed = time.perf_counter() - started
    return rows / elapsed if elapsed else 0.0
