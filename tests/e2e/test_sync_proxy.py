"""A proxy between the terminal and the centre drops replies, delays them past the timeout, resets connections,
truncates and garbles answers, and loses requests — over 1,000 settlements (SQLite centre) and a shorter run
on PostgreSQL. Afterwards: no settlement is doubled, none is lost, the local records match the centre's, every
trace code is uploaded at most once, and the shift reconciles.

Three cashiers (threads) sell at once on one terminal; each person buys once. A sale ends settled (and
uploaded when printed) or — when the centre's answer did not come within the cashier's wait — reversed, or
provisional first (the pre-settlement got no answer) and settled when drained.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.services.shift import ShiftService
from core.sync import journal
from core.sync.refdata import sync_catalogue
from core.sync.synthetic import basket_for, id_number
from tests.sync.faultproxy import FaultProxy
from tests.sync.fixtures import (  # noqa: F401 - fixtures
    cache_persons,
    local_sales,
    local_settlement_rows,
    make_terminal,
    pg_template,
    sqlite_template,
    start_centre,
    sync_key,
)
from tests.sync.helpers import PH1

FAULTS = {"pass": 0.80, "drop_reply": 0.04, "delay": 0.02, "reset": 0.04, "garbage": 0.04, "truncate": 0.03,
          "lost_request": 0.03}
FINAL = {"settled", "printed", "uploaded", "reversed", "rejected"}


def _run(centre, make_terminal, n: int, first_person: int, *, cashiers: int = 3) -> dict:
    proxy = FaultProxy(centre.port, weights={"pass": 1.0}, seed=20251125).start()
    try:
        t = make_terminal(
            proxy.url, centre.secrets[PH1], name="proxy",
            # a read timeout a busy shared machine still meets (0.35 s was missed under load); a delayed reply
            # is held by the proxy until this timeout has run out on the client (an event, not a sleep)
            centre={"connect_timeout_s": 1.0, "read_timeout_s": 2.0},
            sender={"settle_patience_s": 4.0, "reversal_patience_s": 2.5, "workers": 3, "backoff_max_s": 0.5,
                    "offline_probe_s": 0.2},
            offline={"max_terminal_offline_fund": "1000000", "max_fund_per_person_per_day": "1000",
                     "max_fund_per_transaction": "1000"},
        )
        sync_catalogue(t)
        persons = list(range(first_person, first_person + n))
        cache_persons(t, persons)
        co = CheckoutService(t)
        proxy.set(FAULTS)
        refused: Counter = Counter()
        errors: list[BaseException] = []
        lock = threading.Lock()

        def sell(i: int) -> None:
            try:
                sale = co.audit(basket_for(i, rx_date=t.today()), Identification("id_card", id_number(i)),
                                operator=f"OP{i % cashiers + 1:02d}")
                try:
                    sale = co.pre_settle(sale.sale_id)
                    sale = co.settle(sale.sale_id)
                except CheckoutError as exc:
                    with lock:
                        refused[exc.code] += 1
                    return
                if sale.state in ("settled", "provisional") and i % 4 == 0:  # every 4th: 3505 uploads
                    co.print_receipt(sale.sale_id)
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                with lock:
                    errors.append(exc)

        started = time.monotonic()
        with ThreadPoolExecutor(cashiers) as pool:
            list(pool.map(sell, persons))
        selling_s = time.monotonic() - started
        assert not errors, errors[:3]
        proxy.set({"pass": 1.0})  # the network heals
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            stats = t.sender.drain(timeout_s=30, idle_exit=False)
            if stats.remaining == 0:
                break
        import os
        if os.environ.get("OW_DEBUG"):
            print("selling", selling_s, "drain", time.monotonic() - started - selling_s, proxy.modes(),
                  Counter(x["state"] for x in local_sales(t).values()))
        sales = local_sales(t)
        rows = local_settlement_rows(t)
        live = centre.live_settlements()
        uploads = centre.live_trace_uploads()
        close = ShiftService(t).close(operator="OP01", drain_s=5)
        with t.read() as s:
            chain = journal.verify(s)
        return {"sales": sales, "rows": rows, "live": live, "uploads": uploads, "close": close, "chain": chain,
                "modes": proxy.modes(), "log": list(proxy.log), "refused": refused, "selling_s": selling_s,
                "persons": persons,
                "status": co.status()}
    finally:
        proxy.stop()


def _check(r: dict, n: int) -> None:
    sales, rows, live = r["sales"], r["rows"], r["live"]
    states = Counter(s["state"] for s in sales.values())
    assert set(states) <= FINAL | {"audited", "pre_settled", "draft"}, states
    assert not states.get("draft") and not states.get("audited"), states
    # pre_settled only when the sale was refused offline (none here: the limits are high) — nothing is stuck
    assert states.get("pre_settled", 0) == sum(r["refused"].values()) == 0, (states, r["refused"])
    assert r["status"].waiting == 0 and r["status"].unknown_sales == 0
    settled = {s["msgid"]: s for s in sales.values() if s["state"] in ("settled", "printed", "uploaded")}
    # no loss, no ghost: the centre's live settlements of this terminal are exactly the local settled ones
    assert set(live) == set(settled), (set(live) ^ set(settled))
    # no duplicate: one live settlement per person at most, and the figures agree
    per_person = Counter(v["person_no"] for v in live.values())
    assert max(per_person.values()) == 1
    for msgid, sale in settled.items():
        assert sale["centre_fund"] == live[msgid]["fund"] == rows[msgid]["fund"], msgid
        assert rows[msgid]["status"] == "settled" and rows[msgid]["reversed_on"] is None
    for s in sales.values():
        if s["state"] in ("reversed", "rejected"):
            assert s["msgid"] not in live and rows[s["msgid"]]["reversed_on"] is not None
    # every trace code sold at most once at the centre, and only for live settlements
    codes = Counter(code for code, _ in r["uploads"])
    assert not [c for c, k in codes.items() if k > 1]
    printed = [s for s in sales.values() if s["state"] == "uploaded"]
    assert len(codes) == 3 * len(printed)
    assert states["printed"] == 0  # every printed sale finished its upload
    rec = r["close"].reconciliation
    assert rec.balanced and rec.local_count == len(settled), rec.to_dict()
    assert r["chain"].ok
    assert len(sales) == n and settled
    # A sale that did not settle lost its answer on the way, by an event the proxy saw on its settlement: a fault
    # it drew, an error in place of the answer, or an answer that came after the client had hung up (its read
    # timeout on a busy machine). Whatever the load, no sale is given up with a timely answer in hand. (Was: at
    # least 80 % settled, a figure a loaded machine could miss and a sender giving up too early could meet.)
    attempts: dict[str, list] = {}
    for e in r["log"]:
        attempts.setdefault(e.msgid, []).append(e)
    unexplained = [s["msgid"] for s in sales.values() if s["state"] in ("reversed", "rejected")
                   and not any(e.mode != "pass" or e.late or e.status != 200 for e in attempts.get(s["msgid"], []))]
    assert not unexplained, [(m, attempts.get(m)) for m in unexplained[:5]]
    used = {m for m, k in r["modes"].items() if k}
    assert used >= set(FAULTS), r["modes"]


@pytest.mark.slow
def test_faults_over_1000_settlements_sqlite(sqlite_template, tmp_path, make_terminal):
    centre = start_centre(sqlite_template, tmp_path)
    try:
        result = _run(centre, make_terminal, 1000, 200)
        _check(result, 1000)
    finally:
        centre.process.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_faults_postgres(pg_template, tmp_path, make_terminal):
    centre = start_centre(pg_template, tmp_path)
    try:
        result = _run(centre, make_terminal, 120, 150)
        _check(result, 120)
    finally:
        centre.process.close()
