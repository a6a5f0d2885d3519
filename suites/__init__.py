"""The conformance suites, shipped inside the ticonf package as `ticonf.suites`.

`ticonf run` runs them; so does plain pytest: `pytest suites/` in a checkout, or
`pytest -p ticonf.plugin.hooks --pyargs ticonf.suites` where ticonf is installed.
"""
