"""The shift at the pharmacy desk: open with a float, X report, close with a blind count and a Z report.

A mixin of PharmacyWindow (desktop.pharmacy.window): it uses the window's state, screens, runner and
services as its own attributes; its labels are translated under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from core.i18n import message
from core.services.desk.rules import close_blockers
from core.services.pharmacy_shift import z_text_lines
from core.services.ports import ShiftReport
from desktop.common.i18n import text
from desktop.common.worker import Failure


class ShiftFlow:
    def go_shift(self) -> None:
        self.runner.run(self.shifts.current, lane="local", done=self._shift_page)

    def _shift_page(self, shift) -> None:
        self.state.shift = shift
        self._render_all()
        self.go("shift")
        self.shift.show_shift(shift)

    def open_shift(self, amount: Decimal) -> None:
        def allowed(_approver):
            self.runner.run(self.shifts.open, self.state.operator, amount, lane="local",
                            done=lambda _sid: self.runner.run(self.shifts.current, lane="local", done=self._opened),
                            failed=lambda f: self.shift.show_message("bad", text(f.message)))

        self._need("shift.open", allowed)

    def _opened(self, shift) -> None:
        self.state.shift = shift
        self._render_all()
        self.shift.show_message("ok", self.tr("已开班"))
        self.go("identify")

    def x_report(self) -> None:
        if not self.state.shift:
            return
        self.runner.run(self.shifts.report, self.state.shift["shift_id"], lane="local",
                        done=lambda r: self.shift.show_report(r, z_text_lines(r)),
                        failed=lambda f: self.shift.show_message("bad", text(f.message)))

    def close_shift(self, counted: Decimal) -> None:
        if not self.state.shift:
            return
        sid = self.state.shift["shift_id"]

        def close(approver, allow_pending=False):
            self.shift.show_message("warn", self.tr("正在对账并关班…"))
            self.runner.run(self.shifts.close, sid, counted, self.state.operator, allow_pending=allow_pending,
                            approver=approver, done=self._closed, failed=closing_failed)

        def closing_failed(f: Failure):
            if f.message.key == "desk.shift.pending":
                self.shift.show_message("warn", text(f.message))
                self._need("shift.close.pending", lambda approver: close(approver, True), ref=sid)
            else:
                self.shift.show_message("bad", text(f.message))

        pending = [*self.state.held, *self.unreadable_held]  # a row this program cannot read still blocks
        held = close_blockers(pending)
        if held:  # held sales reserve boxes: a supervisor releases them, or the pharmacist recalls them first
            self.shift.show_message("warn", text(held[0]))

            def release(approver):
                self.runner.run(self.desk.release_held, [h.no for h in pending], lane="local",
                                failed=self.ignore_failure)
                self.state.held.clear()
                self.unreadable_held = []
                self._render_all()
                self.shift.show_message("warn", text(message("desk.shift.held_released", n=len(pending))))
                close(approver)

            self._need("shift.close.held", release, ref=sid, detail={"held": [h.no for h in pending]})
            return
        self._need("shift.close", lambda approver: close(approver))

    def _closed(self, z: ShiftReport) -> None:
        self.state.shift = None
        lines = z_text_lines(z)
        self.shift.show_report(z, lines)
        tone = "ok" if z.reconciled else "warn"
        self.shift.show_message(tone, text(z.reconciliation))
        self._print_z(z, lines)
        self._render_all()
        self.shift.show_shift(None)
        self.state.last_z = z  # type: ignore[attr-defined]

    def _print_z(self, z: ShiftReport, lines: list[str]) -> Path:
        from desktop.common.receipt_pdf import write_lines_pdf

        path = self.config.receipts_folder() / f"Z{z.z_no:04d}-{z.shift_id}.pdf"
        write_lines_pdf(lines, path, title=f"Z {z.z_no}")
        self.state.z_path = str(path)  # type: ignore[attr-defined]
        return path
