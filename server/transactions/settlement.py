"""2101 药店预结算, 2102 药店结算, 2103 药店结算撤销, 2601 冲正.

2102 inside ONE transaction: lock the person (then the box codes), run the same audit the client runs
(core.audit.engine.evaluate) on the centre's complete history, and — unless it blocks — write the
settlement, its dispensed supply and its sold codes (core.store.writer) and the journal entry. Two
pharmacies settling the same person at the same moment queue on the person lock: the second one's
audit sees the first one's settlement (DUP-001/DUP-002, caps) and is refused or paid from what is left.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlalchemy import select, update

from core.audit.engine import evaluate
from core.domain import (
    AuditRequest,
    LineVerdict,
    Prescription,
    PrescriptionLine,
    Scheme,
    Sig,
    Verdict,
    fmt,
    money,
)
from core.store.errors import DuplicateSettlementError, StoreError
from core.store.models import SettlementRow
from core.store.writer import DispenseLine, NewSettlement, TraceLine, reverse_settlement
from server import accounts, chronic, db, fastsql, identity, ledger, people, reference
from server.envelope import PlatformError
from server.history import AHEAD_MATCHES_CORE, CentreHistory, Prefetch
from server.models import message, trace_upload
from server.transactions import Input, account_pay, ordinary_pay, transaction
from server.transactions.split import line_quantity, priced_per_unit
from core.gateway.profiles import NATIONAL_CHRONIC
from core.gateway.profiles import load_profile as load_interface

# med_type -> scheme. 14 (and its provincial sub-codes) is 门诊慢特病; 两病 has no national code (regional
# 9901 / 1403 seen). A mapping here, not logic; expContent.scheme overrides it.
MED_TYPE_SCHEME = {"14": Scheme.MT, "140104": Scheme.MT, "140201": Scheme.MT, "9929": Scheme.MT,
                   "9901": Scheme.LB, "1403": Scheme.LB}
FUND_PAY_TYPE_NAME = {"310100": "职工基本医疗保险统筹基金", "390100": "城乡居民基本医疗保险基金"}
CHRGITM_LV = {"甲": "01", "乙": "02", "丙": "03"}
TOLERANCE = Decimal("0.10")  # the 0.1 元 rule between the client's and the centre's totals


class TraceNode(Input):
    drug_trac_codg: str = Field(min_length=1, max_length=100)


class DrugDetail(Input):
    feedetl_sn: str = Field(min_length=1, max_length=30)
    rxno: str = Field(default="", max_length=40)
    rx_circ_flag: str = Field(default="0", max_length=3)
    fee_ocur_time: str = Field(default="", max_length=19)
    med_list_codg: str = Field(default="", max_length=50)
    medins_list_codg: str = Field(default="", max_length=64)
    det_item_fee_sumamt: Decimal
    cnt: Decimal = Field(gt=0)
    pric: Decimal = Field(ge=0)
    sin_dos_dscr: str = Field(default="", max_length=60)
    used_frqu_dscr: str = Field(default="", max_length=60)
    prd_days: int = Field(ge=1, le=366)
    medc_way_dscr: str = Field(default="", max_length=60)
    bilg_dr_codg: str = Field(default="", max_length=30)
    bilg_dr_name: str = Field(default="", max_length=50)
    trdn_flag: str = Field(default="0", pattern="^[01]$")
    drugtracinfo: list[TraceNode] = Field(default_factory=list, max_length=200)
    expContent: dict[str, Any] = Field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.drug_trac_codg for t in self.drugtracinfo)


class DrugInfo(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    mdtrt_cert_type: str = Field(default="", max_length=3)
    mdtrt_cert_no: str = Field(default="", max_length=50)
    card_sn: str = Field(default="", max_length=32)
    begntime: str = Field(default="", max_length=19)
    medfee_sumamt: Decimal = Field(ge=0)
    invono: str = Field(default="", max_length=30)
    insutype: str = Field(default="", max_length=6)
    dise_codg: str = Field(default="", max_length=30)
    dise_name: str = Field(default="", max_length=100)
    acct_used_flag: str = Field(default="0", max_length=1)
    med_type: str = Field(min_length=1, max_length=6)
    expContent: dict[str, Any] = Field(default_factory=dict)


class DiseInfo(Input):
    diag_code: str = Field(min_length=1, max_length=30)
    diag_name: str = Field(default="", max_length=100)


class TracInfo(Input):
    """A provincial (Hubei-style) settlement's trace-code row: the node drug_trac_info."""

    feedetl_sn: str = Field(min_length=1, max_length=30)
    drug_trac_codg: str = Field(min_length=1, max_length=100)
    trdn_flag: str = Field(default="0", max_length=3)
    min_prcunt_type: str = Field(default="", max_length=6)


