"""Records of the desk: a sale or return by receipt number or by a box's code, and its prints."""
from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from core.domain import fmt
from core.i18n import message
from core.services.desk.base import DeskBase
from core.services.desk.through import read_through
from core.services.ports import DeskError, SaleRecord
from core.store import desk as t
from core.store import pos
from core.store import staff_journal


class Records(DeskBase):
    def _record_of(self, row) -> SaleRecord:
        req = json.loads(row.request)
        with self.engine.connect() as conn:
            returned = {(r.line, r.code) for r in conn.execute(
                select(t.sale_code.c.line, t.sale_code.c.code).where(t.sale_code.c.msgid == row.msgid,
                                                                     t.sale_code.c.returned.is_(True)))}
        lines = tuple({**l, "returned_codes": [c for c in l["codes"] if (l["line"], c) in returned]}
                      for l in req.get("lines", []))
        z = Decimal("0.00")
        lifestyle = tuple(req.get("sale", {}).get("lifestyle") or ())
        pharmacists = tuple(req.get("sale", {}).get("pharmacists") or ())
        scheme = str(req.get("sale", {}).get("scheme") or "")
        with self.Session() as s:
            through = read_through(s, row)
            paid = pos.refunds_of(s, row.msgid) if row.kind == "return" else pos.sale_payment(s, row.msgid).paid
            goods = tuple({"line": g.line, "gtin": g.gtin, "name": g.name, "qty": g.qty, "price": fmt(g.price),
                           "discount": fmt(g.discount), "amount": fmt(g.amount), "returned": g.returned}
                          for g in pos.goods_lines(s, row.original_msgid if row.kind == "return" else row.msgid))
        if row.kind == "return" and "goods" in req:  # the goods this return gave back (not those kept on)
            goods = tuple(g for g in goods if g["line"] in req["goods"])
        tenders = tuple(p.to_dict() for p in paid)
        if through is None:  # recorded before the desk settled through the sync layer
            answer = json.loads(row.answer) if row.answer else {}
            return SaleRecord(row.msgid, row.receipt_no, row.kind, row.status, row.person_no, row.person_name,
                              row.settled_at, row.total or z, row.fund or z, row.personal or z, row.account_pay or z,
                              row.cash_pay or z, row.change or z, row.setl_id or "", lines, row.prints, answer,
                              lifestyle=lifestyle, pharmacists=pharmacists, tenders=tenders, goods=goods, scheme=scheme)
        return SaleRecord(row.msgid, row.receipt_no, row.kind, through.status, row.person_no, row.person_name,
                          row.settled_at, through.total, through.fund, through.personal, row.account_pay or z,
                          row.cash_pay or z, row.change or z, through.setl_id, lines, row.prints, through.answer,
                          offline_no=through.offline_no, sale_id=row.sync_sale_id or "", lifestyle=lifestyle,
                          pharmacists=pharmacists, tenders=tenders, goods=goods, scheme=scheme)

    def find_sale(self, ref: str) -> SaleRecord:
        ref = ref.strip()
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sale).where(t.sale.c.receipt_no == ref)).first()
            if row is None and ref:
                row = conn.execute(
                    select(t.sale).join(t.sale_code, t.sale_code.c.msgid == t.sale.c.msgid)
                    .where(t.sale_code.c.code == ref, t.sale.c.kind == "sale")
                    .order_by(t.sale.c.created_at.desc()).limit(1)).first()
        if row is None:
            raise DeskError(message("desk.ret.not_found", ref=ref))
        return self._record_of(row)

    def mark_printed(self, msgid: str, reprint: bool, approver: str | None = None) -> int:
        with self.wengine.begin() as conn:
            prints = conn.execute(select(t.sale.c.prints).where(t.sale.c.msgid == msgid)).scalar() or 0
            conn.execute(t.sale.update().where(t.sale.c.msgid == msgid).values(prints=prints + 1))
            if reprint:
                staff_journal.append(conn, t.event, dict(at=t.utcnow(), kind="reprint", user_id=self._user(),
                                                     approver_id=approver, ref=msgid,
                                                     detail=json.dumps({"copy": prints})))
        return prints + 1
