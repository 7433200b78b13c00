"""The counter's side of the chronic-care loop: family-doctor contracts, follow-up visits, a person's timeline
(server/transactions/care.py), desk messages and opt-out (care_notify.py), the lifestyle library (care_rx.py).

A visit is checked here first with the centre's own rules (core.care.visits), so the clerk hears about a typing
error at once and in the same words; the centre checks again. Every failure is a DeskError with a bilingual
message; nothing here touches Qt.

    care = CareService(counter_service.call)
    care.sign("T0001", team="车站路团队", doctor_code="D1", doctor_name="何燕", day=date, tel="138…")
    out = care.record_visit("T0001", {"visit_date": "2026-03-02", "sbp": "138", …})   # -> {"visit", "schedule"}
    tl = care.timeline("T0001")                                                         # -> events, trend, schedule
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from core.care.visits import VisitError, validate_visit
from core.domain.clock import today_cst
from core.i18n import Message
from core.services.ports import DeskError


def _msg(key: str, zh: str, en: str) -> Message:
    return Message(f"care.{key}", zh, en)


@dataclass
class CareService:
    call: Callable[[str, dict], dict]
    clock: Callable[[], dt.date] = today_cst

    def sign(self, psn_no: str, *, team: str, doctor_code: str, doctor_name: str, day: dt.date, tel: str = "",
             addr: str = "") -> dict:
        missing = [zh for zh, v in (("团队", team), ("医生编码", doctor_code), ("医生姓名", doctor_name)) if not v.strip()]
        if missing:
            raise DeskError(_msg("sign.missing", f"请填写{'、'.join(missing)}", "team, doctor code and name are required"))
        return self.call("2560", {"data": {"psn_no": psn_no, "team": team.strip(), "doctor_code": doctor_code.strip(),
                                           "doctor_name": doctor_name.strip(), "sign_date": day.isoformat(),
                                           "tel": tel.strip(), "addr": addr.strip()}})["contract"]

    def end(self, psn_no: str, *, day: dt.date, reason: str) -> dict:
        if not reason.strip():
            raise DeskError(_msg("end.reason", "请填写解约原因", "give the reason for ending the contract"))
        return self.call("2561", {"data": {"psn_no": psn_no, "end_date": day.isoformat(), "reason": reason.strip()}})["contract"]

    def record_visit(self, psn_no: str, values: dict) -> dict:
        try:
            validate_visit(values, self.clock())
        except VisitError as exc:
            raise DeskError(_msg(f"visit.{exc.field}", exc.zh, exc.en)) from None
        return self.call("2562", {"data": {**values, "psn_no": psn_no}})

    def timeline(self, psn_no: str) -> dict:
        return self.call("2563", {"data": {"psn_no": psn_no}})

    def desk_messages(self, psn_no: str) -> list[dict]:
        return self.call("2592", {"data": {"psn_no": psn_no}})["messages"]

    def opt_out(self, psn_no: str, channel: str = "all", optout: bool = True) -> list[str]:
        return self.call("2591", {"data": {"psn_no": psn_no, "channel": channel, "optout": optout}})["opted_out"]

    def library(self) -> dict:
        return self.call("2585", {"data": {}})


__all__ = ["CareService"]