class SettleInput(Input):
    druginfo: DrugInfo
    drugdetail: list[DrugDetail] = Field(min_length=1, max_length=100)
    diseinfo: list[DiseInfo] = Field(default_factory=list, max_length=20)
    drug_trac_info: list[TracInfo] = Field(default_factory=list, max_length=500)

    def codes_of(self, d: DrugDetail) -> tuple[str, ...]:
        """A line's codes: on the line (drugtracinfo) or in the settlement's drug_trac_info node."""
        if not self.drug_trac_info:
            return d.codes
        more = tuple(t.drug_trac_codg for t in self.drug_trac_info if t.feedetl_sn == d.feedetl_sn)
        return tuple(dict.fromkeys(d.codes + more))

    def split_flag(self, d: DrugDetail) -> str | None:
        """The line's trdn_flag when the message says it (on the line: our extension; or in the provincial
        drug_trac_info node), else None: the national line has none (server.transactions.split infers it)."""
        if "trdn_flag" in d.model_fields_set:
            return d.trdn_flag
        flags = {t.trdn_flag for t in self.drug_trac_info
                 if t.feedetl_sn == d.feedetl_sn and "trdn_flag" in t.model_fields_set}
        return ("1" if "1" in flags else "0") if flags else None


class CancelData(Input):
    setl_id: str = Field(min_length=1, max_length=64)
    mdtrt_id: str = Field(default="", max_length=64)
    psn_no: str = Field(min_length=1, max_length=30)
    expContent: Any = None


class CancelInput(Input):
    data: CancelData


class ReversalData(Input):
    psn_no: str = Field(default="", max_length=30)
    omsgid: str = Field(min_length=1, max_length=40)
    oinfno: str = Field(min_length=4, max_length=6)


class ReversalInput(Input):
    data: ReversalData


# 41 定点药店购药 and the profiles' 门诊统筹 codes are ordinary purchases (server/transactions/ordinary_pay.py):
# the general audit rules apply, the chronic-benefit ones the profile switches off do not.


# ---------------------------------------------------------------------------------------------------------
def _scheme(info: DrugInfo, person=None, general: bool = False) -> Scheme:
    explicit = str(info.expContent.get("scheme", "")).upper()
    if explicit in ("LB", "MT"):
        return Scheme(explicit)
    if general:
        regs = person.registrations if person is not None else ()
        return regs[0].scheme if regs else Scheme.LB
    scheme = MED_TYPE_SCHEME.get(info.med_type)
    if scheme is None:
        raise PlatformError(
            f"druginfo.med_type: 医疗类别 {info.med_type!r} 不是本中心的慢特病/两病/药店购药类别（14、140104、140201、"
            f"9901、1403、41） / med_type {info.med_type!r} is not a chronic-disease type here: 14 (门诊慢特病), "
            "9901/1403 (两病) or 41 (定点药店购药), or give expContent.scheme LB/MT"
        )
    return scheme


