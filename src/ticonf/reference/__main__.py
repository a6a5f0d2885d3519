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
    parser.add_argument("--variant", default=None, help="legal variants: NAME[,NAME...] or all")
    args = parser.parse_args()
    api_key = os.environ.get("TICONF_REF_API_KEY", DEFAULT_API_KEY)
    api_secret = os.environ.get("TICONF_REF_API_SECRET", DEFAULT_API_SECRET)
    variants = parse_variants(args.variant)
    serve(args.host, args.port, args.fault, api_key, api_secret, variants=variants)


if __name__ == "__main__":
    main()
