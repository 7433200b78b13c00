"""The 审方 → 调配 → 核对 → 发药 trail from the sale flow (issue 19): Ctrl+T on the sale, pay and done screens opens
the trail panel (desktop.pharmacy.screens.trail) over the current sale — started from the verdict on screen the
first time — and, after the receipt, with its number so 发药 can be signed. With the site setting
dispensing.trail_required the desk refuses to settle before the check (core.services.desk.trail).

A mixin of PharmacyWindow (desktop.pharmacy.window), like the other flows."""
from __future__ import annotations

from desktop.common.i18n import text
from desktop.qt import QtWidgets


class TrailFlow:
    trail_dialog: QtWidgets.QDialog | None = None

    def open_trail(self) -> None:
        sale = self.state.sale
        if sale is None or self.trail_dialog is not None:
            return
        from core.services.ports import DeskError
        from desktop.pharmacy.screens.trail import TrailPanel

        try:
            self.desk.trail(sale)
        except DeskError:
            try:
                self.desk.trail_start(sale, self.state.view)
            except DeskError as exc:
                self.sale_screen.show_message("bad", text(exc.message))
                return
        dlg = QtWidgets.QDialog(self, objectName="trailDialog")
        dlg.setWindowTitle(self.tr("审方 → 调配 → 核对 → 发药 (Ctrl+T)"))
        panel = TrailPanel(self.desk, self.auth, sale, parent=dlg)
        record = self.state.record
        if record is not None and self.page() == "done":
            panel.receipt_no = record.receipt_no
            panel.refresh()
        QtWidgets.QVBoxLayout(dlg).addWidget(panel)
        dlg.resize(900, 620)
        dlg.panel = panel
        dlg.finished.connect(self._trail_closed)
        self.trail_dialog = dlg
        self.route.paused = True  # a box scanned for the check goes into the panel, not the sale
        dlg.open()
        panel.user.setFocus()

    def _trail_closed(self, *_) -> None:
        self.trail_dialog = None
        self.route.paused = False
        self.activateWindow()
        if self.page() == "sale":
            self._update_settle()
