"""The stock ledger at the desk's scan and audit (issue 18), the desk's services as the shell builds them against
the real centre over HTTP: once the pharmacy keeps a ledger, a box it never received is amber (未入库的药品) and
its audit carries STK-001, a WARN only a supervisor may accept; a box in stock passes without it."""
from __future__ import annotations

from core.services.pharmacy_sale import apply_check
from core.services.stock import StockService
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, centre, close_desks, d01, desk  # noqa: F401


def test_a_box_never_received_needs_a_supervisor(desk, centre):  # noqa: F811
    d = desk.desk
    d.start()  # recovery, the sender, the catalogue from the centre
    d.set_operator(desk.auth.login("li", pin="2468"))
    svc = StockService(d.terminal)
    received, stranger = trace_codes("8100011", 2)
    draft = svc.new_draft()
    svc.scan_into(draft, received)
    svc.post_receipt(draft, supplier="九州通医药", invoice_no="INV-1", operator="li", lot="L1",
                     manu_date="2026-01-01", expiry="2029-01-01")

    card = d.identify(P01_CERTNO)
    for code, hit in ((stranger, True), (received, False)):
        rx = centre.upload_rx("T0001", [d01(1, 28)])
        sale = d.open_sale(card, rx["hi_rxno"])
        check = d.check_scan(sale, code)
        assert check.accepted and (check.tone == "warn") is hit, check
        view = d.audit(apply_check(sale, check), card)
        stk = [h for h in view.hits if h.rule == "STK-001"]
        assert bool(stk) is hit and all(h.restricted and h.severity == "WARN" for h in stk), view.hits
        if hit:
            assert "未入库的药品" in check.reason.zh
