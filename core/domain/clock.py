"""China Standard Time: business dates (settlement day, refill due dates, receipt numbers) are CST dates
whatever the machine's own time zone is — a counter PC set to UTC must not move a sale to yesterday."""
from __future__ import annotations

import datetime as dt

CST = dt.timezone(dt.timedelta(hours=8), "CST")


def now_cst() -> dt.datetime:
    return dt.datetime.now(CST)


def today_cst() -> dt.date:
    return now_cst().date()


__all__ = ["CST", "now_cst", "today_cst"]
