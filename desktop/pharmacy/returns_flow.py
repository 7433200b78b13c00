"""Returns at the pharmacy desk: find a sale, return all or some of its lines.

A mixin of PharmacyWindow (desktop.pharmacy.window): it uses the window's state, screens, runner and
services as its own attributes; its labels are translated under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

from core.i18n import message
from core.services.desk.rules import lines_with_code, net_refund, refunded
from core.services.ports import SaleRecord
from desktop.common.i18n import text


class ReturnsFlow:
    def find_sale(self, ref: str) -> None:
        self.returns.show_message("warn", self.tr("正在查找…"))
        self.runner.run(self.desk.find_sale, ref, lane="local", done=lambda r: self._found_sale(r, ref),
                        failed=lambda f: (self.returns.show_record(None), self.returns.show_message("bad", text(f.message))))

    def _found_sale(self, record: SaleRecord, ref: str = "") -> None:
        """Found by a box's code: only the lines holding that box are ticked; by receipt number: every line."""
        self.state.record = record
        self.returns.show_record(record, lines_with_code(record, ref.strip()) or None)
        if record.status == "provisional":
            self.returns.show_message("warn", text(message("desk.ret.provisional", receipt=record.receipt_no)))
        elif record.status != "settled":
            self.returns.show_message("warn", text(message("desk.ret.already", receipt=record.receipt_no)))
        else:
            self.returns.show_message("", "")

    def do_return(self, lines: list[int], goods: list[int] | None = None) -> None:
        record = self.returns.record
        if record is None:
            return

        def allowed(_approver):
            self.returns.go.setEnabled(False)
            self.returns.show_message("warn", self.tr("正在退货…"))
            shift_id = self.state.shift["shift_id"] if self.state.shift else None
            self.runner.run(self.desk.return_sale, record, lines, shift_id, goods,
                            done=lambda r: self._returned(r, record),
                            failed=lambda f: (self.returns.go.setEnabled(True),
                                              self.returns.show_message("bad", text(f.message))))

        self._need("sale.return", allowed, ref=record.receipt_no)

    def _returned(self, result, original: SaleRecord) -> None:
        returned, kept = result
        self._print(returned, 0, where="returns")
        msg = message("desk.ret.done") if kept is None else message("desk.ret.partial_resettled",
                                                                      n=len(kept.lines), receipt=kept.receipt_no)
        if kept is not None:
            self._print(kept, 0, where="returns", fresh=False)
        account, cash = net_refund(original, kept)
        self.returns.show_record(returned)
        # what really went back, tender by tender (a sale recorded without its tenders: cash and account)
        back = refunded(returned) or message("desk.ret.refunded", cash=f"{cash:.2f}", account=f"{account:.2f}")
        self.returns.show_message("ok", text(msg) + "\n" + text(back))
        self.refresh_status()
