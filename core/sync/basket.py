"""What a sale is made of, in our terms: the prescription and its lines (one trace code per box).

Stored as JSON in sync_sale.basket (no identity numbers in it), turned into the audit's Prescription here and
into platform nodes by core.sync.transactions.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.domain import Prescription, PrescriptionLine, Scheme, Sig


class BasketError(ValueError):
    def __init__(self, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


@dataclass(frozen=True)
class BasketLine:
    drug_key: str
    qty: int  # packs, or units of an opened box when split (拆零)
    days: int
    split: bool = False
    trace_codes: tuple[str, ...] = ()
    dose: Decimal | None = None  # per administration, in the drug's strength unit
    times_per_day: Decimal | None = None
    uncoded_stock: bool = False  # from the 无码库
    batch_no: str = ""  # 机构批次流水号 for the sale upload
    lot_no: str = ""
    expiry: str = ""
    manu_date: str = ""  # production date (stock, or GS1 AI 11)

    def to_dict(self) -> dict:
        return {
            "drug_key": self.drug_key, "qty": self.qty, "days": self.days, "split": self.split,
            "trace_codes": list(self.trace_codes),
            "dose": None if self.dose is None else str(self.dose),
            "times_per_day": None if self.times_per_day is None else str(self.times_per_day),
            "uncoded_stock": self.uncoded_stock, "batch_no": self.batch_no, "lot_no": self.lot_no,
            "expiry": self.expiry, "manu_date": self.manu_date,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "BasketLine":
        return cls(
            drug_key=d["drug_key"], qty=int(d["qty"]), days=int(d["days"]), split=bool(d.get("split")),
            trace_codes=tuple(d.get("trace_codes") or ()),
            dose=None if d.get("dose") is None else Decimal(d["dose"]),
            times_per_day=None if d.get("times_per_day") is None else Decimal(d["times_per_day"]),
            uncoded_stock=bool(d.get("uncoded_stock")), batch_no=d.get("batch_no", ""), lot_no=d.get("lot_no", ""),
            expiry=d.get("expiry", ""), manu_date=d.get("manu_date", ""),
        )


@dataclass(frozen=True)
class Basket:
    person_no: str
    scheme: Scheme
    disease: str  # the registered disease this sale is for (dise_codg)
    diagnoses: tuple[str, ...]
    rx_no: str
    rx_date: dt.date
    lines: tuple[BasketLine, ...]
    long_rx_confirmed: bool = False
    rx_kind: str = "ordinary"
    rx_valid_until: dt.date | None = None
    doctor_name: str = ""
    disease_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def account(self) -> dict[str, Any]:
        """The desk's account choice (issue 17), in extra["account"]: {"use": bool, "mulaid_psn_no": holder,
        "acct_pay": exact amount}; {} when the sale is paid without any personal account."""
        acct = self.extra.get("account")
        return dict(acct) if isinstance(acct, dict) else {}

    @property
    def uses_account(self) -> bool:
        a = self.account
        return bool(a.get("use") or a.get("mulaid_psn_no"))

    @staticmethod
    def json_uses_account(text: str | None) -> bool:
        """uses_account of a stored basket, without needing the rest of it (an old or partial record: False)."""
        try:
            acct = (json.loads(text or "{}").get("extra") or {}).get("account")
        except (ValueError, AttributeError):
            return False
        return isinstance(acct, dict) and bool(acct.get("use") or acct.get("mulaid_psn_no"))

    def validate(self) -> None:
        if not self.person_no:
            raise BasketError("no person", "未识别参保人")
        if not self.lines:
            raise BasketError("the basket is empty", "处方没有药品")
        if len(self.lines) > 100:
            raise BasketError("more than 100 lines", "药品行数超过 100")
        for no, line in enumerate(self.lines, start=1):
            if not line.drug_key:
                raise BasketError(f"line {no}: no drug", f"第 {no} 行没有药品")
            if not isinstance(line.qty, int) or line.qty <= 0:
                raise BasketError(f"line {no}: quantity must be a positive whole number", f"第 {no} 行数量无效")
            if not isinstance(line.days, int) or not 1 <= line.days <= 366:
                raise BasketError(f"line {no}: days must be 1–366", f"第 {no} 行用药天数无效")
            if len(set(line.trace_codes)) != len(line.trace_codes):
                raise BasketError(f"line {no}: the same trace code twice", f"第 {no} 行追溯码重复")

    def prescription(self) -> Prescription:
        return Prescription(
            rx_no=self.rx_no,
            rx_date=self.rx_date,
            diagnoses=self.diagnoses,
            lines=tuple(
                PrescriptionLine(
                    line=no, drug_key=l.drug_key, qty=l.qty, days=l.days,
                    sig=Sig(l.dose, l.times_per_day) if l.dose is not None and l.times_per_day is not None else None,
                    split=l.split, trace_codes=l.trace_codes, uncoded_stock=l.uncoded_stock,
                )
                for no, l in enumerate(self.lines, start=1)
            ),
            long_rx_confirmed=self.long_rx_confirmed,
            kind=self.rx_kind,
            valid_until=self.rx_valid_until,
        )

    def to_json(self) -> str:
        return json.dumps({
            "person_no": self.person_no, "scheme": self.scheme.value, "disease": self.disease,
            "diagnoses": list(self.diagnoses), "rx_no": self.rx_no, "rx_date": self.rx_date.isoformat(),
            "lines": [l.to_dict() for l in self.lines], "long_rx_confirmed": self.long_rx_confirmed,
            "rx_kind": self.rx_kind, "rx_valid_until": self.rx_valid_until.isoformat() if self.rx_valid_until else None,
            "doctor_name": self.doctor_name, "disease_name": self.disease_name, "extra": self.extra,
        }, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Basket":
        d = json.loads(text)
        return cls(
            person_no=d["person_no"], scheme=Scheme(d["scheme"]), disease=d.get("disease", ""),
            diagnoses=tuple(d.get("diagnoses") or ()), rx_no=d.get("rx_no", ""),
            rx_date=dt.date.fromisoformat(d["rx_date"]), lines=tuple(BasketLine.from_dict(x) for x in d["lines"]),
            long_rx_confirmed=bool(d.get("long_rx_confirmed")), rx_kind=d.get("rx_kind", "ordinary"),
            rx_valid_until=dt.date.fromisoformat(d["rx_valid_until"]) if d.get("rx_valid_until") else None,
            doctor_name=d.get("doctor_name", ""), disease_name=d.get("disease_name", ""), extra=d.get("extra") or {},
        )


__all__ = ["Basket", "BasketError", "BasketLine"]
