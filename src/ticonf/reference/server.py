"""Running the reference server: in the foreground (`ticonf serve`) or as a child process.

The embedded server runs in its own process so that it never competes with the suite for the
GIL; it reports the port it bound on its first line of output.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.reference.app import BASE_PATH, create_app
from ticonf.reference.conditions import with_conditions
from ticonf.reference.service import ReferenceService

READY_PREFIX = "ticonf-reference listening on "


def bind_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by connections
    sock.bind((host, port))
    sock.listen(2048)  # before the ready line, so no client is ever refused
    sock.set_inheritable(True)
    return sock


def serve(
    service: ReferenceService,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: float = 0.0,
    rate_limit: float | None = None,
) -> None:
    """Serve `service` until interrupted; prints the base URL once the socket is bound.

    The service is built by the caller (ticonf.faults.build_service): the reference knows
    nothing of the fault catalog, which is built on top of it."""
    app = with_conditions(create_app(service), latency_ms, rate_limit)
    sock = bind_socket(host, port)
    bound = sock.getsockname()[1]
    print(f"{READY_PREFIX}http://{host}:{bound}{BASE_PATH}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


@dataclass
class RunningServer:
    """A reference server in a child process."""

    base_url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    fault: str | None = None,
    api_key: str = DEFAULT_API_KEY,
    api_secret: str = DEFAULT_API_SECRET,
    latency_ms: float = 0.0,
    rate_limit: float | None = None,
    variants: tuple[str, ...] = (),
) -> RunningServer:
    """Start a reference server on a free loopback port and wait until it listens."""
    command = [sys.executable, "-m", "ticonf.reference", "--port", "0"]
    if fault:
        command += ["--fault", fault]
    if variants:
        command += ["--variant", ",".join(variants)]
    if latency_ms:
        command += ["--latency", str(latency_ms)]
    if rate_limit:
        command += ["--rate-limit", str(rate_limit)]
    env = {**os.environ, "TICONF_REF_API_KEY": api_key, "TICONF_REF_API_SECRET": api_secret}
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - outlives this call
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(READY_PREFIX):
        process.kill()
        errors.seek(0)
        raise RuntimeError(f"the reference server did not start: {errors.read().strip()[-500:]}")
    return RunningServer(base_url=line[len(READY_PREFIX) :].strip(), process=process)


@contextlib.contextmanager
def running_server(fault: str | None = None, **options: Any) -> Iterator[RunningServer]:
    server = start_server(fault, **options)
    try:
        yield server
    finally:
        server.stop()
