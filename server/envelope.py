"""The national platform's request and response envelopes (nhsa-interface.md §1.2–1.3) and the errors.

Platform field names live here and in server/transactions only. Bodies are parsed with Decimal for
numbers (never float), and every way a message can be wrong becomes `infcode -1` with an err_msg that
names the field — never a 500.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CST = dt.timezone(dt.timedelta(hours=8), "CST")

MAX_BODY_BYTES = 64 * 1024  # the spec allows 40,000 characters of input; leave room for the envelope


class PlatformError(Exception):
    """A refusal answered as infcode -1; nothing the request asked for is written."""

    http_status = 200

    def __init__(self, err_msg: str, *, output: dict | None = None) -> None:
        super().__init__(err_msg)
        self.err_msg = err_msg
        self.output = output or {}


class AuthError(PlatformError):
    """The signed headers are missing, wrong, stale or replayed."""

    http_status = 401


class BodyError(PlatformError):
    """The body is not a JSON envelope at all (too large, not UTF-8, not JSON, not an object)."""

    def __init__(self, err_msg: str, http_status: int = 400) -> None:
        super().__init__(err_msg)
        self.http_status = http_status


class RequestEnvelope(BaseModel):
    """输入参数. Unknown extra keys (vendor additions) are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    infno: str = Field(min_length=4, max_length=6, description="交易编号")
    msgid: str = Field(min_length=1, max_length=40, description="发送方报文ID (institution 12 + time 14 + seq 4)")
    mdtrtarea_admvs: str = Field(min_length=6, max_length=6, description="就医地医保区划")
    insuplc_admdvs: str = Field(default="", max_length=6, description="参保地医保区划")
    recer_sys_code: str = Field(default="YBXT", max_length=10, description="接收方系统代码")
    dev_no: str = Field(default="", max_length=100)
    dev_safe_info: str = Field(default="", max_length=2000)
    cainfo: str = Field(default="", max_length=1024)
    signtype: str = Field(default="", max_length=10)
    infver: str = Field(default="V1.0", max_length=6, description="接口版本号")
    opter_type: str = Field(min_length=1, max_length=3, description="经办人类别 1/2/3")
    opter: str = Field(min_length=1, max_length=30, description="经办人")
    opter_name: str = Field(default="", max_length=50)
    inf_time: str = Field(description="交易时间 yyyy-MM-dd HH:mm:ss")
    fixmedins_code: str = Field(min_length=1, max_length=30, description="定点医药机构编号")
    fixmedins_name: str = Field(default="", max_length=200)
    sign_no: str = Field(default="", max_length=30, description="交易签到流水号 (from 9001)")
    input: dict[str, Any] = Field(description="交易输入")

    @field_validator("opter_type")
    @classmethod
    def _opter_type(cls, v: str) -> str:
        if v not in ("1", "2", "3"):
            raise ValueError("must be 1 (经办人), 2 (自助终端) or 3 (移动终端)")
        return v

    @field_validator("inf_time")
    @classmethod
    def _inf_time(cls, v: str) -> str:
        try:
            m = _INF_TIME.fullmatch(v)
            if m is not None:  # the usual zero-padded form: the same check as strptime's, without its cost
                dt.datetime(*map(int, m.groups()))
            else:
                dt.datetime.strptime(v, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ValueError("must be yyyy-MM-dd HH:mm:ss") from None
        return v


_INF_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)


class ResponseEnvelope(BaseModel):
    """输出参数."""

    infcode: int = Field(description="0 success, -1 failure")
    inf_refmsgid: str
    refmsg_time: str
    respond_time: str
    err_msg: str = ""
    warn_msg: str = ""
    cainfo: str = ""
    signtype: str = ""
    output: dict[str, Any] = Field(default_factory=dict)


_ZH = {"missing": "缺少必填字段", "string_too_long": "超过最大长度", "string_too_short": "不得为空",
       "string_pattern_mismatch": "取值不符合规则", "greater_than": "必须大于下限", "greater_than_equal": "低于下限",
       "less_than_equal": "超过上限", "decimal_parsing": "不是数值", "int_parsing": "不是整数",
       "too_long": "条数过多", "too_short": "条数不足", "int_from_float": "不是整数"}


