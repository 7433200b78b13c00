"""The desk over the sync layer, without a centre: its Sale as a core.sync Basket, its sync configuration from
the desk settings, the provisional receipt, the desk tables' upgrade to version 2, and that a desk with a
terminal on another store is refused."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select, text

from core.domain import Drug, Sig
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_desk import PharmacyDesk
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import SaleRecord
from core.services.receipts import build_receipt
from core.services.sync_link import desk_sync_config, open_desk_terminal, terminal_no_of
from core.store import desk as t
from core.store.db import open_store
from core.sync.basket import Basket
from tests.server.fixtures import _data_key  # noqa: F401 - the data key of the stores

pytestmark = pytest.mark.usefixtures("_data_key")


def drug(key: str, prefix: str, pack: int = 28) -> Drug:
    return Drug(key=key, name=f"药{key}", price=Decimal("28.00"), pack_size=pack, category="drug", drug_class="甲",
                preselfpay_ratio=Decimal("0"), trace_prefix=prefix, unit="片", pack_unit="盒")


def sale() -> Sale:
    lines = (
        SaleLine(1, drug("D01", "8100011"), 2, 56, "5mg 每日一次", Sig(Decimal("5"), Decimal("1")),
                 codes=("81000110000000000001", "81000110000000000002")),
        SaleLine(3, drug("D02", "8100012"), 14, 14, split=True, codes=("81000120000000000001",)),  # 拆零
        SaleLine(4, drug("D03", "8100013"), 1, 28, uncoded_batch="WM2406"),  # 无码库
    )
    return Sale("abc123", "T0001", "王某", "LB", "9901", ("I10.x00",), "RX1", dt.date(2026, 11, 25),
                dt.date(2026, 11, 28), "ordinary", False, lines, "390", "02", "420704195703121015", doctor="张医生")


def test_a_desk_sale_is_a_basket_line_for_line():
    b = PharmacyDesk.basket(sale())
    assert b == Basket.from_json(b.to_json())  # what the sync layer stores is what the desk meant
    assert (b.person_no, b.scheme.value, b.disease, b.diagnoses, b.rx_no, b.doctor_name) == (
        "T0001", "LB", "I10.x00", ("I10.x00",), "RX1", "张医生")
    assert b.rx_valid_until == dt.date(2026, 11, 28) and b.extra == {"desk_sale": "abc123"}
    one, split, uncoded = b.lines
    assert (one.drug_key, one.qty, one.days, one.dose, one.times_per_day) == ("D01", 2, 56, Decimal("5"), Decimal("1"))
    assert one.trace_codes == ("81000110000000000001", "81000110000000000002") and not one.split
    assert (split.qty, split.split, split.trace_codes) == (14, True, ("81000120000000000001",))
    assert (uncoded.uncoded_stock, uncoded.batch_no, uncoded.trace_codes) == (True, "WM2406", ())
    b.validate()
    # basket line n is the n-th desk line, whatever its number on the desk (a line taken off leaves a gap)
    assert [PharmacyDesk._desk_line([1, 3, 4], n) for n in (1, 2, 3, 4, None, "x")] == [1, 3, 4, None, None, None]


def test_sync_configuration_from_the_desk_settings():
    cfg = DeskConfig(server_url="http://centre:8000", institution="P42070000001", institution_name="康济大药房",
                     secret="s3", terminal="T02", city="420700", profile_id="TEST_CITY_A")
    sync = desk_sync_config(cfg)
    term = sync.terminal
    assert (term.institution_code, term.terminal_id, term.terminal_no, term.city, term.profile_id) == (
        "P42070000001", "T02", 2, "420700", "TEST_CITY_A")
    assert sync.centre.url == "http://centre:8000" and term.signing_secret() == "s3"
    assert sync.offline.max_fund_per_transaction == Decimal("300.00")  # the declared default (core.settings.options)
    tighter = desk_sync_config(cfg, offline={"max_fund_per_transaction": "15.00"})
    assert tighter.offline.max_fund_per_transaction == Decimal("15.00")
    assert [terminal_no_of(x) for x in ("T01", "DEMO1", "C02", "T", "")] == [1, 1, 2, 0, 0]


def provisional_record(status: str) -> SaleRecord:
    line = {"line": 1, "drug_key": "D01", "drug_name": "苯磺酸氨氯地平片", "spec": "5mg", "qty": 1, "unit": "盒",
            "split": False, "days": 28, "price": "28.00", "amount": "28.00", "codes": ["81000110000000000001"],
            "uncoded_batch": None}
    return SaleRecord("T01-00000001", "T01-20261125-0001", "sale", status, "T0001", "王某",
                      dt.datetime(2026, 11, 25, 2, 0), Decimal("28.00"), Decimal("14.00"), Decimal("14.00"),
                      Decimal("0.00"), Decimal("14.00"), Decimal("6.00"),
                      "" if status == "provisional" else "P4207000000120261125100000001", (line,),
                      offline_no="T01-L000001")


def test_a_provisional_receipt_says_so_in_both_languages():
    r = build_receipt(provisional_record("provisional"), pharmacy="康济大药房", institution="P42070000001",
                      terminal="T01", operator="李药师")
    lines = "\n".join(r.text_lines(32))
    assert r.provisional and "离线暂存" in r.title and "PROVISIONAL" in r.title
    assert "T01-L000001" in r.setl_id and "待中心确认" in r.setl_id and "provisional" in r.setl_id
    assert "离线暂存，待中心确认" in lines and "PROVISIONAL: settled offline, awaiting the centre's confirmation" in lines
    confirmed = build_receipt(provisional_record("settled"), pharmacy="康济大药房", institution="P42070000001",
                              terminal="T01", operator="李药师")
    assert not confirmed.provisional and "离线暂存" not in confirmed.title and "PROVISIONAL" not in "\n".join(
        confirmed.text_lines(32))
    assert confirmed.setl_id == "P4207000000120261125100000001"


V1_DDL = (
    "CREATE TABLE desk_schema (key VARCHAR(32) PRIMARY KEY, value VARCHAR(64) NOT NULL)",
    "INSERT INTO desk_schema VALUES ('version', '1')",
    "CREATE TABLE desk_sale (msgid VARCHAR(40) PRIMARY KEY, receipt_no VARCHAR(40) NOT NULL UNIQUE, kind VARCHAR(8) "
    "NOT NULL, original_msgid VARCHAR(40), shift_id VARCHAR(40), user_id VARCHAR(32) NOT NULL, person_no VARCHAR(32) "
    "NOT NULL, person_name VARCHAR(50) NOT NULL, rx_id VARCHAR(40), status VARCHAR(16) NOT NULL, created_at DATETIME "
    "NOT NULL, settled_at DATETIME, business_date DATE, setl_id VARCHAR(64), total NUMERIC(12, 2), fund NUMERIC(12, 2), "
    "personal NUMERIC(12, 2), account_pay NUMERIC(12, 2), cash_pay NUMERIC(12, 2), cash_tendered NUMERIC(12, 2), "
    "change NUMERIC(12, 2), request TEXT NOT NULL, answer TEXT, error TEXT, prints INTEGER NOT NULL)",
    "CREATE TABLE desk_followup (id INTEGER PRIMARY KEY AUTOINCREMENT, msgid VARCHAR(40) NOT NULL UNIQUE, infno "
    "VARCHAR(6) NOT NULL, payload TEXT NOT NULL, created_at DATETIME NOT NULL, attempts INTEGER NOT NULL, last_error "
    "TEXT, done_at DATETIME)",
    "INSERT INTO desk_sale (msgid, receipt_no, kind, user_id, person_no, person_name, status, created_at, total, fund, "
    "personal, setl_id, request, prints) VALUES ('P42070000001202611250000001', 'T01-20261125-0001', 'sale', 'li', "
    "'T0001', '王某', 'settled', '2026-11-25 02:00:00', 28, 14, 14, 'SETL1', '{\"lines\": []}', 1)",
)


def test_desk_tables_of_version_1_are_upgraded_and_old_sales_still_read(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with engine.begin() as conn:
            for ddl in V1_DDL:
                conn.execute(text(ddl))
        t.ensure_desk_schema(engine)
        t.ensure_desk_schema(engine)  # idempotent
        cols = {c["name"] for c in inspect(engine).get_columns("desk_sale")}
        assert "sync_sale_id" in cols and "sale_id" in {c["name"] for c in inspect(engine).get_columns("desk_followup")}
        with engine.connect() as conn:
            assert conn.execute(select(t.desk_meta.c.value).where(t.desk_meta.c.key == "version")).scalar() == str(t.DESK_SCHEMA_VERSION)
        desk = PharmacyDesk(engine, None, DeskConfig())
        old = desk.find_sale("T01-20261125-0001")  # recorded before the sync layer: its own figures
        assert (old.status, old.fund, old.setl_id, old.offline_no) == ("settled", Decimal("14.00"), "SETL1", "")
    finally:
        engine.dispose()


def test_the_desk_and_its_terminal_share_one_store(tmp_path):
    cfg = DeskConfig(server_url="http://127.0.0.1:9", secret="s")
    a = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    b = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    terminal = open_desk_terminal(cfg, b)
    try:
        with pytest.raises(ValueError, match="same store"):
            PharmacyDesk(a, None, cfg, terminal=terminal)
        same = open_store(f"sqlite:///{tmp_path / 'b.db'}")  # another engine on the same file is the same store
        try:
            assert PharmacyDesk(same, None, cfg, terminal=terminal).checkout is not None
        finally:
            same.dispose()
    finally:
        terminal.close()
        a.dispose()
        b.dispose()
