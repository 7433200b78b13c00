"""SV-R04 for institutions whose trace codes follow in 3505 (the national profile): every settled drug line owes
its 3505 within the limit of the institution's interface profile (`sale_upload_hours`); a settlement of two drugs
with one uploaded still waits, and the alert names the drug that has not come."""
from __future__ import annotations

import datetime as dt
import json

from server.envelope import CST
from server.models import setting
from server.supervision import queries, rollup
from server.supervision.rules import load
from tests.server import vendor_messages as vm
from tests.server.helpers import D01, P01_CERTNO, PH1, trace_codes

D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}


def _profile(engine, tmp_path, hours: float) -> None:
    """PH1 speaks a copy of the national profile whose 3505 limit is `hours` (not the rule's 24 h)."""
    from core.gateway.profiles import profiles_dir

    data = json.loads((profiles_dir() / "national.json").read_text(encoding="utf-8"))
    data["sale_upload_hours"] = hours
    path = tmp_path / "province.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with engine.begin() as conn:
        conn.execute(setting.insert().values(key=f"interface.{PH1}", value=str(path)))


def _two_drug_settlement(client) -> dict:
    inp = vm.settle("T0001", P01_CERTNO, D01, packs=1, days=28)
    line = dict(inp["drugdetail"][0], feedetl_sn="2", med_list_codg=D03["code"], medins_list_codg="D03",
                pric=D03["price"], det_item_fee_sumamt=D03["price"], cnt="1", sin_dos_dscr="150mg")
    inp["drugdetail"].append(line)
    inp["druginfo"]["medfee_sumamt"] = f"{28 + 41.30:.2f}"
    out = client.call("2102", inp)
    assert out["infcode"] == 0, out["err_msg"]
    return out["output"]["setlinfo"]


def _upload(client, s: dict, drug: dict, doc: str) -> None:
    up = vm.sale_upload(drug, trace_codes(drug["prefix"], 1), mdtrt_sn=s["mdtrt_id"], psn_no="T0001",
                        certno=P01_CERTNO, doc_no=doc, packs=1)
    up["selinfo"]["setl_id"] = s["setl_id"]
    sent = client.call("3505", up)
    assert sent["infcode"] == 0, sent["err_msg"]


def _r04(engine) -> list[dict]:
    with engine.connect() as conn:
        return [a for a in queries.alert_rows(conn) if a["rule"] == "SV-R04"]


def test_a_drug_line_without_its_3505_alerts_after_the_profiles_limit(client, centre_engine, tmp_path):
    _profile(centre_engine, tmp_path, 2)
    s = _two_drug_settlement(client)  # national shape: no trace codes on the settlement
    _upload(client, s, D01, "SO-1")  # D03's 3505 never comes
    rules = load()
    assert rules["SV-R04"]["limit_hours"] != 2
    now = dt.datetime.now(CST).replace(tzinfo=None)
    rollup.fold(centre_engine, rules=rules, now=now + dt.timedelta(hours=1, minutes=59))
    assert _r04(centre_engine) == []
    rollup.fold(centre_engine, rules=rules, now=now + dt.timedelta(hours=2, minutes=1))
    found = _r04(centre_engine)
    assert len(found) == 1, found
    ev = found[0]["evidence"]
    assert ev["setl_id"] == s["setl_id"] and ev["drugs_waiting"] == ["D03"] and ev["limit_hours"] == 2
    assert "D03" in found[0]["title_zh"] and "2 小时" in found[0]["title_zh"]


def test_every_line_uploaded_raises_nothing(client, centre_engine, tmp_path):
    _profile(centre_engine, tmp_path, 2)
    s = _two_drug_settlement(client)
    _upload(client, s, D01, "SO-1")
    rollup.fold_all(centre_engine)  # the first upload folded on its own: the settlement still waits for D03
    _upload(client, s, D03, "SO-2")
    now = dt.datetime.now(CST).replace(tzinfo=None)
    rollup.fold(centre_engine, rules=load(), now=now + dt.timedelta(hours=30))
    assert _r04(centre_engine) == []
