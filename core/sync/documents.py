"""Business records and their outbox items, written together in the caller's transaction.

- queue_uploads: the 3505 sale upload of each line with trace codes (after the receipt is printed and the 2102
  answered, whichever comes last).
- queue_cancel: a return — the 2103 cancellation and the 3506 return upload of every line already uploaded.
- queue_registration: a 2503 disease registration with its local record.

A business key per event (settle:<sale>:<attempt>, sale_upload:<sale>:<line>, cancel:<sale>, sale_return:<sale>:<line>,
reverse:<msgid>, registration:<id>) is unique in the outbox: whatever re-enters a handler cannot queue the
same event twice.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataclasses import replace

from core.domain import Drug, Scheme
from core.stock.domain import ON_HAND, box_key
from core.store import stock as stock_ledger
from core.store.models_stock import StockDocRow, StockMoveRow
from core.sync.stock_uploads import lane as stock_lane
from core.sync import outbox as ob
from core.sync.basket import Basket, BasketLine
from core.sync.envelope import dumps
from core.sync.models import SyncOutbox, SyncRegistration, SyncSale
from core.sync.sequence import next_value
from core.sync.states import SaleState as S
from core.sync.states import transition
from core.sync.transactions import cancel_input, registration_input, sale_upload_input

if TYPE_CHECKING:
    from core.sync.terminal import Terminal


def new_sale_id(session: Session, t: "Terminal") -> str:
    return f"{t.config.terminal.terminal_id}-{next_value(session, 'sale'):08d}"


def new_offline_no(session: Session, t: "Terminal") -> str:
    """Offline numbers are per terminal (prefixed with its id) so that terminals never collide."""
    return f"{t.config.terminal.terminal_id}-L{next_value(session, 'offline'):06d}"


def settle_item(session: Session, sale: SyncSale) -> SyncOutbox | None:
    """The sale's current 2102 item (a withdrawn attempt is not current: the sale has no msgid then)."""
    if not sale.msgid:
        return None
    return session.scalar(select(SyncOutbox).where(SyncOutbox.msgid == sale.msgid))


def settle_business_key(session: Session, sale_id: str) -> str:
    """settle:<sale>:<attempt>. An attempt only follows a withdrawn one (never sent), so a double click or a
    re-entered handler meets the same key and is refused by the unique index."""
    n = session.scalar(select(func.count()).select_from(SyncOutbox).where(
        SyncOutbox.sale_id == sale_id, SyncOutbox.kind == "settle", SyncOutbox.status == ob.WITHDRAWN)) or 0
    return f"settle:{sale_id}:{n + 1}"


def queue_uploads(session: Session, t: "Terminal", sale: SyncSale, basket: Basket, drugs: Mapping[str, Drug], *,
                  person_name: str, now_local: dt.datetime) -> list[SyncOutbox] | None:
    """The 3505 of each coded line, once the sale's 2102 is answered: the platform's setl_id and mdtrt_id from
    that answer go into every upload (a real platform's differ from our msgid). A receipt printed while the
    2102 waits (offline, provisional) queues nothing: core.sync.apply queues them with the answer, in the same
    transaction (None: not yet; [] : nothing to upload)."""
    settle = settle_item(session, sale)
    answered = settle is None or settle.status == ob.DONE
    items: list[SyncOutbox] = []
    for no, whole_line in enumerate(basket.lines, start=1):
        if not whole_line.trace_codes:
            continue  # nothing to upload for uncoded stock (无码库)
        # The boxes leave the stock ledger at the print, answered or not (the goods are handed out); a line whose
        # boxes come from several batches goes as one 3505 per batch, each with its batch number, lot and dates.
        parts = take_from_stock(session, t, sale, whole_line, no)
        if not answered:
            continue
        # the reviewing pharmacist of the desk's 审方→核对 trail when there is one (issue 19), else the operator
        phar = basket.extra.get("pharmacists") or {}
        for k, line in enumerate(parts, start=1):
            node = sale_upload_input(line, drugs[line.drug_key], doc_no=f"{sale.sale_id}-{no}",
                                     setl_id=sale.setl_id or sale.msgid, mdtrt_id=sale.mdtrt_id or "",
                                     psn_no=sale.person_no, psn_name=person_name,
                                     operator_name=phar.get("phar_name") or sale.operator_name or sale.operator,
                                     doctor_name=basket.doctor_name, rx_no=basket.rx_no, sale_time=now_local,
                                     pharmacist_licence=phar.get("phar_prac_cert_no")
                                     or t.config.terminal.pharmacist_licence)
            key = f"sale_upload:{sale.sale_id}:{no}" if k == 1 else f"sale_upload:{sale.sale_id}:{no}.{k}"
            old = session.scalar(select(SyncOutbox).where(SyncOutbox.business_key == key))
            if old is not None:
                # queued at the print by an earlier version (waiting on the 2102, never sent): it gets the ids too
                if old.status == ob.PENDING and old.attempts == 0:
                    old.payload, old.depends_on = t.cipher.encrypt_text(dumps(node)), None
                items.append(old)
                continue
            items.append(ob.reserve(
                session, t.cipher, kind="sale_upload", infno=t.config.infno["sale_upload"],
                msgid=t.allocate_msgid(session), business_key=key, input_node=node,
                sale_id=sale.sale_id, lane=stock_lane(line.batch_no) if line.batch_no else sale.person_no,
                psn_no=sale.person_no, opter=sale.operator, opter_name=sale.operator_name, now=t.utcnow()))
    return items if answered else None


