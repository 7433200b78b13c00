"""Platform input and output nodes per transaction, and their mapping to our names (the boundary).

Builders return the `input` node of an envelope; parsers take the `output` node of a reply and return our
types. Every parser tolerates the variants the field meets (numbers as numbers or strings, the 2103 names
`psn_pay`/`cash_payamt` beside `psn_part_amt`/`psn_cash_pay`) and raises TransactionFormatError, never a
KeyError, for a reply it cannot use.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from core.domain import Drug, Person, Registration, Scheme, fmt
from core.gateway.profiles import InterfaceProfile
from core.policy.calculator import line_amounts
from core.sync.basket import Basket, BasketLine

CERT_TYPE = {"evoucher": "01", "id_card": "02", "ss_card": "03"}
INSU_STATUS = {"1": "active", "2": "suspended", "4": "terminated"}  # psn_insu_stas; anything else: terminated


class TransactionFormatError(ValueError):
    """A reply whose output cannot be read (missing node, not a number …)."""


def _dec(value: Any, name: str) -> Decimal:
    if value is None or value == "":
        raise TransactionFormatError(f"{name} is missing")
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise TransactionFormatError(f"{name} is not a number: {value!r}") from None
    if not d.is_finite():
        raise TransactionFormatError(f"{name} is not a number: {value!r}")
    return d.quantize(Decimal("0.01"))


def _opt_dec(value: Any, name: str) -> Decimal | None:
    return None if value is None or value == "" else _dec(value, name)


def _node(output: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    node = output.get(name)
    if not isinstance(node, Mapping):
        raise TransactionFormatError(f"output.{name} is missing")
    return node


def _date(value: Any, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise TransactionFormatError(f"{name} is not a date: {value!r}") from None


# ---- 9001 签到 -----------------------------------------------------------------------------------------------
def sign_in_input(operator: str) -> dict:
    """signIn{opter_no, mac, ip}: this machine's MAC address and outward IP, as the national list requires."""
    import socket
    import uuid

    node = uuid.getnode()
    mac = ":".join(f"{(node >> s) & 0xFF:02X}" for s in range(40, -1, -8))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            ip = sock.getsockname()[0]
    except OSError:
        ip = "127.0.0.1"
    return {"signIn": {"opter_no": operator, "mac": mac, "ip": ip}}


def sign_out_input(sign_no: str, operator: str) -> dict:
    return {"signOut": {"sign_no": sign_no, "opter_no": operator}}


# ---- 1101 人员信息获取 / 5301 慢特病备案查询 ---------------------------------------------------------------
def person_query(kind: str, number: str, card_sn: str = "") -> dict:
    return person_input(CERT_TYPE[kind], number, card_sn)


