"""A real server process on a free port, and a small Server-Sent Events reader."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from tests.conftest import MASTER_KEY, SECRET

#: How long a server may take to answer its first health check (EOCNET_TEST_STARTUP_SECONDS).
STARTUP_SECONDS = float(os.environ.get("EOCNET_TEST_STARTUP_SECONDS", "180"))


def children(pid: int) -> list[int]:
    """The ids of a process's child processes (Linux /proc)."""
    found: list[int] = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in path.read_text().split()]
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(
        self,
        database_url: str,
        extra_env: dict[str, str] | None = None,
        workers: int = 1,
        cwd: str | None = None,
    ):
        """``workers`` > 1 runs ``eocnet serve --workers N`` (several processes on the
        port, as operators run it); otherwise one uvicorn process. ``cwd``: where the
        server runs (the benchmarks serve an older checkout from its own folder)."""
        self.cwd = cwd
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        env = {
            **os.environ,
            "EOCNET_DATABASE_URL": self.database_url,
            "EOCNET_SECRET_KEY": SECRET,
            "EOCNET_BASE_URL": self.url,
            "EOCNET_LOG_LEVEL": "WARNING",
            "EOCNET_STREAM_HEARTBEAT_SECONDS": "2",
            "EOCNET_MASTER_KEY": MASTER_KEY,
            **self.extra_env,
        }
        # stderr goes to a file: a pipe nobody reads would block a chatty server
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix="eocnet-server-", suffix=".log", delete=False
        )
        if self.workers > 1:
            command = [
                sys.executable,
                "-c",
                "from eocnet.cli import main; main()",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ]
        else:
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "eocnet.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--timeout-graceful-shutdown",
                "2",
            ]
        # A session of its own: stop() can end the server and every worker it started.
        self.proc = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
            cwd=self.cwd,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop(kill=True)
            raise

    def _wait_until_ready(self) -> None:
        """Wait for /healthz while the process lives. A loaded 2-core machine can take
        many seconds to import and start several processes, so the wait ends when the
        process dies, or after STARTUP_SECONDS (generous: it only bounds a hang)."""
        assert self.proc is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"server did not answer /healthz within {STARTUP_SECONDS:.0f} s: "
            f"{self.log_text()[-3000:]}"
        )

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # whatever of its process group is left (workers of a killed supervisor)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
        self.proc = None

    def log_text(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as fh:
            return fh.read()


@dataclass
class Sse:
    id: int | None
    event: str
    data: Any


def read_sse(lines: Iterator[str]) -> Iterator[Sse]:
    """Parse an event stream (comments, i.e. heartbeats, are skipped)."""
    event, data, ident = "message", [], None
    for line in lines:
        if line == "":
            if data:
                text = "\n".join(data)
                try:
                    payload = json.loads(text)
                except json.JSONDecodeError:
                    payload = text
                yield Sse(int(ident) if ident else None, event, payload)
            event, data, ident = "message", [], None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            ident = value


def collect(
    url: str,
    headers: dict[str, str],
    *,
    until: Any,
    timeout: float = 10.0,
    params: dict[str, str] | None = None,
) -> list[Sse]:
    """Read the stream until ``until(entries)`` is true; entries include `ready`."""
    got: list[Sse] = []
    with httpx.stream(
        "GET",
        url + "/api/v1/stream",
        headers=headers,
        params=params,
        timeout=httpx.Timeout(timeout),
    ) as response:
        assert response.status_code == 200, response.read()
        deadline = time.monotonic() + timeout
        for entry in read_sse(response.iter_lines()):
            got.append(entry)
            if until(got) or time.monotonic() > deadline:
                break
    return got
