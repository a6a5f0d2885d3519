"""`python -m ticonf.reference`: the server process that `start_server` launches."""

import argparse
import os

from ticonf.reference.server import serve
from ticonf.reference.service import DEFAULT_API_KEY, DEFAULT_API_SECRET
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
    serve(
        args.host,
        args.port,
        args.fault,
        api_key,
        api_secret,
        latency_ms=args.latency,
        rate_limit=args.rate_limit,
        variants=parse_variants(args.variant),
    )


if __name__ == "__main__":
    main()