def person_input(cert_type: str, cert_no: str, card_sn: str = "") -> dict:
    """The 1101 input for a credential by its mdtrt_cert_type code (01 e-voucher token, 02 ID number, 03 social
    security card + card_sn): the one builder of it for the desk, the kiosk, the counter and the sync layer."""
    data = {"mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no, "card_sn": card_sn}
    if cert_type == CERT_TYPE["id_card"]:
        data.update(psn_cert_type="01", certno=cert_no)
    return {"data": data}


@dataclass(frozen=True)
class PersonInfo:
    person: Person  # registrations empty here; `identified` adds them from 5301
    insuplc_admdvs: str
    disease_names: Mapping[str, str] = None  # type: ignore[assignment]  # code -> name (5301), with `identified`
    balance: Decimal | None = None  # insuinfo[0].balc, the personal account's balance; None when not given


def _ext(value: Any) -> Mapping[str, Any]:
    """expContent as an object: ours sends one, the national shape a JSON string."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, Mapping) else {}
    return {}


def parse_person(output: Mapping[str, Any]) -> PersonInfo:
    """The 1101 answer as our Person (the one decoder of it: the desk, the kiosk and the sync layer use it)."""
    base = _node(output, "baseinfo")
    insu = output.get("insuinfo") or []
    if not isinstance(insu, list) or not insu or not isinstance(insu[0], Mapping):
        raise TransactionFormatError("output.insuinfo is missing")
    row = insu[0]
    psn_no = str(base.get("psn_no") or "")
    if not psn_no:
        raise TransactionFormatError("baseinfo.psn_no is missing")
    birth = _date(base.get("brdy"), "baseinfo.brdy")
    if birth is None:
        raise TransactionFormatError("baseinfo.brdy is missing")
    death = _date(_ext(base.get("expContent")).get("death_date"), "baseinfo.expContent.death_date")
    person = Person(
        person_no=psn_no, name=str(base.get("psn_name") or ""), sex=str(base.get("gend") or "9"),
        birth_date=birth, insurance_type=str(row.get("insutype") or ""),
        status=INSU_STATUS.get(str(row.get("psn_insu_stas") or ""), "terminated"), death_date=death,
        id_number=str(base.get("certno") or "") or None,
    )
    balc = row.get("balc")
    try:
        balance = None if balc in (None, "") else Decimal(str(balc)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise TransactionFormatError(f"insuinfo[0].balc is not an amount: {balc!r}") from None
    return PersonInfo(person, str(row.get("insuplc_admdvs") or ""), {}, balance)


def registrations_query(psn_no: str) -> dict:
    return {"data": {"psn_no": psn_no}}


def _scheme_of(row: Mapping[str, Any], code: str) -> Scheme:
    """Our centre says LB/MT; the national answer does not: a national 慢特病 code (M…) is MT, anything else LB."""
    given = str(row.get("scheme") or "").upper()
    if given in ("LB", "MT"):
        return Scheme(given)
    return Scheme.MT if code.upper().startswith("M") and code[1:].isdigit() else Scheme.LB


def parse_registrations(output: Mapping[str, Any]) -> tuple[Registration, ...]:
    rows = output.get("feedetail")
    if rows is None:
        return ()
    if not isinstance(rows, list):
        raise TransactionFormatError("output.feedetail is not a list")
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, Mapping):
            raise TransactionFormatError(f"feedetail[{i}] is not an object")
        code = str(r.get("opsp_dise_code") or "")
        begin = _date(r.get("begndate"), f"feedetail[{i}].begndate")
        if not code or begin is None:
            raise TransactionFormatError(f"feedetail[{i}] lacks opsp_dise_code or begndate")
        facilities = tuple(f for f in str(r.get("ide_fixmedins_no") or "").split(",") if f)
        out.append(Registration(_scheme_of(r, code), code, begin, _date(r.get("enddate"), f"feedetail[{i}].enddate"),
                                facilities))
    return tuple(out)


def registration_names(output: Mapping[str, Any]) -> dict[str, str]:
    rows = output.get("feedetail") or []
    return {str(r["opsp_dise_code"]): str(r.get("opsp_dise_name") or r["opsp_dise_code"])
            for r in rows if isinstance(r, Mapping) and r.get("opsp_dise_code")}


def identified(person_output: Mapping[str, Any], registrations_output: Mapping[str, Any]) -> PersonInfo:
    """1101 + 5301 as one Person with its registrations and the registered diseases' names."""
    info = parse_person(person_output)
    from dataclasses import replace

    person = replace(info.person, registrations=parse_registrations(registrations_output))
    return PersonInfo(person, info.insuplc_admdvs, registration_names(registrations_output), info.balance)


# ---- 2101 / 2102 药店预结算 / 结算 ------------------------------------------------------------------------
def _acct_flag(basket: Basket) -> str:
    return "1" if basket.account.get("use") else "0"


def _account_facts(basket: Basket) -> dict[str, str]:
    """expContent facts of the account choice: the 共济 holder and exact amounts, only when the desk named them."""
    a = basket.account
    return {k: str(a[k]) for k in ("mulaid_psn_no", "acct_pay", "acct_mulaid_pay") if a.get(k)}


def settle_input(
    basket: Basket,
    drugs: Mapping[str, Drug],
    *,
    cert_type: str,
    cert_no: str,
    card_sn: str = "",
    insutype: str,
    med_type: str,
    sale_time: dt.datetime,
    profile: InterfaceProfile | None = None,
) -> dict:
    """The druginfo/drugdetail/diseinfo input of 2101 and 2102 (identical for a pre-settlement and its
    settlement, and identical every time the same message is sent again). Without a profile, or with one that
    carries our `onewindow` extensions, our richer shape; otherwise the national lists (plus the profile's
    provincial nodes): no extension nodes, expContent as a JSON string of the facts the profile lets travel."""
    if profile is not None and "onewindow" not in profile.extensions:
        return _settle_national(basket, drugs, cert_type=cert_type, cert_no=cert_no, insutype=insutype,
                                med_type=med_type, sale_time=sale_time, profile=profile)
    details, total = [], Decimal("0.00")
    when = sale_time.strftime("%Y-%m-%d %H:%M:%S")
    for no, line in enumerate(basket.lines, start=1):
        drug = drugs[line.drug_key]
        amount = line_amounts(drug, line.qty, line.split, False).amount
        total += amount
        price = drug.price / drug.pack_size if line.split else drug.price
        ext: dict[str, Any] = {}
        if line.dose is not None and line.times_per_day is not None:
            ext.update(dose=str(line.dose), times_per_day=str(line.times_per_day))
        if line.uncoded_stock:
            ext["uncoded_stock"] = True
        details.append({
            "feedetl_sn": str(no), "rxno": basket.rx_no, "rx_circ_flag": "0", "fee_ocur_time": when,
            "med_list_codg": drug.nhsa_code or "", "medins_list_codg": drug.key, "det_item_fee_sumamt": fmt(amount),
            "cnt": line.qty, "pric": f"{price:.6f}", "sin_dos_dscr": "" if line.dose is None else str(line.dose),
            "used_frqu_dscr": "", "prd_days": line.days, "medc_way_dscr": "", "bilg_dr_codg": "",
            "bilg_dr_name": basket.doctor_name, "trdn_flag": "1" if line.split else "0",
            "drugtracinfo": [{"drug_trac_codg": c} for c in line.trace_codes], "expContent": ext,
        })
    info_ext: dict[str, Any] = {"scheme": basket.scheme.value, "rx_date": basket.rx_date.isoformat(),
                                "long_rx_confirmed": basket.long_rx_confirmed, "rx_kind": basket.rx_kind}
    if basket.rx_valid_until:
        info_ext["rx_valid_until"] = basket.rx_valid_until.isoformat()
    info_ext.update(_account_facts(basket))
    return {
        "druginfo": {
            "psn_no": basket.person_no, "mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no, "card_sn": card_sn,
            "begntime": when, "medfee_sumamt": fmt(total), "invono": "", "insutype": insutype,
            "dise_codg": basket.disease, "dise_name": basket.disease_name, "acct_used_flag": _acct_flag(basket),
            "med_type": med_type, "expContent": info_ext,
        },
        "drugdetail": details,
        "diseinfo": [{"diag_code": d, "diag_name": ""} for d in basket.diagnoses],
    }


def _settle_national(basket: Basket, drugs: Mapping[str, Drug], *, cert_type: str, cert_no: str, insutype: str,
                     med_type: str, sale_time: dt.datetime, profile: InterfaceProfile) -> dict:
    when = sale_time.strftime("%Y-%m-%d %H:%M:%S")
    details, codes, total = [], [], Decimal("0.00")
    for no, line in enumerate(basket.lines, start=1):
        drug = drugs[line.drug_key]
        amount = line_amounts(drug, line.qty, line.split, False).amount
        total += amount
        price = drug.price / drug.pack_size if line.split else drug.price
        details.append({
            "feedetl_sn": str(no), "rxno": basket.rx_no, "rx_circ_flag": "0", "fee_ocur_time": when,
            "med_list_codg": drug.nhsa_code or drug.key, "medins_list_codg": drug.key,
            "det_item_fee_sumamt": fmt(amount), "cnt": str(line.qty), "pric": f"{price:.6f}",
            "sin_dos_dscr": "" if line.dose is None else str(line.dose), "used_frqu_dscr": "",
            "prd_days": str(line.days), "medc_way_dscr": "", "bilg_dr_codg": "", "bilg_dr_name": basket.doctor_name,
            "tcmdrug_used_way": "",
        })
        codes += [{"feedetl_sn": str(no), "drug_trac_codg": c, "trdn_flag": "1" if line.split else "0",
                   "min_prcunt_type": ""} for c in line.trace_codes]
    facts: dict[str, Any] = {"scheme": basket.scheme.value, "rx_date": basket.rx_date.isoformat(),
                             "long_rx_confirmed": basket.long_rx_confirmed, "rx_kind": basket.rx_kind}
    if basket.rx_valid_until:
        facts["rx_valid_until"] = basket.rx_valid_until.isoformat()
    facts.update(_account_facts(basket))
    if profile.exp_content_keys:
        facts = {k: v for k, v in facts.items() if k in profile.exp_content_keys}
    node = {
        "druginfo": {
            "psn_no": basket.person_no, "mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no, "begntime": when,
            "medfee_sumamt": fmt(total), "invono": "", "insutype": insutype,
            "dise_codg": profile.disease_code(basket.disease), "dise_name": basket.disease_name,
            "acct_used_flag": _acct_flag(basket), "med_type": med_type,
            "expContent": json.dumps(facts, ensure_ascii=False, separators=(",", ":")) if facts else "",
        },
        "drugdetail": details,
    }
    if profile.trace_codes == "settlement_node":
        node["drug_trac_info"] = codes
    return node


def basket_total(basket: Basket, drugs: Mapping[str, Drug]) -> Decimal:
    return sum((line_amounts(drugs[l.drug_key], l.qty, l.split, False).amount for l in basket.lines),
               Decimal("0.00"))


@dataclass(frozen=True)
class CentreSettlement:
    setl_id: str
    total: Decimal
    fund: Decimal
    personal: Decimal
    deductible: Decimal | None
    setl_time: dt.datetime | None
    scheme: str
    period: str
    medins_setl_id: str
    mdtrt_id: str = ""
    # what the personal accounts paid (issue 17): own account, a bound holder's (共济), the rest in cash, the
    # own balance after; a centre that does not send them paid nothing from an account
    acct_pay: Decimal = Decimal("0.00")
    acct_mulaid_pay: Decimal = Decimal("0.00")
    balance: Decimal | None = None

    @property
    def cash(self) -> Decimal:
        return self.personal - self.acct_pay - self.acct_mulaid_pay

    def to_dict(self) -> dict:
        return {"setl_id": self.setl_id, "mdtrt_id": self.mdtrt_id, "total": fmt(self.total), "fund": fmt(self.fund),
                "personal": fmt(self.personal), "scheme": self.scheme, "period": self.period,
                "setl_time": self.setl_time.isoformat() if self.setl_time else None,
                "acct_pay": fmt(self.acct_pay), "acct_mulaid_pay": fmt(self.acct_mulaid_pay),
                "balc": None if self.balance is None else fmt(self.balance)}


def parse_settlement(output: Mapping[str, Any]) -> CentreSettlement:
    s = _node(output, "setlinfo")
    fund = _opt_dec(s.get("fund_pay_sumamt"), "setlinfo.fund_pay_sumamt")
    if fund is None:
        fund = _dec(s.get("hifp_pay"), "setlinfo.hifp_pay")
    personal = _opt_dec(s.get("psn_part_amt"), "setlinfo.psn_part_amt")
    if personal is None:
        personal = _dec(s.get("psn_pay"), "setlinfo.psn_pay")
    when = None
    if s.get("setl_time"):
        try:
            when = dt.datetime.strptime(str(s["setl_time"])[:19], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise TransactionFormatError(f"setlinfo.setl_time is not a time: {s['setl_time']!r}") from None
    ext = s.get("expContent") if isinstance(s.get("expContent"), Mapping) else {}
    return CentreSettlement(
        setl_id=str(s.get("setl_id") or ""), total=_dec(s.get("medfee_sumamt"), "setlinfo.medfee_sumamt"),
        fund=fund, personal=personal, deductible=_opt_dec(s.get("act_pay_dedc"), "setlinfo.act_pay_dedc"),
        setl_time=when, scheme=str(ext.get("scheme") or ""), period=str(ext.get("period") or ""),
        medins_setl_id=str(s.get("medins_setl_id") or ""), mdtrt_id=str(s.get("mdtrt_id") or ""),
        acct_pay=_opt_dec(s.get("acct_pay"), "setlinfo.acct_pay") or Decimal("0.00"),
        acct_mulaid_pay=_opt_dec(s.get("acct_mulaid_pay"), "setlinfo.acct_mulaid_pay") or Decimal("0.00"),
        balance=_opt_dec(s.get("balc"), "setlinfo.balc"),
    )


# ---- 2601 冲正 / 2103 结算撤销 -----------------------------------------------------------------------------
def reversal_input(psn_no: str, omsgid: str, oinfno: str) -> dict:
    return {"data": {"psn_no": psn_no, "omsgid": omsgid, "oinfno": oinfno}}


def parse_reversal(output: Mapping[str, Any]) -> dict:
    data = output.get("data") if isinstance(output.get("data"), Mapping) else {}
    return {"rslt": str(data.get("rslt", "")), "memo": str(data.get("memo", "")),
            "setl_id": str(data.get("setl_id", "") or "")}


def cancel_input(setl_id: str, psn_no: str, *, mdtrt_id: str = "") -> dict:
    """2103: `mdtrt_id` is the visit id the platform gave in the 2102 answer (this centre's equals the setl_id)."""
    return {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id or setl_id, "psn_no": psn_no}}


# ---- 3505 / 3506 商品销售 / 销售退货 -----------------------------------------------------------------------
def sale_upload_input(
    line: BasketLine,
    drug: Drug,
    *,
    doc_no: str,
    setl_id: str | None,
    psn_no: str,
    psn_name: str,
    operator_name: str,
    doctor_name: str,
    rx_no: str,
    sale_time: dt.datetime,
    prod_sel_no: str = "",
    pharmacist_licence: str = "",
    mdtrt_id: str = "",
) -> dict:
    """3505 (3506 with prod_sel_no). Batch, production date and expiry come from the line (stock) or, when the
    box carries a GS1 code, from that code."""
    lot, made, expiry = _batch_facts(line)
    sel = {
        "med_list_codg": drug.nhsa_code or drug.key, "fixmedins_hilist_id": drug.key,
        "fixmedins_hilist_name": drug.name, "fixmedins_bchno": line.batch_no or f"{doc_no}",
        "prsc_dr_name": doctor_name, "phar_name": operator_name, "phar_prac_cert_no": pharmacist_licence,
        "hi_feesetl_type": "1" if setl_id else "0",
        "setl_id": setl_id or "", "mdtrt_sn": mdtrt_id or setl_id or doc_no, "psn_no": psn_no, "psn_cert_type": "01",
        "psn_name": psn_name, "manu_lotnum": lot, "manu_date": made, "expy_end": expiry, "rx_flag": "1",
        "trdn_flag": "1" if line.split else "0", "rxno": rx_no, "rx_circ_flag": "0", "rtal_docno": doc_no,
        "sel_retn_cnt": line.qty, "sel_retn_time": sale_time.strftime("%Y-%m-%d %H:%M:%S"),
        "sel_retn_opter_name": operator_name or "-", "mdtrt_setl_type": "1" if setl_id else "2",
        "drugtracinfo": [{"drug_trac_codg": c} for c in line.trace_codes],
    }
    if prod_sel_no:
        sel["medins_prod_sel_no"] = prod_sel_no
    return {"selinfo": sel}


def _batch_facts(line: BasketLine) -> tuple[str, str, str]:
    """(manu_lotnum, manu_date, expy_end): the line's own, else what a GS1 code on one of its boxes says."""
    lot, made, expiry = line.lot_no, line.manu_date, line.expiry
    if not (lot and made and expiry):
        from core.codes import classify

        for code in line.trace_codes:
            r = classify(code)
            if r.valid and r.kind == "gs1":
                ais = r.fields.get("ais") or {}
                lot = lot or str(r.fields.get("batch") or "")
                expiry = expiry or str(r.fields.get("expiry") or "")
                if not made and len(str(ais.get("11", ""))) == 6:
                    v = str(ais["11"])
                    made = f"20{v[:2]}-{v[2:4]}-{v[4:6]}"
                break
    return lot, made, expiry[:10]


# ---- 3201 对总账 --------------------------------------------------------------------------------------------
def statement_input(since: dt.date, until: dt.date, *, total: Decimal, fund: Decimal, count: int,
                    insutype: str = "", setl_optins: str = "", include_reversed: bool = False,
                    acct_pay: Decimal = Decimal("0.00")) -> dict:
    """3201 对总账. `setl_optins`: the clearing agency (the site's admdvs); `acct_pay`: what personal accounts
    (own and 共济) paid of these settlements, as the centre's 2102 answers said."""
    return {"data": {
        "insutype": insutype, "clr_type": "41", "setl_optins": setl_optins, "stmt_begndate": since.isoformat(),
        "stmt_enddate": until.isoformat(), "medfee_sumamt": fmt(total), "fund_pay_sumamt": fmt(fund),
        "acct_pay": fmt(acct_pay), "fixmedins_setl_cnt": count, "refd_setl_flag": "1" if include_reversed else "0",
    }}


@dataclass(frozen=True)
class Statement:
    balanced: bool
    text: str
    count: int
    total: Decimal
    fund: Decimal


def parse_statement(output: Mapping[str, Any]) -> Statement:
    s = _node(output, "stmtinfo")
    try:
        count = int(s.get("fixmedins_setl_cnt"))
    except (TypeError, ValueError):
        raise TransactionFormatError("stmtinfo.fixmedins_setl_cnt is not a number") from None
    return Statement(str(s.get("stmt_rslt", "")) in ("0", "000000"), str(s.get("stmt_rslt_dscr", "")), count,
                     _dec(s.get("medfee_sumamt"), "stmtinfo.medfee_sumamt"),
                     _dec(s.get("fund_pay_sumamt"), "stmtinfo.fund_pay_sumamt"))


# ---- 5205 慢特病用药记录 (per-settlement view of the centre) --------------------------------------------------
def drug_history_query(psn_no: str, since: dt.date, until: dt.date) -> dict:
    return {"data": {"psn_no": psn_no, "begntime": since.isoformat(), "endtime": until.isoformat()}}


def parse_drug_history(output: Mapping[str, Any]) -> dict[str, dict]:
    """setl_id -> {"facility", "reversed"} (one entry per settlement; a settlement has one row per drug)."""
    rows = output.get("feedetail") or []
    if not isinstance(rows, list):
        raise TransactionFormatError("output.feedetail is not a list")
    out: dict[str, dict] = {}
    for r in rows:
        if isinstance(r, Mapping) and r.get("setl_id"):
            out[str(r["setl_id"])] = {"facility": str(r.get("fixmedins_code") or ""),
                                      "reversed": str(r.get("refd_setl_flag") or "0") == "1"}
    return out


# ---- 1301 目录下载 (incremental by version) -----------------------------------------------------------------
def catalogue_query(ver: int) -> dict:
    return {"data": {"ver": str(ver)}}


_DEC_FIELDS = ("price", "preselfpay_ratio", "strength", "max_daily", "price_ceiling")
_INT_FIELDS = ("pack_size", "min_facility_level", "course_limit_days")
_BOOL_FIELDS = ("inpatient_only", "long_rx_barred")
_TEXT_FIELDS = ("key", "name", "category", "drug_class", "nhsa_code", "atc", "nhsa_class", "spec", "unit",
                "pack_unit", "strength_unit", "sex_limit", "age_limit", "trace_prefix", "barcode", "insurance_scope",
                "restriction_text")


def drug_from_row(row: Mapping[str, Any]) -> Drug:
    values: dict[str, Any] = {}
    try:
        for k in _DEC_FIELDS:
            v = row.get(k)
            values[k] = None if v is None or v == "" else Decimal(str(v))
        for k in _INT_FIELDS:
            v = row.get(k)
            values[k] = None if v is None or v == "" else int(v)
        for k in _BOOL_FIELDS:
            values[k] = bool(row.get(k))
        for k in _TEXT_FIELDS:
            v = row.get(k)
            values[k] = None if v is None else str(v)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise TransactionFormatError(f"catalogue row {row.get('key')!r}: {exc}") from None
    if not values["key"] or not values["name"] or values["price"] is None or values["pack_size"] is None:
        raise TransactionFormatError(f"catalogue row {row.get('key')!r} lacks key, name, price or pack_size")
    for k in ("spec", "unit", "pack_unit", "strength_unit", "category"):
        if values[k] is None:
            values[k] = "drug" if k == "category" else ""
    if values["preselfpay_ratio"] is None:
        values["preselfpay_ratio"] = Decimal("0")
    return Drug(**values)


@dataclass(frozen=True)
class CatalogueUpdate:
    version: int
    full: bool
    drugs: tuple[Drug, ...]


def parse_catalogue(output: Mapping[str, Any]) -> CatalogueUpdate:
    try:
        version = int(str(output.get("ver", "")))
    except ValueError:
        raise TransactionFormatError("output.ver is not a number") from None
    rows = output.get("data") or []
    if not isinstance(rows, list):
        raise TransactionFormatError("output.data is not a list")
    return CatalogueUpdate(version, bool(output.get("full")), tuple(drug_from_row(r) for r in rows))


# ---- 2503 人员慢特病备案 ------------------------------------------------------------------------------------
def registration_input(psn_no: str, insutype: str, disease: str, disease_name: str, begin: dt.date,
                       end: dt.date | None, *, facility_code: str, facility_name: str, doctor_name: str = "",
                       exp_content: dict | None = None) -> dict:
    return {"data": {
        "expContent": dict(exp_content or {}),
        "psn_no": psn_no, "insutype": insutype, "opsp_dise_code": disease, "opsp_dise_name": disease_name,
        "tel": "", "addr": "", "insu_optins": "", "ide_fixmedins_no": facility_code,
        "ide_fixmedins_name": facility_name, "hosp_ide_date": begin.isoformat(), "diag_dr_codg": "",
        "diag_dr_name": doctor_name, "begndate": begin.isoformat(), "enddate": end.isoformat() if end else "",
    }}


def codes_of(lines: Iterable[BasketLine]) -> list[str]:
    return sorted({c for l in lines for c in l.trace_codes})


__all__ = [
    "CERT_TYPE", "CatalogueUpdate", "CentreSettlement", "PersonInfo", "Statement", "TransactionFormatError",
    "basket_total", "cancel_input", "catalogue_query", "codes_of", "drug_from_row", "identified", "registration_names", "drug_history_query",
    "parse_catalogue", "parse_drug_history", "parse_person", "parse_registrations", "parse_reversal",
    "parse_settlement", "parse_statement", "person_query", "registration_input", "registrations_query", "sign_in_input", "sign_out_input",
    "reversal_input", "sale_upload_input", "settle_input", "statement_input",
]
