"""`onewindow demo`: the whole system on one machine.

For now: the scan window (scan or type any code and see what it is). The embedded centre and demo data
join it as they are built.
"""
from __future__ import annotations

import argparse

from onewindow.commands.gui import add_quit_after


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the demo: scan window for now (演示)")
    add_quit_after(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop.launch import run_scan_window

    return run_scan_window("demo", None, args.quit_after)
