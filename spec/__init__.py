"""The specification files (OpenAPI, requirement catalog, report format), shipped inside the
ticonf package as `ticonf.spec` so that importlib.resources finds them wherever ticonf is
installed. This file makes the folder a package; it holds no code."""
