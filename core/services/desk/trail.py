"""审方 → 调配 → 核对 → 发药 at the desk (issue 19, seed 003): the four steps of one sale with who did each, their
licence numbers from the staff profile (desk_staff_licence), in the shop's mode (settings dispensing.pharmacists
single/strict, dispensing.check scan/confirm); the rules are core.rx.trail's.

    desk.set_licence("li", "YS4207001")                 # the staff profile
    trail = desk.trail_start(sale, view)                # after the pre-settlement: the verdict and hints it showed
    desk.trail_step(sale, "review", "li"); desk.trail_step(sale, "dispense", "wang")
    desk.trail_scan(sale, code) / desk.trail_confirm(sale, 1)
    desk.trail_step(sale, "check", "zhao")
    record = desk.settle(...)                           # with dispensing.trail_required: refused before the check
    desk.trail_step(sale, "hand_out", "wang", receipt_no=record.receipt_no)
    desk.trail_of(record.receipt_no)                    # the record's trail (receipt lines, 3505/7206 fields)

At settlement the trail's pharmacists go into the 7206 (phar_name, phar_chk_name, phar_prac_cert_no …) and the
trail is stored under the receipt number.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from core.domain.clock import now_cst
from core.i18n import message
from core.rx.trail import Staff, Trail, TrailError, TrailLine
from core.services.desk.base import DeskBase
from core.services.pharmacy_sale import Sale
from core.services.ports import AuditView, DeskError
from core.settings.options import default_of
from core.store import desk as t
from core.store.rx_cache import ensure_rx_cache, rx_trail, staff_licence


class DispensingTrail(DeskBase):
    def _rx_tables(self) -> None:
        ensure_rx_cache(self.wengine)  # CREATE on the store's one writer (core.store.lane)

    trail_mode: str = str(default_of("dispensing.pharmacists", "pharmacy"))
    trail_check: str = str(default_of("dispensing.check", "pharmacy"))
    trail_required: bool = bool(default_of("dispensing.trail_required", "pharmacy"))  # settle only after the check

    def _trails(self) -> dict[str, Trail]:
        if not hasattr(self, "_trail_by_sale"):
            self._trail_by_sale: dict[str, Trail] = {}
        return self._trail_by_sale

    # ---- the staff profile --------------------------------------------------------------------------------
    def set_licence(self, user_id: str, licence: str) -> None:
        self._rx_tables()
        with self.wengine.begin() as conn:
            conn.execute(staff_licence.delete().where(staff_licence.c.user_id == user_id))
            if licence.strip():
                conn.execute(staff_licence.insert().values(user_id=user_id, licence=licence.strip()))

    def _staff(self, user_id: str) -> Staff:
        self._rx_tables()
        with self.engine.connect() as conn:
            name = conn.execute(select(t.user.c.name).where(t.user.c.user_id == user_id)).scalar()
            licence = conn.execute(select(staff_licence.c.licence).where(staff_licence.c.user_id == user_id)).scalar()
        if name is None:
            raise DeskError(message("desk.trail.refused", reason=f"没有用户 {user_id}", reason_en=f"no user {user_id}"))
        return Staff(user_id, name, licence or "")

    # ---- the steps ----------------------------------------------------------------------------------------
    def trail_start(self, sale: Sale, view: AuditView | None) -> Trail:
        lines = tuple(TrailLine(l.no, l.drug.name, tuple(l.codes)) for l in sale.lines)
        hints = tuple(f"{h.rule} {h.message.zh}" for h in (view.hits if view else ()) if h.severity != "INFO")
        try:
            trail = Trail.start(lines, mode=self.trail_mode, check=self.trail_check,
                                verdict=view.verdict if view else "PASS", hints=hints)
        except TrailError as exc:
            raise DeskError(message("desk.trail.refused", reason=exc.zh, reason_en=exc.en)) from None
        self._trails()[sale.sale_id] = trail
        return trail

    def trail(self, sale: Sale) -> Trail:
        found = self._trails().get(sale.sale_id)
        if found is None:
            raise DeskError(message("desk.trail.refused", reason="请先审方", reason_en="review first"))
        return found

    def trail_step(self, sale: Sale, step: str, user_id: str, *, receipt_no: str = "") -> Trail:
        trail, who, now = self.trail(sale), self._staff(user_id), now_cst().replace(tzinfo=None)  # CST, as printed
        try:
            {"review": trail.review, "dispense": trail.dispense, "check": trail.check,
             "hand_out": trail.hand_out}[step](who, now)
        except (TrailError, KeyError) as exc:
            zh, en = (exc.zh, exc.en) if isinstance(exc, TrailError) else (f"没有步骤 {step}", f"no step {step}")
            raise DeskError(message("desk.trail.refused", reason=zh, reason_en=en)) from None
        if receipt_no:
            self._keep_trail(receipt_no, sale.rx_id, trail)
        return trail

    def trail_scan(self, sale: Sale, code: str) -> bool:
        return self.trail(sale).scan_box(code)

    def trail_confirm(self, sale: Sale, line: int) -> None:
        try:
            self.trail(sale).confirm_line(line)
        except TrailError as exc:
            raise DeskError(message("desk.trail.refused", reason=exc.zh, reason_en=exc.en)) from None

    # ---- at settlement, and after -------------------------------------------------------------------------
    def _trail_before_settle(self, sale: Sale) -> Trail | None:
        trail = self._trails().get(sale.sale_id)
        if self.trail_required and (trail is None or trail.next_step not in ("hand_out", None)):
            want = "审方、调配、核对" if trail is None else (trail.next_step or "")
            raise DeskError(message("desk.trail.refused", reason=f"结算前须完成审方→调配→核对（待：{want}）",
                                    reason_en="review, dispensing and check come before settling"))
        return trail

    def _dispensed_by(self, sale: Sale) -> dict:
        trail = self._trails().get(sale.sale_id)
        if trail is None or trail.by("review") is None:
            return super()._dispensed_by(sale)  # type: ignore[misc]
        return {k: v for k, v in trail.upload_fields().items() if v}

    def _trail_after_settle(self, sale: Sale, receipt_no: str, trail: Trail | None) -> None:
        if trail is not None:
            self._keep_trail(receipt_no, sale.rx_id, trail)

    def _keep_trail(self, receipt_no: str, rx_id: str, trail: Trail) -> None:
        self._rx_tables()
        body = json.dumps({"lines": [[l.line, l.drug_name, list(l.codes)] for l in trail.lines], **trail.to_dict()},
                          ensure_ascii=False)
        with self.wengine.begin() as conn:
            conn.execute(rx_trail.delete().where(rx_trail.c.receipt_no == receipt_no))
            conn.execute(rx_trail.insert().values(receipt_no=receipt_no, rx_id=rx_id or "", body=body))

    def trail_of(self, receipt_no: str) -> Trail | None:
        self._rx_tables()
        with self.engine.connect() as conn:
            body = conn.execute(select(rx_trail.c.body).where(rx_trail.c.receipt_no == receipt_no)).scalar()
        if body is None:
            return None
        data = json.loads(body)
        return Trail.from_dict(data, tuple(TrailLine(n, name, tuple(codes)) for n, name, codes in data["lines"]))
