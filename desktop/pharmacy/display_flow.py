"""The desk's side of the customer display (desktop.pharmacy.customer_display): on each change of screen, of the
audit's figures and of the pay step's amounts, the view of the moment (core.services.desk.display) goes out on
the event bus. The desk publishes whether or not a display listens: a display is a subscriber, nothing more.

A mixin of PharmacyWindow (desktop.pharmacy.window)."""
from __future__ import annotations

from core.pos.tenders import TenderError
from core.services.desk import display


class DisplayFlow:
    def _wire_display(self) -> None:
        for signal in (self.pay.cash.textChanged, self.pay.account.textChanged, self.pay.tender_panel.changed):
            signal.connect(lambda *_: self._show_customer())

    def _customer_view(self) -> display.CustomerView:
        page, s = self.page(), self.state
        if s.operator is None:
            return display.welcome()
        if page == "done" and s.record is not None:
            r = s.record
            return display.done(r.tenders, r.change, r.account_pay, r.cash_pay)
        if page == "pay" and s.sale is not None:
            try:
                got = self.pay.figures()  # core.pos.due.PayDue of what is typed (no side effect on the screen)
            except TenderError:
                got = None
            if got is None:  # an amount being typed is not one yet: the amount due alone
                return display.paying(self.pay.personal + self.pay.tender_panel.goods_total)
            typed = bool(self.pay.cash.text().strip())
            paid = got.account + got.family + got.external + (got.tendered if typed else 0)
            return display.paying(got.total, paid if paid or typed else None, got.change if typed else None)
        if page in ("sale", "paper") and s.sale is not None:
            personal = s.view.figures.personal if s.view is not None and s.view.figures is not None else None
            return display.basket(len(s.sale.lines) + len(s.sale.goods), personal, s.sale.goods_total)
        if page in ("identify", "rx"):
            return display.identify()
        return display.welcome()

    def _show_customer(self) -> None:
        view = self._customer_view()
        if view != self._customer_last:  # the same view twice is one publication
            self._customer_last = view
            display.publish(self.display_bus, view)
