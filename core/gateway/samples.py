"""The messages our client sends for one demo sale in the seeded demo world (resources/demo/world.json), built by
the same builders the terminal uses (core.sync.transactions, core.sync.envelope) for a given interface profile.

`onewindow gateway sample INFNO --profile NAME` prints them; the tests lint every one against the profile's
field tables, so what we send and what we check cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from core.gateway.profiles import InterfaceProfile

ORDER = ("9001", "1101", "5301", "2101", "2102", "2103", "2601", "3505", "3506", "3201", "9002")
INSTITUTION = "P42070000001"
NOW = dt.datetime(2026, 12, 7, 10, 30, 0)
# a box with a GS1 DataMatrix (batch, production date, expiry) and two 码上放心 codes of the same product
CODES = ("(01)06901234567892(11)250115(17)271231(10)A2501(21)S0001", "81000110000000000101", "81000110000000000102")


class SampleError(ValueError):
    pass


def _world_file() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "resources" / "demo" / "world.json"


def sample_messages(profile: InterfaceProfile, infno: str, *, now: dt.datetime = NOW,
                    institution: str = INSTITUTION) -> list[dict]:
    """`now`/`institution`: the tests send the samples to a live centre, which wants today's date and its own code."""
    from core.services.world import load_world
    from core.sync import transactions as tx
    from core.sync.basket import Basket, BasketLine
    from core.sync.envelope import build

    wanted = ORDER if infno == "all" else (infno,)
    unknown = [n for n in wanted if n not in ORDER]
    if unknown:
        raise SampleError(f"没有交易 {unknown[0]} 的样例 / no sample for {unknown[0]} (known: {', '.join(ORDER)}, all)")
    world = load_world(_world_file())
    person = next(p for p in world.patients.values() if p.person_no == "T0001")
    name = next(f.name for f in world.facilities.values() if f.code == institution)
    reg = person.registrations[0]
    drugs = {k: d for k, d in world.catalogue.items()}
    lines = (
        BasketLine("D01", 1, 28, trace_codes=(CODES[0],), batch_no="B250115"),
        BasketLine("D01", 2, 56, trace_codes=CODES[1:], batch_no="B250301", lot_no="A2503", manu_date="2025-03-01",
                   expiry="2028-02-29"),
    )
    basket = Basket(person.person_no, reg.scheme, reg.disease, ("I10",), "RX20261207001", now.date(), lines,
                    long_rx_confirmed=True, doctor_name="王医生", disease_name=world.disease_names.get(reg.disease, ""))
    med_type = profile.med_type[reg.scheme.value]
    settle = tx.settle_input(basket, drugs, cert_type="02", cert_no=person.id_number or "", insutype=person.insurance_type,
                             med_type=med_type, sale_time=now, profile=profile)
    msgid = iter(f"{institution}{now:%Y%m%d%H%M%S}{n:04d}" for n in range(1, 100))
    settle_msgid = f"{institution}{now:%Y%m%d%H%M%S}0005"
    nodes = {
        "9001": tx.sign_in_input("OP01"),
        "1101": tx.person_query("id_card", person.id_number or ""),
        "5301": tx.registrations_query(person.person_no),
        "2101": settle,
        "2102": settle,
        "2103": tx.cancel_input(settle_msgid, person.person_no, mdtrt_id=settle_msgid),
        "2601": tx.reversal_input(person.person_no, settle_msgid, "2102"),
        "3201": tx.statement_input(now.date(), now.date(), total=Decimal("84.00"), fund=Decimal("42.00"), count=1,
                                   insutype=person.insurance_type, setl_optins="420700"),
        "9002": tx.sign_out_input("20261207103000ABCDEF0123456789", "OP01"),
    }
    upload = tx.sale_upload_input(lines[0], drugs["D01"], doc_no="T01-00000001-1", setl_id=settle_msgid,
                                  psn_no=person.person_no, psn_name=person.name, operator_name="李药师",
                                  doctor_name="王医生", rx_no=basket.rx_no, sale_time=now,
                                  pharmacist_licence="YS4207000123", mdtrt_id=settle_msgid)
    nodes["3505"] = upload
    nodes["3506"] = tx.sale_upload_input(lines[0], drugs["D01"], doc_no="T01-00000001-1", setl_id=settle_msgid,
                                         psn_no=person.person_no, psn_name=person.name, operator_name="李药师",
                                         doctor_name="王医生", rx_no=basket.rx_no, sale_time=now,
                                         pharmacist_licence="YS4207000123", mdtrt_id=settle_msgid,
                                         prod_sel_no=f"{institution}{now:%Y%m%d%H%M%S}0008")
    out = []
    for n in ORDER:
        mid = next(msgid)
        if n not in wanted:
            continue
        out.append(build(n, mid, nodes[n], institution_code=institution, institution_name=name, admvs="420700",
                         operator="OP01", operator_name="李药师",
                         sign_no="" if n == "9001" else "20261207103000ABCDEF0123456789", now=now))
    return out


__all__ = ["ORDER", "SampleError", "sample_messages"]
