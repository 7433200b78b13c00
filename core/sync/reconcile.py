"""Reconciliation at shift close (对总账 3201): local totals against the centre's, and the differences listed
per settlement. The result is stored (sync_reconciliation), so it is a record with a diff, not a script run.

Local totals count the settlements the centre confirmed (status settled, not reversed) in the period, by the
centre's settlement date. Listed per settlement:
- pending: settled locally or provisionally but not yet confirmed (offline, in the outbox);
- unknown: outcome not known yet (being reversed);
- adjusted / rejected / total_mismatch: what the centre changed, from the open supervisor alerts;
- and, when the totals do not balance (or always with detail=True), a per-settlement comparison with the
  centre's records of each person (5205): missing_at_centre, missing_locally, reversed_at_centre.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.domain import fmt
from core.store.models import PersonRow, SettlementRow
from core.sync import journal
from core.sync.models import SyncAlert, SyncJournal, SyncReconciliation, SyncSale
from core.sync.states import SaleState as S
from core.sync.transactions import (
    TransactionFormatError,
    drug_history_query,
    parse_drug_history,
    parse_statement,
    statement_input,
)

if TYPE_CHECKING:
    from core.sync.terminal import Terminal

PENDING_STATES = (S.PROVISIONAL.value, S.SENDING.value)
# 3201 is per insurance type (the national list requires insutype). A period with no settlement here still asks
# the centre about the two basic schemes, so settlements only the centre knows are not missed.
BASIC_INSUTYPES = ("310", "390")
UNKNOWN_STATES = (S.UNKNOWN.value, S.REVERSING.value)


@dataclass
class SettlementDiff:
    kind: str
    settlement_id: str
    sale_id: str | None
    person_no: str
    local_total: str | None = None
    local_fund: str | None = None
    centre_total: str | None = None
    centre_fund: str | None = None
    note_zh: str = ""
    note_en: str = ""


@dataclass
class Reconciliation:
    id: int | None
    since: dt.date
    until: dt.date
    local_count: int
    local_total: Decimal
    local_fund: Decimal
    centre_reached: bool
    balanced: bool
    centre_count: int | None = None
    centre_total: Decimal | None = None
    centre_fund: Decimal | None = None
    centre_text: str = ""
    pending: int = 0
    differences: list[SettlementDiff] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "since": self.since.isoformat(), "until": self.until.isoformat(),
            "local": {"count": self.local_count, "total": fmt(self.local_total), "fund": fmt(self.local_fund)},
            "centre": None if self.centre_count is None else {
                "count": self.centre_count, "total": fmt(self.centre_total), "fund": fmt(self.centre_fund)},
            "centre_reached": self.centre_reached, "balanced": self.balanced, "centre_text": self.centre_text,
            "pending": self.pending, "differences": [asdict(d) for d in self.differences],
        }


def local_totals(session, facility_code: str, since: dt.date, until: dt.date) -> tuple[int, Decimal, Decimal]:
    count, total, fund = session.execute(
        select(func.count(), func.coalesce(func.sum(SettlementRow.total), 0), func.coalesce(func.sum(SettlementRow.fund), 0))
        .where(SettlementRow.facility_code == facility_code, SettlementRow.date >= since, SettlementRow.date <= until,
               SettlementRow.reversed_on.is_(None), SettlementRow.status == "settled")
    ).one()
    return int(count), Decimal(total).quantize(Decimal("0.01")), Decimal(fund).quantize(Decimal("0.01"))


def local_totals_by_insutype(session, facility_code: str, since: dt.date,
                             until: dt.date) -> dict[str, tuple[int, Decimal, Decimal]]:
    """The confirmed settlements of the period per insurance type of the (cached) person; "" when the person is
    not in the local cache (their type unknown here)."""
    rows = session.execute(
        select(PersonRow.insurance_type, func.count(), func.coalesce(func.sum(SettlementRow.total), 0),
               func.coalesce(func.sum(SettlementRow.fund), 0))
        .select_from(SettlementRow).join(PersonRow, PersonRow.person_no == SettlementRow.person_no, isouter=True)
        .where(SettlementRow.facility_code == facility_code, SettlementRow.date >= since, SettlementRow.date <= until,
               SettlementRow.reversed_on.is_(None), SettlementRow.status == "settled")
        .group_by(PersonRow.insurance_type))
    cent = Decimal("0.01")
    return {str(k or ""): (int(n), Decimal(tot).quantize(cent), Decimal(fnd).quantize(cent)) for k, n, tot, fnd in rows}


def local_account_by_insutype(session, facility_code: str, since: dt.date, until: dt.date) -> dict[str, Decimal]:
    """What personal accounts paid (acct_pay + acct_mulaid_pay, issue 17) for the same settlements as
    local_totals_by_insutype, from the centre's 2102 answers the sync layer journaled with each settled sale."""
    rows = session.execute(
        select(PersonRow.insurance_type, SyncJournal.data)
        .select_from(SettlementRow).join(PersonRow, PersonRow.person_no == SettlementRow.person_no, isouter=True)
        .join(SyncSale, SyncSale.msgid == SettlementRow.settlement_id)
        .join(SyncJournal, (SyncJournal.sale_id == SyncSale.sale_id) & (SyncJournal.to_state == "settled"))
        .where(SettlementRow.facility_code == facility_code, SettlementRow.date >= since, SettlementRow.date <= until,
               SettlementRow.reversed_on.is_(None), SettlementRow.status == "settled"))
    out: dict[str, Decimal] = {}
    for insutype, data in rows:
        centre = (json.loads(data or "{}") or {}).get("centre") or {}
        paid = Decimal(str(centre.get("acct_pay") or "0")) + Decimal(str(centre.get("acct_mulaid_pay") or "0"))
        out[str(insutype or "")] = out.get(str(insutype or ""), Decimal("0.00")) + paid
    return out


