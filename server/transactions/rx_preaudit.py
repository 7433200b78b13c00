"""事前审核 at upload (7101): the audit engine the pharmacy runs, run by the centre before a prescription circulates.

Seed 000 (Ezhou): a prescription that fails the pre-audit cannot circulate (处方无法流转) — the patient must never
be sent to a pharmacy only to be turned away there. So at upload:

- BLOCK: refused, every hit explained to the doctor (rule, line, drug, Chinese then English), nothing written;
- WARN: circulates only when the doctor acknowledges every warning rule (`warn_ack.rules`); the acknowledgement
  (who, when, which rules) is kept with the prescription and signed with it;
- PASS / INFO: circulates.

Rules that cannot be judged at upload are switched off here and left to the pharmacy's own audit at the sale:
trace codes (TRC-001, TRC-003: no box has been scanned yet) and the designated institution (ELG-008: where the
patient will fetch the drugs is not known yet).

The bad-input checks every prescription source shares live here too: a date in the future, a validity ending
before the date or already over, a drug the catalogue does not know, a dose or frequency that cannot be read.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from core.audit.catalogue import RULES
from core.audit.engine import evaluate
from core.domain import AuditRequest, Prescription, PrescriptionLine, Scheme, Severity, Verdict
from core.policy.profile import RuleSetting
from core.rx.dose import SigError, sig_for
from server import people, reference
from server.envelope import PlatformError
from server.history import CentreHistory
from server.transactions.settlement import MED_TYPE_SCHEME

OFF_AT_UPLOAD = ("TRC-001", "TRC-003", "ELG-008")
FUTURE_SLACK = dt.timedelta(minutes=10)  # a hospital clock a little ahead of the centre's is not a future date


@dataclasses.dataclass
class Checked:
    rx_date: dt.date
    valid_until: dt.date
    drugs: list  # (Drug, RxDrug) in line order
    lines: list[PrescriptionLine]


def refuse(zh: str, en: str) -> PlatformError:
    return PlatformError(f"{zh}；未保存 / {en}; nothing was written")


def check_input(ctx, info, details, cat) -> Checked:
    """Bad input refused with the reason before anything is audited or written."""
    rx_date = ctx.today
    if info.prsc_time:
        text = info.prsc_time.replace("T", " ")
        try:
            when = (dt.datetime.fromisoformat(text) if len(text) > 10
                    else dt.datetime.combine(dt.date.fromisoformat(text), dt.time()))
        except ValueError:
            raise refuse(f"开方时间格式错误：{info.prsc_time!r}（应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM:SS）",
                         f"prsc_time {info.prsc_time!r} is not a date") from None
        now = ctx.now.replace(tzinfo=None)
        if when.date() > ctx.today or when > now + FUTURE_SLACK:
            raise refuse(f"开方日期 {info.prsc_time} 晚于当前时间，不能上传", f"prescription date {info.prsc_time} is in the "
                         "future")
        rx_date = when.date()
    if info.valid_end_date:
        try:
            valid_until = dt.date.fromisoformat(info.valid_end_date)
        except ValueError:
            raise refuse(f"有效期截止日格式错误：{info.valid_end_date!r}", f"valid_end_date {info.valid_end_date!r} "
                         "is not a date") from None
        if valid_until < rx_date:
            raise refuse(f"有效期截止日 {valid_until} 早于开方日期 {rx_date}", f"validity ends ({valid_until}) before "
                         f"the prescription date ({rx_date})")
    else:
        valid_until = rx_date + dt.timedelta(days=info.valid_days - 1)
    if valid_until < ctx.today:
        raise refuse(f"处方已于 {valid_until} 过期，不能上传", f"the prescription expired on {valid_until}")
    drugs, lines = [], []
    for no, d in enumerate(details, start=1):
        try:
            drug = cat.resolve(d.med_list_codg, d.medins_list_codg)
        except PlatformError:
            raise refuse(f"第 {no} 行药品 {d.drug_name or d.med_list_codg or d.medins_list_codg!r} 不在医保目录（未对码）",
                         f"line {no}: drug {d.med_list_codg or d.medins_list_codg!r} is not in the catalogue") from None
        if d.cnt != d.cnt.to_integral_value():
            raise refuse(f"第 {no} 行数量 {d.cnt} 须为整盒", f"line {no}: cnt {d.cnt} must be whole packs")
        ext = d.expContent or {}
        try:
            if ext.get("dose") not in (None, "") and ext.get("times_per_day") not in (None, ""):
                from core.domain import Sig

                sig = Sig(Decimal(str(ext["dose"])), Decimal(str(ext["times_per_day"])))
            else:
                sig = sig_for(drug, d.sin_dos_dscr, d.used_frqu_dscr)
        except SigError as exc:
            raise refuse(f"第 {no} 行 {drug.name}：{exc.zh}", f"line {no} {drug.key}: {exc.en}") from None
        except ArithmeticError:
            raise refuse(f"第 {no} 行 {drug.name}：剂量无法识别", f"line {no}: dose is not a number") from None
        drugs.append((drug, d))
        lines.append(PrescriptionLine(line=no, drug_key=drug.key, qty=int(d.cnt), days=d.prd_days, sig=sig))
    return Checked(rx_date, valid_until, drugs, lines)


def _scheme(info, person, day: dt.date) -> Scheme:
    scheme = MED_TYPE_SCHEME.get(info.med_type)
    if scheme is not None:
        return scheme
    active = [r for r in person.registrations if r.active_on(day)]
    return Scheme.MT if any(r.scheme == Scheme.MT for r in active) else Scheme.LB


def run(ctx, info, checked: Checked, cat):
    """The engine's verdict on this prescription as the doctor wrote it (core.audit.engine.evaluate)."""
    found = people.by_person_no(ctx, info.psn_no)
    profile = reference.profile_for(ctx.centre, ctx.conn, found.profile_id)
    off = {rid: RuleSetting(enabled=False) for rid in OFF_AT_UPLOAD}
    profile = dataclasses.replace(profile, rules={**profile.rules, **off})
    facility = reference.facility(ctx.centre, ctx.conn, ctx.code)
    rx = Prescription(
        rx_no=info.hosp_rxno, rx_date=checked.rx_date,
        diagnoses=tuple(info.diag_codes or ([info.dise_codg] if info.dise_codg else [])), lines=tuple(checked.lines),
        long_rx_confirmed=info.rx_type in ("long", "continuous"), kind=info.rx_type, valid_until=checked.valid_until)
    request = AuditRequest(person=found.person, facility=facility, prescription=rx, requested_scheme=_scheme(info, found.person, ctx.today),
                           date=ctx.today, time=ctx.now.time().replace(microsecond=0, tzinfo=None),
                           profile_id=profile.profile_id)
    return evaluate(request, CentreHistory(ctx.conn), profile, cat.by_key, reference.facilities(ctx.centre, ctx.conn))