def describe_validation(exc: ValidationError, prefix: str = "") -> str:
    """One readable line per problem, Chinese first: `input.druginfo.psn_no: 缺少必填字段 missing`."""
    parts = []
    for err in exc.errors()[:8]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        where = f"{prefix}{loc}" if loc else prefix.rstrip(".") or "body"
        kind = err.get("type", "")
        if kind == "missing":
            msg = "missing"
        elif kind in ("string_type", "dict_type", "list_type", "int_type", "decimal_type", "bool_type"):
            msg = f"wrong type ({err.get('msg', '').lower()}, got {type(err.get('input')).__name__})"
        else:
            msg = err.get("msg", "invalid")
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
        zh = _ZH.get(kind, "类型错误" if kind.endswith("_type") else "取值无效")
        parts.append(f"{where}: {zh} {msg}")
    more = len(exc.errors()) - 8
    if more > 0:
        parts.append(f"… and {more} more")
    return "; ".join(parts)


MAX_NUMBER_CHARS = 40  # no amount, quantity or code the platform sends as a number is longer


def _number(text: str) -> Decimal:
    """JSON numbers with a fraction or exponent, as Decimal; 1e309 and other absurd magnitudes refused here
    (they would overflow every quantize later)."""
    value = Decimal(text)
    if len(text) > MAX_NUMBER_CHARS or not value.is_finite() or abs(value.adjusted()) > 15:
        raise ValueError(f"number out of range / 数值超出范围: {text[:40]}")
    return value


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"number out of range / 数值超出范围: {text[:40]}…")
    return int(text)


def parse_body(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(f"message too large: {len(raw)} bytes (limit {MAX_BODY_BYTES})", 413)
    if not raw.strip():
        raise BodyError("empty body: a JSON request envelope is expected")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("body is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_float=_number, parse_int=_integer)
    except RecursionError:
        raise BodyError("JSON nested too deeply / JSON 嵌套层数过多") from None
    except ValueError as exc:
        raise BodyError(f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BodyError(f"the envelope must be a JSON object, got {type(data).__name__}")
    return data


def parse_envelope(data: dict[str, Any]) -> RequestEnvelope:
    try:
        return RequestEnvelope.model_validate(data)
    except ValidationError as exc:
        raise PlatformError(f"bad envelope: {describe_validation(exc)}") from None


def parse_input(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PlatformError(f"bad input: {describe_validation(exc, 'input.')}") from None


_serial = itertools.count(1)
_PID = os.getpid() % 1000


def stamp(now: dt.datetime) -> str:
    """yyyyMMddHHmmssSSS"""
    return now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"


def ref_msgid(admvs: str, now: dt.datetime) -> str:
    """接收方报文ID: receiver admdvs (6) + time (14) + serial (10)."""
    return f"{admvs[:6]:0<6}{now.strftime('%Y%m%d%H%M%S')}{_PID:03d}{next(_serial) % 10_000_000:07d}"


def response(
    admvs: str,
    received: dt.datetime,
    now: dt.datetime,
    *,
    output: dict | None = None,
    err_msg: str = "",
    warn_msg: str = "",
) -> dict[str, Any]:
    return {
        "infcode": -1 if err_msg else 0,
        "inf_refmsgid": ref_msgid(admvs, now),
        "refmsg_time": stamp(received),
        "respond_time": stamp(now),
        "err_msg": err_msg,
        "warn_msg": warn_msg,
        "cainfo": "",
        "signtype": "",
        "output": output or {},
    }


def dumps(obj: Any) -> str:
    """Canonical JSON for storage and hashing: Decimal as its string, dates ISO, keys sorted."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (dt.date, dt.datetime, dt.time)):
        return obj.isoformat()
    if hasattr(obj, "value"):
        return obj.value
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
