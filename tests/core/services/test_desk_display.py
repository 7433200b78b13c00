"""What the customer display shows (core.services.desk.display): amounts, prompts, and the bus it goes out on."""
from __future__ import annotations

from decimal import Decimal

from core.events import DISPLAY_CHANGED, EventBus
from core.services.desk import display

D = Decimal


def test_identify_asks_for_the_insurance_code_in_both_languages():
    v = display.identify().to_data()
    assert v["prompt_zh"] == "请出示医保码" and v["prompt_en"] == "Please show your medical-insurance code"
    assert v["due"] == v["paid"] == v["change"] == ""


def test_no_amount_before_the_personal_share_is_known_then_share_plus_goods():
    assert display.basket(2, None).due is None  # the fund's part is not known yet: nothing rather than wrong
    v = display.basket(3, D("22.99"), D("25.00"))
    assert v.due == D("47.99") and v.to_data()["due"] == "47.99" and v.items == 3


def test_paying_shows_due_paid_and_change_as_typed():
    assert display.paying(D("35.00")).paid is None and display.paying(D("35.00")).prompt.zh == "请付款"
    short = display.paying(D("35.00"), D("20.00"), None)
    assert short.paid == D("20.00") and short.change is None and short.prompt.zh == "请付款"
    v = display.paying(D("35.00"), D("50.00"), D("15.00")).to_data()
    assert (v["due"], v["paid"], v["change"], v["prompt_zh"]) == ("35.00", "50.00", "15.00", "请收好找零")
    exact = display.paying(D("35.00"), D("35.00"), D("0.00"))
    assert exact.prompt.zh == "请付款" and exact.to_data()["change"] == "0.00"


def test_done_counts_cash_handed_over_and_other_tenders_at_their_amount():
    tenders = ({"kind": "wechat", "kept": "20.00", "tendered": "0.00"},
               {"kind": "cash", "kept": "15.00", "tendered": "50.00", "change": "35.00"})
    v = display.done(tenders, D("35.00"))
    assert (v.due, v.paid, v.change) == (D("35.00"), D("70.00"), D("35.00")) and "谢谢" in v.prompt.zh
    old = display.done((), D("7.01"), account=D("0.00"), cash=D("22.99"))  # recorded before tenders were kept
    assert (old.due, old.paid, old.change) == (D("22.99"), D("30.00"), D("7.01"))


def test_views_go_out_on_the_bus():
    bus, got = EventBus(), []
    bus.subscribe(DISPLAY_CHANGED, lambda topic, data: got.append(data["view"]))
    display.publish(bus, display.paying(D("9.90"), D("10.00"), D("0.10")))
    display.publish(None, display.identify())  # no bus: nothing, no error
    assert got == [display.paying(D("9.90"), D("10.00"), D("0.10")).to_data()]
