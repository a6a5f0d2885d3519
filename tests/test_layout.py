"""The shape of the code itself: rules that no behaviour test would notice being broken."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest
import ticonf.suites

import ticonf

SOURCE = Path(ticonf.__file__).parent
PACKAGES = sorted(init.parent for init in SOURCE.rglob("__init__.py"))


def dotted(package: Path) -> str:
    return ".".join(package.relative_to(SOURCE.parent).parts)


def shadowed_names(package: Path) -> set[str]:
    """Names the package's __init__ binds to something other than its submodule of that name.

    Importing package.X later sets the attribute X to the module, so a function X imported
    from elsewhere is silently replaced (report.compare once broke every --baseline run). One
    imported from package.X itself is safe: that import has loaded the module already.
    """
    modules = {info.name for info in pkgutil.iter_modules([str(package)])}
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if (alias.asname or alias.name) in modules
        and node.module != f"{dotted(package)}.{alias.asname or alias.name}"
        and not (node.module == dotted(package) and alias.asname is None)
    }


@pytest.mark.parametrize("package", PACKAGES, ids=dotted)
def test_no_submodule_can_replace_a_name_its_package_imports(package: Path) -> None:
    assert not shadowed_names(package)


CHECKOUT = Path(__file__).resolve().parent.parent


def readme_layout_folders() -> set[str]:
    """The folders the README's layout section lists under src/ticonf/ (indented by two)."""
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```")[1]
    indented = [line for line in block.splitlines() if line[:2] == "  " and line[2:3].isalpha()]
    return {line.split()[0].rstrip("/") for line in indented}


def test_the_readme_layout_names_every_package_and_only_those() -> None:
    layers = {path.name for path in PACKAGES if path.parent == SOURCE}
    assert readme_layout_folders() == layers


def test_the_suites_fail_through_check_never_a_bare_assert() -> None:
    """The suites run with --assert=plain (run/invocation.py): a bare assert there would fail
    without saying which requirement or what was seen."""
    suites = Path(ticonf.suites.__file__).parent
    offenders = [
        f"{path.relative_to(suites)}:{node.lineno}"
        for path in sorted(suites.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert offenders == []