def _date(text: str, field: str, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        raise PlatformError(f"{field}: not a date: {text!r}") from None


def _sig(d: DrugDetail) -> Sig | None:
    dose = d.expContent.get("dose", d.sin_dos_dscr or None)
    times = d.expContent.get("times_per_day")
    if dose in (None, "") or times in (None, ""):
        return None
    try:
        return Sig(Decimal(str(dose)), Decimal(str(times)))
    except ArithmeticError:
        raise PlatformError(f"drugdetail {d.feedetl_sn}: dose and times_per_day must be numbers") from None


def _check_price(d: DrugDetail, drug, per_unit: bool) -> None:
    """An insured line's unit price must be the catalogue's (per pack, or per unit for 拆零): a line priced
    differently is refused naming the line, not only when the total drifts beyond the 0.10 元 rule."""
    unit = drug.price / drug.pack_size if per_unit else drug.price
    if abs(d.pric - unit) > Decimal("0.005"):
        raise PlatformError(f"drugdetail {d.feedetl_sn}: 单价 {d.pric} 与目录价 {unit:.6f} 不一致 / pric {d.pric} is not "
                            f"the catalogue price {unit:.6f} of {drug.key}: refresh the catalogue (1301)")


class Prepared:
    """The request in domain terms, with the map back to platform line numbers."""

    def __init__(self, ctx, inp: SettleInput, person_rows=None) -> None:
        info = inp.druginfo
        self.info = info
        self.found = people.by_person_no(ctx, info.psn_no, rows=person_rows)
        if info.mdtrt_cert_type and info.mdtrt_cert_no and not people.holds_id_number(
                self.found.person, info.mdtrt_cert_type, info.mdtrt_cert_no):
            other = people.by_certificate(ctx, info.mdtrt_cert_type, info.mdtrt_cert_no, info.card_sn)
            if other.person.person_no != info.psn_no:
                raise PlatformError("mdtrt_cert_no belongs to another person than psn_no (人证不一致)")
        self.facility = reference.facility(ctx.centre, ctx.conn, ctx.code)
        self.catalogue = reference.catalogue(ctx.centre, ctx.conn)
        self.general = info.med_type in ordinary_pay.med_types(ctx)
        self.scheme = _scheme(info, self.found.person, self.general)
        # national profile: a settlement carries no codes, they follow in 3505 (no TRC-001 block at settlement)
        self.codes_follow = (not inp.drug_trac_info
                             and load_interface(ctx.centre.interface_of(ctx.conn, ctx.code)).trace_codes == "3505")
        sns = [d.feedetl_sn for d in inp.drugdetail]
        if len(set(sns)) != len(sns):
            raise PlatformError("drugdetail: feedetl_sn must be unique within the message")
        client_total = sum((money(d.det_item_fee_sumamt) for d in inp.drugdetail), Decimal("0.00"))
        if abs(client_total - money(info.medfee_sumamt)) > Decimal("0.005"):
            raise PlatformError(
                f"medfee_sumamt {fmt(info.medfee_sumamt)} is not the sum of det_item_fee_sumamt {fmt(client_total)}"
            )
        self.details = inp.drugdetail
        self.sn_of: dict[int, str] = {}
        self.drugs = {}
        lines = []
        for no, d in enumerate(inp.drugdetail, start=1):
            drug = self.catalogue.resolve(d.med_list_codg, d.medins_list_codg)
            flag = inp.split_flag(d)
            _check_price(d, drug, priced_per_unit(d.pric, drug, flag=flag))
            self.drugs[no] = drug
            self.sn_of[no] = d.feedetl_sn
            qty, split = line_quantity(d.cnt, d.pric, d.det_item_fee_sumamt, drug, flag=flag,
                                       sn=d.feedetl_sn)
            lines.append(PrescriptionLine(
                line=no, drug_key=drug.key, qty=qty, days=d.prd_days, sig=_sig(d),
                split=split, trace_codes=inp.codes_of(d),
                uncoded_stock=bool(d.expContent.get("uncoded_stock", False)),
            ))
        ext = info.expContent
        diagnoses = [x.diag_code for x in inp.diseinfo] or [str(c) for c in ext.get("diagnoses", []) if c]
        first = inp.drugdetail[0]
        self.prescription = Prescription(
            rx_no=first.rxno or str(ext.get("rxno", "")) or ctx.env.msgid,
            rx_date=_date(ext.get("rx_date") or first.fee_ocur_time, "rx_date", ctx.today),
            diagnoses=tuple(diagnoses),
            lines=tuple(lines),
            long_rx_confirmed=bool(ext.get("long_rx_confirmed", False)),
            kind=str(ext.get("rx_kind", "ordinary")),
            valid_until=_date(ext.get("rx_valid_until", ""), "rx_valid_until", None) if ext.get("rx_valid_until") else None,
        )
        identity.check_prescription_dates(ctx.now, rx_date=self.prescription.rx_date,
                                          fee_times=[(d.feedetl_sn, d.fee_ocur_time) for d in inp.drugdetail],
                                          valid_until=self.prescription.valid_until)
        self.client_total = client_total
        self.codes = sorted({c for line in lines for c in line.trace_codes})


def _without(ctx, profile, rules: tuple[str, ...], tag: str):
    """The benefit profile with some rules switched off (cached per profile and tag)."""
    from core.policy.profile import RuleSetting

    def build():
        off = {r: RuleSetting(enabled=False) for r in rules}
        return dataclasses.replace(profile, rules={**profile.rules, **off})

    return ctx.centre.cached(f"profile.{profile.profile_id}.{tag}", build)


def _diagnoses_from_disease(prep: "Prepared", profile) -> tuple[str, ...]:
    """A national-shape 2101/2102 has no diseinfo node: the 慢特病 code in dise_codg (M03900 …, or our own
    HTN/DM) is the diagnosis. It stands for the ICD codes of that disease in the benefit profile."""
    code = (prep.info.dise_codg or "").upper()
    if not code:
        return ()
    keys = [code, NATIONAL_CHRONIC.get(code, "")]
    for scheme in profile.schemes.values():
        for key in keys:
            prefixes = scheme.diagnosis_scope.get(key) if key else None
            if prefixes:
                return (prefixes[0],)
    return ()


def _audit(ctx, prep: Prepared, prefetched: Prefetch | None = None):
    profile = reference.profile_for(ctx.centre, ctx.conn, prep.found.profile_id)
    if not prep.prescription.diagnoses:
        found = _diagnoses_from_disease(prep, profile)
        if found:
            prep.prescription = dataclasses.replace(prep.prescription, diagnoses=found)
    if prep.general:
        profile = _without(ctx, profile, ordinary_pay.rules_off(profile, prep.info.med_type), f"general{prep.info.med_type}")
    if prep.codes_follow and not prep.codes:
        profile = _without(ctx, profile, ("TRC-001",), "codes3505")
    request = AuditRequest(
        person=prep.found.person, facility=prep.facility, prescription=prep.prescription,
        requested_scheme=prep.scheme, date=ctx.today, time=ctx.now.time().replace(microsecond=0, tzinfo=None),
        profile_id=profile.profile_id,
    )
    history = CentreHistory(ctx.conn, prefetched)
    result = evaluate(request, history, profile, prep.catalogue.by_key, reference.facilities(ctx.centre, ctx.conn))
    if prep.general:
        ordinary_pay.apply(ctx, prep, profile, result)
    return result


class _LockAndRead:
    """PostgreSQL, 2102: the person, the person and box-code locks, the history the audit will ask for and the
    person's account balances, as statements for one round trip (with the nonce check: Tx.ahead). The reads run
    after the lock statement, each with its own snapshot, so they see what the previous holder of the person lock
    committed — as the audit's own queries after db.lock_settlement did. `fill` leaves (person number, person rows,
    Prefetch, balances by insurance type) in ctx.ahead. 2101 (`lock=False`) reads the same without the locks, as
    its plain path does (measured in-process at load 14: 9.8 statements and 5.2 ms of centre CPU per 2101 before,
    7 and 3.9 ms after)."""

    def __init__(self, ctx, inp: SettleInput, *, lock: bool = True) -> None:
        self.ctx = ctx
        self.person_no = inp.druginfo.psn_no
        self.pf = _prefetch(ctx, inp)
        person = (("person_locked", {"key": self.person_no,
                                     **db.settlement_lock_params(self.person_no, self.pf.codes)}, True) if lock
                  else ("person_by_no", {"key": self.person_no}, True))
        self.steps = [person, *self.pf.steps(), ("account_balances", {"p": self.person_no}, True)]

    def fill(self, results: list) -> None:
        self.pf.fill(results[1:-1])
        self.ctx.ahead = (self.person_no, results[0], self.pf, {t: b for t, b in results[-1]})


def _ahead(ctx, inp: SettleInput) -> _LockAndRead | None:
    """2102's Tx.ahead: None while the read-ahead is off (server.history.AHEAD_MATCHES_CORE)."""
    return _LockAndRead(ctx, inp) if AHEAD_MATCHES_CORE else None


def _read_ahead(ctx, inp: SettleInput) -> _LockAndRead | None:
    """2101's Tx.ahead: the same reads without locks."""
    return _LockAndRead(ctx, inp, lock=False) if AHEAD_MATCHES_CORE else None


def _lock_and_read(ctx, inp: SettleInput) -> tuple[list, Prefetch]:
    """The same in a round trip of its own (a request without signature, in dev mode)."""
    plan = _LockAndRead(ctx, inp)
    plan.fill(fastsql.pipeline(ctx.conn, plan.steps))
    return ctx.ahead[1], ctx.ahead[2]


def _prefetch(ctx, inp: SettleInput) -> Prefetch:
    info = inp.druginfo
    catalogue = reference.catalogue(ctx.centre, ctx.conn)
    chain_keys = set()
    for d in inp.drugdetail:
        try:
            drug = catalogue.resolve(d.med_list_codg, d.medins_list_codg)
        except PlatformError:
            continue  # Prepared refuses it, after the person checks, as before
        if drug.is_drug:
            chain_keys.add(drug.chain_key)
    codes = {c for d in inp.drugdetail for c in inp.codes_of(d)}
    day = ctx.today
    # the widest window any profile's audit reads (core.audit.context._load_history); a narrower question is
    # answered from these rows, a wider one (a profile changed meanwhile) goes to the database
    windows = [p.multi_site_window_days for p in reference.profiles(ctx.centre, ctx.conn).values()]
    since = min(dt.date(day.year, 1, 1), day - dt.timedelta(days=max(windows, default=0) + 1))
    return Prefetch(info.psn_no, since, day, frozenset(chain_keys), frozenset(codes))


def audit_node(result, sn_of: dict[int, str]) -> dict:
    return {
        "verdict": result.verdict.value,
        "scheme": result.scheme.value if result.scheme else None,
        "hits": [
            {"rule": h.rule, "severity": h.severity.value, "feedetl_sn": sn_of.get(h.line) if h.line else None,
             "message_zh": h.message_zh, "message_en": h.message_en}
            for h in result.hits
        ],
    }


def refusal_text(result, sn_of: dict[int, str]) -> str:
    blocks = [h for h in result.hits if h.severity.value == "BLOCK"]
    parts = [
        f"{h.rule}{' 第' + sn_of.get(h.line, str(h.line)) + '行' if h.line else ''} {h.message_zh} ({h.message_en})"
        for h in blocks
    ]
    return "审核不通过 audit refused: " + "; ".join(parts)


def _outputs(ctx, prep: Prepared, result, setl_id: str) -> dict:
    s = result.settlement
    p = prep.found.person
    fund_type = f"{p.insurance_type}100"
    ratio = s.ratio
    setlinfo = {
        "mdtrt_id": setl_id, "setl_id": setl_id,
        "psn_no": p.person_no, "psn_name": p.name, "psn_cert_type": "01", "certno": p.id_number or "",
        "gend": p.sex, "naty": "01", "brdy": p.birth_date.isoformat(), "age": p.age_on(ctx.today),
        "insutype": p.insurance_type, "psn_type": "", "cvlserv_flag": "0",
        "mdtrt_cert_type": prep.info.mdtrt_cert_type or "02", "med_type": prep.info.med_type,
        "setl_time": ctx.now_text,
        "medfee_sumamt": fmt(s.total), "fulamt_ownpay_amt": fmt(s.fulamt_ownpay), "overlmt_selfpay": fmt(s.overlimit),
        "preselfpay_amt": fmt(s.preselfpay), "inscp_scp_amt": fmt(s.eligible), "act_pay_dedc": fmt(s.deductible_applied),
        "hifp_pay": fmt(s.fund_payment), "pool_prop_selfpay": f"{ratio:.4f}",
        "cvlserv_pay": "0.00", "hifes_pay": "0.00", "hifmi_pay": "0.00", "hifob_pay": "0.00", "maf_pay": "0.00",
        "oth_pay": "0.00", "fund_pay_sumamt": fmt(s.fund_payment), "psn_part_amt": fmt(s.personal_payment),
        "acct_pay": "0.00", "psn_cash_pay": fmt(s.personal_payment), "hosp_part_amt": "0.00", "balc": "0.00",
        "acct_mulaid_pay": "0.00", "medins_setl_id": ctx.env.msgid, "clr_optins": ctx.env.mdtrtarea_admvs,
        "clr_way": "1", "clr_type": "41",
        # Our extension: the benefit period and cap figures behind the fund amount.
        "expContent": {"scheme": s.scheme.value, "period": s.period, "cap_total": fmt(s.cap_total),
                       "cap_remaining_before": fmt(s.cap_remaining_before), "cap_used_after": fmt(s.cap_used_after)},
    }
    setldetail = [{
        "fund_pay_type": fund_type, "fund_pay_type_name": FUND_PAY_TYPE_NAME.get(fund_type, fund_type),
        "inscp_scp_amt": fmt(s.eligible), "crt_payb_lmt_amt": fmt(s.cap_remaining_before),
        "fund_payamt": fmt(s.fund_payment), "setl_proc_info": " | ".join(result.arithmetic)[:500],
    }]
    cut = []
    for line in result.lines:
        drug = prep.drugs[line.line]
        d = prep.details[line.line - 1]
        a = line.amounts
        hits = [h.rule for h in result.hits if h.line == line.line]
        cut.append({
            "feedetl_sn": d.feedetl_sn, "det_item_fee_sumamt": fmt(a.amount), "cnt": f"{d.cnt:.4f}",
            "pric": f"{drug.price:.6f}",
            "pric_uplmt_amt": fmt(drug.price_ceiling) if drug.price_ceiling is not None else fmt(drug.price),
            "selfpay_prop": f"{drug.preselfpay_ratio:.4f}", "fulamt_ownpay_amt": fmt(a.fulamt_ownpay),
            "overlmt_amt": fmt(a.overlimit), "preselfpay_amt": fmt(a.preselfpay), "inscp_scp_amt": fmt(a.eligible),
            "chrgitm_lv": CHRGITM_LV.get(drug.drug_class or "", "03"), "med_chrgitm_type": "09",
            "bas_medn_flag": "0", "hi_nego_drug_flag": "0", "chld_medc_flag": "1" if drug.age_limit == "child" else "0",
            "list_sp_item_flag": "0", "lmt_used_flag": "0", "drt_reim_flag": "0",
            "memo": f"{line.verdict.value}{(' ' + ','.join(hits)) if hits else ''}",
        })
    return {"setlinfo": setlinfo, "setldetail": setldetail, "detlcutinfo": cut, "audit": audit_node(result, prep.sn_of)}


def _settle(ctx, inp: SettleInput, *, final: bool) -> tuple[dict, str]:
    person_rows = prefetched = None
    if ctx.pg and AHEAD_MATCHES_CORE:
        if isinstance(ctx.ahead, tuple) and ctx.ahead[0] == inp.druginfo.psn_no:
            _, person_rows, prefetched, balances = ctx.ahead
            ctx.balances = (inp.druginfo.psn_no, balances)  # account_pay.plan's own balance
        elif final:
            person_rows, prefetched = _lock_and_read(ctx, inp)
    prep = Prepared(ctx, inp, person_rows)
    if final and prefetched is None:
        db.lock_settlement(ctx.conn, prep.found.person.person_no, prep.codes)
    result = _audit(ctx, prep, prefetched)
    if result.verdict == Verdict.BLOCK or result.settlement is None:
        raise PlatformError(refusal_text(result, prep.sn_of), output={"audit": audit_node(result, prep.sn_of)})
    s = result.settlement
    if abs(s.total - prep.client_total) > TOLERANCE:
        raise PlatformError(
            f"medfee_sumamt {fmt(prep.client_total)} differs from the centre's catalogue pricing {fmt(s.total)} "
            f"by more than {TOLERANCE} 元: refresh the catalogue (1301) and pre-settle again"
        )
    warn = "; ".join(f"{h.rule} {h.message_zh}" for h in result.hits if h.severity.value == "WARN")
    acct = account_pay.plan(ctx, prep, s)  # personal account / 共济: refused here before anything is written
    if not final:
        return account_pay.merge(_outputs(ctx, prep, result, ""), acct), warn
    setl_id = ctx.env.msgid
    dispenses, traces = [], []
    for line in result.lines:
        if line.verdict == LineVerdict.BLOCK:
            continue
        drug = prep.drugs[line.line]
        if drug.is_drug:
            dispenses.append(DispenseLine(drug.key, line.chain_key, line.days))
        for code in line.trace_codes:
            traces.append(TraceLine(code, line.line, drug.key, units=line.amounts.units if line.split else drug.pack_size,
                                    split=line.split))
    account_pay.pay(ctx, acct, setl_id)
    try:
        ledger.record(ctx.conn, NewSettlement(
            settlement_id=setl_id, person_no=prep.found.person.person_no, date=ctx.today, facility_code=ctx.code,
            scheme=s.scheme, total=s.total, fund=s.fund_payment, personal=s.personal_payment, period=s.period,
            deductible_applied=s.deductible_applied, expense_counted=s.expense_counted,
            time=ctx.now.time().replace(microsecond=0, tzinfo=None), city=prep.facility.city,
            dispenses=tuple(dispenses), trace_sales=tuple(traces),
        ), created_at=ctx.now.astimezone(dt.timezone.utc).replace(tzinfo=None), defer=ctx.defer if ctx.pg else None)
    except DuplicateSettlementError:
        raise PlatformError(f"settlement id {setl_id} is already used by another institution's message") from None
    except StoreError as exc:
        raise PlatformError(f"settlement not recorded: {exc}") from None
    out = account_pay.merge(_outputs(ctx, prep, result, setl_id), acct)
    ctx.journal("settle", {
        "setl_id": setl_id, "psn_no": prep.found.person.person_no, "scheme": s.scheme.value, "period": s.period,
        "total": fmt(s.total), "fund": fmt(s.fund_payment), "personal": fmt(s.personal_payment),
        "lines": [[l.drug_key, l.amounts.units, l.days, l.verdict.value, l.split] for l in result.lines],
        "codes": prep.codes, "hits": [h.rule for h in result.hits], **account_pay.journal_fields(acct),
    })
    return out, warn


@transaction("2101", "药店预结算", SettleInput, ahead=_read_ahead)
def pre_settle(ctx, inp: SettleInput):
    return _settle(ctx, inp, final=False)


@transaction("2102", "药店结算", SettleInput, ahead=_ahead)
def settle(ctx, inp: SettleInput):
    out, warn = _settle(ctx, inp, final=True)
    chronic.record_settlement(ctx, inp, out)  # amounts by disease and diagnoses (monthly reports, 主动发现)
    return out, warn


def _cancel(ctx, setl_id: str, psn_no: str | None, kind: str) -> dict:
    row = ctx.session.get(SettlementRow, setl_id)
    if row is None:
        raise PlatformError(f"settlement {setl_id} not found (结算记录不存在)")
    if row.facility_code != ctx.code:
        raise PlatformError(f"settlement {setl_id} belongs to another institution")
    if psn_no and row.person_no != psn_no:
        raise PlatformError(f"settlement {setl_id} is not a settlement of person {psn_no}")
    db.lock_person(ctx.conn, row.person_no)
    already = row.reversed_on is not None
    if not already:
        try:
            reverse_settlement(ctx.session, setl_id, ctx.today)
        except StoreError as exc:
            raise PlatformError(f"settlement {setl_id} cannot be cancelled: {exc}") from None
        back = accounts.give_back(ctx.conn, setl_id, code=ctx.code, at=ctx.now_text)  # each to its own account
        ctx.journal(kind, {"setl_id": setl_id, "psn_no": row.person_no, "fund": fmt(row.fund), "total": fmt(row.total),
                           **({"accounts": back} if back else {})})
    return {"row": row, "already": already}


@transaction("2103", "药店结算撤销", CancelInput)
def cancel(ctx, inp: CancelInput) -> dict:
    d = inp.data
    row = ctx.session.get(SettlementRow, d.setl_id)
    if row is not None and row.reversed_on is not None:
        raise PlatformError(f"settlement {d.setl_id} was already cancelled on {row.reversed_on} (已撤销)")
    done = _cancel(ctx, d.setl_id, d.psn_no, "cancel")
    row = done["row"]
    own, mulaid = accounts.paid(ctx.conn, row.settlement_id)
    cash = row.personal - own - mulaid
    setlinfo = {
        "setl_id": ctx.env.msgid, "init_setl_id": row.settlement_id, "mdtrt_id": row.settlement_id,
        "psn_no": row.person_no, "setl_time": ctx.now_text,
        "medfee_sumamt": fmt(-row.total), "fund_pay_sumamt": fmt(-row.fund), "hifp_pay": fmt(-row.fund),
        "psn_pay": fmt(-row.personal), "psn_part_amt": fmt(-row.personal), "cash_payamt": fmt(-cash),
        "psn_cash_pay": fmt(-cash), "acct_pay": fmt(-own), "acct_mulaid_pay": fmt(-mulaid),
        "medins_setl_id": ctx.env.msgid,
    }
    return {"setlinfo": setlinfo, "setldetail": [{"fund_pay_type": "", "fund_payamt": fmt(-row.fund)}]}


REVERSIBLE = ("2102", "3505")
TOMBSTONE = "reversed-before-arrival"


@transaction("2601", "冲正交易", ReversalInput)
def reversal(ctx, inp: ReversalInput) -> dict:
    d = inp.data
    if d.oinfno not in REVERSIBLE:
        raise PlatformError(f"oinfno {d.oinfno} cannot be reversed here: only {', '.join(REVERSIBLE)} (2103 cancels a settlement)")
    original = ctx.conn.execute(
        select(message.c.infno, message.c.infcode).where(message.c.fixmedins_code == ctx.code, message.c.msgid == d.omsgid)
    ).first()
    if original is None:
        # Never processed: make sure it never will be (a late arrival gets this refusal as its answer).
        from server import idempotency
        from server.envelope import response

        tomb = response(ctx.env.mdtrtarea_admvs, ctx.now, ctx.now, err_msg=(
            f"message {d.omsgid} was reversed (2601 {ctx.env.msgid}) before it reached the centre; nothing was settled"))
        idempotency.store(ctx.conn, code=ctx.code, msgid=d.omsgid, infno=d.oinfno, digest_=TOMBSTONE, resp=tomb,
                          at=ctx.now.isoformat(timespec="microseconds"))
        ctx.journal("reversal.tombstone", {"omsgid": d.omsgid, "oinfno": d.oinfno})
        return {"data": {"omsgid": d.omsgid, "oinfno": d.oinfno, "rslt": "0", "memo": "原交易未到达中心，已作废"}}
    if original.infno != d.oinfno:
        raise PlatformError(f"message {d.omsgid} was a {original.infno}, not a {d.oinfno}")
    if original.infcode != 0:
        return {"data": {"omsgid": d.omsgid, "oinfno": d.oinfno, "rslt": "0", "memo": "原交易失败，无需冲正"}}
    if d.oinfno == "2102":
        done = _cancel(ctx, d.omsgid, d.psn_no or None, "reversal")
        row = done["row"]
        return {"data": {"omsgid": d.omsgid, "oinfno": d.oinfno, "rslt": "1",
                         "memo": "已冲正" if not done["already"] else "已冲正(此前已撤销)",
                         "setl_id": row.settlement_id, "fund_pay_sumamt": fmt(row.fund)}}
    # 3505: the uploaded codes become unsold again.
    n = ctx.conn.execute(
        update(trace_upload).where(trace_upload.c.fixmedins_code == ctx.code, trace_upload.c.msgid == d.omsgid,
                                   trace_upload.c.returned_at.is_(None))
        .values(returned_at=ctx.now_text, return_msgid=ctx.env.msgid)
    ).rowcount
    if n:
        ctx.journal("reversal", {"omsgid": d.omsgid, "oinfno": "3505", "codes": n})
    return {"data": {"omsgid": d.omsgid, "oinfno": d.oinfno, "rslt": "1", "memo": f"已冲正 {n} 个追溯码"}}
