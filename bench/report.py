"""Collect the machine's description and render the figures as a Markdown page."""

import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psycopg

from bench.dataset import Scale

ANALYSIS = Path(__file__).resolve().parent / "analysis.md"


@dataclass
class Findings:
    """Everything one run measured, filled in as the run goes."""

    scale: Scale
    workers: int
    note: str = ""
    machine: dict[str, str] = field(default_factory=dict)
    dataset: dict = field(default_factory=dict)
    ingestion: list[dict] = field(default_factory=list)
    reads: dict = field(default_factory=dict)
    seconds: float = 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def describe_machine(conninfo: str) -> dict[str, str]:
    with psycopg.connect(conninfo.rsplit("/", 1)[0] + "/postgres") as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: connection.execute(f"SHOW {name}").fetchone()[0]
            for name in ("shared_buffers", "work_mem", "synchronous_commit", "max_connections")
        }
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "CPU": f"{_cpu_model()}, `nproc` = {os.cpu_count()}",
        "Memory": _memory(),
        "OS": f"{platform.system()} {platform.release()}",
        "PostgreSQL": f"{version} on the same machine, "
        + ", ".join(f"{name} = {value}" for name, value in settings.items()),
        "Python": sys.version.split()[0],
        "Django": metadata.version("Django"),
        "gunicorn": metadata.version("gunicorn"),
        "psycopg": metadata.version("psycopg"),
        "Load average at start (1, 5, 15 min)": load,
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(findings: Findings) -> str:
    scale = findings.scale
    lines = [
        "# Benchmarks",
        "",
        "Figures from `bench/run.py`, measured side by side with the best PostgreSQL itself can",
        "do. Regenerate this page with `make bench`: it drops and refills its own database,",
        "`bench_movement`, and took about five minutes on the machine below.",
        "`make bench-quick` runs a small smoke scale and writes `bench/results/quick.md`;",
        "`bench/run.py --help` lists the options (scale, workers, output page).",
        "",
        "The service runs under gunicorn with sync workers, `DEBUG=0` and the production",
        "settings, on 127.0.0.1, against PostgreSQL on the same machine. The benchmark client",
        "runs there too, so client, server and database share the cores.",
        "",
    ]
    if findings.note:
        lines += [f"**Conditions:** {findings.note}", ""]

    lines += ["## Machine", ""]
    lines += _table(["", ""], [[key, value] for key, value in findings.machine.items()])
    lines += ["", "## Dataset", ""]
    lines += [
        f"{_number(scale.supporters)} supporters, {_number(scale.activities)} activities and "
        f"{_number(scale.entities)} entities, generated in SQL by `bench/dataset.py`. One "
        f"supporter has {_number(scale.heavy_activities)} activities; one event has "
        f"{_number(scale.large_event_supporters)} linked supporters.",
        "",
    ]
    if findings.dataset:
        lines += _table(
            ["table", "rows"],
            [
                [name, _number(count)]
                for name, count in findings.dataset.items()
                if name != "seconds"
            ],
        )
        lines += ["", f"Generated and analysed in {findings.dataset['seconds']} s.", ""]

    lines += _render_targets(findings)
    lines += _render_ingestion(findings)
    if findings.reads:
        lines += _render_reads(findings)
    lines += [f"Whole run: {findings.seconds / 60:.1f} minutes.", ""]
    if ANALYSIS.exists():
        lines += [ANALYSIS.read_text().rstrip(), ""]
    return "\n".join(lines)


def _render_ingestion(findings: Findings) -> list[str]:
    lines = [
        "## Ingestion",
        "",
        f"{findings.workers} gunicorn workers and {findings.workers} concurrent clients. Every",
        "activity names one entity, drawn from a pool of 200 events. The raw ceiling upserts",
        "the same batches with psycopg alone from the same number of connections: one",
        "`INSERT .. ON CONFLICT` per table per batch, in one transaction (`bench/raw.py`).",
        "`/api/activity` carries one supporter per request; the bulk endpoint carries records",
        "of up to ten activities for different supporters.",
        "",
    ]
    rows = []
    for row in findings.ingestion:
        http, raw = row["http"], row["raw"]
        ratio = http.per_second / raw.per_second if raw.per_second else 0.0
        rows.append(
            [
                f"`{row['endpoint']}`",
                _number(row["batch"]),
                _number(http.activities),
                _number(http.per_second),
                _number(raw.per_second),
                f"{ratio:.0%}",
            ]
        )
    lines += _table(
        ["endpoint", "batch", "activities sent", "HTTP activities/s", "raw activities/s", "ratio"],
        rows,
    )
    lines.append("")
    return lines


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.1f} MiB"


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


# Export memory counts as flat when the full export grows the worker by at most this much more
# than the small one does, far less than the extra rows would take if they were held.
FLAT_MEMORY_SLACK_KIB = 8 * 1024


