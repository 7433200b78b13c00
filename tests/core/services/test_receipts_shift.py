"""Receipt content from a settlement record, and the Z report: stored once, hash-chained, unchangeable."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy.exc import DatabaseError

from core.services.auth import Operator
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_shift import ShiftService, z_text_lines
from core.services.ports import DeskError, SaleRecord
from core.services.receipts import build_receipt
from core.store import desk as t
from core.store.db import open_store

OP = Operator("li", "李药师", "pharmacist")


def record(kind="sale", prints=0) -> SaleRecord:
    line = {"line": 1, "drug_key": "D01", "drug_name": "苯磺酸氨氯地平片", "spec": "5mg", "qty": 2, "unit": "盒",
            "split": False, "days": 56, "price": "28.00", "amount": "56.00",
            "codes": ["81000110000000000001", "81000110000000000002"], "uncoded_batch": None}
    return SaleRecord("M1", "T01-20261125-0001", kind, "settled", "T0001", "王某", dt.datetime(2026, 11, 25, 2, 0),
                      Decimal("56.00"), Decimal("28.00"), Decimal("28.00"), Decimal("0.00"), Decimal("28.00"),
                      Decimal("2.00"), "SETL1", (line,), prints)


def test_receipt_lists_codes_amounts_and_settlement_id():
    r = build_receipt(record(), pharmacy="康济大药房", institution="P42070000001", terminal="T01", operator="李药师")
    text = "\n".join(r.text_lines(32))
    for needle in ("81000110000000000001", "81000110000000000002", "56.00", "28.00", "SETL1", "T01-20261125-0001",
                   "2026-11-25 10:00:00", "找零"):
        assert needle in text
    assert not r.is_copy and "副本" not in text
    copy = build_receipt(record(), pharmacy="康济大药房", institution="P", terminal="T01", operator="x", copy_no=1)
    assert copy.is_copy and "副本" in copy.title and "重打副本 第 1 次" in "\n".join(copy.text_lines())


SHIFT_NOW = dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def shifts(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    # a fixed business clock: 00:30 CST is 16:30 UTC the day before, so a UTC date anywhere shows
    yield ShiftService(engine, None, DeskConfig(terminal="T01"), clock=lambda: SHIFT_NOW), engine
    engine.dispose()


def test_shift_x_and_z_are_final_and_chained(shifts):
    service, engine = shifts
    sid = service.open(OP, Decimal("200"))
    with pytest.raises(DeskError):
        service.open(OP, Decimal("100"))
    with engine.begin() as conn:
        for i, (kind, cash) in enumerate((("sale", "14.00"), ("sale", "11.20"), ("return", "-14.00"))):
            conn.execute(t.sale.insert().values(
                msgid=f"M{i}", receipt_no=f"R{i}", kind=kind, shift_id=sid, user_id="li", person_no="T1",
                status="settled", created_at=SHIFT_NOW.astimezone(dt.timezone.utc).replace(tzinfo=None),
                business_date=SHIFT_NOW.date(), total=Decimal(cash) * 2,
                fund=Decimal(cash), personal=Decimal(cash), account_pay=Decimal("0"), cash_pay=Decimal(cash),
                request="{}"))
    x = service.report(sid)
    assert (x.sales, x.returns, x.cash_in, x.cash_out, x.expected_cash) == (
        2, 1, Decimal("25.20"), Decimal("14.00"), Decimal("211.20"))
    z = service.close(sid, Decimal("210.00"), OP)
    assert z.kind == "Z" and z.z_no == 1 and z.variance == Decimal("-1.20") and z.reconciled is None
    assert "对账" in "\n".join(z_text_lines(z)) and service.current() is None
    with pytest.raises(DeskError):
        service.close(sid, Decimal("210.00"), OP)
    with pytest.raises(DatabaseError, match="final"):
        with engine.begin() as conn:
            conn.execute(t.z_report.update().values(body="{}"))
    with pytest.raises(DatabaseError, match="final"):
        with engine.begin() as conn:
            conn.execute(t.z_report.delete())
    assert service.verify_chain()
    sid2 = service.open(OP, Decimal("100"))
    z2 = service.close(sid2, Decimal("100"), OP)
    assert z2.z_no == 2 and service.verify_chain()
    # opening and closing are staff actions in the store's chained journal (not rows beside the chain)
    from core.store import staff_journal

    journal = staff_journal.verify(engine)
    assert journal.ok and journal.entries == 4, journal.describe()
    with engine.connect() as conn:
        kinds = [r.kind for r in conn.execute(t.event.select().order_by(t.event.c.id))]
    assert kinds == ["shift_open", "shift_close", "shift_open", "shift_close"]


def test_reports_use_one_business_clock_and_z_shows_its_closing_time(tmp_path):
    """X and Z show Beijing time as the receipts do (stored as UTC), the Z its closing time; a shift id does
    not look like a receipt number. The clock is injected: a shift opened at 07:30 CST is 23:30 UTC the day
    before."""
    from core.domain.clock import CST

    now = [dt.datetime(2026, 12, 8, 7, 30, tzinfo=CST)]
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    service = ShiftService(engine, None, DeskConfig(terminal="T01"), clock=lambda: now[0])
    sid = service.open(OP, Decimal("200"))
    assert sid == "T01-20261208-S1"  # the CST day, not the UTC one
    assert not re.fullmatch(r"T01-\d{8}-\d{4}", sid)  # receipts: T01-20261208-0001
    assert service.current()["opened_at"] == dt.datetime(2026, 12, 7, 23, 30)  # stored as naive UTC
    now[0] = dt.datetime(2026, 12, 8, 12, 5, tzinfo=CST)
    x = "\n".join(z_text_lines(service.report(sid)))
    assert "开班 li 2026-12-08 07:30 (北京时间)" in x and "打印时间 2026-12-08 12:05 (北京时间)" in x
    now[0] = dt.datetime(2026, 12, 8, 18, 15, tzinfo=CST)
    z = service.close(sid, Decimal("200"), OP)
    text = "\n".join(z_text_lines(z))
    assert "开班 li 2026-12-08 07:30 (北京时间)" in text and "关班 li 2026-12-08 18:15 (北京时间)" in text
    assert "23:30" not in text and "10:15" not in text  # no UTC time anywhere
    assert "\n".join(z_text_lines(service.z(sid))) == text  # read back from the store: the same report
    engine.dispose()
