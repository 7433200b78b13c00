"""The counter window's 随访 page actions (a mixin of CounterWindow, kept apart so the window stays small):
sign/end a family-doctor contract, record a visit, load the timeline, and show a person's desk messages
(reminders queued for the desk channel) when they are identified."""
from __future__ import annotations

from core.services.care import CareService
from desktop.common.i18n import text


class CareActions:
    """Needs from the window: svc, person, runner, care (CareScreen), apply (its notice), done, _call, go, page."""

    care_svc: CareService

    def _wire_care(self) -> None:
        self.care_svc = CareService(self.svc.call, clock=self.today)
        self.care.sign_requested.connect(self.sign_contract)
        self.care.end_requested.connect(self.end_contract)
        self.care.visit_requested.connect(self.record_visit)
        self.care.refresh_requested.connect(self.load_timeline)

    def _need_person(self) -> bool:
        if self.person is None:
            self.care.notice.say(self.tr("请先在“办理”页识别参保人"), "warn")
            return False
        return True

    def load_timeline(self) -> None:
        if self.person is None:
            return
        self.care.show_person(self.person.name, self.person.psn_no)

        def done(tl: dict) -> None:
            self.care.show_timeline(tl)
            self.done.emit("timeline")

        psn_no = self.person.psn_no
        self._load(lambda: self.care_svc.timeline(psn_no), done, self.care.notice)  # leaves what was just said

    def sign_contract(self, req: dict) -> None:
        if not self._need_person():
            return

        def done(contract: dict) -> None:
            self.care.notice.say(self.tr("已签约：") + f"{contract['team']} {contract['doctor_name']}", "ok")
            self.done.emit("signed")
            self.load_timeline()

        self._call(self.care_svc.sign, self.person.psn_no, team=req["team"], doctor_code=req["doctor_code"],
                   doctor_name=req["doctor_name"], day=req["day"], tel=req.get("tel", ""), done=done,
                   notice=self.care.notice)

    def end_contract(self, reason: str) -> None:
        if not self._need_person():
            return

        def done(_contract: dict) -> None:
            self.care.notice.say(self.tr("已解约"), "ok")
            self.done.emit("ended")
            self.load_timeline()

        self._call(self.care_svc.end, self.person.psn_no, day=self.today(), reason=reason, done=done,
                   notice=self.care.notice)

    def record_visit(self, values: dict) -> None:
        if not self._need_person():
            return

        def done(out: dict) -> None:
            v, s = out["visit"], out["schedule"]
            self.care.notice.say(self.tr("随访已保存：") + f"{v['visit_date']}，今年第 {s['visits_this_year']} 次", "ok")
            self.care.clear_visit()
            self.done.emit("visit_recorded")
            self.load_timeline()

        self._call(self.care_svc.record_visit, self.person.psn_no, values, done=done, notice=self.care.notice)

    def show_desk_messages(self) -> None:
        """After identification: the reminders waiting for this person at the desk, said once."""
        if self.person is None:
            return

        def done(messages: list[dict]) -> None:
            if messages:
                self.apply.notice.say(self.tr("提醒：") + "；".join(m["message"] for m in messages), "warn")
            self.done.emit("messages")

        def failed(f) -> None:
            self.done.emit("messages")  # a centre without the care transactions: identification still stands

        self.runner.run(self.care_svc.desk_messages, self.person.psn_no, lane="remote", done=done, failed=failed)


__all__ = ["CareActions", "text"]
