"""What an answer (or its absence) means for the item, its sale and the local record — one place, one
transaction per group of answers, called by the sender and by start-up recovery.

Answers:
- 2102 done → settled (centre figures kept; an offline sale the centre paid differently is flagged
  `adjusted` with the difference; a total beyond the 0.1 元 tolerance is cancelled with 2103 and flagged).
- 2102 refused → rejected (the local record stops counting; an offline sale is flagged `rejected` — the goods
  are gone and the fund did not pay — never dropped). Uploads waiting for it are cancelled.
- 2601 done → reversed. 2103 done → returned. 3505 all done → uploaded. Refusals of these are flagged.
No answer:
- the item stays pending with a backoff and is asked again with the same msgid, except an interactive
  settlement whose cashier's wait ran out: it is never sent again; a 2601 (omsgid = its msgid) is reserved
  in the same transaction and the sale goes unknown → reversing.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import fmt
from core.sync import alerts, journal, ledger
from core.sync import outbox as ob
from core.sync.documents import queue_printed_uploads
from core.sync.envelope import Reply, dumps
from core.sync.models import SyncOutbox, SyncRegistration, SyncSale
from core.sync.states import SaleState as S
from core.sync.states import transition
from core.sync.transactions import TransactionFormatError, parse_reversal, parse_settlement, reversal_input

if TYPE_CHECKING:
    from core.sync.terminal import Terminal

log = logging.getLogger("onewindow.sync")

ALREADY_CANCELLED = ("已撤销", "already cancelled")


def backoff(attempts: int, cap: float) -> float:
    base = min(cap, 0.25 * (2 ** max(0, attempts - 1)))
    return base * random.uniform(0.8, 1.2)


def apply_reply(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, *, force_resolve: bool = False) -> str:
    """Record `reply` for `item` (loaded in `session`); returns ok / refused / retry / resolving / stale."""
    now = t.utcnow()
    if item.status != ob.PENDING:
        return "stale"
    item.last_attempt_at = now
    if reply.reached:
        item.status = ob.DONE if reply.ok else ob.REFUSED
        item.infcode = reply.infcode
        item.response = t.cipher.encrypt_text(dumps(reply.to_record()))  # answers hold ID numbers: encrypted
        item.done_at = now
        item.last_error = "" if reply.ok else reply.err_msg[:1000]
        item.not_before = None
        journal.append(session, "outbox.answer", sale_id=item.sale_id, at=now, data={
            "id": item.id, "msgid": item.msgid, "infno": item.infno, "infcode": reply.infcode,
            "err_msg": reply.err_msg[:300], "replayed": reply.replayed, "attempts": item.attempts})
        ANSWERED[item.kind](session, t, item, reply, now)
        return "ok" if reply.ok else "refused"
    item.last_error = reply.error[:1000]
    item.not_before = now + dt.timedelta(seconds=backoff(item.attempts, t.config.sender.backoff_max_s))
    if item.kind == "settle" and item.interactive:
        patience = dt.timedelta(seconds=t.config.sender.settle_patience_s)
        if force_resolve or now - item.created_at >= patience:
            resolve_by_reversal(session, t, item, reason=f"no answer within the cashier's wait: {reply.error}")
            return "resolving"
    return "retry"


def resolve_by_reversal(session: Session, t: "Terminal", item: SyncOutbox, *, reason: str) -> SyncOutbox:
    """An interactive 2102 of unknown outcome: never send it again; reserve its 2601 and move the sale on."""
    now = t.utcnow()
    rev = ob.reserve(
        session, t.cipher, kind="reverse", infno=t.config.infno["reverse"], msgid=t.allocate_msgid(session),
        business_key=f"reverse:{item.msgid}", input_node=reversal_input(item.psn_no, item.msgid, item.infno),
        sale_id=item.sale_id, lane=item.lane, psn_no=item.psn_no, insuplc_admdvs=item.insuplc_admdvs,
        opter=item.opter, opter_name=item.opter_name, now=now,
    )
    ob.finish(session, item, ob.SUPERSEDED, reason=f"reversed by 2601 {rev.msgid}: {reason}", now=now)
    sale = session.get(SyncSale, item.sale_id) if item.sale_id else None
    if sale is not None:
        if sale.state == S.SENDING.value:
            transition(session, sale, S.UNKNOWN, reason=reason, data={"msgid": item.msgid}, now=now)
        if sale.state == S.UNKNOWN.value:
            transition(session, sale, S.REVERSING, reason=f"冲正 2601 {rev.msgid}", data={"reversal_msgid": rev.msgid},
                       now=now)
    return rev


def _sale(session: Session, item: SyncOutbox) -> SyncSale | None:
    return session.get(SyncSale, item.sale_id) if item.sale_id else None


def _to_sending(session: Session, sale: SyncSale, now: dt.datetime) -> None:
    if sale.state == S.PROVISIONAL.value:
        transition(session, sale, S.SENDING, reason="离线单据补传 drained on reconnection", now=now)


def _settle_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    sale = _sale(session, item)
    if sale is None:
        return
    if sale.state not in (S.SENDING.value, S.PROVISIONAL.value, S.UNKNOWN.value):
        log.warning("answer for %s arrived with sale %s in state %s; recorded on the item only", item.msgid,
                    sale.sale_id, sale.state)
        return
    _to_sending(session, sale, now)
    if not reply.ok:
        transition(session, sale, S.REJECTED, reason=f"中心拒绝 refused: {reply.err_msg}", now=now,
                   data={"msgid": item.msgid})
        ledger.void(session, item.msgid, "rejected", t.today())
        if sale.offline:
            alerts.raise_alert(
                session, alerts.REJECTED, sale_id=sale.sale_id, msgid=item.msgid, now=now,
                zh=f"离线单据 {sale.offline_no} 被中心拒绝：{reply.err_msg}。已发药，统筹 {fmt(sale.fund)} 元未获支付，请主管处理",
                en=f"offline sale {sale.offline_no} was rejected by the centre: {reply.err_msg}. The goods were "
                   f"handed out; the fund did not pay {fmt(sale.fund)}",
                diff_fund=-sale.fund, diff_personal=sale.fund)
        for dep in session.scalars(select(SyncOutbox).where(SyncOutbox.depends_on == item.id,
                                                            SyncOutbox.status == ob.PENDING)):
            ob.finish(session, dep, ob.CANCELLED, reason=f"settlement {item.msgid} was rejected", now=now)
        return
    try:
        centre = parse_settlement(reply.output)
    except TransactionFormatError as exc:
        centre = None
        alerts.raise_alert(session, alerts.BAD_ANSWER, sale_id=sale.sale_id, msgid=item.msgid, now=now,
                           zh=f"结算成功但返回内容无法识别：{exc}", en=f"settled, but the answer cannot be read: {exc}")
    transition(session, sale, S.SETTLED, now=now, reason="已结算 settled" + (" (replayed)" if reply.replayed else ""),
               data={"msgid": item.msgid, "centre": centre.to_dict() if centre else None})
    sale.settled_at = now
    sale.setl_id = (centre.setl_id if centre and centre.setl_id else item.msgid)
    sale.mdtrt_id = centre.mdtrt_id if centre and centre.mdtrt_id else None
    if centre is None:
        ledger.set_status(session, item.msgid, "settled")
    else:
        sale.centre_total, sale.centre_fund, sale.centre_personal = centre.total, centre.fund, centre.personal
        ledger.settle(session, item.msgid, centre)
        tol = t.config.sender.total_tolerance
        if abs(centre.total - sale.total) > tol:
            alerts.raise_alert(
                session, alerts.TOTAL_MISMATCH, sale_id=sale.sale_id, msgid=item.msgid, now=now,
                zh=f"本地金额 {fmt(sale.total)} 与中心医疗费总额 {fmt(centre.total)} 相差超过 {fmt(tol)} 元，已自动撤销结算",
                en=f"local total {fmt(sale.total)} and the centre's medfee_sumamt {fmt(centre.total)} differ by more "
                   f"than {fmt(tol)}: the settlement is cancelled (2103)",
                diff_fund=centre.fund - sale.fund, diff_personal=centre.personal - sale.personal)
            from core.sync.documents import queue_cancel

            queue_cancel(session, t, sale, reason="0.1 元 rule: totals differ")
            return
        if sale.offline and (centre.fund != sale.fund or centre.personal != sale.personal):
            alerts.raise_alert(
                session, alerts.ADJUSTED, sale_id=sale.sale_id, msgid=item.msgid, now=now,
                zh=f"离线单据 {sale.offline_no} 中心调整：统筹 {fmt(sale.fund)} → {fmt(centre.fund)}，"
                   f"个人 {fmt(sale.personal)} → {fmt(centre.personal)}，差额请主管处理",
                en=f"offline sale {sale.offline_no} adjusted by the centre: fund {fmt(sale.fund)} -> {fmt(centre.fund)}, "
                   f"personal {fmt(sale.personal)} -> {fmt(centre.personal)}",
                diff_fund=centre.fund - sale.fund, diff_personal=centre.personal - sale.personal)
    if sale.printed_at is not None:
        transition(session, sale, S.PRINTED, now=now, reason="离线小票已打印 receipt printed while provisional")
        # the uploads wait for this answer (its setl_id/mdtrt_id go into them): queued with it, atomically
        if queue_printed_uploads(session, t, sale) == []:
            sale.uploaded_at = now
            transition(session, sale, S.UPLOADED, now=now, reason="无追溯码需上传 nothing to upload")


def _reverse_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    sale = _sale(session, item)
    if not reply.ok:
        alerts.raise_alert(session, alerts.REVERSAL_REFUSED, sale_id=item.sale_id, msgid=item.msgid, now=now,
                           zh=f"冲正被中心拒绝：{reply.err_msg}，请主管核实该笔结算",
                           en=f"the reversal was refused by the centre: {reply.err_msg}; check this settlement")
        return
    if sale is None or sale.state != S.REVERSING.value:
        return
    info = parse_reversal(reply.output)
    transition(session, sale, S.REVERSED, now=now, reason=f"已冲正 reversed: {info['memo']}",
               data={"reversal_msgid": item.msgid, **info})
    if sale.msgid:
        ledger.void(session, sale.msgid, "reversed", t.today())


def _cancel_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    sale = _sale(session, item)
    already = (not reply.ok) and any(m in reply.err_msg for m in ALREADY_CANCELLED)
    if not reply.ok and not already:
        alerts.raise_alert(session, alerts.CANCEL_REFUSED, sale_id=item.sale_id, msgid=item.msgid, now=now,
                           zh=f"结算撤销(2103)被拒绝：{reply.err_msg}", en=f"the cancellation (2103) was refused: {reply.err_msg}")
        return
    if sale is None or sale.state != S.RETURNING.value:
        return
    transition(session, sale, S.RETURNED, now=now, reason="已撤销结算 cancelled at the centre",
               data={"cancel_msgid": item.msgid, "already": already})
    if sale.msgid:
        ledger.void(session, sale.msgid, "returned", t.today())


def _maybe_uploaded(session: Session, sale: SyncSale, now: dt.datetime) -> None:
    if sale.state != S.PRINTED.value:
        return
    counts = dict(session.execute(
        select(SyncOutbox.status, func.count()).where(SyncOutbox.sale_id == sale.sale_id,
                                                      SyncOutbox.kind == "sale_upload")
        .group_by(SyncOutbox.status)).all())
    if counts and set(counts) == {ob.DONE}:
        sale.uploaded_at = now
        transition(session, sale, S.UPLOADED, now=now, reason="销售及追溯码已上传 sale uploaded (3505)",
                   data={"uploads": counts[ob.DONE]})


def _upload_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    sale = _sale(session, item)
    if not reply.ok:
        alerts.raise_alert(session, alerts.UPLOAD_REFUSED, sale_id=item.sale_id, msgid=item.msgid, now=now,
                           zh=f"销售上传(3505)被拒绝：{reply.err_msg}", en=f"the sale upload (3505) was refused: {reply.err_msg}")
        return
    if sale is not None:
        _maybe_uploaded(session, sale, now)


def _return_upload_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    if not reply.ok:
        alerts.raise_alert(session, alerts.UPLOAD_REFUSED, sale_id=item.sale_id, msgid=item.msgid, now=now,
                           zh=f"退货上传(3506)被拒绝：{reply.err_msg}", en=f"the return upload (3506) was refused: {reply.err_msg}")


def _registration_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    reg = session.scalar(select(SyncRegistration).where(SyncRegistration.msgid == item.msgid))
    if reg is not None:
        reg.state = "done" if reply.ok else "refused"
        reg.result = reply.err_msg or dumps(reply.output)[:2000]
    if not reply.ok:
        alerts.raise_alert(session, alerts.REGISTRATION_REFUSED, sale_id=None, msgid=item.msgid, now=now,
                           zh=f"慢特病备案(2503)被拒绝：{reply.err_msg}", en=f"the registration (2503) was refused: {reply.err_msg}")


def _stock_answered(session: Session, t: "Terminal", item: SyncOutbox, reply: Reply, now: dt.datetime) -> None:
    if not reply.ok:
        from core.sync.stock_uploads import withdraw_refused

        undo = withdraw_refused(session, t, item, now)
        zh, en = "", ""
        if undo:
            zh = f"；本店调拨入库已撤回（单据 {undo}），调出门店上传调拨出库后请重新扫描入库"
            en = f"; the transfer in was taken back out of stock ({undo}): scan it in again once the sender has uploaded its transfer out"
        alerts.raise_alert(session, alerts.UPLOAD_REFUSED, sale_id=None, msgid=item.msgid, now=now,
                           zh=f"进销存上传({item.infno})被拒绝：{reply.err_msg}{zh}",
                           en=f"the stock upload ({item.infno}) was refused: {reply.err_msg}{en}")


ANSWERED = {
    "settle": _settle_answered,
    "reverse": _reverse_answered,
    "cancel": _cancel_answered,
    "sale_upload": _upload_answered,
    "sale_return": _return_upload_answered,
    "registration": _registration_answered,
    "stock": _stock_answered,
}


def cancel_doomed(session: Session, t: "Terminal", items: list[SyncOutbox]) -> None:
    """Items whose dependency ended without success will never be sent."""
    now = t.utcnow()
    for item in items:
        if item.status == ob.PENDING:
            ob.finish(session, item, ob.CANCELLED, reason=f"depends on item {item.depends_on}, which did not succeed",
                      now=now)


def mark_attempt(session: Session, t: "Terminal", item: SyncOutbox) -> None:
    """Counted before the send (committed), so recovery knows the item may have gone out."""
    now = t.utcnow()
    item.attempts += 1
    item.first_attempt_at = item.first_attempt_at or now
    item.last_attempt_at = now
    if item.kind == "settle":
        sale = _sale(session, item)
        if sale is not None:
            _to_sending(session, sale, now)


__all__ = ["ANSWERED", "apply_reply", "backoff", "cancel_doomed", "mark_attempt", "resolve_by_reversal"]
