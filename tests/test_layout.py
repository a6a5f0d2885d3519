"""The shape of the code itself: rules that no behaviour test would notice being broken."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest

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
