"""`onewindow qt-probe`: the Qt check `selftest` runs in a child process (a broken platform plugin aborts the
process that loads it). Prints one JSON line; not meant to be run by hand."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qt-probe", help="internal: the Qt check of `selftest` (one JSON line)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop.selfcheck import main

    return main()
