"""`onewindow journal verify [--db URL] [--expect-head HASH] [--client HOME]`: walk the centre's keyed journal
(chain, checkpoints, rows against their entries) or a client's staff-action journal; OK or what is broken."""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("journal", help="the centre's tamper-evident journal (日志链)")
    jsub = p.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    v = jsub.add_parser("verify", help="check every link of the chain")
    v.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    v.add_argument("--expect-head", metavar="HASH", help="a head written down earlier: it must still be in the chain")
    v.add_argument("--client", metavar="HOME", help="verify a client's staff-action journal (desk.db etc. in HOME)")
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    if args.client:
        return run_verify_client(args.client)
    from onewindow.commands.server import default_db_url
    from server.db import DatabaseError, open_centre
    from server.journal import verify

    try:
        engine = open_centre(args.db or default_db_url())
    except DatabaseError as exc:
        print(f"onewindow journal: {exc}", file=sys.stderr)
        return 2
    try:
        result = verify(engine, expect_head=args.expect_head)
    finally:
        engine.dispose()
    print(result.describe())
    return 0 if result.ok else 1


def run_verify_client(home: str) -> int:
    from pathlib import Path

    from core.store.staff_journal import verify_home

    results = verify_home(Path(home))
    if not results:
        print(f"onewindow journal: no client store in {home}", file=sys.stderr)
        return 2
    bad = 0
    for path, result in results:
        print(f"{path}: {result.describe()}")
        bad += not result.ok
    return 1 if bad else 0
