"""The pytest side of ticonf: the run options, the run's state, fixtures and per-test records.

The controller (or the only process, without xdist) resolves the target, starts the embedded
reference server when there is none, runs the pre-flight check and renders the reports at the
end. Each xdist worker receives the run's context through `workerinput` and writes the records
of the tests it ran, one JSON line per test, into the report directory. Every process keeps its
RunState (ticonf.run.state) in `config.stash[STATE_KEY]`.
"""

from __future__ import annotations

import contextvars
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ticonf.client.api import ApiClient
from ticonf.client.config import Target, embedded_target, resolve_target
from ticonf.client.exchanges import Recorder
from ticonf.client.preflight import PreflightError, preflight
from ticonf.client.provisioning import Provisioner
from ticonf.core.errors import ConfigError
from ticonf.core.exit_codes import ExitCode
from ticonf.core.locations import DRY_RUN_PLAN, EXCHANGES, PREFLIGHT_ERROR, SUITES_DIR, raw_file
from ticonf.core.vocabulary import Status
from ticonf.run import state as run_state
from ticonf.run.context import RunContext, new_run_id, new_seed, report_dir_for
from ticonf.run.options import add_pytest_options, shard_text
from ticonf.run.profiles import register_profiles
from ticonf.run.progress import write_collected
from ticonf.run.state import RunState, start_embedded_server
from ticonf.schema.outcomes import classify

STATE_KEY = pytest.StashKey[RunState]()
RECORDER_KEY = pytest.StashKey[Recorder]()
RECORDER_TOKEN_KEY = pytest.StashKey[contextvars.Token[Recorder | None]]()
RECORD_KEY = pytest.StashKey[dict[str, Any]]()
DRY_RUN_EMBEDDED_URL = "http://127.0.0.1:0/v1"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_pytest_options(parser.getgroup("ticonf", "ticonf conformance run"))


def select_shard(nodeids: list[str], index: int, total: int) -> set[str]:
    """Round robin over the sorted test IDs: every shard of one tree gets a fixed, even share."""
    return set(sorted(nodeids)[index - 1 :: total])