def _statements(t: "Terminal", rec: "Reconciliation", per_type: dict[str, tuple[int, Decimal, Decimal]],
                operator: str, accounts: dict[str, Decimal] | None = None) -> None:
    """One 3201 per insurance type settled in the period (the basic two when none was); the centre's answers
    summed, balanced only when every one is and no settlement's type is unknown."""
    unknown = per_type.pop("", None)
    types = sorted(per_type) or list(BASIC_INSUTYPES)
    texts, balanced, sums = [], unknown is None, [0, Decimal("0.00"), Decimal("0.00")]
    for insutype in types:
        count, total, fund = per_type.get(insutype, (0, Decimal("0.00"), Decimal("0.00")))
        reply = t.transport.call(t.config.infno["statement"], statement_input(
            rec.since, rec.until, total=total, fund=fund, count=count, insutype=insutype,
            setl_optins=t.config.centre.admvs, acct_pay=(accounts or {}).get(insutype, Decimal("0.00"))),
            operator=operator)
        if not reply.ok:
            rec.centre_text = f"对账未完成（险种 {insutype}）：{reply.err_msg or reply.error}"
            return
        try:
            st = parse_statement(reply.output)
        except TransactionFormatError as exc:
            rec.centre_text = f"对账结果无法识别（险种 {insutype}）：{exc}"
            return
        balanced = balanced and st.balanced and (st.count, st.total, st.fund) == (count, total, fund)
        sums = [sums[0] + st.count, sums[1] + st.total, sums[2] + st.fund]
        texts.append(f"{insutype}：{st.text}")
    if unknown is not None:
        texts.append(f"{unknown[0]} 笔结算的参保人不在本机缓存，险种未知，未能对账 "
                     f"({unknown[0]} settlement(s) of persons not cached here: insurance type unknown, not reconciled)")
    rec.centre_reached, rec.balanced = True, balanced
    rec.centre_count, rec.centre_total, rec.centre_fund = sums[0], sums[1], sums[2]
    rec.centre_text = "；".join(texts)


