"""Audit rules, one module per family; importing this package registers them in evaluation order:
person -> scheme -> prescription -> lines -> history -> trace codes. Benefit rules run after the
settlement is computed (core.audit.rules.benefit)."""
from core.audit.rules import (  # noqa: F401
    eligibility,
    prescription,
    goods,
    drug_disease,
    facility_restriction,
    sex_age,
    dose,
    quantity,
    refill,
    patterns,
    trace,
)
