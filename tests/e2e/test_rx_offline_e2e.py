"""Prescriptions dispensed while the centre is down, from the desk's offline cache (issue 19), over HTTP.

The desk downloads ahead the waiting prescription of a patient due a refill and keeps it signed and encrypted in
its store; the centre stops; the patient is identified from the card cache, the prescription listed and opened
from the offline cache, sold provisionally inside the offline floor limits, and confirmed (settled, 7206) when
the centre is back. A prescription that was never cached cannot be opened offline, and one whose signature does
not verify is refused online.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from tests.e2e.test_pharmacy_offline_e2e import centre_rows, gated  # noqa: F401
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, PH1, _data_key, _templates, close_desks, d01, make_desk  # noqa: F401

pytestmark = [pytest.mark.slow]


def test_cached_prescription_dispensed_offline_then_confirmed(gated, tmp_path):  # noqa: F811
    centre = gated
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1],
                  sync_sections={"sender": {"offline_probe_s": 1.0, "backoff_max_s": 2.0}})
    desk = d.desk
    try:
        desk.start()
        desk.set_operator(d.auth.login("li", pin="2468"))
        shift = d.shifts.open(desk.operator, Decimal("100"))
        rx = centre.upload_rx("T0001", [d01(1, 28)])
        uncached = centre.upload_rx("T0011", [d01(1, 28)])
        card = desk.identify(P01_CERTNO)  # online: the card is cached for the offline rules
        listed = desk.prescriptions(card)
        assert [r.rx_id for r in listed] == [rx["hi_rxno"]]
        assert listed[0].doctor == "张医生" and listed[0].issuer_name == "市中心医院(三级,测试)"
        assert listed[0].drugs == ("苯磺酸氨氯地平片 ×1盒 28天 5mg 每日一次",) and not listed[0].cached
        assert desk.prefetch_prescriptions(["T0001"]) == 1 and desk.rx_cache().count() == 1

        centre.server.stop()
        card = desk.identify(P01_CERTNO)
        offline_list = desk.prescriptions(card)
        assert [r.rx_id for r in offline_list] == [rx["hi_rxno"]] and offline_list[0].cached
        assert offline_list[0].drugs == listed[0].drugs and offline_list[0].doctor == "张医生"  # as listed online
        with pytest.raises(DeskError) as not_cached:
            desk.open_sale(card, uncached["hi_rxno"])
        assert "没有离线缓存" in not_cached.value.message.zh
        sale = desk.open_sale(card, rx["hi_rxno"])
        assert sale.doctor == "张医生" and sale.rx_id == rx["hi_rxno"]
        for line in sale.lines:
            for _ in range(line.codes_wanted):
                sale = apply_check(sale, desk.check_scan(sale, trace_codes("8100011", 1)[0]))
        view = desk.pre_settle(sale, card)
        assert view.offline and view.verdict == "PASS", view
        record = desk.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
        assert record.status == "provisional" and record.offline_no, record
        assert desk.rx_cache().count() == 0  # dispensed: no second sale from the copy

        centre.server.start()
        deadline = time.monotonic() + 60  # the sender probes the centre again every second, then delivers
        while desk.find_sale(record.receipt_no).status != "settled" or desk.status().waiting:
            assert time.monotonic() < deadline, desk.status()
            desk.terminal.sender.drain(timeout_s=5)
            desk.drain()
            time.sleep(0.2)
        assert desk.find_sale(record.receipt_no).setl_id
        assert centre_rows(centre, "SELECT status FROM centre_eprescription WHERE rx_id = :r",
                           r=rx["hi_rxno"])[0][0] == "dispensed"
    finally:
        close_desks()


@pytest.mark.allow_warnings
def test_a_download_whose_signature_fails_is_refused(gated, tmp_path, monkeypatch):  # noqa: F811
    centre = gated
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    desk = d.desk
    try:
        desk.set_operator(d.auth.login("li", pin="2468"))
        rx = centre.upload_rx("T0001", [d01(1, 28)])
        card = desk.identify(P01_CERTNO)
        from core.services.desk.prescriptions import Prescriptions

        original = Prescriptions._download  # the plain 7203 call, under the signature check

        def altered(self, rx_id):
            out = original(self, rx_id)
            out["rxdrugdetail"][0]["cnt"] = "3"  # a proxy on the way changed the quantity
            return out

        monkeypatch.setattr(Prescriptions, "_download", altered)
        with pytest.raises(DeskError) as refused:
            desk.open_sale(card, rx["hi_rxno"])
        monkeypatch.undo()
        assert "签名校验失败" in refused.value.message.zh and desk.rx_cache().count() == 0
        assert desk.open_sale(card, rx["hi_rxno"]).lines[0].qty == 1  # unaltered, it opens
    finally:
        close_desks()
