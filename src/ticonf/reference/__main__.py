"""`python -m ticonf.reference`: the server process that `start_server` launches.

An entry point, the one place under reference/ that may use the fault catalog (built on top
of the reference) to start a faulty server; the import contract names this exception.
"""

import argparse
import os

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.faults import build_service
from ticonf.reference.server import serve
from ticonf.reference.variants import parse_variants


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m ticonf.reference")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fault", default=None)
    parser.add_argument("--latency", type=float, default=0.0, help="ms added before each answer")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second")
    parser.add_argument("--variant", default=None, help="legal variants: NAME[,NAME...] or all")
    args = parser.parse_args()
    api_key = os.environ.get("TICONF_REF_API_KEY", DEFAULT_API_KEY)
    api_secret = os.environ.get("TICONF_REF_API_SECRET", DEFAULT_API_SECRET)
    service = build_service(args.fault, api_key, api_secret, parse_variants(args.variant))
    serve(service, args.host, args.port, latency_ms=args.latency, rate_limit=args.rate_limit)


if __name__ == "__main__":
    main()
