"""The stock window (进销存) of the pharmacy shell: five tabs over core.services.stock.StockService.

    w = StockWindow(service, operator="OP01", approve=auth_approve)   # approve(user, secret) -> supervisor id
    w.show()

Every service call runs on the Runner's "local" lane (the UI thread never writes); a StockError comes back as
its Chinese message in the screen's message line. `approve` checks a supervisor's credentials (the shell
passes core.services.auth's approval); without one the typed supervisor id is recorded as given (demo only).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from core.services import stock_reports
from core.services.stock import ReceivingDraft, StockService
from core.stock.domain import Delivery, StockError
from core.stock.files import read_delivery
from desktop.common.worker import Failure, Runner
from desktop.pharmacy.stock.screens import (
    ChangeScreen, CountScreen, ReceivingScreen, ReportsScreen, SupplierReturnScreen,
)
from desktop.qt import QtWidgets


class StockWindow(QtWidgets.QTabWidget):
    def __init__(self, service: StockService, *, operator: str, operator_name: str = "",
                 approve: Callable[[str, str], str] | None = None, runner: Runner | None = None,
                 export_dir: Path | None = None) -> None:
        super().__init__(objectName="stockWindow")
        self.svc, self.operator, self.operator_name, self.approve = service, operator, operator_name, approve
        self.runner = runner or Runner(self)
        self.export_dir = export_dir or Path.home()
        self.draft = ReceivingDraft()
        self.return_codes: list[str] = []
        self.count_codes: list[str] = []
        self.change_codes: list[str] = []
        self.receiving, self.supplier_return = ReceivingScreen(), SupplierReturnScreen()
        self.counting, self.changes, self.reports = CountScreen(), ChangeScreen(), ReportsScreen()
        for screen, label in ((self.receiving, "入库"), (self.supplier_return, "退供应商"), (self.counting, "盘点"),
                              (self.changes, "库存变更"), (self.reports, "库存报表")):
            self.addTab(screen, self.tr(label))
        self._wire()

    # ---- plumbing ---------------------------------------------------------------------------------------------
    def _run(self, screen, fn, *args, done=None, **kwargs) -> None:
        def failed(f: Failure) -> None:
            screen.say("error", f.message.zh)

        self.runner.run(fn, *args, done=done, failed=failed, lane="local", **kwargs)

    def _supervisor(self, values: tuple[str, str]) -> str:
        user, secret = values
        if not user:
            raise StockError("请主管输入工号和密码确认", "a supervisor must confirm", field="supervisor")
        return self.approve(user, secret) if self.approve is not None else user

    def _wire(self) -> None:
        r, sr, c, ch, rep = self.receiving, self.supplier_return, self.counting, self.changes, self.reports
        r.scan.connect(self._receive_scan)
        r.removed.connect(self._receive_removed)
        r.import_requested.connect(self._import)
        r.post_requested.connect(self._post_receipt)
        r.transfer_requested.connect(self._post_transfer_in)
        sr.scan.connect(lambda text: self._box_scan(sr, self.return_codes, text))
        sr.post_requested.connect(self._post_return)
        c.scan.connect(self._count_scan)
        c.compare_requested.connect(self._compare)
        c.confirm_requested.connect(self._confirm_count)
        ch.scan.connect(lambda text: self._box_scan(ch, self.change_codes, text))
        ch.post_requested.connect(self._post_change)
        ch.undo_requested.connect(self._undo)
        rep.on_hand_requested.connect(self._on_hand)
        rep.near_requested.connect(self._near)
        rep.export_requested.connect(self._export)
        rep.reconcile_requested.connect(self._reconcile)

    # ---- 入库 ----------------------------------------------------------------------------------------------------
    def _receive_scan(self, text: str) -> None:
        def done(line) -> None:
            self.receiving.add_box(line.code, line.name, line.lot, line.expiry)
            self.receiving.say("ok", self.tr("已扫描：") + line.name)

        self._run(self.receiving, self.svc.scan_into, self.draft, text, done=done)

    def _receive_removed(self, row: int) -> None:
        if row < len(self.draft.lines):
            line = self.draft.lines.pop(row)
            self.draft.codes.pop(line.code, None)

    def _post_receipt(self, f: dict) -> None:
        def done(receipt) -> None:
            self.draft = ReceivingDraft()
            self.receiving.reset()
            self.receiving.say("ok", self.tr("已入库 %1 盒，单据 %2，3503 已排队上传").replace("%1", str(receipt.boxes))
                               .replace("%2", receipt.doc_no))

        self._run(self.receiving, self.svc.post_receipt, self.draft, supplier=f["supplier"], invoice_no=f["invoice_no"],
                  operator=self.operator, operator_name=self.operator_name, lot=f["lot"], manu_date=f["manu_date"],
                  expiry=f["expiry"], done=done)

    def _post_transfer_in(self, f: dict) -> None:
        def transfer():
            return self.svc.transfer_in(self.draft, from_branch=f["from_branch"], out_doc=f["out_doc"],
                                        supervisor=self._supervisor(f["supervisor"]), operator=self.operator,
                                        operator_name=self.operator_name, lot=f["lot"], manu_date=f["manu_date"],
                                        expiry=f["expiry"])

        def done(receipt) -> None:
            self.draft = ReceivingDraft()
            self.receiving.reset()
            self.receiving.say("ok", self.tr("已调拨入库 %1 盒，单据 %2，3502 已排队上传").replace("%1", str(receipt.boxes))
                               .replace("%2", receipt.doc_no))

        self._run(self.receiving, transfer, done=done)

    def _import(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, self.tr("选择随货同行单"), str(self.export_dir),
                                                        self.tr("入库文件 (*.csv *.xlsx)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        f = self.receiving.fields()

        def receive() -> object:
            lines = tuple(read_delivery(path))
            return self.svc.receive(Delivery(f["supplier"], f["invoice_no"], lines), operator=self.operator,
                                    operator_name=self.operator_name)

        def done(receipt) -> None:
            self.receiving.say("ok", self.tr("文件已入库 %1 盒，单据 %2").replace("%1", str(receipt.boxes))
                               .replace("%2", receipt.doc_no))

        self._run(self.receiving, receive, done=done)

    # ---- 退供应商 / 库存变更 --------------------------------------------------------------------------------------
    def _box_scan(self, screen, codes: list[str], text: str) -> None:
        def look() -> object:
            from core.stock.domain import box_key

            code = box_key(text)
            check = self.svc.check_sale_box(code)  # reads the box's facts (in stock, batch)
            if check.facts is None or check.facts.state not in ("in_stock", "returned", "opened"):
                raise StockError(check.message_zh or "该盒不在库", check.message_en, field="code")
            return check

        def done(check) -> None:
            if check.code in codes:
                screen.say("warn", self.tr("同一盒扫描了两次"))
                return
            codes.append(check.code)
            screen.list.add_row([check.code, check.facts.drug_key, check.facts.lot])
            screen.say("ok", "")

        self._run(screen, look, done=done)

    def _post_return(self, f: dict) -> None:
        def done(doc_no: str) -> None:
            self.return_codes.clear()
            self.supplier_return.list.clear()
            self.supplier_return.say("ok", self.tr("已退供应商，单据 ") + doc_no)

        self._run(self.supplier_return, self.svc.return_to_supplier, list(self.return_codes), supplier=f["supplier"],
                  operator=self.operator, operator_name=self.operator_name, note=f["note"], done=done)

    def _post_change(self, f: dict) -> None:
        def change() -> str:
            supervisor = self._supervisor(f["supervisor"])
            return self.svc.write_off(list(self.change_codes), change_kind=f["change_kind"], supervisor=supervisor,
                                      operator=self.operator, operator_name=self.operator_name, note=f["note"])

        def done(doc_no: str) -> None:
            self.change_codes.clear()
            self.changes.list.clear()
            self.changes.supervisor.clear()
            self.changes.say("ok", self.tr("库存变更已记录，单据 ") + doc_no)

        self._run(self.changes, change, done=done)

    def _undo(self, f: dict) -> None:
        def undo() -> int:
            return self.svc.undo_upload(f["doc_no"], supervisor=self._supervisor(f["supervisor"]),
                                        operator=self.operator)

        self._run(self.changes, undo, done=lambda n: self.changes.say(
            "ok", self.tr("已排队撤销上传（3507）%1 个批次").replace("%1", str(n))))

    # ---- 盘点 ----------------------------------------------------------------------------------------------------
    def _count_scan(self, text: str) -> None:
        from core.stock.domain import box_key

        code = box_key(text)
        if code in self.count_codes:
            self.counting.say("warn", self.tr("同一盒扫描了两次"))
            return
        self.count_codes.append(code)
        self.counting.list.add_row([code])

    def _compare(self) -> None:
        def done(result) -> None:
            self._last_count = result
            self.counting.show_result(list(result.missing), list(result.extra), len(result.matched))

        self._run(self.counting, self.svc.count, list(self.count_codes), done=done)

    def _confirm_count(self, user: str, secret: str) -> None:
        result = getattr(self, "_last_count", None)
        if result is None:
            self.counting.say("warn", self.tr("请先与账面比对"))
            return

        def confirm() -> str:
            return self.svc.confirm_count(result, supervisor=self._supervisor((user, secret)), operator=self.operator,
                                          operator_name=self.operator_name)

        def done(doc_no: str) -> None:
            self.count_codes.clear()
            self.counting.list.clear()
            self.counting.supervisor.clear()
            self._last_count = None
            self.counting.say("ok", self.tr("盘点已确认，单据 ") + doc_no)

        self._run(self.counting, confirm, done=done)

    # ---- 报表 ----------------------------------------------------------------------------------------------------
    def _on_hand(self) -> None:
        self._run(self.reports, stock_reports.on_hand_rows, self.svc,
                  done=lambda rows: self.reports.show_table(list(stock_reports.HEAD_ON_HAND), rows))

    def _near(self) -> None:
        self._run(self.reports, stock_reports.near_expiry_rows, self.svc,
                  done=lambda rows: self.reports.show_table(list(stock_reports.HEAD_ON_HAND), rows))

    def _export(self, since: str, until: str, fmt: str) -> None:
        def export() -> Path:
            try:
                a, b = dt.date.fromisoformat(since), dt.date.fromisoformat(until)
            except ValueError:
                raise StockError("请输入起止日期，如 2026-12-01", "dates as YYYY-MM-DD") from None
            return stock_reports.movement_ledger(self.svc, a, b, self.export_dir / f"进销存台账_{a}_{b}.{fmt}")

        self._run(self.reports, export, done=lambda p: self.reports.say("ok", self.tr("已导出：") + str(p)))

    def _reconcile(self) -> None:
        def done(result) -> None:
            diffs, totals = result
            self.reports.show_table(["批次号", "药品", "本地在库盒数", "中心库存", "本地数量（最小单位）", "中心数量", "说明"],
                                    [[d.bchno, d.drug_key, d.local_boxes, d.centre_qty, d.local_units, d.centre_units,
                                      d.note] for d in diffs])
            level = "ok" if not diffs else "warn"
            self.reports.say(level, self.tr("对账完成：差异 %1 个批次；中心销售上传 %2 笔").replace("%1", str(len(diffs)))
                             .replace("%2", str(totals["centre_sale_uploads"])))

        def reconcile():
            try:
                return stock_reports.reconcile(self.svc.t, operator=self.operator)
            except stock_reports.ReconcileError as exc:
                raise StockError(exc.zh, exc.en) from None

        self._run(self.reports, reconcile, done=done)


__all__ = ["StockWindow"]
