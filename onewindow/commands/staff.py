"""`onewindow staff add USER --name NAME --role ROLE (--password P | --pin N)` / `onewindow staff list`:
the desk's users in the local store (passwords and PINs hashed with scrypt)."""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("staff", help="desk staff: add a user or list them (员工)")
    ssub = p.add_subparsers(dest="staff_cmd", metavar="add|list", required=True)
    a = ssub.add_parser("add", help="add or update a user")
    a.add_argument("user")
    a.add_argument("--name", required=True)
    a.add_argument("--role", required=True, choices=("clerk", "pharmacist", "supervisor", "admin"))
    a.add_argument("--password")
    a.add_argument("--pin")
    a.add_argument("--store", help="store URL (default: the terminal's store)")
    a.set_defaults(handler=run_add)
    ls = ssub.add_parser("list", help="list active users")
    ls.add_argument("--store", help="store URL (default: the terminal's store)")
    ls.set_defaults(handler=run_list)


def _auth(store: str | None):
    from core.services.auth import Auth
    from core.store.db import open_store
    from core.store.desk import ensure_desk_schema
    from core.store.paths import store_url

    engine = open_store(store or store_url())
    ensure_desk_schema(engine)
    return Auth(engine), engine


def run_add(args: argparse.Namespace) -> int:
    if not args.password and not args.pin:
        print("onewindow staff add: give --password or --pin", file=sys.stderr)
        return 2
    auth, engine = _auth(args.store)
    try:
        auth.add_user(args.user, args.name, args.role, password=args.password, pin=args.pin)
    except ValueError as exc:
        print(f"onewindow staff add: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"user {args.user} ({args.role}) saved")
    return 0


def run_list(args: argparse.Namespace) -> int:
    auth, engine = _auth(args.store)
    try:
        for u in auth.users():
            print(f"{u.user_id}\t{u.name}\t{u.role}")
    finally:
        engine.dispose()
    return 0
