"""The prescription as a whole: validity period and the diagnosis matching a registered disease."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule

NO_ACTIVE_DISEASE = ("ELG-003", "ELG-004", "ELG-006")


@rule("QTY-005", "prescription")
def expired_prescription(ctx: AuditContext):
    rx = ctx.request.prescription
    if rx.kind == "continuous" and rx.valid_until is not None:
        if ctx.day > rx.valid_until:
            yield Finding(None, f"连续处方有效期至 {rx.valid_until}，已过期", f"continuous prescription valid until {rx.valid_until}")
        return
    age = (ctx.day - rx.rx_date).days
    if age >= ctx.profile.rx_validity_days:
        yield Finding(None, f"处方开具于 {rx.rx_date}，已超过 {ctx.profile.rx_validity_days} 天有效期",
                      f"prescription dated {rx.rx_date} older than {ctx.profile.rx_validity_days} days",
                      {"age_days": age})


@rule("CAT-004", "prescription")
def diagnosis_mismatch(ctx: AuditContext):
    policy = ctx.policy
    if policy is None or not ctx.active:
        return  # ELG-003/004/006 already say there is no active disease to match
    prefixes = [p for d in ctx.active_diseases() for p in policy.diagnosis_scope.get(d, ())]
    if not prefixes:
        return
    diagnoses = ctx.request.prescription.diagnoses
    if not any(dx.upper().startswith(p.upper()) for dx in diagnoses for p in prefixes):
        shown = "、".join(diagnoses) or "（无诊断）"
        yield Finding(None, f"处方诊断 {shown} 与备案病种不符，请退回医生", f"no prescription diagnosis matches a registered disease ({', '.join(diagnoses) or 'none'})")
