"""The pay step's personal account (issue 17): F8 pays as much of the share as the balance allows, the balance is
shown before and after, and the amount confirmed is what goes to the desk's settlement (the centre decides)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.pharmacy.screens.pay import PayScreen

pytestmark = pytest.mark.ui


@pytest.mark.parametrize("personal, balance, account, after, cash_due", [
    ("14.00", "2000.00", "14.00", "1986.00", "0.00"),
    ("84.00", "20.00", "20.00", "0.00", "64.00"),
])
def test_f8_uses_the_account_and_shows_the_balance_after(qtbot, personal, balance, account, after, cash_due):
    pay = PayScreen()
    qtbot.addWidget(pay)
    pay.show_amounts(Decimal("100.00"), Decimal("10.00"), Decimal(personal), Decimal(balance))
    assert pay.balance_label.text() == f"{balance} → {balance}"
    pay.use_account()
    assert pay.account.text() == account
    assert pay.balance_label.text() == f"{balance} → {after}" and pay.due.text() == cash_due
    got = []
    pay.confirmed.connect(lambda a, t: got.append((a, t)))
    pay._confirm()
    assert got == [(Decimal(account), Decimal(cash_due))]


def test_no_balance_says_take_cash(qtbot):
    pay = PayScreen()
    qtbot.addWidget(pay)
    pay.show_amounts(Decimal("28.00"), Decimal("14.00"), Decimal("14.00"), Decimal("0.00"))
    pay.use_account()
    assert pay.account.text() == "0.00" and "现金" in pay.message.text()


def test_f6_family_holder_pays_what_the_own_account_does_not(qtbot):
    from core.services.desk.accounts import FamilyHolder

    pay = PayScreen()
    qtbot.addWidget(pay)
    pay.show_amounts(Decimal("100.00"), Decimal("16.00"), Decimal("84.00"), Decimal("20.00"))
    pay.use_account()
    pay.set_family([FamilyHolder("T0011", "钱*****", "配偶", Decimal("50.00"))])
    assert pay.due.text() == "14.00" and "钱*****" in pay.family_label.text() and "50.00" in pay.family_label.text()
    pay.set_family([])  # nobody bound: said, the holder chosen before stays
    assert "现金" in pay.message.text() and pay.family.psn_no == "T0011"
    pay.show_amounts(Decimal("100.00"), Decimal("16.00"), Decimal("84.00"), Decimal("20.00"))
    assert pay.family is None and pay.due.text() == "84.00"
