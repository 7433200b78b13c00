"""`onewindow journal verify --db URL`: walk the centre's hash-chained journal; OK or the first broken entry."""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("journal", help="the centre's tamper-evident journal (日志链)")
    jsub = p.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    v = jsub.add_parser("verify", help="check every link of the chain")
    v.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from onewindow.commands.server import default_db_url
    from server.db import DatabaseError, open_centre
    from server.journal import verify

    try:
        engine = open_centre(args.db or default_db_url())
    except DatabaseError as exc:
        print(f"onewindow journal: {exc}", file=sys.stderr)
        return 2
    try:
        result = verify(engine)
    finally:
        engine.dispose()
    print(result.describe())
    return 0 if result.ok else 1
