"""`onewindow server [--db URL] [--host H] [--port P | --fd N...] [--dev] [--strict [PROFILE]]`: run the centre (FastAPI + uvicorn)."""
from __future__ import annotations

import argparse
import sys

DEV_BANNER = """
************************************************************************
*  DEV MODE: the centre ACCEPTS UNSIGNED REQUESTS from anyone.          *
*  开发模式：不校验签名。Never run a real region like this.              *
************************************************************************
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("server", help="run the centre (中心端服务)")
    p.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in the application data folder)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8600)
    p.add_argument("--dev", action="store_true", help="accept unsigned requests (development only)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL only)")
    p.add_argument("--concurrency", type=int, default=4,
                   help="requests inside the database at once, per worker (default 4)")
    p.add_argument("--hung-after", type=float, default=15.0,
                   help="seconds without a worker's heartbeat before it is replaced (default 15; --workers > 1)")
    p.add_argument("--strict", nargs="?", const="national", default=None, metavar="PROFILE",
                   help="conformance mode: refuse every deviation from the field lists of PROFILE (default national), "
                        "naming the field (严格模式)")
    p.add_argument("--docs", action="store_true",
                   help="serve /docs, /redoc and /openapi.json (always with --dev; off otherwise)")
    p.add_argument("--permissions", action="store_true",
                   help="print which institution kinds may call each transaction (server.permissions) and exit")
    p.add_argument("--fd", type=int, action="append", default=[], metavar="N",
                   help="serve on an inherited socket, bound and listening (file descriptor N; once per worker, or "
                        "once for all), instead of binding --host/--port: whoever starts the centre bound the port "
                        "once and keeps it (tests), so no other process can take it in between")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"),
                   help="uvicorn log level; below info the access log is off (default info)")
    p.set_defaults(handler=run)


def default_db_url() -> str:
    from core.settings.paths import app_home
    from core.store.paths import sqlite_url

    return sqlite_url(app_home() / "centre.db")


def run(args: argparse.Namespace) -> int:
    import logging

    from sqlalchemy.engine import make_url

    from server.portlock import PortBusy, claim_port

    if args.permissions:
        from server.permissions import table
        from server.transactions import load_all

        print(table(load_all()))
        return 0
    url = args.db or default_db_url()
    try:
        sockets = _inherited(args)
    except OSError as exc:
        print(f"onewindow server: --fd {args.fd}: {exc}", file=sys.stderr)
        return 2
    from onewindow import logs as logsetup

    # a rotating file per process in the log folder (centre-PORT.log; each worker of --workers its own
    # centre-PORT-wN.log), and the console as before
    logsetup.setup(f"centre-{args.port}", level=getattr(logging, args.log_level.upper()))
    try:  # before anything else: one centre generation per port
        claim = claim_port(args.host, args.port, make_url(url).render_as_string(hide_password=True),
                           probe=not sockets)  # a handed-over listener on the port is ours
    except PortBusy as exc:
        print(f"onewindow server: {exc}", file=sys.stderr)
        return 2
    try:
        return _serve(args, url, claim, sockets)
    finally:
        claim.release()


def _inherited(args: argparse.Namespace) -> list:
    """The sockets of --fd (their family read from the descriptor); host and port become theirs."""
    import socket

    sockets = [socket.socket(fileno=fd) for fd in args.fd]
    if sockets:
        args.host, args.port = sockets[0].getsockname()[:2]
    return sockets


def _serve(args: argparse.Namespace, url: str, claim, sockets: list) -> int:
    import logging
    import os

    import uvicorn

    from server.db import DatabaseError, open_centre

    try:
        engine = open_centre(url)
    except DatabaseError as exc:
        print(f"onewindow server: {exc}", file=sys.stderr)
        return 2
    if args.strict:
        from core.gateway.profiles import InterfaceProfileError, load_profile

        try:
            load_profile(args.strict)
        except InterfaceProfileError as exc:
            print(f"onewindow server: {exc}", file=sys.stderr)
            return 2
    if args.dev:
        print(DEV_BANNER, file=sys.stderr)
        logging.getLogger("onewindow.server").warning("DEV MODE: unsigned requests are accepted")
    if args.workers > 1:
        if url.startswith("sqlite"):
            print("onewindow server: several workers need PostgreSQL (SQLite has one writer)", file=sys.stderr)
            return 2
        engine.dispose()
        os.environ["ONEWINDOW_CENTRE_DB"] = url
        os.environ["ONEWINDOW_CENTRE_DEV"] = "1" if args.dev else ""
        os.environ["ONEWINDOW_CENTRE_DOCS"] = "1" if args.docs else ""
        os.environ["ONEWINDOW_CENTRE_CONCURRENCY"] = str(args.concurrency)
        os.environ["ONEWINDOW_CENTRE_STRICT"] = args.strict or ""
        from server.workers import serve

        # One listening socket per worker (SO_REUSEPORT): uvicorn's shared socket lets one worker take a whole
        # burst of keep-alive connections while the others idle.
        return serve(uvicorn.Config("server.app:from_env", factory=True, host=args.host, port=args.port,
                                    log_level=args.log_level, access_log=args.log_level in ("debug", "info")),
                     args.workers, hung_after=args.hung_after,
                     on_workers=lambda pids, beating: claim.record(os.getpid(), pids, beating), given=sockets)
    from server.app import create_app

    print(f"onewindow centre on http://{args.host}:{args.port}  (database {engine.url.render_as_string(hide_password=True)};"
          f"{' OpenAPI at /docs' if args.docs or args.dev else ' /docs off: --docs'})", file=sys.stderr)
    app = create_app(engine=engine, dev=args.dev, concurrency=args.concurrency, strict=args.strict, docs=args.docs)
    if sockets:
        from uvicorn.config import STARTUP_FAILURE

        server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level,
                                               access_log=args.log_level in ("debug", "info")))
        server.run(sockets=sockets[:1])
        return 0 if server.started else STARTUP_FAILURE
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                access_log=args.log_level in ("debug", "info"))
    return 0
