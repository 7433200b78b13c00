"""Stock uploads (3501 盘存, 3502 库存变更, 3503 采购, 3504 采购退货, 3507 信息删除) through the outbox.

One document of the ledger (core.store.stock) becomes one outbox item per batch, reserved in the same transaction
as the ledger's write, with the business key stock:<doc_no>:<bchno> (3507: stock_delete:<doc_no>:<bchno>): a
double click, a retried handler or a second instance cannot queue the same movement twice, and the sender's
msgid discipline gives the same exactly-once delivery as the sales. The centre meets them in the
order they were made: every item of one batch — its receipt, counts, changes, and
the sale uploads (3505/3506) of boxes from it (core.sync.documents) — shares the lane stock:<bchno>, so a sale
never overtakes the receipt of its boxes, while different batches go in parallel.

The nodes carry the national field lists (nhsa-interface.md §2.5: invinfo, purcinfo, data).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Mapping

from sqlalchemy.orm import Session

from core.domain import Drug
from core.stock.domain import CHANGE_KINDS
from core.store.models_stock import StockDocRow
from core.store.stock import DocLine, doc_lines
from core.sync import outbox as ob
from core.sync.models import SyncOutbox

if TYPE_CHECKING:
    from core.sync.terminal import Terminal



def lane(bchno: str) -> str:
    return f"stock:{bchno}"


INFNO_KEY = {"receipt": "purchase", "supplier_return": "purchase_return", "change": "stock_change",
             "transfer_in": "stock_change", "count": "stock_count"}
DATA_TYPE = {"receipt": "3", "supplier_return": "3", "change": "2", "transfer_in": "2", "count": "1"}
DEFAULT_INFNO = {"stock_count": "3501", "stock_change": "3502", "purchase": "3503", "purchase_return": "3504",
                 "stock_delete": "3507"}


def _infno(t: "Terminal", key: str) -> str:
    return t.config.infno.get(key) or DEFAULT_INFNO[key]


def _goods(line: DocLine, drug: Drug | None) -> dict:
    return {
        "med_list_codg": (drug.nhsa_code if drug and drug.nhsa_code else line.drug_key),
        "fixmedins_hilist_id": line.drug_key, "fixmedins_hilist_name": drug.name if drug else line.drug_key,
        "fixmedins_bchno": line.bchno, "rx_flag": "1", "manu_lotnum": line.lot,
        "manu_date": line.manu_date.isoformat(), "expy_end": line.expiry.isoformat(),
    }


def _codes(line: DocLine) -> list[dict]:
    return [{"drug_trac_codg": c} for c in line.codes]


def purchase_node(line: DocLine, drug: Drug | None, doc: StockDocRow, when: str, operator_name: str) -> dict:
    return {"purcinfo": {
        **_goods(line, drug), "dynt_no": "", "spler_name": doc.supplier, "spler_pmtno": "", "prodentp_name": "",
        "aprvno": "", "finl_trns_pric": f"{line.price:.2f}", "purc_retn_cnt": str(len(line.codes)),
        "purc_invo_codg": doc.invoice_code, "purc_invo_no": doc.invoice_no, "purc_retn_stoin_time": when,
        "purc_retn_opter_name": operator_name or doc.operator or "-", "prod_geay_flag": "", "memo": doc.note[:500],
        "drugtracinfo": _codes(line),
    }}


def change_node(line: DocLine, drug: Drug | None, doc: StockDocRow, when: str, operator_name: str) -> dict:
    """Whole boxes go as boxes with their codes; a batch that lost an opened box goes as units (trdn_flag 1). A
    transfer in (调拨入库) brings whole boxes: its units are positive."""
    units = abs(line.units)
    split = units != line.pack_size * len(line.codes)
    return {"invinfo": {
        **_goods(line, drug), "inv_chg_type": CHANGE_KINDS.get(doc.change_kind or "other", CHANGE_KINDS["other"])[1],
        "pric": f"{line.price:.2f}", "cnt": str(units if split else len(line.codes)), "inv_chg_time": when,
        "inv_chg_opter_name": operator_name or doc.supervisor or "-", "memo": doc.note[:500],
        "trdn_flag": "1" if split else "0", "drugtracinfo": _codes(line),
    }}


def count_node(line_bchno: str, facts: dict, drug: Drug | None, when: str, codes: list[str]) -> dict:
    return {"invinfo": {
        "med_list_codg": (drug.nhsa_code if drug and drug.nhsa_code else facts["drug_key"]),
        "fixmedins_hilist_id": facts["drug_key"], "fixmedins_hilist_name": drug.name if drug else facts["drug_key"],
        "fixmedins_bchno": line_bchno, "rx_flag": "1", "invdate": when[:10], "inv_cnt": str(len(codes)),
        "manu_lotnum": facts["lot"], "manu_date": facts["manu_date"], "expy_end": facts["expiry"], "memo": "",
        "drugtracinfo": [{"drug_trac_codg": c} for c in codes],
    }}


def _reserve(session: Session, t: "Terminal", key: str, infno_key: str, node: dict, *, operator: str,
             operator_name: str) -> SyncOutbox:
    bchno = next(iter(node.values()))["fixmedins_bchno"]
    return ob.reserve(session, t.cipher, kind="stock", infno=_infno(t, infno_key), msgid=t.allocate_msgid(session),
                      business_key=key, input_node=node, lane=lane(bchno), opter=operator, opter_name=operator_name,
                      now=t.utcnow())


def queue_doc(session: Session, t: "Terminal", doc_no: str, drugs: Mapping[str, Drug], *, now_local: dt.datetime,
              operator: str = "", operator_name: str = "") -> list[SyncOutbox]:
    """The uploads of a receipt (3503), a return to the supplier (3504) or a change (3502), one per batch."""
    doc = session.get(StockDocRow, doc_no)
    if doc is None or doc.kind not in ("receipt", "supplier_return", "change", "transfer_in"):
        raise ValueError(f"no stock document {doc_no} to upload")
    when = now_local.strftime("%Y-%m-%d %H:%M:%S")
    items = []
    for line in doc_lines(session, doc_no):
        drug = drugs.get(line.drug_key)
        node = (change_node if doc.kind in ("change", "transfer_in") else purchase_node)(line, drug, doc, when,
                                                                                          operator_name)
        items.append(_reserve(session, t, f"stock:{doc_no}:{line.bchno}", INFNO_KEY[doc.kind], node,
                              operator=operator, operator_name=operator_name))
    return items


def queue_count(session: Session, t: "Terminal", doc_no: str, batches: Mapping[str, tuple[dict, list[str]]],
                drugs: Mapping[str, Drug], *, now_local: dt.datetime, operator: str = "",
                operator_name: str = "") -> list[SyncOutbox]:
    """3501 per counted batch: the boxes on hand after the count (batches: bchno -> (facts, codes))."""
    when = now_local.strftime("%Y-%m-%d %H:%M:%S")
    return [_reserve(session, t, f"stock:{doc_no}:{bchno}", "stock_count",
                     count_node(bchno, facts, drugs.get(facts["drug_key"]), when, codes),
                     operator=operator, operator_name=operator_name)
            for bchno, (facts, codes) in sorted(batches.items())]


def queue_delete(session: Session, t: "Terminal", doc_no: str, kind: str, bchnos: list[str], *, operator: str = "",
                 operator_name: str = "") -> list[SyncOutbox]:
    """3507 for each batch of a document uploaded in error (the supervisor's decision)."""
    return [_reserve(session, t, f"stock_delete:{doc_no}:{b}", "stock_delete",
                     {"data": {"fixmedins_bchno": b, "inv_data_type": DATA_TYPE[kind]}},
                     operator=operator, operator_name=operator_name) for b in bchnos]


def withdraw_refused(session: Session, t: "Terminal", item: SyncOutbox, now: dt.datetime) -> str | None:
    """A 调拨入库 the centre refused (the box is not in transit from a branch of the chain: core's mirror of
    server/transactions/stock_transfer.py) is taken out of the ledger again, as the centre never had it — the
    boxes are not in stock here until they are scanned in again (after the sending branch's 调拨出库 is
    uploaded). Returns the undo document's number, or None: not a transfer in, or its boxes moved since (sold,
    written off): then the alert alone says so and the reconciliation shows the difference."""
    from core.stock.domain import StockError
    from core.store.stock import undo_docs
    from core.sync.sequence import next_value

    parts = (item.business_key or "").split(":", 2)
    if len(parts) != 3 or parts[0] != "stock":
        return None
    doc = session.get(StockDocRow, parts[1])
    if doc is None or doc.kind != "transfer_in" or doc.deleted_at is not None:
        return None
    undo_no = f"{t.config.terminal.terminal_id}-U{next_value(session, 'stock_doc'):06d}"
    try:
        undo_docs(session, [parts[2]], ("change", "transfer_in"), doc_no=undo_no, now=now,
                  operator=item.opter or "", supervisor="centre")
    except StockError:
        return None
    return undo_no


__all__ = ["DATA_TYPE", "DEFAULT_INFNO", "lane", "queue_count", "queue_delete", "queue_doc", "withdraw_refused"]
