"""Paper prescriptions at the desk (纸质处方, issue 19): F6 on the prescription screen opens the entry
(desktop.pharmacy.screens.paper); Ctrl+F adds a drug with the desk's pinyin search (the same dialog and `search`
lane as the sale's), F9 photographs the slip with the desk's camera (desktop.pharmacy.photo_capture, on the camera the window's
`camera_frames()` gives: the device hub's), Ctrl+O attaches a photo or scan of it from a file, F12 checks the entry with
core.rx.paper — a refusal goes next to its field and nothing is written — and opens the sale with the desk's
`open_paper_sale` (remote lane: it stores the image), which then goes on like a downloaded prescription's.

A mixin of PharmacyWindow (desktop.pharmacy.window), like the other flows."""
from __future__ import annotations

from pathlib import Path

from core.domain.clock import today_cst
from core.rx.paper import MAX_IMAGE_BYTES, RxInputError, check_paper
from core.services.drug_lookup import DrugChoice
from desktop.common.i18n import text
from desktop.common.worker import Failure
from desktop.pharmacy.drug_search import DrugSearchDialog
from desktop.qt import QtWidgets


class PaperFlow:
    camera_frames = None  # callable() -> the running camera (hardware CameraWorker) or None; the composition root's
    photo_dialog: QtWidgets.QDialog | None = None

    def go_paper(self) -> None:
        """F6 on the prescription screen: a blank paper prescription for the identified patient."""
        if self.state.card is None:
            return
        self.paper.reset(today_cst())
        self.go("paper")
        self.paper.prescriber.setFocus()

    def paper_find_drug(self) -> None:
        if self.page() != "paper" or self.drug_search is not None or self.lookup is None:
            return
        dlg = DrugSearchDialog(28, parent=self)
        dlg.query_changed.connect(self._search_drugs)
        dlg.chosen.connect(lambda choice, days: self._paper_drug_chosen(choice, days))
        dlg.finished.connect(self._paper_search_closed)
        self.drug_search = dlg
        self._search_text = None
        self.runner.run(self.lookup.refresh, lane="search", done=lambda _: self._index_ready(dlg),
                        failed=lambda f: dlg.show_status("bad", text(f.message)))
        dlg.open()
        dlg.activateWindow()
        dlg.box.setFocus()

    def _paper_drug_chosen(self, choice: DrugChoice, days: int) -> None:
        if self.page() == "paper":
            self.paper.add_drug(choice.drug, days)
            self.paper.errors["lines"].setText("")

    def _paper_search_closed(self, *_) -> None:
        self.drug_search = None
        self._search_text = None
        self.activateWindow()
        self.paper.edit_current()

    def paper_pick_photo(self) -> None:
        """Ctrl+O: the photo or scan of the slip, from a file (a scanner's folder, a phone's picture)."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, self.tr("选择处方图片"), "",
                                                        self.tr("图片 (*.jpg *.jpeg *.png)"))
        if not path:
            return
        try:
            size = Path(path).stat().st_size
            data = Path(path).read_bytes() if size <= MAX_IMAGE_BYTES else b"\0"  # too big: refused by the check
        except OSError as exc:
            self.paper.show_error("image", self.tr("无法读取图片：") + str(exc))
            return
        self.paper.set_image(data, Path(path).name)
        self.paper.errors["image"].setText("")

    def paper_take_photo(self) -> None:
        """F9: the slip photographed with the desk's camera (the one that scans boxes), taken in a dialog."""
        if self.page() != "paper" or self.photo_dialog is not None:
            return
        frames = self.camera_frames() if self.camera_frames is not None else None
        if frames is None or not getattr(frames, "running", True):
            self.paper.show_error("image", self.tr("没有可用的摄像头（F10 设置 → 设备 → 摄像头）；扫描仪或手机的图片请按 "
                                                   "Ctrl+O 选择文件"))
            return
        from desktop.pharmacy.photo_capture import PhotoCaptureDialog

        dlg = PhotoCaptureDialog(frames, parent=self)
        dlg.finished.connect(self._photo_closed)
        self.photo_dialog = dlg
        self.route.paused = True  # a code on the slip the camera reads is not a scan for the desk
        dlg.open()
        dlg.setFocus()

    def _photo_closed(self, result: int) -> None:
        dlg, self.photo_dialog = self.photo_dialog, None
        self.route.paused = False
        self.activateWindow()
        if dlg is not None and result == QtWidgets.QDialog.DialogCode.Accepted and dlg.jpeg:
            self.paper.set_image(dlg.jpeg, self.tr("摄像头拍照") + ".jpg")
            self.paper.errors["image"].setText("")

    def paper_delete_line(self) -> None:
        self.paper.delete_line()

    def paper_submit(self) -> None:
        """F12: check the entry (core.rx.paper, the reason next to its field), then open the sale."""
        card = self.state.card
        if card is None or self.page() != "paper":
            return
        rx = self.paper.collect()
        try:
            check_paper(rx, {d.key: d for d in self.paper.drugs}, today_cst())
        except RxInputError as exc:
            self.paper.show_error(exc.field, exc.zh)
            return
        self.paper.clear_errors()
        self.paper.show_message("warn", self.tr("正在开单…"))
        self.runner.run(self.desk.open_paper_sale, card, rx, lane="remote", done=self._sale_opened,
                        failed=self._paper_failed)

    def _paper_failed(self, f: Failure) -> None:
        self.paper.show_message("bad", text(f.message))
