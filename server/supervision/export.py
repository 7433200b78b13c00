"""Tables of the supervision screen as CSV (UTF-8 with BOM, so Excel reads the Chinese) or XLSX (openpyxl)."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import Connection

from server.supervision import queries

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def table(conn: Connection, what: str, today: dt.date) -> tuple[list[str], list[list]]:
    """(header, rows) of an exportable table; KeyError for an unknown one."""
    if what == "alerts":
        rows = queries.alert_rows(conn, limit=10000)
        return (["编号 id", "规则 rule", "级别 severity", "时间 at", "内容 title", "状态 status", "处理人 assignee"],
                [[a["id"], a["rule"], a["severity"], a["at"], a["title_zh"], a["status"], a["assignee"]] for a in rows])
    if what == "institutions":
        f = queries.fund_flow(conn, today, top_n=100000)["by_institution"]
        return (["机构编码 code", "机构名称 name", "本月结算 settlements", "本月基金支付 fund (元)"],
                [[x["code"], x["name"], x["settlements"], x["fund"]] for x in f])
    if what == "drugs":
        d = queries.drug_use(conn, today, top_n=100000)["top"]
        return (["药品编码 key", "药品名称 name", "本月盒数 boxes", "供药天数 supply days"],
                [[x["key"], x["name"], x["boxes"], x["supply_days"]] for x in d])
    raise KeyError(what)


def render(header: list[str], rows: list[list], fmt: str, title: str) -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = title[:31]
        ws.append(header)
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise KeyError(fmt)
