"""The `onewindow` command.

argparse rather than click/typer: it is in the standard library (one dependency less on every counter PC),
starts fast (cold start matters at a counter), and nested subcommands (`audit vectors`, `bench codes`) are
plain sub-parsers. Each subcommand lives in its own module under onewindow/commands/ and exposes
`register(subparsers)`; heavy imports (Qt, FastAPI, SQLAlchemy) happen inside the handlers so that
`onewindow scan-parse` does not pay for the GUI.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from onewindow import __version__

# Order is the order shown in --help.
COMMAND_MODULES = (
    "demo",
    "gui",
    "scan_parse",
    "audit",
    "catalogue",
    "server",
    "seed",
    "gateway",
    "evoucher",
    "journal",
    "report",
    "remind",
    "staff",
    "bench",
    "selftest",
    "config",
    "qt_probe",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onewindow",
        description="一窗通 OneWindow — 门诊慢特病/两病 point of service and reference centre",
    )
    parser.add_argument("--version", action="version", version=f"onewindow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"onewindow.commands.{name}")
        except ModuleNotFoundError as exc:
            # A command whose module is not written yet is simply absent; anything else is a real error.
            if exc.name == f"onewindow.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `onewindow scan-parse ... | head` must not print a traceback.
        sys.stderr.close()
        return 0