def take_from_stock(session: Session, t: "Terminal", sale: SyncSale, line: BasketLine, no: int) -> list[BasketLine]:
    """Sell the line's boxes in the stock ledger and split the line by batch (boxes the ledger does not hold on
    hand keep the line's own facts: the desk warned at the scan, the supervisor overrode)."""
    codes = [box_key(c) for c in line.trace_codes]
    doc_no = f"{sale.sale_id}-{no}"
    known = stock_ledger.facts(session, codes)
    if not known:
        return [line]  # boxes the ledger never had (no ledger kept, or the supervisor's override): nothing moves
    if session.get(StockDocRow, doc_no) is None:
        ours = {c for c, f in known.items() if f.state in ON_HAND}
        stock_ledger.sell(session, [stock_ledger.SaleBox(c, line.qty if line.split else None) for c in codes],
                          doc_no=doc_no, now=t.utcnow(), operator=sale.operator, skip_not_on_hand=True)
    else:  # sold at the print; the 3505s are queued now, with the 2102's answer: the boxes that document moved
        ours = set(session.scalars(select(StockMoveRow.code).where(StockMoveRow.doc_no == doc_no)))
    groups: dict[str, list[str]] = {}
    for raw, code in zip(line.trace_codes, codes, strict=True):
        f = known.get(code)
        groups.setdefault(f.bchno if f is not None and code in ours else "", []).append(raw)
    if len(groups) == 1 and "" in groups:
        return [line]
    out = []
    for bchno, raws in groups.items():
        f = known[box_key(raws[0])] if bchno else None
        part = replace(line, trace_codes=tuple(raws), qty=line.qty if line.split else len(raws))
        if f is not None:
            part = replace(part, batch_no=f.bchno, lot_no=f.lot, manu_date=f.manu_date.isoformat(),
                           expiry=f.expiry.isoformat())
        out.append(part)
    return out


def queue_printed_uploads(session: Session, t: "Terminal", sale: SyncSale) -> list[SyncOutbox] | None:
    """queue_uploads for a sale printed earlier (its 2102 answered just now): basket, drugs and name from the
    store; the sale time is the print's, in local time."""
    from core.store.catalogue import get_drugs
    from core.store.persons import get_person

    basket = Basket.from_json(sale.basket)
    person = get_person(session, sale.person_no, cipher=t.cipher)
    drugs = get_drugs(session, {l.drug_key for l in basket.lines})
    printed = sale.printed_at or t.utcnow()
    local = printed.replace(tzinfo=dt.timezone.utc).astimezone(t.now().tzinfo).replace(tzinfo=None)
    return queue_uploads(session, t, sale, basket, drugs, person_name=person.name if person else "", now_local=local)


