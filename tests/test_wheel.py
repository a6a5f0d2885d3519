"""Installed from its wheel, ticonf works anywhere: from an empty directory, outside the checkout.

The wheel is built from a copy of the working tree (a stale build/ folder could smuggle deleted
files into it) and installed with `--no-deps` into a fresh virtual environment. Its dependencies
come from this test's own environment through a .pth file, which keeps the test offline and
fast; the ticonf package itself can then only come from the wheel (the editable install's
finder is not loaded there), so a file missing from the wheel fails the run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from run_kit import clean_env

# One build per run: every test of this module goes to the same xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("wheel")

REPO = Path(__file__).resolve().parents[1]
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "reports", "*.egg-info", "__pycache__", ".hypothesis"
)


def sh(*command: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtual environment holding only ticonf's wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=NOT_COPIED)
    built = sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
               "-w", root / "dist", ".", cwd=source)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (root / "dist").glob("ticonf-*.whl")
    venv = root / "venv"
    assert sh(sys.executable, "-m", "venv", venv, cwd=root).returncode == 0
    site = sh(venv / "bin" / "python", "-c",
              "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root)  # fmt: skip
    # Every site-packages folder this test's interpreter sees (a venv may chain to another).
    folders = [sysconfig.get_paths()["purelib"], *(p for p in sys.path if p.endswith("-packages"))]
    dependencies = "\n".join(dict.fromkeys(folders)) + "\n"
    (Path(site.stdout.strip()) / "ticonf-test-dependencies.pth").write_text(dependencies)
    pip = sh(venv / "bin" / "python", "-m", "pip", "install", "--no-deps", wheel, cwd=root)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return venv / "bin"


def test_the_wheel_carries_the_spec_and_the_suites(installed: Path, tmp_path: Path) -> None:
    where = sh(installed / "python", "-c",
               "import ticonf.core.locations as l; print(l.SPEC_DIR); print(l.SUITES_DIR)",
               cwd=tmp_path)  # fmt: skip
    spec, suites = map(Path, where.stdout.split())
    assert REPO not in spec.parents and REPO not in suites.parents, where.stdout
    assert (spec / "requirements.yaml").is_file() and (spec / "report.schema.json").is_file()
    assert (suites / "scenarios" / "test_pairs.py").is_file()


def test_python_m_ticonf_prints_the_version_and_hashes(installed: Path, tmp_path: Path) -> None:
    result = sh(installed / "python", "-m", "ticonf", "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ticonf ")
    assert result.stdout.count("sha256:") == 2


def test_ticonf_run_from_an_empty_directory(installed: Path, tmp_path: Path) -> None:
    """The README's zero-configuration run, from the wheel: exit 0 and every report written."""
    result = sh(installed / "ticonf", "run", "--report-dir", "out", "--workers", "1",
                "--quiet", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("report.json", "report.html", "summary.md", "junit.xml"):
        assert (tmp_path / "out" / name).is_file(), name
    assert not list(tmp_path.glob(".hypothesis")), "nothing written outside the report directory"


def test_plain_pytest_runs_the_installed_suites(installed: Path, tmp_path: Path) -> None:
    """The documented way to run the installed suites with pytest itself."""
    result = sh(installed / "python", "-m", "pytest", "-p", "ticonf.plugin.hooks",
                "--pyargs", "ticonf.suites", "-p", "no:cacheprovider", "-q",
                "--report-dir", "out", "-k", "test_pairs", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "out" / "report.json").is_file()
