"""`onewindow report monthly --db URL --month YYYY-MM --form 4|5|6 --format json|xlsx|pdf [--out FILE]`

The monthly 两病 reports of seed 001 (附件4 residents, 附件5 employees, 附件6 people under management per unit),
computed from the centre's database (server/reports/monthly.py) and written as JSON (one row per disease:
高血压, 糖尿病, 合计 — insured, registered and, per level level1/level2/level3/pharmacy/total, medfee and
reimbursed), XLSX or PDF (core/services/reports_monthly.py). Exit 2 on bad input, with the reason.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="reports from the centre's records (月报表)")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    m = rsub.add_parser("monthly", help="两病 monthly report: form 4 (城乡居民), 5 (职工) or 6 (管理人数)")
    m.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    m.add_argument("--month", required=True, metavar="YYYY-MM")
    m.add_argument("--form", required=True, choices=("4", "5", "6"))
    m.add_argument("--format", default="json", choices=("json", "xlsx", "pdf"))
    m.add_argument("--out", metavar="FILE", help="output file (JSON: default standard output; XLSX/PDF: default "
                                                 "附件<form>_<month>.<format> in the current folder)")
    m.add_argument("--unit", default="", help="填报单位 printed on XLSX/PDF")
    m.add_argument("--preparer", default="", help="填报人")
    m.add_argument("--reviewer", default="", help="审核人")
    m.set_defaults(handler=run_monthly)


def _fail(text: str) -> int:
    print(f"onewindow report: {text}", file=sys.stderr)
    return 2


def run_monthly(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from core.services.reports_monthly import Footer, write_pdf, write_xlsx
    from onewindow.commands.server import default_db_url
    from server.db import DatabaseError, open_centre
    from server.reports.monthly import ReportError, monthly, parse_month

    try:
        parse_month(args.month)
    except ReportError as exc:
        return _fail(str(exc))
    url = args.db or default_db_url()
    try:
        u = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any unparsable URL
        return _fail(f"not a database URL: {url!r} ({exc})")
    if u.drivername.startswith("sqlite") and u.database and u.database != ":memory:" and not Path(u.database).exists():
        return _fail(f"no centre database at {u.database}")
    try:
        engine = open_centre(url)
    except DatabaseError as exc:
        return _fail(str(exc))
    try:
        with engine.connect() as conn:
            report = monthly(conn, args.month, args.form)
            conn.rollback()
    except ReportError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    if args.format == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
            print(args.out)
        else:
            print(text)
        return 0
    out = Path(args.out or f"附件{args.form}_{args.month}.{args.format}")
    footer = Footer(unit=args.unit, preparer=args.preparer, reviewer=args.reviewer)
    (write_xlsx if args.format == "xlsx" else write_pdf)(report, out, footer)
    print(out)
    return 0
