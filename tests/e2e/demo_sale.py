"""A demo sale, run as its own process by tests/e2e/test_demo_at_rest.py after `onewindow demo --no-gui`: the demo
world's centre (embedded, on <home>/centre.db) and the demo desk (<home>/desk.db), li logs in with the demo PIN,
opens a shift, identifies 王某 by ID number, takes the waiting e-prescription, scans the demo's trace codes,
settles with cash, sends the 3505 and 7206, then copies every database file (with its -wal/-shm) while the stores
are still open into <home>/live/, and closes everything (the centre records its shutdown checkpoint).

    python -m tests.e2e.demo_sale HOME
"""
from __future__ import annotations

import shutil
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

CERTNO = "420704195703121015"  # 王某 T0001, the first patient of core.services.pharmacy_demo.PATIENTS


def main(home: Path) -> int:
    from core.services.auth import Auth
    from core.services.pharmacy_demo import trace_code
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.pharmacy_sale import apply_check
    from core.services.pharmacy_shift import ShiftService
    from core.services.ports import Payment
    from core.services.sync_link import TerminalCentreLink
    from core.store.db import open_store
    from onewindow.commands.demo import EmbeddedCentre, prepare
    from server.app import create_app

    engine, _secrets, config = prepare(home)
    centre = EmbeddedCentre(create_app(engine=engine)).start()
    config = replace(config, server_url=centre.url)
    store = open_store(config.store_url)
    link = TerminalCentreLink.for_desk(config, store)
    desk = PharmacyDesk(store, link, config)
    try:
        desk.set_operator(Auth(store).login("li", pin="2468"))
        shift = ShiftService(store, link, config).open(desk.operator, Decimal("100"))
        card = desk.identify(CERTNO)
        waiting = desk.prescriptions(card)
        sale = desk.open_sale(card, waiting[0].rx_id)
        for line in sale.lines:
            for _ in range(line.codes_wanted):
                sale = apply_check(sale, desk.check_scan(sale, trace_code(line.drug.key)))
        record = desk.settle(sale, card, Payment(cash_tendered=Decimal("200")), shift)
        assert record.status == "settled", record.status
        deadline = time.monotonic() + 60
        while desk.drain() or desk.status().waiting:  # the 3505 and the 7206 reach the centre
            if time.monotonic() > deadline:
                raise SystemExit("the demo sale's uploads did not reach the centre within 60 s")
            time.sleep(0.2)
        live = home / "live"
        live.mkdir(exist_ok=True)
        for f in home.iterdir():
            if ".db" in f.name:
                shutil.copyfile(f, live / f.name)
        print(f"sold {record.receipt_no}")
    finally:
        desk.close()
        store.dispose()
        centre.stop()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
