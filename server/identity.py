"""Checks that a message is what its caller may claim: its msgid is the caller's (it starts with the caller's
institution code, so one institution can never take another's settlement id, which is the msgid), and a
prescription's dates are not in the future nor valid before they were written.

The pipeline (server.centre) calls `check_msgid` before any handler; the settlement's preparation calls
`check_prescription_dates`.
"""
from __future__ import annotations

import datetime as dt

from server.envelope import PlatformError

CLOCK_SKEW = dt.timedelta(minutes=5)  # a terminal's clock may run this far ahead of the centre's


def check_msgid(code: str, msgid: str) -> None:
    if not msgid.startswith(code):
        raise PlatformError(f"msgid {msgid} 必须以本机构编码 {code} 开头 / the msgid must start with the caller's "
                            f"institution code {code} (institution code + time + sequence)")


def _moment(text: str, field: str) -> dt.datetime | None:
    text = str(text or "").strip()
    if not text:
        return None
    try:
        if len(text) <= 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        return dt.datetime.fromisoformat(text.replace("T", " ")[:19])
    except ValueError:
        raise PlatformError(f"{field}: 不是日期 / not a date: {text!r}") from None


def check_prescription_dates(now: dt.datetime, *, rx_date: dt.date, fee_times: list[tuple[str, str]],
                             valid_until: dt.date | None) -> None:
    """`now` is the centre's local time (CST); `fee_times` are (feedetl_sn, fee_ocur_time) of each line."""
    local = now.replace(tzinfo=None)
    if rx_date > (local + CLOCK_SKEW).date():
        raise PlatformError(f"rx_date {rx_date} 晚于今天，处方日期不能在未来 / the prescription date is in the future")
    for sn, text in fee_times:
        at = _moment(text, f"drugdetail {sn}: fee_ocur_time")
        if at is not None and at > local + CLOCK_SKEW:
            raise PlatformError(f"drugdetail {sn}: fee_ocur_time {text} 晚于当前时间 / the fee time is in the future")
    if valid_until is not None and valid_until < rx_date:
        raise PlatformError(f"rx_valid_until {valid_until} 早于处方日期 {rx_date} / the prescription is valid until "
                            "a day before it was written")


__all__ = ["CLOCK_SKEW", "check_msgid", "check_prescription_dates"]
