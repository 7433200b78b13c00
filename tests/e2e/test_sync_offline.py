"""The centre is down for a while: sales inside the offline limits go through provisionally (numbered per
terminal, quota spent at once), one over a limit is refused with the reason shown, an e-voucher cannot be
used; when the centre returns everything drains in order, is confirmed, and the shift reconciles."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.services.shift import ShiftService
from core.sync.refdata import sync_catalogue
from core.sync.synthetic import basket_for, id_number
from tests.sync.fixtures import (  # noqa: F401 - fixtures
    local_sales,
    make_terminal,
    new_persons,
    sqlite_template,
    start_centre,
    sync_key,
)
from tests.sync.helpers import PH1


def test_centre_down_for_a_while(sqlite_template, tmp_path, make_terminal):
    centre = start_centre(sqlite_template, tmp_path)
    try:
        t = make_terminal(centre.url, centre.secrets[PH1], offline={"max_terminal_offline_fund": "100",
                                                                    "max_fund_per_transaction": "100"})
        sync_catalogue(t)
        co = CheckoutService(t)
        persons = new_persons(5)
        for i in persons:  # regular patients, identified online earlier today
            assert co.identify(Identification("id_card", id_number(i)), operator="OP01").online
        online = co.settle(co.pre_settle(co.audit(basket_for(persons[0], rx_date=t.today()),
                                                  Identification("id_card", id_number(persons[0])),
                                                  operator="OP01").sale_id).sale_id)
        assert online.state == "settled"

        centre.process.kill()  # the centre (or the line) goes down hard
        with pytest.raises(CheckoutError) as info:
            co.identify(Identification("evoucher", "any-ec-token"), operator="OP01")
        assert info.value.code == "evoucher_offline"
        provisional = []
        for i in persons[1:4]:
            who = co.identify(Identification("id_card", id_number(i)), operator="OP01")
            assert not who.online and who.offline_ok
            sale = co.audit(basket_for(i, rx_date=t.today()), who.identification, operator="OP01")
            try:
                sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
            except CheckoutError as exc:
                refused = exc
                continue
            assert sale.state == "provisional"
            co.print_receipt(sale.sale_id)
            provisional.append(sale)
        # 42 + 42 + 42 > 100: the third offline sale is over the terminal's offline total
        assert [s.offline_no for s in provisional] == ["T01-L000001", "T01-L000002"]
        assert refused.code == "offline_refused" and refused.details["reasons"] == ["terminal_total"]
        assert "超过上限 100.00" in refused.message_zh and "exceeds the limit 100.00" in refused.message_en
        status = co.status()
        assert status.mode == "offline" and status.provisional_sales == 2 and status.waiting == 2  # the 2102s; their 3505s follow the answers
        assert status.offline_fund_outstanding == Decimal("84.00") and status.offline_fund_limit == Decimal("100.00")

        centre.process.start()  # the centre is back: drain in order, then reconcile
        stats = t.sender.drain(timeout_s=30)
        assert stats.remaining == 0 and stats.refused == 0, stats
        for sale in provisional:
            after = co.sale(sale.sale_id)
            assert after.state == "uploaded" and after.confirmed and after.fund == sale.fund and not after.alerts
        live = centre.live_settlements()
        assert {s.msgid for s in provisional} | {online.msgid} <= set(live)
        assert co.status().mode == "online" and co.status().waiting == 0 and co.status().provisional_sales == 0
        close = ShiftService(t).close(operator="OP01")
        rec = close.reconciliation
        assert rec.balanced and rec.local_count == 3 and rec.local_total == Decimal("252.00"), rec.to_dict()
        states = sorted(s["state"] for s in local_sales(t).values())
        assert states == ["audited", "settled", "uploaded", "uploaded"]  # the refused one was never sent
    finally:
        centre.process.close()
