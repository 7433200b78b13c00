"""What the kiosk does for a person, as mixins of KioskWindow (desktop.kiosk.window keeps layout, navigation,
lifecycle and the privacy wipe):

    IdentifyFlow     the QR (camera or keyboard-wedge scan head) and the card reader -> the menu
    TaskFlow         the menu's tiles: lists, pay, applications with the photo of a diagnosis
    PrintFlow        the statement: period, receipt printer or A4
    SupervisorFlow   five taps in the corner, the code, the admin menu

They use the window's attributes (service, config, devices, pages, runner, card, generation …) and its
navigation (go, back, finish, _call, _message).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from core.services import kiosk_care
from core.services.kiosk import KioskError, KioskOffline, lb_apply_options
from core.services.ports import PatientCard
from desktop.common.i18n import text
from desktop.common.photo import jpeg_bytes
from desktop.kiosk.statement_print import print_a4, statement_receipt, write_a4_pdf

log = logging.getLogger("onewindow.gui.kiosk")

CORNER_TAPS = 5
CORNER_WINDOW_S = 4.0


def _read_card(reader) -> tuple[str, Any]:
    from hardware.cards import CardReaderError

    try:
        return "card", reader.read(timeout_s=0.3)
    except CardReaderError as exc:
        return "error", exc


class IdentifyFlow:
    """The QR from the camera or a keyboard-wedge scan head (both arrive through the window's ScanRoute),
    or the ID/social security card on the reader: identify, then the menu."""

    def on_scan(self, text_: str, _at: float = 0.0) -> None:
        if self.card is not None or self.identifying or self.page not in ("home", "scan", "card"):
            return
        self.identifying = True
        if self.page == "scan":
            self.pages["scan"].guide.found = True
            self.pages["scan"].status.setText("已识别二维码，正在查询……")
        self._call(self.service.identify, text_, done=self._identified)

    def _identified(self, card: PatientCard) -> None:
        self.identifying = False
        self.card = card
        self.pages["menu"].show_card(card)
        self.history.clear()
        self.go("menu", push=False)
        self._call(kiosk_care.desk_messages, self.service, card, busy=False,
                   done=lambda messages: (self.pages["menu"].show_reminders(messages), self.reminded.emit(len(messages))))

    def _start_camera(self, page) -> None:
        if page.name == "scan":
            page.clear()
        if self.devices.camera_source is None or self.camera is not None:
            return
        from hardware.camera.worker import CameraWorker

        source = self.devices.camera_source()
        if source is None:
            return
        self.camera = CameraWorker(source, device="camera", parent=self)
        self.camera.scanned.connect(self.route.submit_event)
        if page.preview is not None:
            self.camera.frame_ready.connect(page.preview.show_frame)
            if page.name == "scan":  # the guide appears with the first picture
                self.camera.frame_ready.connect(lambda _f: page.guide.update())
        if page.name == "scan":
            self.camera.error.connect(lambda _m: page.status.setText("摄像头故障，请改用读卡器或到窗口办理"))
        self.camera.start()

    def _stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera.deleteLater()
            self.camera = None

    def _poll_card(self) -> None:
        reader = self.devices.card_reader
        if reader is None:
            self.pages["card"].status.setText("读卡器未连接，请改用电子凭证或到窗口办理")
            return
        if self._reading or self.identifying:
            return
        self._reading = True
        gen = self.generation
        self.runner.run(_read_card, reader, lane="local", done=lambda r: self._card_read(r, gen),
                        failed=lambda f: setattr(self, "_reading", False))

    def _card_read(self, result: tuple[str, Any], gen: int) -> None:
        self._reading = False
        if gen != self.generation or self.page != "card":
            return
        kind, value = result
        if kind == "error":
            self.pages["card"].status.setText(f"读卡失败：{value.zh}，请重新放卡")
            return
        if value is None or self.identifying:
            return
        self.identifying = True
        self.card_timer.stop()
        self._call(self.service.identify_card, value, done=self._identified)


class TaskFlow:
    """The menu's tiles; the 两病 application with the photo of a diagnosis."""

    def on_tile(self, key: str) -> None:
        card = self.card
        if card is None:
            self.go("home", push=False)
            return
        p = self.pages
        if key == "finish":
            self.finish("finish")
        elif key == "registrations":
            p["registrations"].show_registrations(card)
            self.go("registrations")
        elif key == "quota":
            p["quota"].show_quota(card)
            self.go("quota")
        elif key == "refills":
            p["refills"].show_refills(card, self.today())
            self.go("refills")
        elif key == "history":
            until = self.today()
            since = until - dt.timedelta(days=365)
            self._call(self.service.history, card, since, until,
                       done=lambda rows: (p["history"].show_history(rows, since, until), self.go("history", push=False)))
        elif key == "statement":
            p["statement"].set_period(self.span)
            self.go("statement")
        elif key == "pay":
            self._call(lambda: (self.service.prescriptions(card), self.service.capabilities()), done=self._show_pay)
        elif key == "application":
            self._call(self._applications, card, done=self._show_applications)
        elif key == "care":
            self._call(kiosk_care.care_view, self.service, card,
                       done=lambda view: (p["care"].show_lifestyle(view), self.go("care", push=False)))

    def _show_pay(self, value) -> None:
        rows, caps = value
        note = "" if caps.pay_own_share else (
            f"本机暂不支持缴费。请持处方到定点药店取药时缴纳个人自付部分，或到 {self.config.window_no} 号窗口缴费。")
        self.pages["pay"].show_prescriptions(rows, note)
        self.go("pay", push=False)

    def _applications(self, card: PatientCard):
        try:
            rows = self.service.applications(card)
        except KioskOffline:
            raise
        except KioskError as exc:
            return [], text(exc.message), ()
        return rows, "", lb_apply_options(card, rows, self.service.capabilities())

    def _show_applications(self, value) -> None:
        rows, note, options = value  # options: core.services.kiosk.lb_apply_options decides
        page = self.pages["application"]
        if not rows and not note:
            note = "没有查到您的登记申请。"
        page.show_applications(rows, note)
        for code, b in page.apply_buttons.items():
            b.setVisible(code in options)
        page.offer(bool(options))
        self.go("application", push=False)

    def on_apply(self, disease: str) -> None:
        if self.card is None:
            return
        self.apply_disease = disease
        self.photo = None
        page = self.pages["photo"]
        page.clear()
        page.disease.setText({"HTN": "申请：两病 · 高血压", "DM": "申请：两病 · 糖尿病"}[disease])
        self.go("photo")

    def take_photo(self) -> None:
        page = self.pages["photo"]
        frame = getattr(page.preview, "_frame", None) if page.preview is not None else None
        if frame is None or frame.image.isNull():
            page.steps.setText("摄像头还没有画面，请稍候再拍")
            return
        self.photo = frame.image.copy()
        self._stop_camera()
        page.show_still(self.photo)

    def retake_photo(self) -> None:
        self.photo = None
        page = self.pages["photo"]
        page.show_live()
        self._start_camera(page)

    def submit_application(self) -> None:
        if self.card is None or self.photo is None:
            return
        jpeg = jpeg_bytes(self.photo)
        self.photo = None
        self._call(self.service.start_application, self.card, self.apply_disease, jpeg, done=self._applied)

    def _applied(self, view) -> None:
        self.pages["photo"].clear()
        self._message("✔", "申请已登记", f"申请号 {view.application_no}（{view.status_name}）。\n请带上诊断证明原件到 "
                      f"{self.config.window_no} 号窗口，补充诊断医师信息后提交审核。", "返回菜单", "menu")


class PrintFlow:
    """The statement: a preset or keypad period, then the receipt printer or A4 (PDF, printer)."""

    def on_period(self, key: str) -> None:
        if key == "custom":
            self.pages["period"].clear()
            self.go("period")
            return
        _, since, until = self.presets[int(key)]
        self.span = (since, until)
        self.pages["statement"].set_period(self.span)

    def _custom_period(self, span) -> None:
        self.span = span
        self.pages["statement"].set_period(span)
        self.go("statement", push=False)
        if self.history and self.history[-1] == "statement":
            self.history.pop()

    def on_print(self, kind: str) -> None:
        if self.card is None or self.span is None:
            return
        since, until = self.span
        self._call(self.service.statement, self.card, since, until, done=lambda st: self._print(st, kind))

    def _print(self, st, kind: str) -> None:
        self.voice.say("printing")
        if kind == "receipt":
            job = self.devices.print_queue.submit(statement_receipt(st), device="receipt")
            self.print_job = job.id
            self._message("…", "正在打印", f"共 {st.count} 笔结算，请稍候……", None)
            return
        path = write_a4_pdf(st, self.config.statement_folder())
        self.last_pdf = path
        if self.config.a4_printer:
            try:
                print_a4(st, self.config.a4_printer)
            except OSError as exc:
                log.info("A4 statement not printed: %s", exc)
                self._message("⚠", "打印机暂不可用", f"请到 {self.config.window_no} 号窗口打印结算清单", "返回", "menu")
                return
        self._printed(st.count)

    def _printed(self, count: int | None = None) -> None:
        self.voice.say("printed")
        body = "请取走您的结算清单。" + (f"（共 {count} 笔）" if count is not None else "")
        self._message("✔", "打印完成", body, "返回菜单", "menu")

    def _print_done(self, job) -> None:
        if job.id == self.print_job:
            self.print_job = None
            self._printed()

    def _print_failed(self, job) -> None:
        if job.id == self.print_job:
            self.print_job = None
            self._message("⚠", "打印失败", f"打印机缺纸或故障，请到 {self.config.window_no} 号窗口打印", "返回菜单", "menu")


class SupervisorFlow:
    """Five taps on the corner within CORNER_WINDOW_S, then the code (checked off the UI thread)."""

    def _corner_tap(self) -> None:
        now = time.monotonic()
        self._corner_taps = [t for t in self._corner_taps if now - t < CORNER_WINDOW_S] + [now]
        if len(self._corner_taps) >= CORNER_TAPS:
            self._corner_taps.clear()
            self.finish("supervisor")
            self.pages["supervisor"].clear()
            self.go("supervisor", push=False)

    def _check_code(self, code: str) -> None:
        page = self.pages["supervisor"]
        gen = self.generation
        self.runner.run(self.gate.check, code, lane="local",
                        done=lambda refusal: self._code_checked(refusal, gen), failed=lambda f: None)
        page.error.setText("正在验证……")

    def _code_checked(self, refusal, gen: int) -> None:
        if gen != self.generation or self.page != "supervisor":
            return
        if refusal is not None:
            self.pages["supervisor"].error.setText(text(refusal))
            return
        self.pages["supervisor"].clear()
        self.go("admin", push=False)


__all__ = ["IdentifyFlow", "PrintFlow", "SupervisorFlow", "TaskFlow", "jpeg_bytes"]
