"""Quick keys of the pharmacy desk (issue 17, item 6): a number then "*" (quantity), an amount then Ctrl+D (a
supervisor's discount on a non-insured good), and "repeat the patient's last sale" (Ctrl+F8 on the prescriptions
and the sale screens). The rules are core.services.desk.quick's; this only wires them.

"*" with digits in the sale screen's scan box: the selected line's quantity (an insured line stays within its
prescription). "*" on the pay step (digits in the goods box): the quantity of the next good scanned. Ctrl+D on the
sale screen concerns the selected line, which is insured: refused with the reason, no supervisor is called. Ctrl+D
on the pay step: the amount typed in the goods box off the last good scanned, once a supervisor approves
("sale.discount"; logged with both users).

A mixin of PharmacyWindow (desktop.pharmacy.window); labels under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

from core.i18n import Message
from core.services.desk.quick import (discount_blocker, parse_discount, parse_quantity, repeat_blocker,
                                      with_discount, with_quantity)
from core.services.ports import DeskError
from desktop.common.i18n import text
from desktop.common.worker import Failure
from desktop.pharmacy import screens as sc
from desktop.qt import QObject, QtCore


class StarKey(QObject):
    """"*" typed in a box that holds only digits is the quantity key, not text (a code never ends in "*")."""

    def __init__(self, action, parent: QObject) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.action = action

    def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001
        if event.type() == QtCore.QEvent.Type.KeyPress and event.text() == "*":
            typed = obj.text().strip()
            if not typed or typed.isdigit():
                self.action()
                return True
        return False


class QuickFlow:
    _pending_qty: int | None = None  # "N*" on the pay step: the next good scanned comes N times

    def _wire_quick_keys(self) -> None:
        """After the screens are built (and rebuilt): "*" in the sale's scan box and the pay step's goods box."""
        self._star = StarKey(self.quick_qty, self)
        self.sale_screen.scan.installEventFilter(self._star)
        self.pay.tender_panel.goods_edit.installEventFilter(self._star)

    def _quick_box(self):
        return self.pay.tender_panel.goods_edit if self.page() == "pay" else self.sale_screen.scan

    def _quick_say(self, tone: str, words: str) -> None:
        if self.page() == "pay":
            sc.set_tone(self.pay.message, tone, words)
        else:
            self.sale_screen.show_message(tone, words)

    def _quick_refused(self, exc: DeskError) -> None:
        self._quick_say("bad", text(exc.message))

    # ---- quantity: a number, then "*" ----
    def quick_qty(self) -> None:
        page, sale = self.page(), self.state.sale
        if sale is None or page not in ("sale", "pay"):
            return
        box = self._quick_box()
        try:
            qty = parse_quantity(box.text())
        except DeskError as exc:
            self._quick_refused(exc)
            return
        box.clear()
        if page == "pay":
            self._pending_qty = qty
            self._quick_say("", self.tr("数量 ×{0}：请扫描下一件非医保商品").replace("{0}", str(qty)))
            return
        no = self.sale_screen.current_line()
        if no is None:
            self._quick_say("bad", self.tr("请先选中一行，再输入数量"))
            return
        try:
            self.state.sale = with_quantity(sale, ("line", no), qty)
        except DeskError as exc:
            self._quick_refused(exc)
            return
        self.sale_screen.show_sale(self.state.sale)
        self._quick_say("ok", self.tr("第 {0} 行数量改为 {1}").replace("{0}", str(no)).replace("{1}", str(qty)))
        self.state.view = None
        self.run_audit()

    def take_pending_qty(self) -> int:
        qty, self._pending_qty = self._pending_qty or 1, None
        return qty

    # ---- discount: an amount, then Ctrl+D (a supervisor; goods only) ----
    def quick_discount(self) -> None:
        page, sale = self.page(), self.state.sale
        if sale is None or page not in ("sale", "pay"):
            return
        if page == "sale":
            no = self.sale_screen.current_line()
            ref = ("line", no)
        elif sale.goods:
            ref = ("goods", sale.goods[-1].good.gtin)
        else:
            self._quick_refused(DeskError(Message("desk.quick.no_goods", "本单没有非医保商品：折扣只用于非医保商品",
                                                  "no non-insured goods in this sale: discounts are for goods only")))
            return
        try:
            blocker = discount_blocker(sale, ref)
            if blocker is not None:
                raise blocker
            amount = parse_discount(self._quick_box().text())
            with_discount(sale, ref, amount, approver="?")  # the amount checked before a supervisor is called
        except DeskError as exc:
            self._quick_refused(exc)
            return
        op = self.state.operator

        def granted(approver) -> None:  # noqa: ANN001
            current = self.state.sale
            if current is None:
                return
            try:
                self.state.sale = with_discount(current, ref, amount, approver=approver or op.user_id)
            except DeskError as exc:
                self._quick_refused(exc)
                return
            self.runner.run(self.auth.log, "discount", op.user_id, approver=approver, ref=ref[1],
                            detail={"amount": str(amount), "sale": current.sale_id}, lane="local",
                            failed=self.ignore_failure)  # the UI thread never writes the store
            self._quick_box().clear()
            self.pay.tender_panel.set_goods(self.state.sale.goods)
            self._quick_say("ok", self.tr("已折扣 {0} 元").replace("{0}", str(amount)))

        self._need("sale.discount", granted, ref=str(ref[1]), detail={"amount": str(amount)})

    # ---- the patient's last sale again ----
    def repeat_last(self) -> None:
        card = self.state.card
        if card is None or self.page() not in ("rx", "sale"):
            return
        blocker = repeat_blocker(self.state.sale)
        if blocker is not None:
            self._repeat_failed(Failure(blocker.message, blocker))
            return
        self.runner.run(self.desk.last_sale_basket, card, lane="local", done=self._repeated, failed=self._repeat_failed)

    def _repeat_failed(self, f: Failure) -> None:
        if self.page() == "rx":
            self.rx.show_message("bad", text(f.message))
        else:
            self.sale_screen.show_message("bad", text(f.message))

    def _repeated(self, sale) -> None:  # noqa: ANN001
        self._sale_opened(sale)
        goods = self.tr("；{0} 件非医保商品在结算时列出").replace("{0}", str(len(sale.goods))) if sale.goods else ""
        self.sale_screen.show_message("warn", self.tr("已载入上次购药（{0} 行）：医保药品须重新逐盒扫描追溯码{1}")
                                      .replace("{0}", str(len(sale.lines))).replace("{1}", goods))
