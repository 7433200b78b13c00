"""Reading and checking messages against the field tables (core.gateway.fields).

- `normalise(tables, infno, input)`: the tolerant reader (Postel) the centre runs before its input models:
  null = absent; `expContent` as a JSON string or an object (an object comes out); dates and datetimes with or
  without time, with a `T`, fractions or a zone, or as Java epoch milliseconds, come out in the national form;
  an empty string for a number is absent; "30.00" for a whole number is 30. It changes the input in place and
  costs one pass over the fields the table names (the settlement hot path runs it).
- `check(tables, infno, envelope)`: every deviation from the tables as a Problem naming the field and the
  rule, in Chinese and English (strict mode, `gateway lint`, the tests of our own messages).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

from core.gateway.fields import Field, Node, Tables

CST = dt.timezone(dt.timedelta(hours=8))
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.ASCII)
_LOOSE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[ T](\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?)?"
                    r"(Z|[+-]\d{2}:?\d{2})?", re.ASCII)


@dataclass(frozen=True)
class Problem:
    path: str
    rule: str
    zh: str
    en: str

    def text(self) -> str:
        return f"{self.path}: {self.zh} / {self.en}"


# ---- tolerant reading ---------------------------------------------------------------------------------------
def _epoch_ms(value: int) -> dt.datetime | None:
    if 10**11 < abs(value) < 10**14:  # Jackson writes java.util.Date as epoch milliseconds
        return dt.datetime.fromtimestamp(value / 1000, CST)
    return None


def loose_datetime(value: Any) -> tuple[str, str] | None:
    """('yyyy-MM-dd', 'HH:mm:ss' or '') from the ways clients write a date, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        when = _epoch_ms(value)
        return (when.strftime("%Y-%m-%d"), when.strftime("%H:%M:%S")) if when else None
    if not isinstance(value, str):
        return None
    m = _LOOSE.fullmatch(value.strip())
    if m is None:
        return None
    y, mo, da, hh, mi, ss, zone = m.groups()
    if zone and hh is not None and zone not in ("+08:00", "+0800"):
        # a zoned time (JavaScript's toISOString writes UTC): the national fields are China time
        try:
            when = dt.datetime.fromisoformat(f"{y}-{mo}-{da}T{hh}:{mi}:{ss or '00'}{'+00:00' if zone == 'Z' else zone}")
        except ValueError:
            return None
        when = when.astimezone(CST)
        return when.strftime("%Y-%m-%d"), when.strftime("%H:%M:%S")
    return f"{y}-{mo}-{da}", (f"{hh}:{mi}:{ss or '00'}" if hh is not None else "")


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        for k in [k for k, v in value.items() if v is None]:
            del value[k]
        for v in value.values():
            if isinstance(v, (dict, list)):
                _drop_nulls(v)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)):
                _drop_nulls(v)
    return value


def _normal_value(f: Field, v: Any) -> Any:
    """The value as the input models expect it; `_ABSENT` when it says nothing."""
    kind = f.kind
    if kind == "char":
        return v
    if kind == "num" or kind == "int":
        if isinstance(v, str):
            v = v.strip()
            if v == "":
                return _ABSENT
            if kind == "int" and "." in v:
                try:
                    whole = Decimal(v)
                except InvalidOperation:
                    return v
                return int(whole) if whole.is_finite() and whole == whole.to_integral_value() else v
        return v
    if kind == "date" or kind == "datetime":
        if v == "":
            return _ABSENT
        parts = loose_datetime(v)
        if parts is None:
            return v  # the input model names it
        day, clock = parts
        return day if kind == "date" else f"{day} {clock or '00:00:00'}"
    if kind == "json" or kind == "ext":
        if isinstance(v, str):
            text = v.strip()
            if not text:
                return _ABSENT
            try:
                parsed = json.loads(text, parse_float=Decimal)
            except ValueError:
                return {}  # a province's free text in the extension field: nothing for us in it
            return _drop_nulls(parsed) if isinstance(parsed, dict) else {}
        return _drop_nulls(v) if isinstance(v, dict) else {}
    return v


_ABSENT = object()


def _normal_object(node: Node, item: dict) -> None:
    fields = node.fields
    for k in list(item):
        v = item[k]
        if v is None:
            del item[k]
            continue
        f = fields.get(k)
        if f is None:
            if isinstance(v, (dict, list)):
                _drop_nulls(v)
            continue
        if isinstance(f, Node):
            _normal_node(f, v)
            continue
        if f.kind != "char":
            nv = _normal_value(f, v)
            if nv is _ABSENT:
                del item[k]
            elif nv is not v:
                item[k] = nv


