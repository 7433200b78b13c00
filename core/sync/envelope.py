"""The national platform's envelope, client side, built in one place (nhsa-interface.md §1.2–1.3).

`build(...)` makes the request envelope around an `input` node; `encode` gives the exact bytes that are signed
and sent; `parse_reply` turns whatever came back (or did not) into a Reply with one of three outcomes:

- ANSWERED: a well-formed response envelope with `infcode`. infcode 0 = done, otherwise refused (the centre
  stored its refusal under the msgid, so a repeat gets the same refusal).
- NOT_SENT: the request certainly did not reach the centre's business logic: the connection could not be made,
  or the gateway refused the signature (HTTP 401). Safe to send again with the same msgid, or to withdraw.
- UNKNOWN: anything else — a read timeout, a reset or dropped connection after the request went out, a 5xx,
  garbage instead of an envelope. The centre may or may not have acted on it.

Platform field names appear only here and in core/sync/transactions.py.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping

SIGNIN_MARKERS = ("sign_no", "签到", "签退")


class Outcome(str, Enum):
    ANSWERED = "answered"
    NOT_SENT = "not_sent"
    UNKNOWN = "unknown"


@dataclass
class Reply:
    outcome: Outcome
    infcode: int | None = None
    err_msg: str = ""
    warn_msg: str = ""
    output: dict[str, Any] = field(default_factory=dict)
    http_status: int | None = None
    replayed: bool = False
    error: str = ""  # what went wrong in transport, for logs and the status line
    elapsed_s: float = 0.0
    ref_msgid: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.ANSWERED and self.infcode == 0

    @property
    def refused(self) -> bool:
        return self.outcome is Outcome.ANSWERED and self.infcode != 0

    @property
    def signin_refused(self) -> bool:
        """The centre refused the session (sign_no missing, unknown or signed out), not the message."""
        return self.refused and any(m in self.err_msg for m in SIGNIN_MARKERS)

    @property
    def reached(self) -> bool:
        """The centre's answer came back (done or refused)."""
        return self.outcome is Outcome.ANSWERED

    def describe(self) -> str:
        if self.ok:
            return "ok"
        if self.refused:
            return f"refused: {self.err_msg}"
        return f"{self.outcome.value}: {self.error or self.err_msg}"

    def to_record(self) -> dict:
        return {"infcode": self.infcode, "err_msg": self.err_msg, "warn_msg": self.warn_msg, "output": self.output,
                "replayed": self.replayed, "ref_msgid": self.ref_msgid}


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def build(
    infno: str,
    msgid: str,
    input_node: dict[str, Any],
    *,
    institution_code: str,
    institution_name: str,
    admvs: str,
    insuplc_admdvs: str = "",
    operator: str,
    operator_name: str = "",
    opter_type: str = "1",
    sign_no: str = "",
    infver: str = "V1.0",
    recer_sys_code: str = "YBXT",
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msgid,
        "mdtrtarea_admvs": admvs,
        "insuplc_admdvs": insuplc_admdvs or admvs,
        "recer_sys_code": recer_sys_code,
        "dev_no": "",
        "dev_safe_info": "",
        "cainfo": "",
        "signtype": "",
        "infver": infver,
        "opter_type": opter_type,
        "opter": operator[:30],
        "opter_name": (operator_name or operator)[:50],  # required by the national list: the code when no name is known
        "inf_time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "fixmedins_code": institution_code,
        "fixmedins_name": institution_name[:200],
        "sign_no": sign_no,
        "input": input_node,
    }


def encode(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=_default).encode("utf-8")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_default)


def parse_reply(status: int, body: bytes, headers: Mapping[str, str] | None = None, *,
                elapsed_s: float = 0.0) -> Reply:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    replayed = headers.get("x-ow-replayed") == "1"
    try:
        data = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError):
        return Reply(Outcome.UNKNOWN, http_status=status, elapsed_s=elapsed_s,
                     error=f"HTTP {status}: the answer is not a JSON envelope ({len(body)} bytes)")
    if not isinstance(data, dict) or "infcode" not in data:
        return Reply(Outcome.UNKNOWN, http_status=status, elapsed_s=elapsed_s,
                     error=f"HTTP {status}: the answer has no infcode")
    try:
        infcode = int(str(data["infcode"]).strip())
    except ValueError:
        return Reply(Outcome.UNKNOWN, http_status=status, elapsed_s=elapsed_s,
                     error=f"HTTP {status}: infcode is not a number: {data['infcode']!r}")
    output = data.get("output") if isinstance(data.get("output"), dict) else {}
    err = str(data.get("err_msg") or "")
    common = dict(infcode=infcode, err_msg=err, warn_msg=str(data.get("warn_msg") or ""), output=output,
                  http_status=status, replayed=replayed, elapsed_s=elapsed_s,
                  ref_msgid=str(data.get("inf_refmsgid") or ""))
    if status == 401:
        # The gateway refused the signature, clock or session before the message was looked at.
        return Reply(Outcome.NOT_SENT, error=f"HTTP 401: {err}", **common)
    if status >= 500:
        return Reply(Outcome.UNKNOWN, error=f"HTTP {status}: {err}", **common)
    if infcode != 0 and not err:
        common["err_msg"] = f"refused without a message (infcode {infcode})"
    return Reply(Outcome.ANSWERED, **common)


__all__ = ["Outcome", "Reply", "build", "dumps", "encode", "parse_reply"]
