"""`ticonf variants`: list the legal variants of the reference server.

A variant is a choice the documentation leaves open (Replace giving a new ID, 422 for a
malformed body, UUIDs, gzip...), served by `ticonf serve --variant NAME[,NAME...]` or `--variant
all`, and by the embedded server of `ticonf run --variant ...`. The suite must pass against each
of them (tests/test_variants.py): a variant may only fail SHOULD requirements.
"""

from __future__ import annotations

import argparse
from typing import Any

from ticonf.reference.variants import all_variants


def add_parser(commands: Any) -> None:
    """Register `ticonf variants` on the CLI's sub-command parser."""
    parser = commands.add_parser(
        "variants",
        help="list the legal variants of the reference server",
        description="List the reference server's legal variants: answers the documentation "
        "leaves open, each a server the suite must pass (a variant may fail a SHOULD, never a "
        "MUST). Use them with `ticonf serve --variant NAME[,NAME...]` or `--variant all`, and "
        "`ticonf run --variant ...` for the embedded server.",
    )
    parser.set_defaults(handler=command_variants)


def command_variants(args: argparse.Namespace) -> int:
    variants = all_variants()
    width = max(len(v.name) for v in variants)
    for entry in variants:
        print(f"{entry.name:<{width}}  {entry.summary}")
    print(f"{len(variants)} variants; `--variant all` combines them")
    return 0


def variants_epilog() -> str:
    """The variants, one per line, for `ticonf serve --help`."""
    variants = all_variants()
    width = max(len(v.name) for v in variants)
    lines = [f"  {v.name:<{width}}  {v.summary}" for v in variants]
    return "legal variants (--variant NAME[,NAME...] or all):\n" + "\n".join(lines)
