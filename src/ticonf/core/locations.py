"""Where ticonf's own files are, and the names of the files a run writes: defined once.

spec/ and suites/ live at the top of the repository and are mapped into the package at build
time (setup.py), so they are found through importlib.resources in a checkout with an editable
install and in an installed wheel alike, never through the checkout's path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_dir(package: str) -> Path:
    """The folder of a bundled package; ticonf is installed as files, never from a zip."""
    return Path(str(files(package)))


SPEC_DIR = _package_dir("ticonf.spec")
SUITES_DIR = _package_dir("ticonf.suites")
CATALOG_PATH = SPEC_DIR / "requirements.yaml"
OPENAPI_PATH = SPEC_DIR / "openapi.yaml"
FIXTURES_PATH = SPEC_DIR / "fixtures.yaml"
REPORT_SCHEMA_PATH = SPEC_DIR / "report.schema.json"

# In a run's report directory: the run's manifest, the folder of per-process records, the
# reports, pytest's log, the pre-flight check's refusal and a dry run's plan.
MANIFEST = "run.json"
RAW_DIR = "raw"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
SUMMARY_MD = "summary.md"
JUNIT_XML = "junit.xml"
REPORT_HAR = "report.har"
REPORT_FILES = (REPORT_JSON, REPORT_HTML, SUMMARY_MD, JUNIT_XML)
PYTEST_LOG = "pytest.log"
PREFLIGHT_ERROR = "preflight-error.txt"
DRY_RUN_PLAN = "plan.json"

# In raw/: files of three kinds, one of each per process (the run, gw0, gw1, ... or a name such
# as "cleanup"), each appended a JSON line at a time; and the pace shared by all workers.
RECORDS = "records"  # a line per finished test
EXCHANGES = "exchanges"  # every request and its answer
RESOURCES = "resources"  # the ledger of the scratch resources the process created
PACE_FILE = "pace.bin"
RAW_SUFFIX = ".ndjson"
ANY_RAW_GLOB = f"*{RAW_SUFFIX}"  # the files of every kind and process


def raw_file(kind: str, process: str) -> str:
    """The name of `process`'s file of `kind` (RECORDS, EXCHANGES or RESOURCES) in raw/."""
    return f"{kind}-{process}{RAW_SUFFIX}"


def raw_glob(kind: str) -> str:
    """A glob for the files of `kind` of every process of a run."""
    return raw_file(kind, "*")