def normalise(tables: Tables, infno: str, data: dict[str, Any]) -> dict[str, Any]:
    """The input node read tolerantly (in place; also returned). Nodes the table does not know lose their nulls."""
    table = tables.table(infno)
    for name in list(data):
        v = data[name]
        if v is None:
            del data[name]
            continue
        node = table.get(name) if table is not None else None
        if node is None:
            if isinstance(v, (dict, list)):
                _drop_nulls(v)
            continue
        _normal_node(node, v)
    return data


def _normal_node(node: Node, v: Any) -> None:
    if isinstance(v, dict):
        _normal_object(node, v)
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, dict):
                _normal_object(node, item)


def normalise_envelope(tables: Tables, env: dict[str, Any]) -> dict[str, Any]:
    """The envelope's own fields (inf_time with a T, nulls) read tolerantly, in place."""
    for k in [k for k, v in env.items() if v is None]:
        del env[k]
    when = env.get("inf_time")
    if isinstance(when, (str, int)) and not (isinstance(when, str) and _DATETIME.fullmatch(when)):
        nv = _normal_value(tables.envelope.fields["inf_time"], when)
        if nv is not _ABSENT:
            env["inf_time"] = nv
    return env


# ---- strict checking ----------------------------------------------------------------------------------------
def _p(path: str, rule: str, zh: str, en: str) -> Problem:
    return Problem(path, rule, zh, en)


def _check_field(path: str, f: Field, v: Any) -> Iterator[Problem]:
    if v is None:
        yield _p(path, "null", "不得为 null（不传该字段或传空字符串）", "null is not allowed (omit the field or send \"\")")
        return
    kind = f.kind
    if kind == "ext":  # our own profile's extension field: an object, or its JSON text
        if not isinstance(v, (dict, str)):
            yield _p(path, "type", "应为 JSON 对象或其文本", "must be a JSON object or its text")
        return
    if kind in ("char", "json", "date", "datetime"):
        if not isinstance(v, str):
            yield _p(path, "type", f"应为字符串，实为 {type(v).__name__}", f"must be a JSON string, got {type(v).__name__}")
            return
        if f.required and not v.strip():
            yield _p(path, "required", "必填，不得为空", "required, must not be empty")
            return
        if f.max_len and len(v) > f.max_len:
            yield _p(path, "max_len", f"长度 {len(v)} 超过 {f.max_len}", f"length {len(v)} exceeds {f.max_len}")
        if v and f.choices and v not in f.choices:
            yield _p(path, "code", f"取值 {v!r} 不在 {'/'.join(f.choices)} 中",
                     f"value {v!r} is not one of {'/'.join(f.choices)}")
        if v and kind == "date" and not _valid(v, _DATE, "%Y-%m-%d"):
            yield _p(path, "date", f"日期格式应为 yyyy-MM-dd，实为 {v!r}", f"date must be yyyy-MM-dd, got {v!r}")
        if v and kind == "datetime" and not _valid(v, _DATETIME, "%Y-%m-%d %H:%M:%S"):
            yield _p(path, "datetime", f"时间格式应为 yyyy-MM-dd HH:mm:ss，实为 {v!r}",
                     f"datetime must be yyyy-MM-dd HH:mm:ss, got {v!r}")
        if v and kind == "json":
            try:
                ok = isinstance(json.loads(v), dict)
            except ValueError:
                ok = False
            if not ok:
                yield _p(path, "json", "应为 JSON 对象文本", "must be the text of a JSON object")
        return
    # num / int: a JSON number or a numeric string
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, str)):
        yield _p(path, "type", f"应为数值，实为 {type(v).__name__}", f"must be a number, got {type(v).__name__}")
        return
    text = str(v).strip() if not isinstance(v, float) else repr(v)
    if text == "":
        if f.required:
            yield _p(path, "required", "必填，不得为空", "required, must not be empty")
        return
    try:
        value = Decimal(text)
    except InvalidOperation:
        yield _p(path, "number", f"不是数值：{v!r}", f"not a number: {v!r}")
        return
    if not value.is_finite():
        yield _p(path, "number", f"不是数值：{v!r}", f"not a number: {v!r}")
        return
    if kind == "int" and value != value.to_integral_value():
        yield _p(path, "int", f"应为整数：{v!r}", f"must be a whole number: {v!r}")
        return
    exp = value.as_tuple().exponent
    if kind == "num" and isinstance(exp, int) and -exp > f.scale and value != value.quantize(Decimal(1).scaleb(-f.scale)):
        yield _p(path, "scale", f"小数位超过 {f.scale} 位：{v!r}", f"more than {f.scale} decimals: {v!r}")
    if abs(value) >= Decimal(10) ** (f.max_len - (f.scale if kind == "num" else 0)):
        yield _p(path, "range", f"数值超出 ({f.max_len},{f.scale})：{v!r}", f"out of range ({f.max_len},{f.scale}): {v!r}")


