"""`onewindow evoucher issue --db URL --certno N`: print a fresh e-voucher QR payload (signed, short-lived)."""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evoucher", help="e-voucher QR payloads issued by the centre (医保电子凭证, test)")
    esub = p.add_subparsers(dest="evoucher_command", metavar="ACTION", required=True)
    issue = esub.add_parser("issue", help="print a dynamic QR payload for a person")
    issue.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    issue.add_argument("--certno", required=True, help="the person's ID number")
    issue.add_argument("--ttl", type=int, default=180, help="seconds until the payload expires (default 180)")
    issue.add_argument("--qr", metavar="PNG", help="also write the QR code as a PNG image")
    issue.set_defaults(handler=run_issue)


def run_issue(args: argparse.Namespace) -> int:
    from onewindow.commands.server import default_db_url
    from server.db import DatabaseError, open_centre
    from server.envelope import PlatformError
    from server.transactions.evoucher import issue_for_certno

    if not 10 <= args.ttl <= 3600:
        print("onewindow evoucher: --ttl must be between 10 and 3600 seconds", file=sys.stderr)
        return 2
    try:
        engine = open_centre(args.db or default_db_url())
    except DatabaseError as exc:
        print(f"onewindow evoucher: {exc}", file=sys.stderr)
        return 2
    try:
        payload = issue_for_certno(engine, args.certno, ttl=args.ttl)
    except PlatformError as exc:
        print(f"onewindow evoucher: {exc.err_msg}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if args.qr:
        import qrcode

        qrcode.make(payload).save(args.qr)
    print(payload)
    return 0
