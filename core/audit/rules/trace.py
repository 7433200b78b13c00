"""Drug traceability codes (药品追溯码): one code per box, each sold once; 拆零 sells units of one opened box.

Per line: missing codes (TRC-001, WARN when the pack is from the 无码库), malformed codes (TRC-005; such a
code is checked by no other TRC rule), count against packs (TRC-003, only when at least one code was
scanned), product prefix (TRC-004), already sold (TRC-002, also a whole-pack sale of an opened box, and a
code scanned twice in one prescription), split overuse (TRC-006).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from core.audit.context import AuditContext, LineFacts
from core.audit.registry import Finding, rule


@lru_cache(maxsize=4096)
def code_form(code: str) -> tuple[str, str | None]:
    """('trace', prefix) for a 20-digit 码上放心 code, ('gs1', gtin) for a GS1 element string, ('bad', None)."""
    from core.codes import classify

    result = classify(code)
    if result.valid and result.kind == "trace_code" and result.fields["code"].startswith("8"):
        return "trace", result.fields["product_prefix"]
    if result.valid and result.kind == "gs1":
        return "gs1", result.fields.get("gtin")
    return "bad", None


def _checked_lines(ctx: AuditContext):
    mandatory = dt.date.fromisoformat(ctx.profile.trace_mandatory_from)
    for line in ctx.lines:
        if not line.drug.is_drug or line.drug.category in ctx.profile.trace_exempt_categories:
            continue
        yield line, ctx.day >= mandatory


def _good_codes(line: LineFacts) -> list[str]:
    return [c for c in line.spec.trace_codes if code_form(c)[0] != "bad"]


@rule("TRC-001", "trace")
def code_missing(ctx: AuditContext):
    for line, mandatory in _checked_lines(ctx):
        if line.spec.trace_codes or not mandatory:
            continue
        if line.spec.uncoded_stock:
            yield Finding(line.no, f"{line.drug.name} 无追溯码，为无码库存（规则实施前购进），请确认后结算",
                          "no trace code: pack registered in the 无码库 (uncoded stock)", severity="WARN")
        else:
            yield Finding(line.no, f"{line.drug.name} 未扫描药品追溯码（无码不结算）", "trace code missing")


@rule("TRC-005", "trace")
def malformed(ctx: AuditContext):
    for line, _ in _checked_lines(ctx):
        bad = [c for c in line.spec.trace_codes if code_form(c)[0] == "bad"]
        if bad:
            hint = "（可能扫了商品条码，请扫描追溯码）" if any(len(c) in (8, 12, 13) and c.isdigit() for c in bad) else ""
            yield Finding(line.no, f"追溯码格式错误{hint}：{', '.join(bad)}", f"malformed trace code(s): {bad}", {"codes": bad})


@rule("TRC-003", "trace")
def count_mismatch(ctx: AuditContext):
    for line, _ in _checked_lines(ctx):
        n = len(line.spec.trace_codes)
        if n == 0:
            continue
        want = 1 if line.spec.split else line.spec.qty
        if n != want:
            yield Finding(line.no, f"{line.drug.name} 扫码 {n} 个，应为 {want} 个（一盒一码）",
                          f"{n} codes for {want} pack(s)", {"codes": n, "packs": want})


@rule("TRC-004", "trace")
def other_product(ctx: AuditContext):
    for line, _ in _checked_lines(ctx):
        wrong = []
        for code in _good_codes(line):
            form, key = code_form(code)
            if form == "trace" and line.drug.trace_prefix and key != line.drug.trace_prefix:
                wrong.append(code)
            elif form == "gs1" and line.drug.barcode and key != line.drug.barcode.zfill(14):
                wrong.append(code)
        if wrong:
            yield Finding(line.no, f"追溯码不属于 {line.drug.name}（码品不符）：{', '.join(wrong)}",
                          f"trace code(s) of another product: {wrong}", {"codes": wrong})


def _live_sales(ctx: AuditContext, code: str):
    return [s for s in ctx.trace_sales.get(code, ()) if ctx.counts(s.settlement_id)]


@rule("TRC-002", "trace")
def already_sold(ctx: AuditContext):
    seen: set[str] = set()
    for line, _ in _checked_lines(ctx):
        sold = []
        for code in _good_codes(line):
            sales = _live_sales(ctx, code)
            whole_sold = any(not s.split for s in sales)
            opened = any(s.split for s in sales)
            if code in seen or whole_sold or (opened and not line.spec.split):
                sold.append(code)
            seen.add(code)
        if sold:
            yield Finding(line.no, f"追溯码已有销售记录（同一盒重复销售）：{', '.join(sold)}",
                          f"trace code already has a sale record: {sold}", {"codes": sold})


@rule("TRC-006", "trace")
def split_overuse(ctx: AuditContext):
    for line, _ in _checked_lines(ctx):
        if not line.spec.split:
            continue
        for code in _good_codes(line):
            before = sum(s.units for s in _live_sales(ctx, code) if s.split)
            if before and before + line.units > line.drug.pack_size:
                yield Finding(line.no, f"拆零超量：该盒已售 {before}{line.drug.unit}，本次 {line.units}，超过整盒 {line.drug.pack_size}",
                              f"split pack overused: {before} sold + {line.units} now > {line.drug.pack_size}",
                              {"code": code, "sold": before})
                break
