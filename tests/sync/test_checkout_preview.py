"""The pre-settlement as a preview (the pharmacy desk shows the centre's figures while the pharmacist still reads
the warnings): it carries the centre's 2101 output, and the settlement still refuses until the warnings are
acknowledged."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.sync.synthetic import basket_for, id_number
from tests.sync.fakecentre import ScriptedCentre
from tests.sync.fixtures import cache_persons, load_catalogue

SECRET = "s3cret"


@pytest.fixture
def scripted():
    with ScriptedCentre() as c:
        yield c


def test_a_preview_before_the_acknowledgement_and_settle_waits_for_it(make_terminal, scripted):
    t = make_terminal(scripted.url, SECRET)
    load_catalogue(t)
    cache_persons(t, [1])
    co = CheckoutService(t)
    basket = basket_for(1, rx_date=t.today())
    line = replace(basket.lines[0], trace_codes=(), uncoded_stock=True)  # TRC-001 as WARN (无码库)
    sale = co.audit(replace(basket, lines=(line,)), Identification("id_card", id_number(1)), operator="OP01",
                    med_type="1403")  # a regional 两病 code
    assert sale.verdict == "WARN"
    preview = co.pre_settle(sale.sale_id, acknowledge_later=True)
    assert preview.state == "pre_settled" and preview.centre_output["setlinfo"]["medfee_sumamt"]
    assert co.sale(sale.sale_id).centre_output == {}  # only the pre-settlement's answer carries it
    with pytest.raises(CheckoutError) as info:
        co.settle(sale.sale_id)
    assert info.value.code == "warn_not_acknowledged" and scripted.count("2102") == 0
    co.acknowledge_warnings(sale.sale_id, operator="OP01")
    settled = co.settle(sale.sale_id)
    assert settled.state == "settled" and scripted.count("2102") == 1
    with t.read() as s:
        from core.sync.models import SyncSale

        assert s.get(SyncSale, sale.sale_id).med_type == "1403"  # the prescription's, not the scheme default