def queue_cancel(session: Session, t: "Terminal", sale: SyncSale, *, reason: str, operator: str | None = None,
                 operator_name: str = "") -> SyncOutbox:
    """Return a settled sale: 2103 for the settlement, then 3506 for every line whose 3505 may have gone out."""
    transition(session, sale, S.RETURNING, reason=reason, now=t.utcnow())
    cancel = ob.reserve(
        session, t.cipher, kind="cancel", infno=t.config.infno["cancel"], msgid=t.allocate_msgid(session),
        business_key=f"cancel:{sale.sale_id}", input_node=cancel_input(sale.setl_id or sale.msgid or "", sale.person_no,
                                                                   mdtrt_id=sale.mdtrt_id or ""),
        sale_id=sale.sale_id, lane=sale.person_no, psn_no=sale.person_no, opter=operator or sale.operator,
        opter_name=operator_name or sale.operator_name, now=t.utcnow())
    uploads = list(session.scalars(select(SyncOutbox).where(SyncOutbox.sale_id == sale.sale_id,
                                                            SyncOutbox.kind == "sale_upload")))
    for up in uploads:
        if up.status == ob.PENDING and up.attempts == 0:
            ob.finish(session, up, ob.CANCELLED, reason="sale returned before its upload was sent", now=t.utcnow())
            continue
        if up.status in (ob.CANCELLED, ob.REFUSED, ob.SUPERSEDED, ob.WITHDRAWN):
            continue
        node = ob.input_of(up, t.cipher)
        node["selinfo"]["medins_prod_sel_no"] = up.msgid
        line_no = up.business_key.rsplit(":", 1)[1]
        split = node["selinfo"].get("trdn_flag") == "1"
        units = int(float(node["selinfo"].get("sel_retn_cnt") or 0))
        boxes = [stock_ledger.SaleBox(box_key(c["drug_trac_codg"]), units if split else None)
                 for c in node["selinfo"].get("drugtracinfo") or []]
        stock_ledger.return_sale(session, boxes, doc_no=f"{sale.sale_id}-{line_no}-R", now=t.utcnow(),
                                 operator=operator or sale.operator, lenient=True)
        ob.reserve(session, t.cipher, kind="sale_return", infno=t.config.infno["sale_return"],
                   msgid=t.allocate_msgid(session), business_key=f"sale_return:{sale.sale_id}:{line_no}",
                   input_node=node, sale_id=sale.sale_id, lane=up.lane or sale.person_no, depends_on=cancel.id,
                   psn_no=sale.person_no, opter=operator or sale.operator, opter_name=operator_name, now=t.utcnow())
    return cancel


def queue_registration(session: Session, t: "Terminal", *, person_no: str, insutype: str, scheme: Scheme,
                       disease: str, disease_name: str, begin: dt.date, end: dt.date | None, operator: str,
                       operator_name: str = "", doctor_name: str = "", exp_content: dict | None = None
                       ) -> SyncRegistration:
    """`exp_content` travels as the node's expContent (the reference centre wants the reviewed application's
    app_no there)."""
    request_id = f"{t.config.terminal.terminal_id}-R{next_value(session, 'registration'):06d}"
    msgid = t.allocate_msgid(session)
    term = t.config.terminal
    node = registration_input(person_no, insutype, disease, disease_name, begin, end,
                              facility_code=term.institution_code, facility_name=term.institution_name,
                              doctor_name=doctor_name, exp_content=exp_content)
    reg = SyncRegistration(request_id=request_id, person_no=person_no, scheme=scheme.value, disease=disease,
                           disease_name=disease_name, begin=begin, end=end, state="queued", msgid=msgid,
                           operator=operator, created_at=t.utcnow(), result="")
    session.add(reg)
    ob.reserve(session, t.cipher, kind="registration", infno=t.config.infno["registration"], msgid=msgid,
               business_key=f"registration:{person_no}:{scheme.value}:{disease}:{begin.isoformat()}",
               input_node=node, lane=person_no, psn_no=person_no, opter=operator, opter_name=operator_name,
               now=t.utcnow())
    return reg


__all__ = ["new_offline_no", "new_sale_id", "queue_cancel", "queue_printed_uploads", "queue_registration", "queue_uploads",
           "settle_business_key", "settle_item"]
