"""Split (拆零) lines of 2101/2102, and the check of a 3505 against the settlement it belongs to.

The national 2101/2102 `drugdetail` has no trdn_flag (only 3502/3505/3506 and the provincial drug_trac_info
node carry it), so a national-shape client says "9 tablets of a 28-tablet box" only through `cnt` and `pric`,
whose product is `det_item_fee_sumamt`:

- `pric` ≈ the unit price (pack price ÷ pack size): `cnt` counts units (片) — a split sale, unless the units
  are whole boxes;
- `pric` ≈ the pack price and `cnt` fractional (16,4): `cnt` counts packs, the opened box's share (9/28 =
  0.3214) — a split sale of round(cnt × pack size) units;
- otherwise whole packs.

Our own extension (trdn_flag on the line) and the provincial node's trdn_flag, when sent, decide instead.
The 3505 that follows says again how each code was sold (trdn_flag, sel_retn_cnt): `check_upload` refuses one
that contradicts what the settlement charged for that drug (a box charged, an opened box uploaded, or more
units uploaded than were paid for).
"""
from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from core.domain import Drug
from server.envelope import PlatformError

# cnt has 4 decimals: 9/28 arrives as 0.3214 (× 28 = 8.9992). Anything closer than this to whole units is them.
UNIT_SLACK = Decimal("0.02")


def line_quantity(cnt: Decimal, pric: Decimal, fee: Decimal, drug: Drug, *, flag: str | None,
                  sn: str) -> tuple[int, bool]:
    """(qty, split) of one settlement line: whole packs, or units of an opened box when split.

    `flag`: the line's trdn_flag when the message carries one (our extension or the provincial node), else None."""
    pack = max(int(drug.pack_size), 1)
    if flag is not None:
        split = flag == "1"
        return _whole(cnt, sn, "whole units" if split else "whole packs"), split
    if pack == 1:
        return _whole(cnt, sn, "whole packs"), False
    each = pric if pric > 0 else (fee / cnt if cnt > 0 else Decimal(0))
    if priced_per_unit(each, drug, flag=None):  # cnt counts units (片)
        units = _whole(cnt, sn, "whole units (pric is the unit price)")
        return (units // pack, False) if units % pack == 0 else (units, True)
    if cnt == cnt.to_integral_value():
        return int(cnt), False
    exact = cnt * pack
    units = int(exact.to_integral_value())
    if units <= 0 or abs(exact - units) > UNIT_SLACK:
        raise PlatformError(
            f"drugdetail {sn}.cnt: {cnt} 盒不是整盒，也不是 {pack} {drug.unit or '单位'}/盒 的整数个拆零单位 / "
            f"{cnt} packs is neither whole packs nor whole units of a {pack}-unit pack (拆零)")
    return (units // pack, False) if units % pack == 0 else (units, True)


def priced_per_unit(pric: Decimal, drug: Drug, *, flag: str | None) -> bool:
    """Whether `pric` is a unit's price (片) rather than a pack's: the flag when sent, else the nearer price."""
    if flag is not None:
        return flag == "1"
    pack = max(int(drug.pack_size), 1)
    return pack > 1 and abs(pric - drug.price / pack) < abs(pric - drug.price)


def _whole(cnt: Decimal, sn: str, what: str) -> int:
    if cnt != cnt.to_integral_value():
        raise PlatformError(f"drugdetail {sn}: cnt must be {what}: {cnt}")
    return int(cnt)


def settled_lines(ctx, setl_id: str) -> list[list] | None:
    """The settlement's lines as its journal entry records them: [drug_key, units, days, verdict(, split)]."""
    from server.models import journal

    row = ctx.conn.execute(select(journal.c.payload).where(journal.c.msgid == setl_id, journal.c.kind == "settle")
                           .limit(1)).first()
    return None if row is None else lines_of(row.payload)


def lines_of(payload: str) -> list[list]:
    """A settle journal entry's payload -> its lines (settled_lines)."""
    return json.loads(payload).get("lines") or []


_READ = object()


def check_upload(ctx, setl_id: str, drug: Drug, *, split: bool, units: int, already: int, lines=_READ) -> None:
    """A 3505 for settlement `setl_id` sells `units` of `drug` (split: from an opened box). `already`: units of
    this drug uploaded for the settlement before. Refused when the settlement charged otherwise. `lines`: the
    settlement's lines when the caller read them already (settled_lines' answer), else they are read here."""
    if lines is _READ:
        lines = settled_lines(ctx, setl_id)
    if lines is None:
        return  # a settlement from before the journal recorded its lines: nothing to check against
    mine = [l for l in lines if l[0] == drug.key and (len(l) < 4 or l[3] != "BLOCK")]
    if not mine:
        raise PlatformError(
            f"selinfo.med_list_codg: 结算 {setl_id} 没有药品 {drug.name} / settlement {setl_id} has no line of "
            f"{drug.name} ({drug.key})")
    flags = {bool(l[4]) for l in mine if len(l) > 4}
    if flags and split not in flags:
        charged = "拆零" if True in flags else "整盒"
        raise PlatformError(
            f"selinfo.trdn_flag: {'1' if split else '0'} 与结算 {setl_id} 不符（结算按{charged}收费）/ "
            f"trdn_flag {'1' if split else '0'} contradicts settlement {setl_id}, which charged "
            f"{drug.name} as {'split units' if True in flags else 'whole packs'}")
    paid = sum(int(l[1]) for l in mine)
    if already + units > paid:
        raise PlatformError(
            f"selinfo.sel_retn_cnt: 上传 {already + units} {drug.unit or '单位'}，结算 {setl_id} 只收费 {paid} / "
            f"{already + units} units of {drug.name} uploaded for settlement {setl_id}, which charged {paid}")


def uploaded_units(ctx, setl_id: str, drug_key: str) -> int:
    """Units of one drug already uploaded (3505, not returned) for a settlement. A whole-box row holds the pack."""
    from server.models import trace_upload

    return int(ctx.conn.execute(
        select(func.coalesce(func.sum(trace_upload.c.units), 0))
        .where(trace_upload.c.setl_id == setl_id, trace_upload.c.drug_key == drug_key,
               trace_upload.c.returned_at.is_(None))).scalar() or 0)


__all__ = ["check_upload", "line_quantity", "lines_of", "priced_per_unit", "settled_lines", "uploaded_units"]
