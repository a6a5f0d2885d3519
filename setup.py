"""The two top-level folders users read, spec/ and suites/, ship inside the package.

They stay at the top of the repository; the build maps them to `ticonf.spec` and
`ticonf.suites`, and the code finds them with importlib.resources (ticonf.core.locations), in a
checkout, an editable install and a wheel alike. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

BUNDLED = {"ticonf.spec": "spec", "ticonf.suites": "suites"}
SUITE_PACKAGES = [f"ticonf.suites.{name}" for name in find_packages("suites")]

setup(
    packages=[*find_packages("src"), *BUNDLED, *SUITE_PACKAGES],
    package_dir={"": "src", **BUNDLED},
    package_data={
        "ticonf": ["py.typed"],
        "ticonf.report": ["templates/*.j2", "templates/*.css"],
        "ticonf.spec": ["*.yaml", "*.json", "*.md"],
    },
)
