"""Receipts of the pharmacy desk: the PDF always, the receipt printer when configured (its jobs reported
on the screen that printed), Ctrl+R to print again after a printer failure, Ctrl+P reprint (a copy).

A mixin of PharmacyWindow (desktop.pharmacy.window): it uses the window's state, screens, runner and
services as its own attributes; its labels are translated under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from core.services.desk.drawer import kick_due
from core.services.ports import SaleRecord
from core.services.receipts import build_receipt
from desktop.common.i18n import text

log = logging.getLogger("onewindow.gui.pharmacy")
_CJK = re.compile(r"[\u3400-\u9fff][^()（）/]*")


def chinese_part(detail: str) -> str:
    """What the pharmacist reads of a printer's or the print settings' complaint: its Chinese part ("缺纸 /
    out of paper" → "缺纸", "interrupted (程序中断)" → "程序中断"); an English-only one from the operating system
    becomes a plain "打印机无响应或未连接" (the detail stays in the print queue's log)."""
    found = _CJK.search(detail or "")
    return found.group(0).strip() if found else "打印机无响应或未连接"


class PrintFlow:
    def _receipt(self, record: SaleRecord, copy_no: int):
        op = self.state.operator
        return build_receipt(record, pharmacy=self.config.institution_name, institution=self.config.institution,
                             terminal=self.config.terminal, operator=op.name if op else "-", copy_no=copy_no)

    def _print(self, record: SaleRecord, copy_no: int, *, where: str = "done", fresh: bool = True) -> Path:
        """The receipt as a PDF (returned: the record of what was handed over) and, when the terminal has a
        receipt printer, on paper through the print queue: this returns at once, whatever the printer does.
        `where` is the screen that reports the job ("done" or "returns"); `fresh` starts its report anew."""
        content = self._receipt(record, copy_no)
        if kick_due(record, copy_no):  # first, on the same printer lane: the drawer opens as the receipt starts
            self.kick_drawer()
        # the drawer is a job of its own: a receipt printed again after a failure (Ctrl+R) never reopens it
        out = self.printing.print(content)
        self.state.receipt_path = str(out.path)
        if fresh:
            self._print_jobs[where] = []
        if out.job is not None:
            self._jobs[out.job.id] = out.job
            self._print_jobs[where].append(out.job.id)
        self._show_print(where)
        return out.path

    # ---- the cash drawer (ESC p through the receipt printer; core.services.desk.drawer says when) ----
    def kick_drawer(self) -> bool:
        """Open the drawer; False when the terminal has none. A failure is logged and said on the status line,
        never in the way of the sale (the cashier opens the drawer with its key)."""
        job = self.printing.open_drawer()
        if job is None:
            return False
        self._drawer_jobs.add(job.id)
        return True

    def open_drawer_key(self) -> None:
        """F11: the drawer opened without a sale, by a supervisor (asked for when the operator is not one; logged)."""
        op = self.state.operator

        def granted(approver) -> None:  # noqa: ANN001
            if not self.printing.has_drawer:
                self.status_line.show_notice("warn", self.tr("未配置钱箱（设置：打印机 · 钱箱）"))
                return
            self.runner.run(self.auth.log, "drawer.open", op.user_id if op else None, approver=approver, ref="drawer",
                            lane="local", failed=self.ignore_failure)  # the UI thread never writes the store
            self.kick_drawer()
            self.status_line.show_notice("", self.tr("已发送开钱箱指令"))

        self._need("drawer.open", granted, ref="drawer")

    def _drawer_job_changed(self, job) -> None:
        if job.state == "failed":
            self._drawer_jobs.discard(job.id)
            log.warning("cash drawer kick %s failed: %s", job.id, job.error)
            self.status_line.show_notice("bad", self.tr("钱箱未能打开：{0}。结算不受影响，请用钥匙开箱")
                                         .replace("{0}", chinese_part(job.error)))
            self.printing.discard(job.id)  # not retried: a late kick would open the drawer with nobody paying
        elif job.state == "done":
            self._drawer_jobs.discard(job.id)

    def _print_job_changed(self, job) -> None:
        if job.id in self._drawer_jobs:
            self._drawer_job_changed(job)
            return
        self._jobs[job.id] = job
        for where, ids in self._print_jobs.items():
            if job.id in ids:
                self._show_print(where)

    def _show_print(self, where: str) -> None:
        """What became of the receipt on paper, on the screen that printed it."""
        screen = self.done if where == "done" else self.returns
        jobs = [self._jobs[i] for i in self._print_jobs.get(where, []) if i in self._jobs]
        if not jobs:
            if not self.state.receipt_path:
                screen.show_printer("", "")
            elif self.printing.problem:
                screen.show_printer("warn", self.tr("小票打印机设置有误，小票只保存为 PDF：{0}")
                                    .replace("{0}", chinese_part(self.printing.problem)))
            elif where == "done" and not self.printing.configured:
                screen.show_printer("", self.tr("未配置小票打印机：小票已保存为 PDF"))
            else:
                screen.show_printer("", "")
            return
        failed = [j for j in jobs if j.state == "failed"]
        if failed:
            job = failed[0]
            again = self.tr("（可能已打出一部分，重打的小票标为副本）") if job.maybe_printed else ""
            screen.show_printer("bad", self.tr("小票打印失败：{0}{1}。结算不受影响，小票已保存为 PDF；打印任务留在队列中，"
                                               "排除故障（缺纸、断线）后按 Ctrl+R 重新打印。")
                                .replace("{0}", chinese_part(job.error)).replace("{1}", again))
        elif any(j.state in ("queued", "printing") for j in jobs):
            screen.show_printer("", self.tr("正在打印小票…"))
        else:
            screen.show_printer("ok", self.tr("小票已打印"))

    def retry_print(self) -> None:
        """Ctrl+R: the failed print jobs of the screen shown go back in the queue (after paper or cable is fixed)."""
        where = self.page()
        if where not in self._print_jobs:
            return
        retried = 0
        for job_id in self._print_jobs[where]:
            job = self._jobs.get(job_id)
            if job is not None and job.state == "failed":
                self._jobs[job_id] = self.printing.retry(job_id)
                retried += 1
        if retried:
            self._show_print(where)

    def reprint(self) -> None:
        record = self.state.record
        if record is None or self.page() not in ("done", "returns"):
            return
        where = self.page()

        def counted(prints: int) -> None:
            copy_no = prints - 1
            path = self._print(record, copy_no=copy_no, where=where)
            self.done.show_receipt("warn", self.tr("已重打（副本）"), self._receipt(record, copy_no).text_lines(36),
                                   str(path))
            self.done.setFocus()

        def allowed(approver):  # the copy is counted on the worker (the UI thread never writes the store)
            self.runner.run(self.desk.mark_printed, record.msgid, reprint=True, approver=approver, lane="local",
                            done=counted, failed=lambda f: self.done.show_printer("bad", text(f.message)))

        self._need("receipt.reprint", allowed, ref=record.receipt_no)
