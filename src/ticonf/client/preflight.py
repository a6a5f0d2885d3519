"""The pre-flight check: is the target there, does it accept us, has it the fixture endpoints?
And how far away is it?

A run that cannot reach its target, or whose credentials are refused, says so in one line
and exits 3 before any test runs, instead of failing every requirement.

The suite is I/O-bound against a distant target: a worker spends its time waiting for
answers. So `--workers auto` follows the round trip, not only the cores: `choose_workers`
takes the cores' worth of workers on loopback and more as the round trip grows, up to a cap
that keeps the run's memory under 1 GiB (each xdist worker is a Python process of about
100-150 MB) or the user's `--max-workers`.
"""

from __future__ import annotations

import math
import os
import time

import httpx

from ticonf.client.api import ApiClient
from ticonf.client.config import Target
from ticonf.client.politeness import Politeness
from ticonf.client.provisioning import DEFAULT_MODEL_TYPE, NAME_PREFIX

PREFLIGHT_TIMEOUT = 10.0
# A worker is a Python process that imports schemathesis and collects the suites before its
# first request: 4.4 s of CPU on a quiet machine with --assert=plain, of which about 1.5 s are
# schemathesis' coverage cases, built while the schema tests are collected (bench/
# worker_startup.py; 9.4 s with pytest's assertion rewriting). More workers wait in parallel,
# but they all start on the same cores.
STARTUP_CPU = 4.4
# Requests of a run, roughly (report.json of runs on the embedded reference; the quick profile
# made 2,996 with seed 1 once generated tests reused their scratch models).
REQUESTS = {"quick": 3000, "full": 20000}
# Workers that fit in 1 GiB with the controller, the embedded server and some room.
DEFAULT_MAX_WORKERS = 6
PROBES = 5
# Below this the target is next door: what a probe measures is the CPU, not the distance.
NEAR = 0.003


class PreflightError(Exception):
    """The target cannot be tested; the message says why and what to do."""


def _describe(response: httpx.Response, what: str) -> str:
    return f"{what} answered {response.status_code}: {response.text[:120]!r}"


def preflight(
    target: Target,
    run_id: str,
    model_type: str = DEFAULT_MODEL_TYPE,
    transport: httpx.BaseTransport | None = None,
    politeness: Politeness | None = None,
) -> float:
    """Create, read and delete one scratch model; raise PreflightError on the first problem.
    Returns the round trip of the read, in seconds. With the run's `politeness`, the limits
    the target advertises are learned before any worker starts."""
    api = ApiClient(target, timeout=PREFLIGHT_TIMEOUT, transport=transport, politeness=politeness)
    try:
        return _check(api, run_id, model_type)
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        raise PreflightError(
            f"target {target.base_url} is unreachable ({reason}); is the server running?"
        ) from None
    finally:
        api.close()


def _check(api: ApiClient, run_id: str, model_type: str) -> float:
    created = api.create_model(f"{NAME_PREFIX}{run_id}-preflight", model_type)
    if created.status_code in (401, 403):
        raise PreflightError(
            f"target {api.target.base_url} rejected the credentials (HTTP {created.status_code});"
            " check --api-key and --api-secret"
        )
    if created.status_code == 404:
        raise PreflightError(
            f"target {api.target.base_url} has no POST /models (404);"
            " is it the API's base URL ending in /v1?"
        )
    try:
        model_id = created.json()["model"]["id"]
    except (ValueError, KeyError, TypeError):
        raise PreflightError(_describe(created, "POST /models")) from None
    started = time.perf_counter()
    read = api.get_model(model_id)
    round_trip = time.perf_counter() - started
    deleted = api.delete_model(model_id)
    if read.status_code != 200:
        raise PreflightError(_describe(read, "GET /models/{modelId}"))
    if deleted.status_code not in (200, 204):
        raise PreflightError(_describe(deleted, "DELETE /models/{modelId}"))
    return round_trip


# -- how many workers ----------------------------------------------------------------------


def probe_round_trip(target: Target, timeout: float = PREFLIGHT_TIMEOUT) -> float | None:
    """The round trip to `target` in seconds: the fastest of a few reads of a model that does
    not exist (any answer will do, nothing is created), after one that opens the connection.
    The fastest, because on a busy machine the others measure the wait for a CPU, which more
    workers would only lengthen. None when the target does not answer: the pre-flight check
    will say why."""
    api = ApiClient(target, timeout=timeout)
    times = []
    try:
        for _ in range(PROBES + 1):
            started = time.perf_counter()
            api.get_model(f"{NAME_PREFIX}round-trip-probe")
            times.append(time.perf_counter() - started)
    except httpx.HTTPError:
        return None
    finally:
        api.close()
    return min(times[1:])


def free_cores(cores: int, load: float | None = None) -> float:
    """The CPU a new run can count on: all cores on an idle machine, its share of them on a
    busy one (a load average of 10 on 2 cores leaves each runnable process a fifth of a core)."""
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
    return cores * min(1.0, cores / max(load, 0.01))


def choose_workers(
    round_trip: float | None,
    cores: int | None = None,
    max_workers: int | None = None,
    requests: int = REQUESTS["quick"],
    load: float | None = None,
) -> int:
    """Workers for a target `round_trip` seconds away. A run of W workers takes about
    W * STARTUP_CPU / free cores to start and requests * round_trip / W to wait for its
    answers; the sum is least at W = sqrt(requests * round_trip * free cores / STARTUP_CPU).
    So a busy machine (`load`, default the load average) gets fewer. Never fewer than the
    cores (loopback: the CPU is the limit), never more than the cap: memory
    (DEFAULT_MAX_WORKERS) or the user's `max_workers`."""
    cores = cores or os.cpu_count() or 1
    cap = max_workers or max(DEFAULT_MAX_WORKERS, cores)
    distance = round_trip if round_trip and round_trip >= NEAR else 0.0
    best = math.sqrt(requests * distance * free_cores(cores, load) / STARTUP_CPU)
    return max(1, min(max(round(best), cores), cap))


def auto_workers(
    target: Target | None,
    embedded_latency_ms: float = 0.0,
    max_workers: int | None = None,
    profile: str = "quick",
) -> tuple[int, float | None]:
    """(workers, measured or configured round trip) for `ticonf run --workers auto`. The
    embedded reference is not started yet: its round trip is the latency it is asked for."""
    round_trip = embedded_latency_ms / 1000.0 if target is None else probe_round_trip(target)
    requests = REQUESTS.get(profile, REQUESTS["quick"])
    return choose_workers(round_trip, max_workers=max_workers, requests=requests), round_trip
