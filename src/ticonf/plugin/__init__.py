"""The pytest front end: ticonf's plugin, hooks.py (options, fixtures, per-test records).

Not named `pytest`: the suites run with the package folder as working directory, where a
folder of that name would be imported instead of pytest itself.
"""
