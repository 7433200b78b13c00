"""The patient's e-prescriptions (7202), a pickup code (7203), and a prescription opened as a desk Sale (7201)."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from core.care.lifestyle import short_lines
from core.domain import Drug, Sig
from core.domain.clock import today_cst
from core.i18n import message
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.desk.ordinary import scheme_for
from core.services.desk.base import MED_TYPE_SCHEME, SCHEME_MED_TYPE, DeskBase
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import DeskError, PatientCard, RxSummary
from core.store.catalogue import get_drugs

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def dose_text(drug: Drug, dose: Any, frequency: Any = "", route: Any = "") -> str:
    """用法用量 as the pharmacist reads it: a bare number is a dose in the drug's strength unit, so it gets
    the unit ("5" → "5 mg 每日1次"; "5mg" stays as written)."""
    amount = str(dose or "").strip()
    if amount and _NUMBER.fullmatch(amount):
        unit = drug.strength_unit or drug.unit
        amount = f"{amount} {unit}" if unit else amount
    return " ".join(x for x in (amount, str(frequency or "").strip(), str(route or "").strip()) if x)


class Prescriptions(DeskBase):
    def prescriptions(self, card: PatientCard) -> list[RxSummary]:
        link = self._need_link()
        try:
            rows = link.call(self._infno("prescriptions"), {"data": {"psn_no": card.person.person_no}}).get("data", [])
        except CentreUnreachable:
            raise DeskError(message("desk.audit.offline")) from None
        return [self._rx(r) for r in rows if r.get("rx_stas") == "uploaded"]

    @staticmethod
    def _rx(r: dict, *, cached: bool = False) -> RxSummary:
        drugs = r.get("drugs") or r.get("rxdrugdetail") or []
        return RxSummary(r["hi_rxno"], r.get("rx_trace_code", ""), r.get("fixmedins_code", ""),
                         str(r.get("prsc_time") or ""), str(r.get("valid_end_date") or ""), r.get("rx_stas", ""),
                         r.get("psn_no", ""), doctor=str(r.get("prsc_dr_name") or ""),
                         issuer_name=str(r.get("fixmedins_name") or ""), rx_date=str(r.get("rx_date") or ""),
                         drugs=tuple(" ".join(x for x in (str(d.get("drug_name") or d.get("medins_list_codg") or ""),
                                                         f"×{d.get('cnt')}盒", f"{d.get('prd_days')}天",
                                                         str(d.get("sin_dos_dscr") or ""),
                                                         str(d.get("used_frqu_dscr") or "")) if x)
                                     for d in drugs), cached=cached)

    def find_pickup(self, card: PatientCard, code: str) -> RxSummary:
        link = self._need_link()
        code = code.strip()
        try:
            r = link.call(self._infno("rx_by_code"), {"data": {"rx_trace_code": code}})["data"]
        except CentreRefused:
            raise DeskError(message("desk.rx.not_found", code=code)) from None
        except CentreUnreachable:
            raise DeskError(message("desk.audit.offline")) from None
        if r.get("psn_no") != card.person.person_no:
            raise DeskError(message("desk.rx.other_person", code=code))
        if r.get("rx_stas") != "uploaded":
            raise DeskError(message("desk.rx.not_open", rx=r["hi_rxno"], status=r.get("rx_stas")))
        return self._rx(r)

    def _download(self, rx_id: str) -> dict:
        """The prescription (7203); core.services.desk.rx_offline checks its signature and caches it."""
        link = self._need_link()
        try:
            return link.call(self._infno("rx_detail"), {"data": {"hi_rxno": rx_id}})
        except CentreUnreachable:
            raise DeskError(message("desk.audit.offline")) from None
        except CentreRefused as exc:
            raise DeskError(message("desk.audit.centre_refused", detail=exc.err_msg)) from None

    def open_sale(self, card: PatientCard, rx_id: str) -> Sale:
        return self.sale_from(card, rx_id, self._download(rx_id))

    def sale_from(self, card: PatientCard, rx_id: str, out: dict) -> Sale:
        """A downloaded (7203) prescription as a desk Sale."""
        info, details = out["rxinfo"], out["rxdrugdetail"]
        if info.get("rx_stas") not in ("uploaded", None):
            raise DeskError(message("desk.rx.not_open", rx=rx_id, status=info.get("rx_stas")))
        keys = [d["medins_list_codg"] for d in details]
        with self.Session() as s:
            drugs = get_drugs(s, keys)
        missing = [k for k in keys if k not in drugs]
        if missing:
            try:
                self.sync_catalogue()
            except (CentreUnreachable, CentreRefused):
                pass  # a drug still missing after this is refused below, by name
            with self.Session() as s:
                drugs = get_drugs(s, keys)
        lines = []
        for no, d in enumerate(details, start=1):
            drug = drugs.get(d["medins_list_codg"])
            if drug is None:
                raise DeskError(message("desk.rx.unknown_drug", drug=d.get("drug_name") or d["medins_list_codg"]))
            ext = d.get("expContent") or {}
            split = bool(ext.get("split")) or str(d.get("trdn_flag", "0")) == "1"
            sig = None
            if ext.get("dose") not in (None, "") and ext.get("times_per_day") not in (None, ""):
                sig = Sig(Decimal(str(ext["dose"])), Decimal(str(ext["times_per_day"])))
            dose = dose_text(drug, d.get("sin_dos_dscr"), d.get("used_frqu_dscr"), d.get("medc_way_dscr"))
            lines.append(SaleLine(no, drug, int(Decimal(str(d["cnt"]))), int(d["prd_days"]), dose, sig, split,
                                  med_list_codg=d.get("med_list_codg") or ""))
        med_type = str(info.get("med_type") or "")
        # 门诊统筹 (11) and other ordinary codes of the profile: an ordinary sale (core.services.desk.ordinary)
        scheme = scheme_for(self.profile, med_type, MED_TYPE_SCHEME.get(med_type) or self._default_scheme(card))
        diagnoses = tuple(info.get("diag_codes") or ([info["dise_codg"]] if info.get("dise_codg") else []))
        rx_date = dt.date.fromisoformat(str(info.get("prsc_time") or today_cst().isoformat())[:10])
        valid = info.get("valid_end_date")
        return Sale(
            sale_id=uuid.uuid4().hex[:12], person_no=card.person.person_no, person_name=card.person.name,
            scheme=scheme, med_type=med_type or SCHEME_MED_TYPE[scheme], diagnoses=diagnoses, rx_id=rx_id,
            rx_date=rx_date, rx_valid_until=dt.date.fromisoformat(valid) if valid else None,
            rx_kind=str(info.get("rx_type") or "ordinary"),
            long_rx_confirmed=str(info.get("rx_type") or "") in ("long", "continuous"),
            lines=tuple(lines), insurance_type=card.insurance_type, cert_type=card.cert_type, cert_no=card.cert_no,
            issuer=str(info.get("fixmedins_name") or info.get("fixmedins_code") or ""),
            doctor=str(info.get("prsc_dr_name") or ""),
            lifestyle=short_lines(out.get("lifestyle")),
        )

    @staticmethod
    def _default_scheme(card: PatientCard) -> str:
        active = [r for r in card.registrations if r.active]
        return "MT" if any(r.scheme == "MT" for r in active) else "LB"
