"""The pharmacist's shift: open with a float, X report any time, Z report once at close.

    shifts = ShiftService(engine, link, config)
    sid = shifts.open(op, Decimal("200.00"))
    x = shifts.report(sid)                                   # X: figures so far, nothing stored
    z = shifts.close(sid, counted_cash=Decimal("228.00"), operator=op)   # Z: stored, final

The close is blind: the counted cash is entered before the expected amount is shown (the screen shows the
variance only in the Z). The Z reconciles the business days of the shift with the centre through the sync
layer (core.sync.reconcile: 3201 对总账 on the settlements the centre confirmed, reversed and returned ones
left out, stored in sync_reconciliation with its per-settlement differences) and keeps the result in the
report. Z reports are numbered per terminal, hash-chained, and the desk tables refuse to change or delete
them.

Figures are read through from the sync sales (core.services.pharmacy_desk.read_through): the centre's once it
confirmed a sale, the local calculation of a provisional (offline) one, which X and Z count apart as
`provisional`. Anything still waiting for the centre — provisional sales, uploads, the desk's 7206 — is
`pending`: closing with pending items needs a supervisor's approval (the shell asks; `allow_pending=True`).

One business clock: times are stored as naive UTC like every timestamp of the store, and every report shows
them in the clock's zone (China Standard Time, injected: `clock=` an aware `now`), as the receipts do: the X its
time of printing, the Z its opening and closing times. Shift ids read "<terminal>-<CST date>-S<n>" so that
they never look like a receipt number ("<terminal>-<date>-0001").
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import Engine, func, select

from core.domain.clock import CST, now_cst
from core.domain import fmt
from core.i18n import message
from core.services.auth import Operator
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_desk import read_through
from core.services.ports import CentreLink, DeskError, ShiftReport
from core.pos.tenders import NAME_ZH
from core.store import desk as t
from core.store import pos
from core.store import staff_journal
from core.store.db import session_factory
from core.store.lane import write_engine
from core.sync import outbox
from core.sync.reconcile import reconcile
from core.sync.terminal import Terminal

Z0 = Decimal("0.00")


def _d(v) -> Decimal:
    return Decimal(str(v if v is not None else "0")).quantize(Decimal("0.01"))


class ShiftService:
    def __init__(self, engine: Engine, link: CentreLink | None, config: DeskConfig, *,
                 terminal: Terminal | None = None, clock: Callable[[], dt.datetime] | None = None) -> None:
        t.ensure_desk_schema(engine)
        self.engine, self.link, self.config = engine, link, config
        self.terminal: Terminal | None = terminal if terminal is not None else getattr(link, "t", None)
        # the business clock (aware): the terminal's when there is one (receipts use it), else CST
        self.clock: Callable[[], dt.datetime] = clock or (self.terminal.clock if self.terminal is not None else now_cst)
        self.wengine = write_engine(engine)  # the store's one writer (core.store.lane)
        self.Session = session_factory(engine)

    def _now(self) -> tuple[dt.datetime, dt.datetime]:
        """(business time, aware; the same instant as naive UTC for the store)"""
        local = self.clock()
        return local, local.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def local(self, stored: dt.datetime) -> dt.datetime:
        """A stored (naive UTC) time in the business clock's zone."""
        zone = self.clock().tzinfo or CST
        return stored.replace(tzinfo=dt.timezone.utc).astimezone(zone)

    def current(self) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.shift).where(t.shift.c.terminal == self.config.terminal,
                                                     t.shift.c.closed_at.is_(None))
                               .order_by(t.shift.c.opened_at.desc()).limit(1)).first()
        return dict(row._mapping) if row else None

    def open(self, op: Operator, float_amount: Decimal) -> str:
        cur = self.current()
        if cur is not None:
            raise DeskError(message("desk.shift.open", shift=cur["shift_id"]))
        local, now = self._now()
        with self.wengine.begin() as conn:
            sid = f"{self.config.terminal}-{local:%Y%m%d}-S{t.next_number(conn, 'shift')}"
            conn.execute(t.shift.insert().values(shift_id=sid, terminal=self.config.terminal, opened_by=op.user_id,
                                                 opened_at=now, float_amount=_d(float_amount)))
            staff_journal.append(conn, t.event, dict(at=now, kind="shift_open", user_id=op.user_id, ref=sid,
                                                 detail=json.dumps({"float": fmt(_d(float_amount))})))
        return sid

    def pending(self) -> int:
        """Messages still waiting for the centre: the sync layer's outbox and the desk's own follow-ups (7206)."""
        with self.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(t.followup)
                             .where(t.followup.c.done_at.is_(None))).scalar() or 0
        if self.terminal is not None:
            with self.Session() as s:
                n += sum(outbox.waiting(s).values())
        return int(n)

    def report(self, shift_id: str) -> ShiftReport:
        """X: the shift's sales and returns so far (the centre's figures where it confirmed them, the local ones of
        provisional sales), the cash, and what still waits for the centre."""
        with self.engine.connect() as conn:
            sh = conn.execute(select(t.shift).where(t.shift.c.shift_id == shift_id)).first()
            if sh is None:
                raise DeskError(message("desk.shift.none"))
            rows = conn.execute(select(t.sale).where(t.sale.c.shift_id == shift_id,
                                                     t.sale.c.status.in_(("settled", "returned")))).all()
        total = fund = personal = Z0
        provisional = 0
        with self.Session() as s:
            for r in rows:
                through = read_through(s, r)
                if through is None:  # recorded before the desk settled through the sync layer
                    figures = (_d(r.total), _d(r.fund), _d(r.personal))
                elif through.status == "rejected":  # an offline sale the centre refused: a supervisor's alert
                    continue
                else:
                    figures = (through.total, through.fund, through.personal)
                    provisional += through.status == "provisional"
                total, fund, personal = total + figures[0], fund + figures[1], personal + figures[2]
        sales = [r for r in rows if r.kind == "sale"]
        returns = [r for r in rows if r.kind == "return"]
        account = sum((_d(r.account_pay) for r in rows), Z0)
        cash_in = sum((_d(r.cash_pay) for r in sales), Z0)
        cash_out = -sum((_d(r.cash_pay) for r in returns), Z0)
        expected = _d(sh.float_amount) + cash_in - cash_out
        with self.Session() as s:
            per = pos.shift_totals(s, shift_id)
        tenders = tuple((k.value, NAME_ZH[k], v.count, v.paid, v.refunded) for k, v in per.items() if v.count or v.refunded)
        return ShiftReport(shift_id, "X", self.local(sh.opened_at), sh.opened_by, _d(sh.float_amount), len(sales),
                           len(returns), total, fund, personal, account, cash_in, cash_out, expected, pending=self.pending(),
                           provisional=provisional, as_of=self.clock(), tenders=tenders)

    def _days(self, shift_id: str) -> tuple[dt.date, dt.date]:
        with self.engine.connect() as conn:
            sh = conn.execute(select(t.shift).where(t.shift.c.shift_id == shift_id)).first()
            days = conn.execute(select(func.min(t.sale.c.business_date), func.max(t.sale.c.business_date))
                                .where(t.sale.c.shift_id == shift_id)).one()
        begin = days[0] or self.local(sh.opened_at).date()
        return begin, days[1] or begin

    def reconcile(self, shift_id: str, operator: str = "SYS") -> tuple[bool | None, dict]:
        """对总账 (3201) for the business days of the shift, through the sync layer: the settlements the centre
        confirmed (by its settlement date) against its statement; the result is stored with its differences.
        (None, …) when the centre could not be asked."""
        begin, end = self._days(shift_id)
        if self.terminal is None:
            return None, {"local": {"since": begin.isoformat(), "until": end.isoformat()}}
        rec = reconcile(self.terminal, begin, end, operator=operator)
        out = rec.to_dict()
        return (rec.balanced if rec.centre_reached else None), {"local": out["local"], "centre": out["centre"],
                                                               "reconciliation": out}

    def close(self, shift_id: str, counted_cash: Decimal, operator: Operator, *, allow_pending: bool = False,
              approver: str | None = None) -> ShiftReport:
        x = self.report(shift_id)
        if x.pending and not allow_pending:
            raise DeskError(message("desk.shift.pending", n=x.pending))
        with self.engine.connect() as conn:
            if conn.execute(select(t.z_report.c.z_no).where(t.z_report.c.shift_id == shift_id)).first():
                raise DeskError(message("desk.shift.none"))
        ok, recon = self.reconcile(shift_id, operator.user_id)
        detail = (recon.get("reconciliation") or {}).get("centre_text", "")
        if ok is None:
            note = message("desk.shift.recon_offline")
        elif ok:
            note = message("desk.shift.recon_ok", detail=detail)
        else:
            note = message("desk.shift.recon_diff", detail=detail)
        _local, now = self._now()
        counted = _d(counted_cash)
        body = {
            "shift_id": shift_id, "terminal": self.config.terminal, "institution": self.config.institution,
            "opened_at": x.opened_at.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(),  # naive UTC
            "opened_by": x.opened_by, "closed_at": now.isoformat(),
            "closed_by": operator.user_id, "approver": approver, "float": fmt(x.float_amount), "sales": x.sales,
            "returns": x.returns, "total": fmt(x.total), "fund": fmt(x.fund), "personal": fmt(x.personal),
            "account": fmt(x.account), "cash_in": fmt(x.cash_in), "cash_out": fmt(x.cash_out),
            "expected_cash": fmt(x.expected_cash), "counted_cash": fmt(counted),
            "variance": fmt(counted - x.expected_cash), "pending": x.pending, "provisional": x.provisional,
            "reconciled": ok,
            "reconciliation": recon, "note": note.as_dict(),
            "tenders": [{"kind": k, "name": n, "count": c, "paid": fmt(p), "refunded": fmt(r)}
                        for k, n, c, p, r in x.tenders],
        }
        with self.wengine.begin() as conn:
            prev = conn.execute(select(t.z_report.c.hash).order_by(t.z_report.c.z_no.desc()).limit(1)).scalar() or "0" * 64
            z_no = t.next_number(conn, "z")
            text = json.dumps({"z_no": z_no, **body}, ensure_ascii=False, sort_keys=True)
            digest = hashlib.sha256((prev + text).encode()).hexdigest()
            conn.execute(t.z_report.insert().values(z_no=z_no, shift_id=shift_id, closed_at=now,
                                                    closed_by=operator.user_id, body=text, prev_hash=prev, hash=digest))
            conn.execute(t.shift.update().where(t.shift.c.shift_id == shift_id).values(closed_at=now,
                                                                                        closed_by=operator.user_id))
            staff_journal.append(conn, t.event, dict(at=now, kind="shift_close", user_id=operator.user_id,
                                                 approver_id=approver, ref=shift_id,
                                                 detail=json.dumps({"z_no": z_no, "hash": digest})))
        return self.z(shift_id)

    def z(self, shift_id: str) -> ShiftReport:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.z_report).where(t.z_report.c.shift_id == shift_id)).first()
        if row is None:
            raise DeskError(message("desk.shift.none"))
        b = json.loads(row.body)
        note = b.get("note") or {}
        from core.i18n import Message

        return ShiftReport(
            b["shift_id"], "Z", self.local(dt.datetime.fromisoformat(b["opened_at"])), b["opened_by"], _d(b["float"]),
            b["sales"], b["returns"], _d(b["total"]), _d(b["fund"]), _d(b["personal"]), _d(b["account"]),
            _d(b["cash_in"]), _d(b["cash_out"]), _d(b["expected_cash"]), _d(b["counted_cash"]), _d(b["variance"]),
            Message("z", note.get("zh", ""), note.get("en", "")), b.get("reconciled"),
            b.get("reconciliation", {}), row.z_no, self.local(row.closed_at), row.closed_by, b.get("pending", 0),
            row.hash, b.get("provisional", 0), as_of=self.local(row.closed_at),
            tenders=tuple((v["kind"], v["name"], v["count"], _d(v["paid"]), _d(v["refunded"]))
                          for v in b.get("tenders", [])))

    def verify_chain(self) -> bool:
        prev = "0" * 64
        with self.engine.connect() as conn:
            for row in conn.execute(select(t.z_report).order_by(t.z_report.c.z_no)):
                if row.prev_hash != prev or hashlib.sha256((prev + row.body).encode()).hexdigest() != row.hash:
                    return False
                prev = row.hash
        return True