def long_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The tests marked `long`, most requests first, each followed by one unmarked test, then
    the other unmarked tests in their order. xdist (with --maxschedchunk 1) hands each worker
    two tests to start with and then one at a time: so every worker starts on a different long
    test, and the run ends on short ones, not on one worker still busy with the longest test."""
    long = sorted((i for i in items if i.get_closest_marker("long")), key=_requests, reverse=True)
    short = [item for item in items if not item.get_closest_marker("long")]
    paired = [test for pair in zip(long, short, strict=False) for test in pair]
    return paired + long[len(short) :] + short[len(long) :]


def _requests(item: pytest.Item) -> int:
    marker = item.get_closest_marker("long")
    return int(marker.kwargs.get("requests", 0)) if marker else 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _active(config):
        return
    shard = config.getoption("shard", None)
    if shard:
        chosen = select_shard([item.nodeid for item in items], *shard)
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in chosen])
        items[:] = [item for item in items if item.nodeid in chosen]
    items[:] = long_first(items)


def _workerinput(config: pytest.Config) -> dict[str, Any]:
    """What the xdist controller handed this worker (an attribute xdist adds to the config)."""
    return config.workerinput  # type: ignore[attr-defined]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _is_conformance_run(config: pytest.Config) -> bool:
    """True when the run collects the conformance suites (not the project's own tests)."""
    if _is_worker(config):
        return "ticonf" in _workerinput(config)
    for arg in config.args:
        where = arg.split("::", 1)[0]
        if config.option.pyargs and where.split(".")[:2] == ["ticonf", "suites"]:
            return True  # pytest -p ticonf.plugin.hooks --pyargs ticonf.suites[.scenarios]
        path = Path(where).resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(*ids): requirement IDs a test checks")
    config.addinivalue_line(
        "markers",
        "long(requests=N): the test makes about N requests one after the other (quick profile)"
        "; long tests are started first",
    )
    register_profiles()
    if not _is_conformance_run(config):
        return
    if _is_worker(config):
        state = RunState(RunContext.from_wire(_workerinput(config)["ticonf"]))
    else:
        state = _controller_state(config)
    config.stash[STATE_KEY] = state
    run_state.activate(state)
    if not _is_worker(config) and not config.option.dry_run:
        _prepare_run(state)


def _active(config: pytest.Config) -> bool:
    return STATE_KEY in config.stash


def _state(config: pytest.Config) -> RunState:
    return config.stash[STATE_KEY]


def _controller_state(config: pytest.Config) -> RunState:
    """The run as the options describe it, with the embedded server started when there is no
    target (except in a dry run, which sends nothing)."""
    option = config.option
    try:
        target = resolve_target(option.target, option.api_key, option.api_secret)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    if target is not None and option.embedded_variant:
        raise pytest.UsageError("--variant is for the embedded reference server: drop --target")
    server = None
    embedded = target is None
    if target is None and option.dry_run:
        target = embedded_target(DRY_RUN_EMBEDDED_URL, option.api_key, option.api_secret)
    elif target is None:
        server = start_embedded_server(
            option.embedded_latency, option.embedded_rate_limit, option.embedded_variant
        )
        target = embedded_target(server.base_url, option.api_key, option.api_secret)
    run_id = option.run_id or new_run_id()
    ctx = RunContext(
        target=target,
        profile=option.profile,
        seed=option.seed if option.seed is not None else new_seed(),
        run_id=run_id,
        report_dir=report_dir_for(option.report_dir, run_id),
        workers=getattr(option, "numprocesses", None) or 0,
        embedded=embedded,
        started=time.time(),
        max_rps=option.max_rps,
        timeout=option.timeout,
        shard=shard_text(option.shard) if option.shard else None,
        model_type=option.model_type,
        max_throttle=option.max_throttle,
        label=option.label,
    )
    return RunState(ctx, server=server)


def _prepare_run(state: RunState) -> None:
    """The manifest, a fresh pace, and the pre-flight check: a refused or unreachable target
    ends the run here (exit 3), before any test."""
    ctx = state.context
    ctx.write_manifest()
    ctx.pace_path.unlink(missing_ok=True)  # a reused directory's pace is not this run's
    try:
        preflight(ctx.target, ctx.run_id, ctx.model_type, politeness=state.politeness)
    except PreflightError as error:
        ctx.report_dir.mkdir(parents=True, exist_ok=True)
        (ctx.report_dir / PREFLIGHT_ERROR).write_text(str(error) + "\n")
        state.stop_server()
        pytest.exit(f"ticonf: {error}", returncode=ExitCode.INCONCLUSIVE)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    if _active(node.config):
        node.workerinput["ticonf"] = _state(node.config).context.to_wire()


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not _active(config):
        return []
    ctx = _state(config).context
    return [
        f"ticonf: target {ctx.target.base_url}, profile {ctx.profile}, "
        f"seed {ctx.seed}, reports {ctx.report_dir}"
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse a bad --expect-fail or --baseline file before any test runs."""
    if _active(session.config) and not _is_worker(session.config):
        from ticonf.report import ReportInputError, check_gate_inputs

        try:
            check_gate_inputs(session.config.option.expect_fail, session.config.option.baseline)
        except ReportInputError as error:
            raise pytest.UsageError(str(error)) from None


def pytest_collection_finish(session: pytest.Session) -> None:
    """The number of tests, for `ticonf run`'s progress line; in a dry run, the plan: every
    test that would run and the requirements it checks."""
    if not _active(session.config):
        return
    ctx = _state(session.config).context
    if not session.config.option.dry_run:
        write_collected(ctx.raw_dir, ctx.process_name, len(session.items))
        return
    plan = [{"test": item.nodeid, "requirements": _requirements_of(item)} for item in session.items]
    ctx.report_dir.mkdir(parents=True, exist_ok=True)
    (ctx.report_dir / DRY_RUN_PLAN).write_text(json.dumps(plan, indent=1), encoding="utf-8")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.option.dry_run:
        return
    if _active(session.config) and not _is_worker(session.config):
        from ticonf.report import session_outcome, write_reports

        option = session.config.option
        state = _state(session.config)
        write_reports(
            state.context,
            politeness=state.politeness,
            session=session_outcome(session, exitstatus),
            expect_fail=option.expect_fail,
            baseline=option.baseline,
            replays=option.replays,
            flaky=option.flaky,
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _active(config):
        return
    _state(config).stop_server()
    run_state.deactivate()


# -- per-test records ----------------------------------------------------------------------


def _requirements_of(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers("req"):
        ids += [i for i in marker.args if i not in ids]
    return ids


def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _active(item.config):
        return
    recorder = Recorder()
    item.stash[RECORDER_KEY] = recorder
    item.stash[RECORD_KEY] = {
        "nodeid": item.nodeid,
        "requirements": _requirements_of(item),
        "outcome": Status.PASSED,
        "kind": "",
        "message": "",
        "failed_requirements": [],
        "observations": [],
        "started": time.time(),
        "generated": bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False)),
    }
    recorder.sink = _exchange_log(_state(item.config).context, item.nodeid)
    item.stash[RECORDER_TOKEN_KEY] = run_state.RECORDER.set(recorder)


def _exchange_log(ctx: RunContext, nodeid: str) -> Callable[[Any], None]:
    """Every exchange of the run, as it happens, for report.har and the coverage table."""
    path = ctx.raw_dir / raw_file(EXCHANGES, ctx.process_name)

    def write(exchange: Any) -> None:
        line = {"test": nodeid, "at": round(time.time(), 3), **exchange.to_dict()}
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")

    return write


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    record = item.stash.get(RECORD_KEY, None)
    if record is None:
        return report
    if report.skipped and call.when != "teardown":
        record["outcome"] = Status.SKIPPED
        record["message"] = str(getattr(call.excinfo, "value", "") or "")[:500]
    elif (
        report.failed
        and call.excinfo is not None
        and record["outcome"] not in (Status.FAILED, Status.ERROR)
    ):
        _note_failure(record, call.excinfo.value, call.when)
        # The evidence is what led to the failure, not the cleanup requests that follow it.
        recorder = item.stash[RECORDER_KEY]
        record["exchanges"] = [e.to_dict() for e in recorder.last(5)]
        # The whole sequence up to the failure, for the replay (report/replay.py).
        record["sequence"] = [e.to_dict() for e in recorder.exchanges]
        record["sequence_complete"] = recorder.total == len(recorder.exchanges)
    if call.when == "teardown":
        _write_record(item)
        run_state.RECORDER.reset(item.stash[RECORDER_TOKEN_KEY])
    return report


def _note_failure(record: dict[str, Any], error: BaseException, when: str) -> None:
    """Keep the first failure of a test; a teardown error does not hide a call failure."""
    if record["outcome"] in (Status.FAILED, Status.ERROR):
        return
    verdict = classify(error)
    record["outcome"] = verdict.outcome
    record["kind"] = verdict.kind
    record["message"] = verdict.message
    if verdict.outcome == Status.FAILED:
        named = verdict.requirements or tuple(record["requirements"])
        record["failed_requirements"] = list(named)


def _write_record(item: pytest.Item) -> None:
    record = item.stash.get(RECORD_KEY, None)
    recorder = item.stash.get(RECORDER_KEY, None)
    if record is None or recorder is None:
        return
    record["duration"] = round(time.time() - record.pop("started"), 3)
    record["requests"] = recorder.total
    record["retries"] = recorder.retries
    if record["outcome"] in (Status.FAILED, Status.ERROR):
        record.setdefault("exchanges", [e.to_dict() for e in recorder.last(5)])
    _state(item.config).write_record(record)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    """The deployment under test."""
    return _state(request.config).context.target


@pytest.fixture
def recorder(request: pytest.FixtureRequest) -> Recorder:
    return request.node.stash[RECORDER_KEY]


@pytest.fixture
def api(request: pytest.FixtureRequest, target: Target, recorder: Recorder) -> Iterator[ApiClient]:
    """A client of the target that records every exchange as this test's evidence."""
    state = _state(request.config)
    timeout = state.context.timeout
    client = ApiClient(target, recorder, timeout=timeout, politeness=state.politeness)
    yield client
    client.close()


@pytest.fixture
def provision(request: pytest.FixtureRequest, api: ApiClient) -> Iterator[Provisioner]:
    """Scratch resources for this test, deleted when it ends, whatever its outcome."""
    state = _state(request.config)
    ctx = state.context
    provisioner = Provisioner(api, state.ledger, ctx.run_id, ctx.model_type)
    yield provisioner
    provisioner.cleanup()


@pytest.fixture
def model_id(provision: Provisioner) -> str:
    """A fresh, empty scratch model."""
    return provision.model()


@pytest.fixture
def observe(request: pytest.FixtureRequest) -> Callable[[str, Any], None]:
    """Record a behaviour the documentation leaves open, for the report (never a failure)."""

    def note(topic: str, value: Any) -> None:
        request.node.stash[RECORD_KEY]["observations"].append(
            {"topic": topic, "value": json.loads(json.dumps(value, default=str))}
        )

    return note
