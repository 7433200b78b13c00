"""The kiosk's part of the chronic-care loop: the person's lifestyle prescription (2586) shown on its own screen
and, in short form, printed on the statement; the reminders waiting for them (2592), said once after they
identify. Both are extras: a centre without them (unknown infno), or one that cannot be reached, leaves the
kiosk's main tasks as they were — nothing here raises for that.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.care.lifestyle import short_lines

log = logging.getLogger("onewindow.kiosk")


@dataclass(frozen=True)
class CareView:
    lifestyle: dict | None  # core.care.lifestyle.attach's shape, or None
    issued_by: str = ""
    issued_at: str = ""
    doctor: str = ""


def _call(svc, use: str, psn_no: str) -> dict | None:
    from core.services.kiosk import KioskError, KioskRefused

    infno = svc.infno(use)
    if not infno:
        return None
    try:
        return svc.link.call(infno, {"data": {"psn_no": psn_no}})
    except KioskRefused as exc:
        log.info("kiosk: %s (%s) refused: %s", use, infno, exc.err_msg)
        return None
    except KioskError:
        return None


def care_view(svc, card) -> CareView:
    out = _call(svc, "care", card.person.person_no) or {}
    return CareView(out.get("lifestyle"), str(out.get("fixmedins_name") or ""), str(out.get("prsc_time") or "")[:10],
                    str(out.get("prsc_dr_name") or ""))


def statement_lifestyle(svc, card) -> tuple[str, ...]:
    return short_lines(care_view(svc, card).lifestyle)


def desk_messages(svc, card) -> list[str]:
    out = _call(svc, "desk_messages", card.person.person_no) or {}
    return [str(m.get("message", "")) for m in out.get("messages") or []]


__all__ = ["CareView", "care_view", "desk_messages", "statement_lifestyle"]
