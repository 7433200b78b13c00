"""Messages in the national shape (written from the field lists of ../shared/domain/nhsa-interface.md §2), as other
vendors' clients send them:

    clean   exactly the national lists: strings, yyyy-MM-dd HH:mm:ss, expContent as a JSON string
    csharp  Newtonsoft: unset strings as null, DateTime with a T (and fractions/zone), decimals as numbers
    java    Jackson: java.util.Date as `yyyy-MM-dd HH:mm:ss` even for date-only fields, numbers as strings, "" for
            unset numbers
    js      numbers as numbers, expContent as an object, dates with a T and Z

`variant(msg, style)` turns a clean message into a vendor's.
"""
from __future__ import annotations

import copy
import datetime as dt
import json

CST = dt.timezone(dt.timedelta(hours=8))
DATETIME_FIELDS = {"begntime", "fee_ocur_time", "sel_retn_time", "endtime"}
DATE_FIELDS = {"manu_date", "expy_end", "stmt_begndate", "stmt_enddate"}
NUMBER_FIELDS = {"medfee_sumamt", "det_item_fee_sumamt", "cnt", "pric", "prd_days", "sel_retn_cnt",
                 "fund_pay_sumamt", "acct_pay", "fixmedins_setl_cnt", "finl_trns_pric"}
OPTIONAL_TEXT = {"invono", "dise_name", "rxno", "bilg_dr_codg", "tcmdrug_used_way", "card_sn", "begntime_",
                 "stoout_no", "memo", "prsc_dr_certno", "phar_certno", "certno_", "drug_prod_barc", "shelf_posi"}


def now_text() -> str:
    return dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")


def sign_in() -> dict:
    return {"signIn": {"opter_no": "OP01", "mac": "00:1A:2B:3C:4D:5E", "ip": "10.0.0.8"}}


def person_by_certno(certno: str) -> dict:
    return {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "psn_cert_type": "01", "certno": certno,
                     "psn_name": ""}}


def settle(psn_no: str, certno: str, drug: dict, *, packs: int = 3, days: int = 84, med_type: str = "9901",
           dise_codg: str = "M03900") -> dict:
    total = f"{float(drug['price']) * packs:.2f}"
    when = now_text()
    return {
        "druginfo": {
            "psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "begntime": when,
            "medfee_sumamt": total, "invono": "", "insutype": "390", "dise_codg": dise_codg, "dise_name": "高血压病",
            "acct_used_flag": "0", "med_type": med_type, "expContent": "",
        },
        "drugdetail": [{
            "feedetl_sn": "1", "rxno": "RX20261207001", "rx_circ_flag": "0", "fee_ocur_time": when,
            "med_list_codg": drug["code"], "medins_list_codg": drug["key"], "det_item_fee_sumamt": total,
            "cnt": str(packs), "pric": drug["price"], "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd",
            "prd_days": str(days), "medc_way_dscr": "口服", "bilg_dr_codg": "", "bilg_dr_name": "王医生",
            "tcmdrug_used_way": "",
        }],
    }


def sale_upload(drug: dict, codes: list[str], *, mdtrt_sn: str, psn_no: str, certno: str, doc_no: str,
                packs: int = 3) -> dict:
    return {"selinfo": {
        "med_list_codg": drug["code"], "fixmedins_hilist_id": drug["key"], "fixmedins_hilist_name": "苯磺酸氨氯地平片",
        "fixmedins_bchno": f"B{doc_no}", "prsc_dr_cert_type": "", "prsc_dr_certno": "", "prsc_dr_name": "王医生",
        "phar_cert_type": "", "phar_certno": "", "phar_name": "李药师", "phar_prac_cert_no": "YS4207000123",
        "hi_feesetl_type": "1", "setl_id": "", "mdtrt_sn": mdtrt_sn, "psn_no": psn_no, "psn_cert_type": "01",
        "certno": certno, "psn_name": "", "manu_lotnum": "A2501", "manu_date": "2025-01-15",
        "expy_end": "2027-12-31", "rx_flag": "1", "trdn_flag": "0", "finl_trns_pric": drug["price"],
        "rxno": "RX20261207001", "rx_circ_flag": "0", "rtal_docno": doc_no, "stoout_no": "", "bchno": "",
        "drug_trac_codg": "", "drug_prod_barc": "", "shelf_posi": "", "sel_retn_cnt": str(packs),
        "sel_retn_time": now_text(), "sel_retn_opter_name": "李药师", "memo": "", "mdtrt_setl_type": "1",
        "drugtracinfo": [{"drug_trac_codg": c} for c in codes],
    }}


def sale_return(upload: dict, prod_sel_no: str) -> dict:
    sel = dict(upload["selinfo"])
    sel["medins_prod_sel_no"] = prod_sel_no
    sel["sel_retn_time"] = now_text()
    return {"selinfo": sel}


def cancel(setl_id: str, mdtrt_id: str, psn_no: str) -> dict:
    return {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no, "expContent": ""}}


def statement(day: str, *, count: int, total: str, fund: str) -> dict:
    return {"data": {"insutype": "390", "clr_type": "41", "setl_optins": "420700", "stmt_begndate": day,
                     "stmt_enddate": day, "medfee_sumamt": total, "fund_pay_sumamt": fund, "acct_pay": "0.00",
                     "fixmedins_setl_cnt": str(count), "refd_setl_flag": "0"}}


# ---- vendor styles ---------------------------------------------------------------------------------------
def _walk(node, fn):
    if isinstance(node, dict):
        for k in list(node):
            if isinstance(node[k], (dict, list)) and k != "expContent":
                _walk(node[k], fn)
            else:
                fn(node, k)
    elif isinstance(node, list):
        for item in node:
            _walk(item, fn)


def variant(msg: dict, style: str) -> dict:
    out = copy.deepcopy(msg)
    if style == "clean":
        return out

    def csharp(node, k):
        v = node[k]
        if k in OPTIONAL_TEXT and v == "":
            node[k] = None  # Newtonsoft writes an unset string as null
        elif k in DATETIME_FIELDS and isinstance(v, str):
            node[k] = v.replace(" ", "T") + ".0000000+08:00"
        elif k in DATE_FIELDS and isinstance(v, str) and len(v) == 10:
            node[k] = v + "T00:00:00"
        elif k in NUMBER_FIELDS and isinstance(v, str) and v:
            node[k] = json.loads(v) if "." not in v else float(v)
        elif k == "expContent" and v == "":
            node[k] = None

    def java(node, k):
        v = node[k]
        if k in DATE_FIELDS and isinstance(v, str) and len(v) == 10:
            node[k] = v + " 00:00:00"  # a java.util.Date formatted with the datetime pattern
        elif k == "finl_trns_pric":
            node[k] = ""
        elif k == "expContent":
            node[k] = json.dumps({"vendor": "java-his", "remark": None})

    def js(node, k):
        v = node[k]
        if k in NUMBER_FIELDS and isinstance(v, str) and v:
            node[k] = float(v)
        elif k in DATETIME_FIELDS and isinstance(v, str):
            node[k] = dt.datetime.strptime(v, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST).astimezone(
                dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        elif k == "expContent":
            node[k] = {"vendor": "node-his"}

    _walk(out, {"csharp": csharp, "java": java, "js": js}[style])
    return out


STYLES = ("csharp", "java", "js")
