"""The drug lookup of the dispensing desk (core.services.drug_lookup): search the desk's store by pinyin initials,
name, national code, commodity barcode or a scanned trace code; say what each drug costs the fund; add one to a
sale as a new line and take it off again."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core.domain import Drug
from core.policy.profile import bundled_profiles
from core.services.drug_lookup import DrugLookup, add_line, coverage, default_days, needs_codes, remove_line
from core.services.pharmacy_sale import Sale, SaleLine
from core.store.catalogue import upsert_drugs
from core.store.db import open_store

D01 = Drug("D01", "苯磺酸氨氯地平片", Decimal("28.00"), 28, drug_class="甲", nhsa_code="XC08CAA321A001010199901",
           spec="5mg", unit="片", pack_unit="盒", trace_prefix="8100011", barcode="6901234567892")
D03 = Drug("D03", "厄贝沙坦片", Decimal("41.30"), 28, drug_class="乙", preselfpay_ratio=Decimal("0.10"),
           nhsa_code="XC09CAE901A001010199903", spec="150mg", pack_unit="盒", trace_prefix="8100033",
           restriction_text="限高血压二线用药")
FISH = Drug("H01", "鱼油软胶囊(保健食品)", Decimal("98.00"), 60, category="health_food", spec="1g*60粒", pack_unit="瓶")
OUT = Drug("X01", "某降压药(目录外,测试)", Decimal("60.00"), 30, drug_class=None, pack_unit="盒", trace_prefix="8100100")
TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def lookup(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with Session(engine) as s:
        upsert_drugs(s, [D01, D03, FISH, OUT], catalogue_version=1)
    profile = next(iter(bundled_profiles().values()))
    yield DrugLookup(engine, profile, today=lambda: TODAY)
    engine.dispose()


def keys(choices) -> list[str]:
    return [c.drug.key for c in choices]


def test_search_by_initials_name_codes_barcode_and_trace_code(lookup):
    assert not lookup.loaded
    assert lookup.load() == 4 and lookup.loaded
    assert keys(lookup.search("bhs"))[0] == "D01"  # 苯磺酸… by pinyin initials
    assert keys(lookup.search("厄贝"))[0] == "D03"
    assert keys(lookup.search("XC09CAE"))[0] == "D03"  # national code prefix
    hit = lookup.search("6901234567892")[0]  # commodity barcode, scanned
    assert hit.drug.key == "D01" and hit.match == "exact" and hit.field == "barcode"
    assert keys(lookup.search("81000330000000000042")) == ["D03"]  # a box's trace code names its product
    assert lookup.search("zzzz") == [] and lookup.search("  ") == []
    # the rows come from the store: restriction text, class, category
    d03 = lookup.search("厄贝沙坦")[0]
    assert d03.restriction == "限高血压二线用药" and d03.drug.preselfpay_ratio == Decimal("0.10")


def test_what_each_drug_costs_the_fund_and_whether_it_needs_codes(lookup):
    fish = lookup.search("鱼油")[0]
    assert fish.self_pay and not fish.needs_codes and "保健食品" in fish.coverage.zh and "self-pay" in fish.coverage.en
    d03 = lookup.search("ebst")[0]
    assert not d03.self_pay and d03.needs_codes and d03.coverage.zh == "乙类，先行自付 10%"
    assert coverage(D01)[0].zh == "甲类" and coverage(D01)[0].en == "class A"
    out, self_pay = coverage(OUT)
    assert self_pay and out.zh == "目录外，全自费"
    profile = next(iter(bundled_profiles().values()))
    assert needs_codes(D01, profile, TODAY) and not needs_codes(D01, profile, dt.date(2025, 6, 30))
    assert not needs_codes(D01, replace(profile, trace_exempt_categories=("drug",)), TODAY)


def test_the_index_follows_a_catalogue_sync(lookup):
    lookup.load()
    assert lookup.search("阿卡波糖") == []
    assert lookup.refresh() is False  # nothing changed: the index stays
    with Session(lookup.engine) as s:
        upsert_drugs(s, [Drug("D05", "阿卡波糖片", Decimal("30.00"), 30, drug_class="乙", pack_unit="盒")],
                     catalogue_version=2)
    assert lookup.refresh() is True
    assert keys(lookup.search("akbt")) == ["D05"]


def sale(*lines: SaleLine) -> Sale:
    return Sale("s1", "T0001", "王某", "LB", "9901", ("I10",), "RX1", TODAY, None, "ordinary", False,
                lines or (SaleLine(1, D01, 2, 56, codes=("81000110000000000001",)),),
                acks=frozenset({("QTY-002", 1)}))


def test_add_and_remove_a_line():
    s = sale()
    assert default_days(s) == 56 and default_days(replace(s, lines=())) == 7
    added = add_line(s, FISH)
    line = added.lines[-1]
    assert (line.no, line.drug, line.qty, line.days, line.codes, line.split) == (2, FISH, 1, 56, (), False)
    assert added.lines[0] == s.lines[0] and added.acks == frozenset()  # a changed sale drops its acknowledgements
    assert not added.complete and line.state == "waiting"
    assert add_line(added, D03, days=14).lines[-1].no == 3
    assert add_line(s, D03, days=14).lines[-1].days == 14
    with pytest.raises(ValueError):
        add_line(s, D03, days=0)
    back = remove_line(added, 2)
    assert back.lines == s.lines
    with pytest.raises(KeyError):
        remove_line(s, 9)


def test_a_barcode_the_catalogue_does_not_have_is_an_unknown_product():
    from core.services.drug_lookup import no_match_reason

    unknown = no_match_reason("]E06901234567892")
    assert unknown.key == "desk.search.unknown_product" and "6901234567892" in unknown.zh and "unknown product" in unknown.en
    assert no_match_reason("6901234567893").key == "codes.ean_check_digit"     # misread: rescan, not "unknown"
    assert no_match_reason("1920081045006").key == "codes.ean_prefix_unassigned"  # a book's price code
    assert no_match_reason("bhsald").key == "desk.search.no_match"


def test_search_shows_stock_and_batches_from_the_ledger(lookup):
    from core.services.stock import product_of
    from core.stock.domain import Delivery, DeliveryLine
    from core.store import stock

    lookup.load()
    assert lookup.search("bhs")[0].stock == ""  # no ledger kept: nothing shown
    codes = [f"8100011{n:013d}" for n in range(3)]
    with Session(lookup.engine) as s:
        stock.receive(s, Delivery("供", "I1", tuple(
            DeliveryLine(c, "D01", lot, "2026-01-01", expiry) for c, lot, expiry in
            ((codes[0], "A", "2027-05-01"), (codes[1], "B", "2028-01-01"), (codes[2], "B", "2028-01-01")))),
            {"D01": product_of(D01)}, doc_no="R1", now=dt.datetime(2026, 3, 1, 9), today=TODAY)
        stock.sell(s, [stock.SaleBox(codes[2])], doc_no="S1", now=dt.datetime(2026, 3, 1, 10))
    assert lookup.search("bhs")[0].stock == "在库 2 盒（2 批，最早效期 2027-05-01）"
