"""Value types: Money, Person, Registration, Drug, Facility, Prescription, Line, settlement history."""
from core.domain.money import CENT, ZERO, MoneyError, fmt, money, ratio, round_money
from core.domain.types import (
    AuditRequest,
    DispenseRecord,
    Drug,
    Facility,
    LineVerdict,
    Person,
    Prescription,
    PrescriptionLine,
    Registration,
    RuleHit,
    Scheme,
    SettlementRecord,
    Severity,
    Sig,
    TraceSale,
    Verdict,
)

__all__ = [
    "CENT", "ZERO", "MoneyError", "fmt", "money", "ratio", "round_money",
    "AuditRequest", "DispenseRecord", "Drug", "Facility", "LineVerdict", "Person", "Prescription",
    "PrescriptionLine", "Registration", "RuleHit", "Scheme", "SettlementRecord", "Severity", "Sig",
    "TraceSale", "Verdict",
]