def _valid(v: str, pattern: re.Pattern, fmt: str) -> bool:
    if not pattern.fullmatch(v):
        return False
    try:
        dt.datetime.strptime(v, fmt)
    except ValueError:
        return False
    return True


def _check_object(path: str, node: Node, item: Any) -> Iterator[Problem]:
    if not isinstance(item, dict):
        yield _p(path, "type", "应为 JSON 对象", "must be a JSON object")
        return
    for name, f in node.fields.items():
        if isinstance(f, Field) and f.when and item.get(f.when[0]) == f.when[1]:
            f = replace(f, required=True)
            if name not in item or item[name] == "":
                yield _p(f"{path}.{name}", "required", f"{f.when[0]}={f.when[1]} 时必填", f"required when {f.when[0]} is {f.when[1]}")
                continue
        if name not in item:
            if f.required:
                yield _p(f"{path}.{name}", "required", "缺少必填字段", "required field missing")
            continue
        if isinstance(f, Node):
            yield from _check_node(f"{path}.{name}", f, item[name])
        else:
            yield from _check_field(f"{path}.{name}", f, item[name])
    for name in item:
        if name not in node.fields:
            yield _p(f"{path}.{name}", "unknown", "不在国家接口字段表中（扩展节点/字段）",
                     "not in the national field list (an extension node or field)")


def _check_node(path: str, node: Node, v: Any) -> Iterator[Problem]:
    if not node.many:
        yield from _check_object(path, node, v)
        return
    if not isinstance(v, list):
        yield _p(path, "type", "应为 JSON 数组", "must be a JSON array")
        return
    if node.required and not v:
        yield _p(path, "required", "不得为空数组", "must not be empty")
    if node.max_items and len(v) > node.max_items:
        yield _p(path, "max_items", f"超过 {node.max_items} 条", f"more than {node.max_items} rows")
    for n, item in enumerate(v):
        yield from _check_object(f"{path}[{n}]", node, item)


def check_input(tables: Tables, infno: str, data: Any, prefix: str = "input") -> list[Problem]:
    table = tables.table(infno)
    if table is None:
        return []  # a transaction the national lists do not cover (ours, regional): its input model judges it
    if not isinstance(data, dict):
        return [_p(prefix, "type", "应为 JSON 对象", "must be a JSON object")]
    out: list[Problem] = []
    for name, node in table.items():
        path = f"{prefix}.{name}"
        if name not in data or data[name] is None:
            if node.required:
                out.append(_p(path, "required", "缺少节点", "node missing"))
            continue
        out.extend(_check_node(path, node, data[name]))
    for name in data:
        if name not in table:
            out.append(_p(f"{prefix}.{name}", "unknown", "不在国家接口字段表中（扩展节点）",
                          "not in the national field list (an extension node)"))
    return out


def check(tables: Tables, envelope: Any) -> list[Problem]:
    """Every problem of a whole request envelope (its fields, then its input node)."""
    if not isinstance(envelope, dict):
        return [_p("body", "type", "报文应为 JSON 对象", "the message must be a JSON object")]
    out = list(_check_object("envelope", tables.envelope, {k: v for k, v in envelope.items() if k != "input"}))
    out = [p for p in out if not p.path.startswith("envelope.input")]
    if "input" not in envelope or envelope["input"] is None:
        out.append(_p("input", "required", "缺少交易输入 input", "input missing"))
        return out
    out.extend(check_input(tables, str(envelope.get("infno") or ""), envelope["input"]))
    return out


def describe(problems: list[Problem], limit: int = 8) -> str:
    """One refusal text: 'strict: path: zh / en; …'."""
    parts = [p.text() for p in problems[:limit]]
    if len(problems) > limit:
        parts.append(f"… 另有 {len(problems) - limit} 处 and {len(problems) - limit} more")
    return "; ".join(parts)


__all__ = ["Problem", "check", "check_input", "describe", "loose_datetime", "normalise", "normalise_envelope"]