def target_rows(findings: Findings) -> list[list[str]]:
    """Return [target, measured, verdict] rows for every target the run can judge."""
    rows = []
    for row in findings.ingestion:
        if row["batch"] != 1000:
            continue
        ratio = row["http"].per_second / row["raw"].per_second if row["raw"].per_second else 0
        rows.append(
            [
                f"`{row['endpoint']}` at batch 1,000 reaches 50% of the raw ceiling",
                f"{ratio:.0%}",
                _verdict(ratio >= 0.5),
            ]
        )
    reads = findings.reads
    for search in reads.get("searches", ()):
        for side in ("api", "page"):
            p50 = search[side].p50
            where = "API" if side == "api" else "staff page"
            rows.append(
                [
                    f"attendee search ({search['label']}, {where}) p50 at most 50 ms",
                    f"{_ms(p50)} ms",
                    _verdict(p50 <= 50),
                ]
            )
    for page in reads.get("pages", ()):
        p50 = page["latency"].p50
        rows.append([f"{page['label']} p50 at most 150 ms", f"{_ms(p50)} ms", _verdict(p50 <= 150)])
    exports = reads.get("exports", ())
    for export in exports:
        rate = export["rows"] / export["seconds"] if export["seconds"] else 0
        rows.append(
            [
                f"export of {export['label']}: at least 20,000 rows/s",
                f"{_number(rate)} rows/s",
                _verdict(rate >= 20_000),
            ]
        )
    if len(exports) == 2:
        small, large = exports
        flat = large["peak_rss_growth_kib"] <= small["peak_rss_growth_kib"] + FLAT_MEMORY_SLACK_KIB
        rows.append(
            [
                "export memory flat in the row count",
                f"{_mib(small['peak_rss_growth_kib'])} for {_number(small['rows'])} rows, "
                f"{_mib(large['peak_rss_growth_kib'])} for {_number(large['rows'])}",
                _verdict(flat),
            ]
        )
    for admin in reads.get("admin", ()):
        p50 = admin["latency"].p50
        rows.append(
            [
                f"admin list of {admin['label']} p50 at most 300 ms",
                f"{_ms(p50)} ms",
                _verdict(p50 <= 300),
            ]
        )
    return rows


def _render_targets(findings: Findings) -> list[str]:
    lines = [
        "## Targets",
        "",
        "The targets are set for the default scale on a 2-core machine; at another scale the",
        "verdicts are only indicative.",
        "",
    ]
    lines += _table(["target", "measured", "verdict"], target_rows(findings))
    lines.append("")
    return lines


def _render_reads(findings: Findings) -> list[str]:
    reads = findings.reads
    lines = [
        "## Everyone who attended event X",
        "",
        "The supporter search with one condition,",
        "`topic=event_attendance&status=attended&entity=X`, runs through the API",
        "(`GET /api/supporters/?…`, token) and the staff page (`/supporters/?…`, logged-in",
        "session). The raw side is one hand-written SQL query that returns the same first page",
        "of 50 and the total (`ATTENDEES_SQL` in `bench/run.py`), sent by psycopg over an open",
        "connection. Latency is wall-clock time seen by a client making",
        f"one request at a time, {reads['samples']} requests after 3 for warm-up; the server",
        "has one gunicorn worker. The query count is Django's, for one request in-process",
        "after one to warm the caches, as for the timed requests.",
        "",
    ]
    rows = []
    for search in reads["searches"]:
        raw = search["raw"]
        for side, label in (("api", "API"), ("page", "staff page")):
            latency = search[side]
            rows.append(
                [
                    f"{search['label']} (entity {search['entity']}, "
                    f"{_number(search['attendees'])} attendees)",
                    label,
                    _ms(latency.p50),
                    _ms(latency.p95),
                    str(search[f"{side}_queries"]),
                    _ms(raw.p50),
                    _ms(raw.p95),
                    f"{latency.p50 / raw.p50:.1f}×" if raw.p50 else "-",
                ]
            )
    lines += _table(
        [
            "event",
            "through",
            "p50 ms",
            "p95 ms",
            "queries",
            "raw SQL p50 ms",
            "raw SQL p95 ms",
            "p50 / raw p50",
        ],
        rows,
    )

    lines += [
        "",
        "## Supporter profile and entity page",
        "",
        "Staff pages for the supporter with the most activities and the entity with the most",
        f"linked supporters, {reads['slow_samples']} requests each after 3 for warm-up.",
        "",
    ]
    lines += _table(
        ["page", "path", "p50 ms", "p95 ms", "queries"],
        [
            [
                page["label"],
                f"`{page['path']}`",
                _ms(page["latency"].p50),
                _ms(page["latency"].p95),
                str(page["queries"]),
            ]
            for page in reads["pages"]
        ],
    )

    lines += [
        "",
        "## CSV export",
        "",
        "`/supporters/export.csv` streamed to the client and read to the end. Memory is the",
        "resident set of the single gunicorn worker, sampled every 5 ms while the export runs,",
        "minus its size just before. The raw ceiling is `COPY (SELECT …) TO STDOUT WITH CSV` of",
        "the same columns read by psycopg.",
        "",
    ]
    lines += _table(
        ["export", "rows", "seconds", "rows/s", "worker before", "peak growth"],
        [
            [
                export["label"],
                _number(export["rows"]),
                f"{export['seconds']:.2f}",
                _number(export["rows"] / export["seconds"] if export["seconds"] else 0),
                _mib(export["baseline_rss_kib"]),
                _mib(export["peak_rss_growth_kib"]),
            ]
            for export in reads["exports"]
        ],
    )
    lines += [
        "",
        f"Raw ceiling: {_number(reads['copy_rows_per_second'])} rows/s.",
        "",
        "## Admin lists",
        "",
        f"The Django admin change lists, first page, {reads['slow_samples']} requests each.",
        "",
    ]
    lines += _table(
        ["list", "path", "p50 ms", "p95 ms", "queries"],
        [
            [
                admin["label"],
                f"`{admin['path']}`",
                _ms(admin["latency"].p50),
                _ms(admin["latency"].p95),
                str(admin["queries"]),
            ]
            for admin in reads["admin"]
        ],
    )
    lines.append("")
    return lines
