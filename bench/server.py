"""Start and stop the service under gunicorn on a free loopback port, for the benchmark only."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recommended_workers() -> int:
    """Return gunicorn's suggested worker count for this machine: 2 per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


class Gunicorn:
    """A gunicorn master with sync workers serving ``movement.wsgi`` on 127.0.0.1."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path):
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process in stop()
        command = [
            sys.executable, "-m", "gunicorn", "movement.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "sync",
            "--timeout", "120",
            "--backlog", "256",
        ]  # fmt: skip
        if int(metadata.version("gunicorn").split(".")[0]) >= 27:
            # Each master would otherwise claim the same control socket in the home directory.
            command.append("--no-control-socket")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self._log = log
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        logger.info(
            "gunicorn started: pid %s, %d workers, port %d",
            self.process.pid,
            self.workers,
            self.port,
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with code {self.process.returncode}; see {self.log_path}"
                )
            try:
                urllib.request.urlopen(f"{self.base_url}/accounts/login/", timeout=30).close()
                if len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                # Not listening yet, or a worker still importing the project on a busy machine.
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not respond within {READY_TIMEOUT_SECONDS} s")

    def worker_pids(self) -> list[int]:
        """Return the worker process ids, read from /proc (Linux only)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "gunicorn pid %s ignored SIGTERM for 30 s; killing it", self.process.pid
                )
                self.process.kill()
                self.process.wait()
            logger.info("gunicorn pid %s stopped", self.process.pid)
        self._log.close()


def rss_kib(pid: int) -> int:
    """Return the resident set size of ``pid`` in KiB (Linux only)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"No VmRSS line for pid {pid}")
