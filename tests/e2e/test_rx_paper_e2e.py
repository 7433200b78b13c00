"""A paper prescription dispensed at the pharmacy, settled at the centre over HTTP (issue 19): entered with its
prescriber, institution, date, diagnosis and lines, the drug found by pinyin, the photo of the slip attached and
kept encrypted; the centre settles it (2101/2102) and no 7206 follows (there is no e-prescription to mark)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.domain.clock import today_cst
from core.rx.paper import PaperLine, PaperRx
from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, PH1, _data_key, _templates, centre, desk  # noqa: F401

pytestmark = [pytest.mark.slow]
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # stands in for the camera's picture of the slip


def test_paper_prescription_dispensed_and_settled(centre, desk, tmp_path):  # noqa: F811 - fixtures
    d = desk.desk
    d.set_operator(desk.auth.login("li", pin="2468"))
    shift = desk.shifts.open(d.operator, Decimal("100"))
    card = d.identify(P01_CERTNO)
    from core.services.drug_lookup import DrugLookup

    d.sync_catalogue()
    lookup = DrugLookup.for_desk(d)
    lookup.load()
    hits = lookup.search("bhsaldp")
    assert hits and hits[0].drug.key == "D01", hits  # 苯磺酸氨氯地平片 by its pinyin initials, the desk's own search
    paper = PaperRx("刘医生", "区人民医院(二级,测试)", today_cst(), "I10.x00", "高血压",
                    (PaperLine("D01", 1, 28, "5mg", "qd", "口服"),), PHOTO)
    with pytest.raises(DeskError) as refused:
        d.open_paper_sale(card, PaperRx(paper.prescriber, paper.institution, today_cst() + dt.timedelta(days=2),
                                        paper.diagnosis_code, paper.diagnosis_name, paper.lines, PHOTO))
    assert "晚于今天" in refused.value.message.zh
    sale = d.open_paper_sale(card, paper)
    assert sale.rx_kind == "paper" and sale.doctor == "刘医生" and sale.rx_id.startswith("PAPER-")
    for line in sale.lines:
        for _ in range(line.codes_wanted):
            sale = apply_check(sale, d.check_scan(sale, trace_codes("8100011", 1)[0]))
    view = d.pre_settle(sale, card)
    assert view.source == "centre" and view.verdict in ("PASS", "WARN"), view
    record = d.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
    assert record.status == "settled" and record.setl_id
    assert d.paper_image(sale.rx_id) == ("image/png", PHOTO)
    assert PHOTO[16:200] not in (tmp_path / "store.db").read_bytes()  # encrypted at rest
    from sqlalchemy import select

    from core.store import desk as t

    with d.engine.connect() as conn:
        assert conn.execute(select(t.followup.c.infno)).all() == []  # no 7206 for a paper prescription
