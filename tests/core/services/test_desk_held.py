"""Held sales (挂单) survive a restart: kept in the store, listed by a new desk on the same store with their
boxes still reserved, gone once recalled or released; a held sale whose prescription expired meanwhile is
refused with a clear message and stays held; a row the program cannot read is listed, not lost."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import update

from core.services.desk.held import Unreadable, held_list
from core.services.desk.rules import Held, close_blockers, held_with
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_desk import PharmacyDesk
from core.services.ports import DeskError, RxSummary
from core.store.db import open_store
from core.store.models_held import DeskHeldRow
from tests.core.services.test_desk_sync import sale
from tests.server.fixtures import _data_key  # noqa: F401 - the data key of the stores
from tests.ui.pharmacy.fixtures import _templates, centre  # noqa: F401 - fixtures of the slow test
from tests.ui.pharmacy.test_desk_day_fixes import card

pytestmark = pytest.mark.usefixtures("_data_key")
TODAY = dt.date(2026, 11, 27)  # sale()'s prescription is valid until 2026-11-28


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    engines = []

    def desk() -> PharmacyDesk:  # a new desk on the same file, as after a restart
        engines.append(open_store(url))
        return PharmacyDesk(engines[-1], None, DeskConfig())

    yield desk
    for e in engines:
        e.dispose()


def test_a_held_sale_survives_a_restart_with_its_boxes_reserved(store):
    zhao = card("赵某", "T0002")
    rx = RxSummary("RX1", "22222222", "H1", "2026-11-25", "2026-11-28", "uploaded", "T0002")
    first = store()
    first.hold_sale(Held(3, zhao, sale(), (rx,)))
    first.close()

    desk = store()  # the desk restarted (or crashed and came back)
    held = desk.held_sales()
    assert [h.no for h in held] == [3] and not held[0].recalled  # only put aside, never taken back
    h = held[0]
    assert (h.card.name, h.sale, h.rxs) == ("赵某", sale(), (rx,))  # the same sale, patient, prescriptions
    # another customer's sale scanning one of its boxes is told which held sale has it
    box = sale().lines[0].codes[0]
    assert held_with(box, held, besides="other-sale") is h
    assert close_blockers(held)  # and Z still refuses to close over it

    assert desk.recall_held(h, today=TODAY) is h
    desk.release_recalled(h.sale.sale_id)  # recalled, then discarded on the desk (a new customer)
    assert desk.held_sales() == [] and store().held_sales() == []  # gone, for good


def test_a_recalled_sale_survives_a_crash_until_it_is_discarded(store):
    """Issue #21: recalled, the sale keeps its row until settled or discarded; a desk that crashed between
    recall and settlement lists it again as held, its boxes still reserved."""
    first = store()
    first.hold_sale(Held(4, card("赵某", "T0002"), sale()))
    (h,) = first.held_sales()
    first.recall_held(h, today=TODAY)  # on the desk again ... and the desk crashes before settling it
    first.close()

    desk = store()
    (again,) = desk.held_sales()
    assert (again.no, again.sale) == (4, sale())  # listed again as held, the same sale
    assert again.recalled  # ... marked as interrupted: it was on the desk when the program stopped
    box = sale().lines[0].codes[0]
    assert held_with(box, [again], besides="other-sale") is again  # its box still reserved
    assert close_blockers([again])

    held_again = Held(5, again.card, again.sale)
    desk.recall_held(again, today=TODAY)
    desk.hold_sale(held_again)  # recalled then held again: a row of its own, not taken for a discarded one
    assert desk.release_recalled(sale().sale_id) == 0 and [h.no for h in store().held_sales()] == [5]
    desk.recall_held(held_again, today=TODAY)
    assert desk.release_recalled("another-sale") == 0 and [h.no for h in store().held_sales()] == [5]
    assert desk.release_recalled(sale().sale_id) == 1  # discarded (Esc/F2 new customer): gone, boxes free
    assert store().held_sales() == []


def test_a_held_sale_whose_prescription_expired_is_refused_and_kept(store):
    desk = store()
    desk.hold_sale(Held(1, card("赵某", "T0002"), sale()))
    held = desk.held_sales()[0]
    with pytest.raises(DeskError) as exc:
        desk.recall_held(held, today=TODAY + dt.timedelta(days=2))
    assert exc.value.message.zh == "挂单 1 的处方已于 2026-11-28 过期，不能取回结算：请由主管释放该挂单，并请患者重新开方"
    assert [h.no for h in store().held_sales()] == [1]  # the data left as it was
    assert desk.release_held([1]) == 1 and store().held_sales() == []  # a supervisor releases it


def test_held_again_replaces_and_an_unreadable_row_is_listed_not_lost(store):
    desk = store()
    desk.hold_sale(Held(1, card("赵某", "T0002"), sale()))
    desk.hold_sale(Held(2, card("赵某", "T0002"), dataclasses.replace(sale(), long_rx_confirmed=True)))
    assert [h.no for h in desk.held_sales()] == [2]  # the same sale held again: one row, its new number
    with desk.wengine.begin() as conn:
        conn.execute(update(DeskHeldRow).values(payload="not a sale"))
    (bad,) = store().held_sales()
    assert isinstance(bad, Unreadable) and bad.no == 2 and "挂单 2 的数据无法读取" in bad.problem.zh


def test_the_stored_row_is_sealed_and_a_planted_pickle_is_never_run(store, tmp_path):
    """The row holds the patient's card: nothing of it is readable in the store, and bytes the desk did not
    seal (a pickle planted in the file, or an unsealed row of the first format) are refused before unpickling."""
    import base64
    import os
    import pickle

    desk = store()
    desk.hold_sale(Held(1, card("赵某", "T0002"), sale()))
    with desk.wengine.connect() as conn:
        payload = conn.execute(DeskHeldRow.__table__.select()).one().payload
    assert "赵某".encode() not in base64.urlsafe_b64decode(payload + "==")
    assert b"T0002" not in base64.urlsafe_b64decode(payload + "==")

    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    for planted in (base64.b64encode(pickle.dumps(Planted())).decode("ascii"),
                    base64.urlsafe_b64encode(pickle.dumps(Planted())).decode("ascii")):
        with desk.wengine.begin() as conn:
            conn.execute(update(DeskHeldRow).values(payload=planted))
        (bad,) = store().held_sales()
        assert isinstance(bad, Unreadable) and not marker.exists()


@pytest.mark.slow
def test_a_recalled_sale_settled_leaves_the_store(centre, tmp_path):  # noqa: F811 - fixture
    """Settled, the recalled sale's kept row goes in the settlement's own transaction: listed no more."""
    from decimal import Decimal

    from core.services.pharmacy_sale import apply_check
    from core.services.ports import Payment
    from tests.server.helpers import trace_codes
    from tests.ui.pharmacy.fixtures import P01_CERTNO, PH1, close_desks, d01, make_desk

    try:
        d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
        desk = d.desk
        desk.set_operator(d.auth.login("zhang", pin="135790"))
        shift = d.shifts.open(desk.operator, Decimal("100"))
        rx = centre.upload_rx("T0001", [d01(1, 28)])
        card_ = desk.identify(P01_CERTNO)
        s = desk.open_sale(card_, rx["hi_rxno"])
        for line in s.lines:
            for _ in range(line.codes_wanted):
                s = apply_check(s, desk.check_scan(s, trace_codes("8100011", 1)[0]))
        desk.hold_sale(Held(1, card_, s, ()))
        (h,) = desk.held_sales()
        desk.recall_held(h)
        assert [x.no for x in desk.held_sales()] == [1]  # recalled: still kept until settled
        view = desk.pre_settle(s, card_)
        s = dataclasses.replace(s, acks=frozenset((w.rule, w.line) for w in view.warns()))
        record = desk.settle(s, card_, Payment(cash_tendered=Decimal("100")), shift)
        assert record.status in ("settled", "provisional")
        assert desk.held_sales() == []  # settled: gone
    finally:
        close_desks()


def test_the_held_list_says_which_sale_was_recalled_when_the_program_stopped(store):
    """Step 1's held list: the count (F9 recalls), and the sales that were on the desk, recalled and unsettled,
    when the program stopped (crash or restart) — in Chinese and in English."""
    first = store()
    for no in (1, 2, 3):
        first.hold_sale(Held(no, card("赵某", "T0002"), dataclasses.replace(sale(), sale_id=f"S{no}")))
    two = next(h for h in first.held_sales() if h.no == 2)
    first.recall_held(two, today=TODAY)  # on the desk ... and the program is killed
    first.close()

    held = store().held_sales()
    assert [(h.no, h.recalled) for h in held] == [(1, False), (2, True), (3, False)]
    count, interrupted = held_list(held)
    assert (count.zh, count.en) == ("挂单 3 笔（F9 取回）", "3 held sale(s) (F9 recalls)")
    assert interrupted.zh == "挂单 2 在程序重启前已取回、未结算（仍为挂单，其药盒仍保留）"
    assert interrupted.en.startswith("held sale 2 had been recalled and not settled when the program stopped")
    assert [m.zh for m in held_list([h for h in held if not h.recalled])] == ["挂单 2 笔（F9 取回）"]
    assert held_list([]) == []
