"""Returns at the pharmacy desk: find a sale, return all or some of its lines.

A mixin of PharmacyWindow (desktop.pharmacy.window): it uses the window's state, screens, runner and
services as its own attributes; its labels are translated under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

from core.i18n import message
from core.services.ports import SaleRecord
from desktop.common.i18n import text


class ReturnsFlow:
    def find_sale(self, ref: str) -> None:
        self.returns.show_message("warn", self.tr("正在查找…"))
        self.runner.run(self.desk.find_sale, ref, lane="local", done=self._found_sale,
                        failed=lambda f: (self.returns.show_record(None), self.returns.show_message("bad", text(f.message))))

    def _found_sale(self, record: SaleRecord) -> None:
        self.state.record = record
        self.returns.show_record(record)
        if record.status == "provisional":
            self.returns.show_message("warn", text(message("desk.ret.provisional", receipt=record.receipt_no)))
        elif record.status != "settled":
            self.returns.show_message("warn", text(message("desk.ret.already", receipt=record.receipt_no)))
        else:
            self.returns.show_message("", "")

    def do_return(self, lines: list[int]) -> None:
        record = self.returns.record
        if record is None:
            return

        def allowed(_approver):
            self.returns.go.setEnabled(False)
            self.returns.show_message("warn", self.tr("正在退货…"))
            shift_id = self.state.shift["shift_id"] if self.state.shift else None
            self.runner.run(self.desk.return_sale, record, lines, shift_id, done=self._returned,
                            failed=lambda f: (self.returns.go.setEnabled(True),
                                              self.returns.show_message("bad", text(f.message))))

        self._need("sale.return", allowed, ref=record.receipt_no)

    def _returned(self, result) -> None:
        returned, kept = result
        self._print(returned, 0, where="returns")
        msg = message("desk.ret.done") if kept is None else message("desk.ret.partial_resettled",
                                                                      n=len(kept.lines), receipt=kept.receipt_no)
        if kept is not None:
            self._print(kept, 0, where="returns", fresh=False)
        self.returns.show_record(returned)
        self.returns.show_message("ok", text(msg))
        self.refresh_status()
