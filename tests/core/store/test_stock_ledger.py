"""The stock ledger (core.store.stock): receiving, selling, returns, write-offs, counts — and bad input that names
its row and field and leaves the ledger as it was."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.codes.build import gs1_element_string
from core.stock.domain import Delivery, DeliveryLine, NotInStock, Product, StockError, box_key
from core.stock.files import read_csv_text
from core.store import stock
from core.store.models_stock import StockBatchRow, StockBoxRow, StockDocRow, StockMoveRow

TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 10, 0)
D01 = Product("D01", "苯磺酸氨氯地平片", 28, nhsa_code="XC08CAA321A001010199901", gtin="06901234567892",
              trace_prefix="8100011")
D02 = Product("D02", "盐酸二甲双胍片", 60, gtin="06901234567908", trace_prefix="8100022")
PRODUCTS = {"D01": D01, "D02": D02}


def codes(prefix: str, start: int, n: int) -> list[str]:
    return [f"{prefix}{i:013d}" for i in range(start, start + n)]


def delivery(lines, supplier="九州通医药", invoice="INV-1") -> Delivery:
    return Delivery(supplier, invoice, tuple(lines))


def line(code, drug="D01", lot="L2601", made="2026-01-10", expiry="2028-01-09", price="20.00", row=None):
    return DeliveryLine(code, drug, lot, made, expiry, Decimal(price), row)


def snapshot(s: Session) -> tuple:
    return tuple(s.scalar(select(func.count()).select_from(t)) for t in
                 (StockDocRow, StockBatchRow, StockBoxRow, StockMoveRow))


def test_receive_sell_return_write_off_keeps_batch_counts(sqlite_engine):
    with Session(sqlite_engine) as s:
        c = codes("8100011", 1, 5)
        r = stock.receive(s, delivery([line(x) for x in c] + [line(x, lot="L2602", expiry="2027-06-30")
                                                             for x in codes("8100011", 10, 2)]),
                          PRODUCTS, doc_no="T01-R1", now=NOW, today=TODAY)
        assert r.boxes == 7 and [b.units for b in r.batches] == [140, 56]
        fefo = stock.batches(s, "D01")
        assert fefo[0].lot == "L2602"  # first expiry first out
        facts = stock.sell(s, [stock.SaleBox(c[0]), stock.SaleBox(c[1], units=10)], doc_no="S1", now=NOW)
        assert facts[c[0]].lot == "L2601" and facts[c[0]].expiry == dt.date(2028, 1, 9)
        assert {b.lot: b.units for b in stock.batches(s, "D01")}["L2601"] == 140 - 28 - 10
        stock.sell(s, [stock.SaleBox(c[1], units=18)], doc_no="S2", now=NOW)  # the opened box is used up
        with pytest.raises(NotInStock) as no:
            stock.sell(s, [stock.SaleBox(c[1], units=1)], doc_no="S3", now=NOW)
        assert "已售出" in no.value.zh
        stock.return_sale(s, [stock.SaleBox(c[0])], doc_no="R1", now=NOW)
        stock.write_off(s, [c[2]], change_kind="loss", doc_no="C1", now=NOW, supervisor="SUP1")
        stock.supplier_return(s, [c[3]], doc_no="B1", supplier="九州通医药", now=NOW)
        assert {b.lot: b.units for b in stock.batches(s, "D01")}["L2601"] == 140 - 28 - 28 - 28  # c0 back; c1,c2,c3 gone
        assert stock.check_invariant(s) == []
        lines = stock.doc_lines(s, "T01-R1")
        assert [len(x.codes) for x in lines] == [5, 2]


def test_count_finds_missing_and_extra_and_writes_off_missing(sqlite_engine):
    with Session(sqlite_engine) as s:
        c = codes("8100011", 100, 4)
        stock.receive(s, delivery([line(x) for x in c]), PRODUCTS, doc_no="R", now=NOW, today=TODAY)
        stranger = codes("8100011", 900, 1)[0]
        result = stock.count(s, [c[0], c[1], c[2], stranger])
        assert result.missing == (c[3],) and result.extra == (stranger,) and len(result.matched) == 3
        with pytest.raises(StockError):
            stock.confirm_count(s, result, doc_no="K1", now=NOW, supervisor="")
        stock.confirm_count(s, result, doc_no="K1", now=NOW, supervisor="SUP1")
        assert stock.on_hand_codes(s) == frozenset(c[:3])
        assert stock.check_invariant(s) == []


def test_gs1_boxes_carry_their_batch_and_expiry(sqlite_engine):
    raw = gs1_element_string("06901234567892", dt.date(2028, 3, 31), "G77", "SER0001")
    with Session(sqlite_engine) as s:
        stock.receive(s, delivery([DeliveryLine(raw, "D01", manu_date="2026-03-01")]), PRODUCTS, doc_no="R",
                      now=NOW, today=TODAY)
        (b,) = stock.batches(s)
        assert (b.lot, b.expiry) == ("G77", dt.date(2028, 3, 31))
        # the printed (bracketed) form of the same scan is the same box
        hri = gs1_element_string("06901234567892", dt.date(2028, 3, 31), "G77", "SER0001", bracketed=True)
        assert box_key(hri) == box_key(raw)
        stock.sell(s, [stock.SaleBox(box_key(hri))], doc_no="S", now=NOW)


@pytest.mark.parametrize("lines, row, field, words", [
    ([line("81000110000000000001"), line("81000110000000000001")], 2, "code", "两次"),
    ([line("81000220000000000001")], 1, "code", "码品不符"),
    ([line("81000110000000000001", expiry="2025-12-31")], 1, "expy_end", "早于生产日期"),
    ([line("81000110000000000001"), line("81000110000000000002", made="")], 2, "manu_date", "不能为空"),
    ([line("81000110000000000001", drug="D99")], 1, "drug_key", "不在目录"),
    ([line("6901234567892")], 1, "code", "追溯码"),
])
def test_bad_delivery_names_row_and_field_and_writes_nothing(sqlite_engine, lines, row, field, words):
    with Session(sqlite_engine) as s:
        before = snapshot(s)
        with pytest.raises(StockError) as err:
            stock.receive(s, delivery(lines), PRODUCTS, doc_no="R", now=NOW, today=TODAY)
        assert err.value.row == row and err.value.field == field and words in err.value.zh, err.value.zh
        assert err.value.zh.startswith(f"第 {row} 行")
        s.rollback()
        assert snapshot(s) == before


def test_gs1_gtin_of_another_product_is_refused(sqlite_engine):
    raw = gs1_element_string("06901234567908", dt.date(2028, 3, 31), "G1", "S1")  # D02's GTIN
    with Session(sqlite_engine) as s, pytest.raises(StockError) as err:
        stock.receive(s, delivery([DeliveryLine(raw, "D01", manu_date="2026-01-01")]), PRODUCTS, doc_no="R",
                      now=NOW, today=TODAY)
    assert err.value.field == "gtin" and "不符" in err.value.zh


def test_box_already_in_stock_is_refused_with_its_row(sqlite_engine):
    with Session(sqlite_engine) as s:
        c = codes("8100011", 200, 3)
        stock.receive(s, delivery([line(x) for x in c[:2]]), PRODUCTS, doc_no="R1", now=NOW, today=TODAY)
        before = snapshot(s)
        with pytest.raises(StockError) as err:
            stock.receive(s, delivery([line(c[2], row=2), line(c[1], row=3)]), PRODUCTS, doc_no="R2", now=NOW,
                          today=TODAY)
        assert err.value.row == 3 and "已入库" in err.value.zh
        s.rollback()
        assert snapshot(s) == before


def test_delivery_file_missing_columns_are_named():
    with pytest.raises(StockError) as err:
        read_csv_text("追溯码,药品编码,批号\n81000110000000000001,D01,L1\n")
    assert "生产日期" in err.value.zh and "有效期至" in err.value.zh
    rows = read_csv_text("\ufeffcode,drug_key,manu_lotnum,manu_date,expy_end,进价\n"
                         "81000110000000000001,D01,L1,2026-01-01,2028-01-01,19.5\n\n")
    assert rows[0].row == 2 and rows[0].price == Decimal("19.5")
    with pytest.raises(StockError) as err:
        read_csv_text("code,drug_key,manu_lotnum,manu_date,expy_end,price\n8100011,D01,L1,2026-01-01,2028-01-01,abc\n")
    assert err.value.row == 2 and err.value.field == "price"


def test_delivery_xlsx_and_gs1_scans_into_a_receiving_draft(sqlite_engine, tmp_path):
    from openpyxl import Workbook

    from core.domain import Drug
    from core.services.stock import ReceivingDraft, scan_box
    from core.stock.files import read_delivery
    from core.store.catalogue import upsert_drugs

    wb = Workbook()
    wb.active.append(["药品编码", "追溯码", "批号", "生产日期", "有效期至", "进价"])
    wb.active.append(["D01", "81000110000000000701", "X1", dt.datetime(2026, 1, 2), dt.datetime(2028, 1, 1), 20.5])
    wb.save(tmp_path / "d.xlsx")
    (row,) = read_delivery(tmp_path / "d.xlsx")
    assert (row.code, row.manu_date, row.expy_end, row.price, row.row) == (
        "81000110000000000701", "2026-01-02", "2028-01-01", Decimal("20.5"), 2)
    wb = Workbook()
    wb.active.append(["药品编码", "追溯码"])
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(StockError) as err:
        read_delivery(tmp_path / "bad.xlsx")
    assert "批号" in err.value.zh

    with Session(sqlite_engine) as s:
        upsert_drugs(s, [Drug(key="D01", name="苯磺酸氨氯地平片", price=Decimal("28.00"), pack_size=28,
                              trace_prefix="8100011", barcode="6901234567892")], catalogue_version=1)
        s.commit()
        draft = ReceivingDraft()
        raw = gs1_element_string("06901234567892", dt.date(2028, 3, 31), "G9", "S77")
        line = scan_box(s, draft, raw, TODAY)
        assert (line.drug_key, line.lot, line.expiry) == ("D01", "G9", "2028-03-31")
        with pytest.raises(StockError) as twice:
            scan_box(s, draft, gs1_element_string("06901234567892", dt.date(2028, 3, 31), "G9", "S77",
                                                  bracketed=True), TODAY)
        assert twice.value.row == 2 and "两次" in twice.value.zh
        with pytest.raises(StockError) as unknown:
            scan_box(s, draft, gs1_element_string("06909999999996", dt.date(2028, 3, 31), "G9", "S78"), TODAY)
        assert unknown.value.field == "gtin"
