"""The terminal's runtime (identification, outbox, sender, 3505 from the stock documents, return) speaking a
provincial or the national interface profile to a centre configured for it, signed in the profile's style (TIF):
every envelope the terminal actually posted passes that profile's field tables (the tables of `gateway lint` and
`--strict`), the sale settles, its codes arrive (national: only in 3505; hubei: on the settlement's
drug_trac_info node too) and the return goes through."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, text

from core.gateway.conform import check
from core.gateway.profiles import load_profile
from core.services.checkout import CheckoutService, Identification
from core.sync.refdata import sync_catalogue
from core.sync.synthetic import basket_for, id_number
from tests.sync.fixtures import new_persons
from tests.sync.helpers import PH1


def _configure(centre, profile: str, signing: str) -> None:
    engine = create_engine(centre.db_url)
    try:
        with engine.begin() as conn:
            for key, value in ((f"interface.{PH1}", profile), (f"signing.{PH1}", signing)):
                conn.execute(text("INSERT INTO centre_setting (key, value) VALUES (:k, :v)"), {"k": key, "v": value})
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", ["national", "hubei"])
def test_a_sale_and_its_return_in_the_profiles_shape(make_terminal, centre, name):
    profile = load_profile(name)
    assert profile.signing == "tif"
    _configure(centre, name, profile.signing)
    # as a pharmacy on the platform runs: the pharmacist's licence configured, the boxes' batch facts known (from
    # the stock receipt or the GS1 code; here on the line, as for boxes the ledger does not hold)
    t = make_terminal(centre.url, centre.secrets[PH1], centre={"interface_profile": name},
                      terminal={"pharmacist_licence": "YS4207000123"})
    sent: list[tuple[str, dict]] = []
    post = t.transport.post

    def recording(body: bytes, infno: str):
        sent.append((infno, json.loads(body)))
        return post(body, infno)

    t.transport.post = recording  # type: ignore[method-assign]
    sync_catalogue(t)
    co = CheckoutService(t)
    (i,) = new_persons(1)
    who = co.identify(Identification("id_card", id_number(i)), operator="OP01")
    basket = basket_for(i, 0, rx_date=t.today())
    basket = replace(basket, lines=tuple(replace(line, lot_no="A2501", manu_date="2025-01-15", expiry="2027-12-31")
                                         for line in basket.lines))
    sale = co.audit(basket, who.identification, operator="OP01")
    sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
    assert sale.state == "settled", sale.reason
    co.print_receipt(sale.sale_id)
    t.sender.drain(timeout_s=10)
    sale = co.sale(sale.sale_id)
    assert sale.state == "uploaded" and sale.confirmed, sale.reason
    assert centre.live_settlements()[sale.msgid]["fund"] == sale.fund
    codes = [c for c, _ in centre.live_trace_uploads() if c.startswith(f"8100011{i:08d}")]
    assert len(codes) == 3  # the 3505 carried the boxes' codes
    co.return_sale(sale.sale_id, operator="OP01", reason="退货")
    t.sender.drain(timeout_s=10)
    sale = co.sale(sale.sale_id)
    assert sale.state == "returned", sale.reason
    assert centre.settlements()[sale.msgid]["reversed_on"] is not None

    infnos = {infno for infno, _ in sent}
    assert {"9001", "1101", "5301", "2101", "2102", "3505", "2103", "3506"} <= infnos, infnos
    for infno, env in sent:
        if profile.tables.table(infno) is None:
            continue  # our own query transactions (5205/5206/1301 …): no national list to check against
        assert check(profile.tables, env) == [], (infno, check(profile.tables, env))
    settle = next(env["input"] for infno, env in sent if infno == "2102")
    assert "diseinfo" not in settle and isinstance(settle["druginfo"]["expContent"], str)
    assert all("drugtracinfo" not in d for d in settle["drugdetail"])
    assert ("drug_trac_info" in settle) == (name == "hubei")
    assert settle["druginfo"]["med_type"] == profile.med_type["LB"]
    upload = next(env["input"]["selinfo"] for infno, env in sent if infno == "3505")
    assert upload["setl_id"] and upload["mdtrt_sn"] and upload["manu_lotnum"] and upload["phar_prac_cert_no"]