def hits_of(result, checked: Checked) -> list[dict]:
    names = {no: drug.name for no, (drug, _d) in enumerate(checked.drugs, start=1)}
    out = []
    for h in result.hits:
        info = RULES.get(h.rule)
        out.append({"rule": h.rule, "rule_name": info.name_zh if info else h.rule, "severity": h.severity.value,
                    "line": h.line, "drug_name": names.get(h.line, "") if h.line else "",
                    "zh": h.message_zh, "en": h.message_en})
    return out


def explain(hit: dict) -> str:
    where = f" 第{hit['line']}行 {hit['drug_name']}" if hit["line"] else ""
    return f"{hit['rule']} {hit['rule_name']}{where}：{hit['zh']} ({hit['en']})"


def decide(ctx, result, checked: Checked, ack, doctor: str) -> dict:
    """The `preaudit` record kept (and signed) with a circulating prescription, or PlatformError for a BLOCK or an
    unacknowledged WARN (the hits go back in the refusal's output for the doctor's screen)."""
    hits = hits_of(result, checked)
    out = {"verdict": result.verdict.value, "hits": hits}
    if result.verdict == Verdict.BLOCK:
        blocks = [h for h in hits if h["severity"] == Severity.BLOCK.value]
        raise PlatformError(
            f"处方事前审核未通过（{len(blocks)} 项禁止），处方不能流转：" + "；".join(explain(h) for h in blocks)
            + " / pre-audit BLOCKED: the prescription does not circulate", output={"preaudit": out})
    warns = sorted({h["rule"] for h in hits if h["severity"] == Severity.WARN.value})
    acked = sorted(set(ack.rules)) if ack is not None else []
    missing = [r for r in warns if r not in acked]
    if missing:
        shown = [h for h in hits if h["rule"] in missing]
        raise PlatformError(
            "处方有审核警示，需医生逐项确认后方可流转：" + "；".join(explain(h) for h in shown)
            + f" / pre-audit WARN: acknowledge {', '.join(missing)} (warn_ack.rules) to circulate",
            output={"preaudit": {**out, "unacknowledged": missing}})
    out["rules"] = sorted({h["rule"] for h in hits})
    if warns:
        out["ack"] = {"by": (ack.by if ack is not None and ack.by else doctor), "at": ctx.now_text, "rules": warns}
    return out