def z_text_lines(z: ShiftReport) -> list[str]:
    """The Z (or X) report as printed lines; times in the business clock's zone (the report's own)."""
    zone = f" ({_zone(z.opened_at)})"
    rows = [f"{'Z' if z.kind == 'Z' else 'X'} 报表 {('No.' + str(z.z_no)) if z.z_no else ''}".strip(),
            f"班次 {z.shift_id}", f"开班 {z.opened_by} {z.opened_at:%Y-%m-%d %H:%M}{zone}",
            f"备用金 {fmt(z.float_amount)}", f"销售 {z.sales} 笔  退货 {z.returns} 笔",
            f"医疗费总额 {fmt(z.total)}", f"统筹基金 {fmt(z.fund)}", f"个人负担 {fmt(z.personal)}",
            f"个人账户 {fmt(z.account)}", f"现金收入 {fmt(z.cash_in)}", f"现金退款 {fmt(z.cash_out)}",
            f"应有现金 {fmt(z.expected_cash)}"]
    if z.tenders:
        rows.append("按付款方式：")
        rows += [f"  {name} {count} 笔 收 {fmt(paid)} 退 {fmt(back)} 净 {fmt(paid - back)}"
                 for _kind, name, count, paid, back in z.tenders]
    if z.provisional:
        rows.append(f"离线暂存 {z.provisional} 笔（待中心确认，金额为本地计算）")
    if z.pending:
        rows.append(f"待上传中心 {z.pending} 条")
    if z.kind != "Z" and z.as_of is not None:
        rows.append(f"打印时间 {z.as_of:%Y-%m-%d %H:%M}{zone}")
    if z.kind == "Z":
        closed = f" {z.closed_at:%Y-%m-%d %H:%M}{zone}" if z.closed_at is not None else ""
        rows += [f"实点现金 {fmt(z.counted_cash)}", f"差额 {fmt(z.variance)}", f"关班 {z.closed_by}{closed}",
                 f"对账 {z.reconciliation.zh if z.reconciliation else '-'}", f"校验 {z.hash[:16]}"]
    return rows


def _zone(when: dt.datetime) -> str:
    """北京时间 for UTC+8 (what a pharmacist reads on the receipt), else the offset."""
    offset = when.utcoffset()
    if offset == dt.timedelta(hours=8):
        return "北京时间"
    return "UTC" if offset is None else f"UTC{when:%z}"


__all__ = ["ShiftService", "z_text_lines"]
