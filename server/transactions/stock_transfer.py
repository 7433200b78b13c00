"""调拨 between branches of one chain (连锁), checked against where each box's code chain says it is.

A 调拨出库 (3502, inv_chg_type 103) puts its boxes in transit: at the sending branch their state is
`transferred_out` (not on hand, not yet anywhere else). A 调拨入库 (3502, inv_chg_type 201) must list its boxes'
codes, and each box must be in transit from another branch of the same chain — the centre setting
`stock.chain.<institution code>` names each branch's chain; a pharmacy without one cannot take part in a
transfer. The box may not be on another shelf (in stock or opened anywhere else), sold, written off or returned
to the supplier since its transfer out, and when the receiving branch names the sender in `memo` as our client
writes it (`调拨入库：<调出机构编码> 调拨出库单 <单号>`), the sender must be the branch the box left. On receipt
the sender's row becomes `transferred` (arrived), so the same box cannot be received twice, and the transfer out
cannot be undone (3507) while the box is at the other branch; undoing the transfer in puts it back in transit.
"""
from __future__ import annotations

import re

from sqlalchemy import select, update

from server.envelope import PlatformError
from server.models import setting
from server.models_stock import stock_code

TRANSFER_OUT, TRANSFER_IN = "103", "201"
TRANSFERRED_OUT, TRANSFERRED = "transferred_out", "transferred"
_ON_HAND = ("in_stock", "opened")
_MEMO = re.compile(r"调拨入库[：:]\s*([0-9A-Za-z]+)")


def chain_of(conn, code: str) -> str:
    """The chain a pharmacy belongs to ('' = none), read at the time of the transfer (never cached)."""
    value = conn.execute(select(setting.c.value).where(setting.c.key == f"stock.chain.{code}")).scalar()
    return (value or "").strip()


def claimed_sender(memo: str) -> str:
    m = _MEMO.search(memo or "")
    return m.group(1) if m else ""


def senders(ctx, memo: str, codes: list[str]) -> dict[str, str]:
    """code -> the branch each box is in transit from, or PlatformError naming the first box (or the chain) that
    does not fit. The caller holds the codes' locks (server.db.lock_trace_codes)."""
    if not codes:
        raise PlatformError("drugtracinfo: 调拨入库须列出每盒的追溯码 / a transfer in lists the code of every box")
    here = chain_of(ctx.conn, ctx.code)
    if not here:
        raise PlatformError(f"{ctx.code}: 本店未登记所属连锁（stock.chain），不能调拨入库 / "
                            f"this pharmacy belongs to no chain: no transfers")
    rows: dict[str, list[tuple[str, str, str]]] = {}
    c = stock_code.c
    for i in range(0, len(codes), 500):
        for code, where, state, at in ctx.conn.execute(
                select(c.code, c.fixmedins_code, c.state, c.at).where(c.code.in_(codes[i:i + 500]),
                                                                      c.fixmedins_code != ctx.code)):
            rows.setdefault(code, []).append((where, state, at))
    claimed = claimed_sender(memo)
    out: dict[str, str] = {}
    for code in codes:
        elsewhere = rows.get(code, [])
        held = [w for w, st, _ in elsewhere if st in _ON_HAND]
        if held:
            raise PlatformError(f"drugtracinfo {code}: 该盒仍在 {held[0]} 的库存中，须先由其调拨出库（3502 103）/ "
                                f"the box is still in stock at {held[0]}: it must be transferred out there first")
        moving = sorted((at, w) for w, st, at in elsewhere if st == TRANSFERRED_OUT)
        if not moving:
            raise PlatformError(f"drugtracinfo {code}: 没有该盒的调拨出库记录（调出门店须先上传 3502 103）/ "
                                f"no branch has transferred this box out")
        at, sender = moving[-1]
        later = [(w, st) for w, st, when in elsewhere if when > at and st not in (TRANSFERRED_OUT, TRANSFERRED)]
        if later:
            raise PlatformError(f"drugtracinfo {code}: 该盒调出后已在 {later[0][0]} {later[0][1]} / "
                                f"the box left the chain after its transfer out ({later[0][1]} at {later[0][0]})")
        if claimed and claimed != sender:
            raise PlatformError(f"drugtracinfo {code}: 该盒由 {sender} 调出，不是 {claimed} / "
                                f"the box was transferred out by {sender}, not {claimed}")
        if chain_of(ctx.conn, sender) != here:
            raise PlatformError(f"drugtracinfo {code}: 调出门店 {sender} 与本店不属同一连锁 / "
                                f"{sender} is not a branch of this pharmacy's chain")
        out[code] = sender
    return out


def arrived(ctx, sent: dict[str, str]) -> None:
    """The boxes reached this branch: at each sender they are `transferred` (no longer in transit)."""
    for code, sender in sent.items():
        ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == sender, stock_code.c.code == code,
                                                  stock_code.c.state == TRANSFERRED_OUT)
                         .values(state=TRANSFERRED, at=ctx.now_text))


def undo_arrival(ctx, code: str, sender: str) -> None:
    """3507 of a transfer in: the box is in transit from its sender again."""
    ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == sender, stock_code.c.code == code,
                                              stock_code.c.state == TRANSFERRED)
                     .values(state=TRANSFERRED_OUT, at=ctx.now_text))


__all__ = ["TRANSFERRED", "TRANSFERRED_OUT", "TRANSFER_IN", "TRANSFER_OUT", "arrived", "chain_of",
           "claimed_sender", "senders", "undo_arrival"]
