"""Calibration: the suite never fails a correct server for a choice the documentation leaves open.

The reference server's legal variants (src/ticonf/reference/variants.py) are such choices:
Replace giving a new ID, 422 for a malformed body, UUIDs, timestamps with an offset, gzip...
`ticonf run --variant ...` (a subprocess, as a user runs it) must exit 0 against each variant
alone and against all of them at once: a variant may fail a SHOULD, never a MUST.

To stay inside the CI budget, a variant alone runs the tests of the requirements it concerns
(the checks that could wrongly fail it, named in its registry entry), without shrinking;
`--variant all` runs the whole suite, so every test (new ones included) meets every variant.
One test per run, so that xdist spreads them; one pytest worker per run; a fixed seed; no
replays of the (SHOULD) problems a variant may show.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_kit import narrow_run, ticonf
from starlette.testclient import TestClient

from ticonf.client.samples import png_data_url
from ticonf.core.catalog import load_catalog
from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.core.errors import ConfigError
from ticonf.faults import all_faults, build_service, get_fault
from ticonf.reference.app import create_app
from ticonf.reference.variants import ALL, VARIANTS, all_variants, parse_variants

SEED = 20261202
RUN_TIMEOUT_S = 600


# -- the registry --------------------------------------------------------------------------


def test_there_are_at_least_20_variants() -> None:
    assert len(all_variants()) >= 20


@pytest.mark.parametrize("entry", all_variants(), ids=lambda v: v.name)
def test_variant_entries_are_well_formed(entry) -> None:
    assert entry.name.replace("-", "").isalnum() and entry.name == entry.name.lower()
    assert 20 <= len(entry.summary) <= 100 and not entry.summary.endswith(".")
    assert entry.concerns and set(entry.concerns) <= set(load_catalog())
    assert entry.mixin.__module__ == "ticonf.reference.variants"


def test_variant_names_parse() -> None:
    assert parse_variants(None) == ()
    assert parse_variants("gzip, ids-uuid,gzip") == ("gzip", "ids-uuid")
    assert parse_variants(ALL) == VARIANTS.names()
    with pytest.raises(ConfigError, match="unknown variant 'nope'"):
        parse_variants("gzip,nope")


def test_all_variants_compose_with_a_fault_on_top() -> None:
    """Every variant at once, and a fault acting through them: the fault still shows."""
    every = parse_variants(ALL)
    service = build_service("add-field-missing", DEFAULT_API_KEY, DEFAULT_API_SECRET, every)
    assert isinstance(service, get_fault("add-field-missing").service_class)
    with TestClient(create_app(service), base_url="http://testserver/v1") as client:
        client.auth = (DEFAULT_API_KEY, DEFAULT_API_SECRET)
        model = client.post("/models", json={"name": "m"}).json()["model"]["id"]
        added = client.post(f"/models/{model}/training-images", json={"data": png_data_url(1)})
        assert added.status_code == 200 and "requestId" in added.json()  # extra-fields
        image = added.json()["trainingImage"]
        assert "automaticCaptioning" not in image and "-" in image["id"]  # fault and ids-uuid
        assert client.options(f"/models/{model}/training-images").status_code == 204


def test_every_fault_composes_with_every_variant() -> None:
    """Also a fault built on a variant (json-malformed-422 on json-422): `--variant all` on top
    of it leaves the variant out rather than fail to order the classes."""
    every = parse_variants(ALL)
    for fault in all_faults():
        service = build_service(fault.name, DEFAULT_API_KEY, DEFAULT_API_SECRET, every)
        assert isinstance(service, fault.service_class), fault.name


def test_variants_lists_every_variant() -> None:
    result = ticonf("variants")
    assert result.returncode == 0, result.stderr
    for entry in all_variants():
        assert any(
            line.startswith(entry.name) and entry.summary in line
            for line in result.stdout.splitlines()
        )
    assert f"{len(VARIANTS)} variants" in result.stdout


def test_serve_refuses_an_unknown_variant_in_one_line() -> None:
    result = ticonf("serve", "--port", "0", "--variant", "gzip,no-such-variant")
    assert result.returncode == 2
    assert "unknown variant 'no-such-variant'" in result.stderr
    assert "Traceback" not in result.stderr


# -- the calibration runs --------------------------------------------------------------------


def must_failures(report: dict) -> list[str]:
    return [
        f"{r['id']}: {(r['failures'] or [{}])[0].get('message', '')[:300]}"
        for r in report["requirements"]
        if r["level"] == "MUST" and r["status"] in ("failed", "expected-failure")
    ]


@pytest.mark.parametrize("name", [*VARIANTS.names(), ALL])
def test_the_suite_passes_against_the_variant(name: str, tmp_path: Path) -> None:
    concerns = () if name == ALL else VARIANTS.lookup(name).concerns
    report_dir = tmp_path / name
    run = narrow_run(
        report_dir, concerns, "--variant", name, "--seed", str(SEED), "--replays", "0",
        timeout=RUN_TIMEOUT_S,
    )  # fmt: skip
    result = run.result
    assert (report_dir / "report.json").exists(), (
        f"no report: {result.stdout[-1500:]} {result.stderr[-1500:]}"
    )
    report = run.report
    assert result.returncode == 0, (
        f"variant {name}: exit {result.returncode}, verdict {report['verdict']}; "
        f"MUST failures {must_failures(report)}; errors {report['errors'][:2]} (in {report_dir})"
    )
    checked = {r["id"] for r in report["requirements"] if r["status"] in ("passed", "failed")}
    assert set(concerns) <= checked, f"not checked: {sorted(set(concerns) - checked)}"