def reconcile(t: "Terminal", since: dt.date, until: dt.date, *, operator: str, detail: bool | None = None) -> Reconciliation:
    code = t.config.terminal.institution_code
    with t.read() as s:
        count, total, fund = local_totals(s, code, since, until)
        rows = list(s.execute(
            select(SettlementRow, SyncSale).join(SyncSale, SyncSale.msgid == SettlementRow.settlement_id, isouter=True)
            .where(SettlementRow.facility_code == code, SettlementRow.date >= since, SettlementRow.date <= until)))
        sale_ids = [sale.sale_id for _, sale in rows if sale is not None]
        open_alerts = list(s.scalars(select(SyncAlert).where(SyncAlert.resolved_at.is_(None),
                                                             SyncAlert.sale_id.in_(sale_ids)))) if sale_ids else []
    rec = Reconciliation(None, since, until, count, total, fund, centre_reached=False, balanced=False)
    for row, sale in rows:
        if sale is not None and sale.state in PENDING_STATES:
            rec.pending += 1
            rec.differences.append(SettlementDiff(
                "pending", row.settlement_id, sale.sale_id, row.person_no, fmt(row.total), fmt(row.fund),
                note_zh=f"离线暂存/待中心确认 {sale.offline_no or ''}".strip(),
                note_en="not yet confirmed by the centre (queued in the outbox)"))
        elif sale is not None and sale.state in UNKNOWN_STATES:
            rec.differences.append(SettlementDiff(
                "unknown", row.settlement_id, sale.sale_id, row.person_no, fmt(row.total), fmt(row.fund),
                note_zh="结果未知，冲正中", note_en="outcome unknown, being reversed"))
    for a in open_alerts:
        row_sale = next(((r, sl) for r, sl in rows if sl is not None and sl.sale_id == a.sale_id), None)
        if row_sale is None:
            continue
        r, sl = row_sale
        rec.differences.append(SettlementDiff(
            a.kind, r.settlement_id, sl.sale_id, r.person_no, fmt(sl.total), fmt(sl.fund),
            fmt(sl.centre_total) if sl.centre_total is not None else None,
            fmt(sl.centre_fund) if sl.centre_fund is not None else None, a.message_zh, a.message_en))
    with t.read() as s:
        per_type = local_totals_by_insutype(s, code, since, until)
        accounts = local_account_by_insutype(s, code, since, until)
    _statements(t, rec, per_type, operator, accounts)
    if rec.centre_reached and (detail or (detail is None and not rec.balanced)):
        _per_settlement(t, rec, rows, operator)
    with t.write() as s, s.begin():
        row = SyncReconciliation(
            at=t.utcnow(), operator=operator, since=since, until=until, local_count=count, local_total=total,
            local_fund=fund, centre_count=rec.centre_count, centre_total=rec.centre_total, centre_fund=rec.centre_fund,
            balanced=rec.balanced, centre_text=rec.centre_text, pending=rec.pending,
            differences=json.dumps([asdict(d) for d in rec.differences], ensure_ascii=False))
        s.add(row)
        s.flush()
        rec.id = row.id
        journal.append(s, "reconcile", data={"id": row.id, "since": since, "until": until, "balanced": rec.balanced,
                                             "local": [count, total, fund], "centre": [rec.centre_count, rec.centre_total,
                                                                                       rec.centre_fund],
                                             "differences": len(rec.differences)})
    return rec


def _per_settlement(t: "Terminal", rec: Reconciliation, rows, operator: str) -> None:
    code = t.config.terminal.institution_code
    confirmed = {r.settlement_id: (r, sl) for r, sl in rows if r.status == "settled" and r.reversed_on is None}
    known = {r.settlement_id: (r, sl) for r, sl in rows}
    persons = sorted({r.person_no for r, _ in rows})
    centre: dict[str, dict] = {}
    for person_no in persons:
        reply = t.transport.call(t.config.infno["drug_history"], drug_history_query(person_no, rec.since, rec.until),
                                 operator=operator)
        if not reply.ok:
            rec.centre_text += f"；5205 {person_no} 查询失败：{reply.err_msg or reply.error}"
            continue
        try:
            for setl_id, info in parse_drug_history(reply.output).items():
                if info["facility"] == code:
                    centre[setl_id] = {**info, "person_no": person_no}
        except TransactionFormatError as exc:
            rec.centre_text += f"；5205 {person_no} 无法识别：{exc}"
    listed = {d.settlement_id for d in rec.differences}
    for sid, (r, sl) in confirmed.items():
        c = centre.get(sid)
        if c is None:
            rec.differences.append(SettlementDiff(
                "missing_at_centre", sid, sl.sale_id if sl else None, r.person_no, fmt(r.total), fmt(r.fund),
                note_zh="本地已结算，中心无此结算", note_en="settled here, unknown at the centre"))
        elif c["reversed"]:
            rec.differences.append(SettlementDiff(
                "reversed_at_centre", sid, sl.sale_id if sl else None, r.person_no, fmt(r.total), fmt(r.fund),
                note_zh="本地已结算，中心已撤销/冲正", note_en="settled here, reversed at the centre"))
    for sid, c in centre.items():
        if c["reversed"] or sid in confirmed or sid in listed:
            continue
        r_sl = known.get(sid)
        rec.differences.append(SettlementDiff(
            "missing_locally", sid, r_sl[1].sale_id if r_sl and r_sl[1] else None, c["person_no"],
            note_zh="中心有此结算，本地未确认", note_en="settled at the centre, not confirmed here"))


def stored(t: "Terminal", limit: int = 20) -> list[dict]:
    with t.read() as s:
        rows = s.scalars(select(SyncReconciliation).order_by(SyncReconciliation.id.desc()).limit(limit))
        return [{"id": r.id, "at": r.at.isoformat(), "since": r.since.isoformat(), "until": r.until.isoformat(),
                 "balanced": r.balanced, "local_count": r.local_count, "local_total": fmt(r.local_total),
                 "centre_count": r.centre_count, "centre_text": r.centre_text, "pending": r.pending,
                 "differences": json.loads(r.differences)} for r in rows]


__all__ = ["Reconciliation", "SettlementDiff", "local_totals", "local_totals_by_insutype", "reconcile", "stored"]
