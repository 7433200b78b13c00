"""Demo data for the pharmacy desk: staff, e-prescriptions waiting at the centre, uncoded stock, and the
codes printed on the demo sheet (e-voucher QRs, ID numbers, trace codes of boxes, a commodity barcode).

Used by `onewindow demo`; the centre side (seeding the world, issuing e-voucher QRs) stays in server/.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from core.services.auth import Auth

STAFF = (
    ("li", "李药师", "pharmacist", "yaoshi123", "2468"),
    ("zhang", "张主管", "supervisor", "zhuguan123", "135790"),
    ("wang", "王营业员", "clerk", "yingye123", "1111"),
    ("admin", "管理员", "admin", "admin123", "999999"),
)
# (person_no, ID number, label, prescription lines [(drug, boxes, days, dose, times a day)], med_type, diagnosis)
PATIENTS = (
    ("T0001", "420704195703121015", "王某 两病·高血压", [("D01", 1, 28, "5", "1")], "9901", "I10.x00"),
    ("T0011", "420704196410101939", "钱某 两病·高血压（职工）", [("D01", 2, 56, "5", "1"), ("D03", 1, 28, "150", "1")],
     "9901", "I10.x00"),
    ("T0003", "420704195511021255", "赵某 慢特病·高血压+糖尿病", [("D02", 1, 30, "500", "2"), ("D01", 1, 28, "5", "1")],
     "14", "I10.x00"),
)
PREFIX = {"D01": "8100011", "D02": "8100022", "D03": "8100033"}


@dataclass(frozen=True)
class SheetItem:
    title: str
    text: str
    symbology: str  # qr / code128 / ean13


def seed_staff(auth: Auth) -> None:
    existing = {u.user_id for u in auth.users()}
    for user, name, role, password, pin in STAFF:
        if user not in existing:
            auth.add_user(user, name, role, password=password, pin=pin)


def rx_payload(psn_no: str, lines, med_type: str, diag: str) -> dict:
    return {
        "rxinfo": {"hosp_rxno": f"DEMO-{psn_no}-{secrets.token_hex(3)}", "psn_no": psn_no, "med_type": med_type,
                   "dise_codg": diag, "diag_codes": [diag], "prsc_dr_name": "张医生", "prsc_dept_name": "心内科",
                   "valid_days": 3, "rx_type": "long" if any(d > 28 for _, _, d, _, _ in lines) else "ordinary"},
        "rxdrugdetail": [{"medins_list_codg": drug, "cnt": boxes, "prd_days": days, "sin_dos_dscr": f"{dose}",
                          "used_frqu_dscr": f"每日{times}次", "expContent": {"dose": dose, "times_per_day": times}}
                         for drug, boxes, days, dose, times in lines],
    }


def trace_code(drug: str) -> str:
    return PREFIX[drug] + f"{secrets.randbelow(10**13):013d}"


def sheet_items(evouchers: dict[str, str]) -> list[SheetItem]:
    """What the printable demo sheet shows: per patient an e-voucher QR (when issued) and the ID number,
    then trace codes of boxes of every demo drug, and a commodity barcode for the 'wrong barcode' case."""
    items = []
    for psn, certno, label, _lines, _mt, _dx in PATIENTS:
        if psn in evouchers:
            items.append(SheetItem(f"医保电子凭证 {label}", evouchers[psn], "qr"))
        items.append(SheetItem(f"身份证号 {label}", certno, "code128"))
    for drug, name in (("D01", "苯磺酸氨氯地平片"), ("D02", "盐酸二甲双胍片"), ("D03", "厄贝沙坦片")):
        for i in range(3):
            items.append(SheetItem(f"追溯码 {name} 第{i + 1}盒", trace_code(drug), "code128"))
    items.append(SheetItem("商品条码（扫错示例）", "6901234567892", "ean13"))
    return items


def demo_uncoded_stock(desk) -> None:
    if not desk.uncoded_batches("D03"):
        desk.add_uncoded_stock("D03", "WM2406", 5, dt.date(2025, 6, 1))


__all__ = ["PATIENTS", "STAFF", "SheetItem", "demo_uncoded_stock", "rx_payload", "seed_staff", "sheet_items",
           "trace_code"]
