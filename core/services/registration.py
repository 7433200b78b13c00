"""The counter's registration (备案) service: identify a person, start an application, attach evidence, route it
through review, approve it (2503) or cancel a registration (2504), and print its forms. The workflow itself
runs at the centre (server/transactions/registration.py); this is the client side, over the desk's CentreLink
(core.services.sync_link: the terminal's core.sync transport, signed envelopes).

    svc = CounterService(link, forms_dir=Path(...))
    person = svc.identify(scan_text)                      # 1101 + 5301 + 2514
    app = svc.start(person, "MT", [("M03900", "I10.x00", "原发性高血压")], tel=..., addr=...)
    svc.attach(app["app_no"], path_or_bytes, kind="record")
    app = svc.submit(app["app_no"])                       # MT: two experts drawn at random; LB: to the clerk
    app = svc.expert_opinion(app_no, expert, "approve", history, plan, password)  # the expert's own password
    result = svc.approve(app, "同意备案", "zhao", password)  # 2503 by a reviewer who is not an expert of it

Every failure is a DeskError with a bilingual message (the Runner shows it); nothing here touches Qt.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from core.domain.clock import today_cst
from core.codes import Kind, classify
from core.domain import Person
from core.domain.masking import mask_id
from core.i18n import Message
from core.services.centre_link import CentreAuthRejected, CentreRefused, CentreUnreachable
from core.services.forms import (
    ContinuousRx,
    RxLine,
    approval_form_from,
    write_approval_pdf,
    write_continuous_rx_pdf,
)
from core.services.forms.common import INSUTYPE_ZH, SEX_ZH, age_on
from core.services.ports import CentreLink, DeskError
from core.sync.config import DEFAULT_INFNO
from core.sync.transactions import TransactionFormatError, identified, parse_person, parse_registrations, person_input

PART_BYTES = 36 * 1024  # as server/transactions/registration.py: one 2511 part fits the 64 KB envelope
SCHEME_ZH = {"LB": "两病", "MT": "门诊慢特病"}
STATUS_ZH = {"active": "参保正常", "suspended": "暂停参保", "terminated": "终止参保"}  # Person.status as the counter shows it
LB_DISEASES = {"HTN": "高血压", "DM": "糖尿病"}
MT_DISEASES = {"M03900": "高血压病", "M01600": "糖尿病", "M04600": "冠心病", "M05300": "慢性阻塞性肺疾病"}


def _rows(answer: dict, regs) -> tuple[dict, ...]:
    """The 5301 rows for the counter's list, as the one decoder read them: its scheme (LB/MT, which a national
    answer does not send) and plain dates over each raw row (the row's other fields, e.g. trt_dcla_detl_sn, kept)."""
    raw = answer.get("feedetail") or []
    return tuple({**row, "scheme": reg.scheme.value, "begndate": reg.begin.isoformat(),
                  "enddate": reg.end.isoformat() if reg.end else None} for row, reg in zip(raw, regs, strict=True))


def _msg(key: str, zh: str, en: str) -> Message:
    return Message(f"counter.{key}", zh, en)


@dataclass(frozen=True)
class PersonView:
    psn_no: str
    name: str
    sex: str  # "1" / "2"
    birth: dt.date | None
    insutype: str
    certno: str  # the full ID number: kept in memory for the forms, never shown on screen
    status: str  # 参保状态 text
    death_date: str | None
    registrations: tuple[dict, ...] = ()  # the 5301 rows as sent (the counter cancels by their trt_dcla_detl_sn)
    applications: tuple[dict, ...] = ()
    person: Person | None = None  # the one decoder's Person (core.sync.transactions.identified), as desk and kiosk see it

    @property
    def masked(self) -> str:
        return mask_id(self.certno)

    @property
    def sex_name(self) -> str:
        return SEX_ZH.get(self.sex, "")

    @property
    def insutype_name(self) -> str:
        return INSUTYPE_ZH.get(self.insutype, self.insutype)

    def age(self, today: dt.date) -> str:
        return age_on(self.birth, today)


@dataclass
class Evidence:
    filename: str
    sha256: str
    size: int
    parts: int
    id: int | None = None


@dataclass
class CounterService:
    link: CentreLink | None
    forms_dir: Path = field(default_factory=lambda: Path.home() / ".onewindow" / "forms")
    institution_name: str = ""
    clock: Callable[[], dt.date] = today_cst

    # ---- the wire ------------------------------------------------------------------------------------------
    def call(self, infno: str, payload: dict) -> dict:
        if self.link is None:
            raise DeskError(_msg("not_configured", "未配置中心地址，不能办理（请在设置中填写中心地址和签名密钥）",
                                 "no centre configured: set the centre's address and signing secret"))
        try:
            return self.link.call(infno, payload)
        except CentreRefused as exc:
            raise DeskError(_msg("refused", f"中心拒绝（{infno}）：{exc.err_msg}", f"the centre refused {infno}: {exc.err_msg}")) from None
        except CentreAuthRejected:
            raise DeskError(_msg("auth_rejected", CentreAuthRejected.ZH, CentreAuthRejected.EN)) from None
        except CentreUnreachable as exc:
            raise DeskError(_msg("unreachable", f"连不上中心（{infno}），请稍后重试：{exc.detail}",
                                 f"the centre cannot be reached ({infno}); retry later: {exc.detail}")) from None

    def _infno(self, use: str) -> str:
        """Platform transactions by name, from the terminal's configuration, as at the desk."""
        t = getattr(self.link, "t", None)
        return (t.config.infno if t is not None else {}).get(use) or DEFAULT_INFNO[use]

    # ---- who -----------------------------------------------------------------------------------------------
    def identify(self, text: str) -> PersonView:
        r = classify(text)
        if r.kind is Kind.EVOUCHER:
            if not r.valid:
                raise DeskError(_msg("id.invalid", f"电子凭证无效：{r.error.zh}", f"invalid e-voucher: {r.error.en}"))
            data = self.call(self._infno("evoucher"), {"data": {"ecQrCode": r.text, "businessType": "02121", "orgId": ""}})["data"]
            cert_type, cert_no = "01", data["ecToken"]
        elif r.kind is Kind.ID_CARD:
            if not r.valid:
                raise DeskError(_msg("id.invalid", f"身份证号无效：{r.error.zh}", f"invalid ID number: {r.error.en}"))
            cert_type, cert_no = "02", r.fields["number"]
        elif r.kind is Kind.SS_CARD:
            cert_type, cert_no = "03", r.fields.get("card_no") or r.text
        else:
            label = r.kind_label
            raise DeskError(_msg("id.not_identity", f"这不是身份凭证（{label.zh}），请扫医保电子凭证、身份证或社保卡",
                                 f"not an identity ({label.en}): scan the e-voucher, ID card or social security card"))
        card_sn = (r.fields.get("card_sn") or "-") if cert_type == "03" else ""
        return self.person(self.call(self._infno("person"), person_input(cert_type, cert_no, card_sn)))

    def person(self, out: dict) -> PersonView:
        """1101 + 5301 through the one decoder the desk, the kiosk and the sync layer use; the raw 5301 rows stay
        beside it for the counter's registration list."""
        try:
            psn_no = parse_person(out).person.person_no
            regs_out = self.call(self._infno("registrations"), {"data": {"psn_no": psn_no}})
            person = identified(out, regs_out).person
        except TransactionFormatError as exc:
            raise DeskError(_msg("id.unreadable", f"中心返回的人员信息无法读取：{exc}",
                                 f"the centre's person answer cannot be read: {exc}")) from None
        apps = self.call("2514", {"data": {"psn_no": psn_no}}).get("applications", [])
        return PersonView(psn_no=psn_no, name=person.name, sex=person.sex, birth=person.birth_date,
                          insutype=person.insurance_type, certno=person.id_number or "",
                          status=STATUS_ZH[person.status],
                          death_date=person.death_date.isoformat() if person.death_date else None,
                          registrations=_rows(regs_out, person.registrations), applications=tuple(apps),
                          person=person)

    def refresh(self, person: PersonView) -> PersonView:
        out = self.call(self._infno("registrations"), {"data": {"psn_no": person.psn_no}})
        apps = self.call("2514", {"data": {"psn_no": person.psn_no}}).get("applications", [])
        try:
            regs = parse_registrations(out)
        except TransactionFormatError as exc:
            raise DeskError(_msg("id.unreadable", f"中心返回的备案信息无法读取：{exc}",
                                 f"the centre's registrations answer cannot be read: {exc}")) from None
        fresh = replace(person.person, registrations=regs) if person.person else None
        return PersonView(**{**person.__dict__, "registrations": _rows(out, regs), "applications": tuple(apps),
                             "person": fresh})

    # ---- the application ---------------------------------------------------------------------------------------
    def start(self, person: PersonView | str, scheme: str, diseases: list[tuple[str, str, str]], *, tel: str = "",
              addr: str = "", source: str = "counter", doctor: tuple[str, str] = ("", ""), doctor_facility: str = "",
              diagnosed_on: dt.date | None = None) -> dict:
        psn_no = person.psn_no if isinstance(person, PersonView) else person
        if scheme not in SCHEME_ZH:
            raise DeskError(_msg("scheme", "请选择两病或门诊慢特病", "choose 两病 (LB) or 门诊慢特病 (MT)"))
        if not diseases:
            raise DeskError(_msg("no_disease", "请至少选择一个病种", "choose at least one disease"))
        node = {"psn_no": psn_no, "scheme": scheme, "tel": tel, "addr": addr, "source": source,
                "diseases": [{"opsp_dise_code": c, "diag_code": dx, "diag_name": dn} for c, dx, dn in diseases],
                "diag_dr_codg": doctor[0], "diag_dr_name": doctor[1], "ide_fixmedins_no": doctor_facility,
                "hosp_ide_date": diagnosed_on.isoformat() if diagnosed_on else ""}
        return self.call("2510", {"data": node})["application"]

    def update(self, app_no: str, *, diseases: list[tuple[str, str, str]] | None = None, tel: str | None = None,
               addr: str | None = None, doctor: tuple[str, str] | None = None, doctor_facility: str | None = None) -> dict:
        """Complete or correct a draft (2516): e.g. the doctor of a 两病 application started at the kiosk."""
        node: dict[str, Any] = {"app_no": app_no}
        if diseases is not None:
            node["diseases"] = [{"opsp_dise_code": c, "diag_code": dx, "diag_name": dn} for c, dx, dn in diseases]
        if tel is not None:
            node["tel"] = tel
        if addr is not None:
            node["addr"] = addr
        if doctor is not None:
            node["diag_dr_codg"], node["diag_dr_name"] = doctor
        if doctor_facility is not None:
            node["ide_fixmedins_no"] = doctor_facility
        return self.call("2516", {"data": node})["application"]

    def attach(self, app_no: str, source: Path | bytes, *, kind: str = "record", filename: str = "") -> Evidence:
        """Upload one file in parts; the centre keeps it once every part arrived and the SHA-256 matches."""
        if isinstance(source, (str, Path)):
            path = Path(source)
            try:
                blob = path.read_bytes()
            except OSError as exc:
                raise DeskError(_msg("file", f"读不到文件 {path.name}：{exc.strerror}", f"cannot read {path.name}: {exc.strerror}")) from None
            filename = filename or path.name
        else:
            blob = bytes(source)
        if not blob:
            raise DeskError(_msg("empty", "文件是空的", "the file is empty"))
        filename = filename or "evidence.bin"
        digest = hashlib.sha256(blob).hexdigest()
        chunks = [blob[i:i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)]
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        out: dict[str, Any] = {}
        for n, chunk in enumerate(chunks, start=1):
            out = self.call("2511", {"data": {"app_no": app_no, "kind": kind, "filename": filename, "mime": mime,
                                              "sha256": digest, "size": len(blob), "part": n, "parts": len(chunks),
                                              "data": base64.b64encode(chunk).decode()}})["evidence"]
        return Evidence(filename, digest, len(blob), len(chunks), out.get("id"))

    def submit(self, app_no: str) -> dict:
        return self.call("2512", {"data": {"app_no": app_no}})["application"]

    def expert_opinion(self, app_no: str, expert: str, decision: str, history: str, plan: str,
                       password: str = "") -> dict:
        """The expert records their own opinion: `password` is the expert's centre password (server.staff)."""
        return self.call("2513", {"data": {"app_no": app_no, "stage": "expert", "reviewer_code": expert,
                                           "decision": decision, "history_dx": history, "plan": plan,
                                           "staff_password": password}})["application"]

    def reject(self, app_no: str, opinion: str) -> dict:
        return self.call("2513", {"data": {"app_no": app_no, "stage": "clerk", "decision": "reject",
                                           "opinion": opinion}})["application"]

    def approve(self, app: dict, opinion: str = "", user: str = "", password: str = "") -> dict:
        """The re-review (复审) passes: 2503 writes the registration, effective as the profile says. `user` and
        `password` are the re-reviewer's centre login; the centre refuses one of the application's experts."""
        first = (app.get("diseases") or [{}])[0]
        out = self.call(self._infno("registration"), {"data": {
            "psn_no": app["psn_no"], "insutype": app.get("insutype", ""), "opsp_dise_code": first.get("code", ""),
            "opsp_dise_name": first.get("name", ""), "tel": app.get("tel", ""), "addr": app.get("addr", ""),
            "ide_fixmedins_no": app.get("ide_fixmedins_no", ""), "diag_dr_codg": app.get("diag_dr_codg", ""),
            "diag_dr_name": app.get("diag_dr_name", ""),
            "expContent": {"app_no": app["app_no"], "opinion": opinion, "staff_user": user,
                           "staff_password": password}}})
        return out

    def cancel(self, psn_no: str, trt_dcla_detl_sn: str, memo: str = "") -> dict:
        return self.call("2504", {"data": {"psn_no": psn_no, "trt_dcla_detl_sn": trt_dcla_detl_sn, "memo": memo}})["result"]

    def application(self, app_no: str) -> dict:
        return self.call("2514", {"data": {"app_no": app_no}})["applications"][0]

    def applications(self, statuses: str = "expert_review,clerk_review", **filters: str) -> list[dict]:
        return self.call("2515", {"data": {"status": statuses, **filters}})["applications"]

    # ---- forms ---------------------------------------------------------------------------------------------------
    def approval_pdf(self, app: dict, certno: str = "", path: Path | None = None) -> Path:
        """附件2 审定表 of an application (certno: the full ID number from identify)."""
        form = approval_form_from(app, certno=certno, hospital_name=self.institution_name, today=self.clock())
        return write_approval_pdf(form, path or self.forms_dir / f"附件2_{app['app_no']}.pdf")

    def continuous_rx_pdf(self, person: PersonView, app: dict | None, lines: list[RxLine], *, doctor: str = "",
                          department: str = "", outpatient_no: str = "", fills: int = 3, window_days: int = 15,
                          rx_date: dt.date | None = None, tel: str = "", addr: str = "", path: Path | None = None,
                          lifestyle: dict | None = None, qr: str = "", rx_no: str = "") -> Path:
        """附件3 慢性病用药连续（外配）处方, with the pickup schedule of the ≤ window-days rule, and the lifestyle
        prescription (双处方) on a second page when one is given."""
        day = rx_date or self.clock()
        diseases = (app or {}).get("diseases") or []
        diagnosis = "；".join(f"{d.get('diag_name') or d.get('name')}（{d.get('diag_code')}）" if d.get("diag_code")
                             else (d.get("name") or d.get("code", "")) for d in diseases)
        rx = ContinuousRx(
            institution=self.institution_name, name=person.name, sex=person.sex_name, age=person.age(day),
            category=person.insutype_name, outpatient_no=outpatient_no, department=department,
            address=addr or (app or {}).get("addr", ""), tel=tel or (app or {}).get("tel", ""), diagnosis=diagnosis,
            rx_date=day, lines=tuple(lines), doctor=doctor, fills=fills, window_days=window_days, lifestyle=lifestyle,
            qr=qr, rx_no=rx_no)
        name = (app or {}).get("app_no") or person.psn_no
        return write_continuous_rx_pdf(rx, path or self.forms_dir / f"附件3_{name}_{day:%Y%m%d}.pdf")


    def register_continuous_rx(self, person: PersonView, app: dict | None, lines: list[RxLine], *, doctor: str,
                               fills: int = 3, rx_date: dt.date | None = None) -> dict:
        """7110: the 附件3 prescription registered at the centre (pre-audited, signed) before it is printed;
        {hi_rxno, rx_trace_code, valid_end_date, fills, qr}. The drugs are named as written on the form; the usage
        "口服 5mg 每日1次" gives the way, the dose and the frequency."""
        diseases = (app or {}).get("diseases") or []
        codes = [d.get("diag_code") or d.get("code", "") for d in diseases if d.get("diag_code") or d.get("code")]
        day = rx_date or self.clock()
        details = []
        for line in lines:
            parts = line.usage.split()
            way = parts[0] if parts and not parts[0][:1].isdigit() else ""
            rest = parts[1:] if way else parts
            details.append({"drug_name": line.name, "cnt": int("".join(ch for ch in line.quantity if ch.isdigit()) or 1),
                            "prd_days": line.days, "sin_dos_dscr": rest[0] if rest else "",
                            "used_frqu_dscr": " ".join(rest[1:]), "medc_way_dscr": way})
        out = self.call("7110", {"rxinfo": {
            "hosp_rxno": f"A3-{(app or {}).get('app_no') or person.psn_no}-{day:%Y%m%d}", "psn_no": person.psn_no,
            "dise_codg": codes[0] if codes else "", "diag_codes": codes, "prsc_dr_name": doctor,
            "prsc_time": day.isoformat(), "rx_type": "continuous"}, "rxdrugdetail": details, "fills": fills})
        return out["data"]

    # ---- worklists and reports (computed at the centre) --------------------------------------------------------
    def exits(self) -> list[dict]:
        return self.call("2520", {"data": {}})["warnings"]

    def confirm_exit(self, psn_no: str, reason: str, memo: str = "") -> dict:
        return self.call("2521", {"data": {"psn_no": psn_no, "reason": reason, "memo": memo}})["exit"]

    def eligible(self, days: int = 365) -> list[dict]:
        return self.call("2530", {"data": {"days": days}})["people"]

    def start_from_discovery(self, item: dict) -> dict:
        """One click on the 主动发现 list: a 两病 application for the diseases found (diagnosis codes when known)."""
        dx = {("HTN" if c.upper().startswith("I1") else "DM"): c for c in item.get("diag_codes", [])}
        diseases = [(d, dx.get(d, "I10" if d == "HTN" else "E11"), LB_DISEASES.get(d, d)) for d in item["diseases"]]
        return self.start(item["psn_no"], "LB", diseases, tel=item.get("tel", ""), source="discovery")

    def reminders(self, kinds: str = "refill,review,followup", *, refill_days: int = 7, review_days: int = 60,
                  assignee: str = "") -> list[dict]:
        return self.call("2540", {"data": {"kinds": kinds, "refill_days": refill_days, "review_days": review_days,
                                           "assignee": assignee}})["items"]

    def record_followup(self, psn_no: str, day: dt.date, doctor: str = "", note: str = "") -> dict:
        return self.call("2541", {"data": {"psn_no": psn_no, "visit_date": day.isoformat(), "doctor": doctor,
                                           "note": note}})["followup"]

    def monthly(self, month: str, form: str) -> dict:
        return self.call("2550", {"data": {"month": month, "form": form}})["report"]


__all__ = ["CounterService", "Evidence", "LB_DISEASES", "MT_DISEASES", "PersonView", "SCHEME_ZH"]
