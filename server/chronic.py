"""What the centre keeps about each settlement for chronic-disease management: the amounts by disease
(高血压 / 糖尿病 / other) and the diagnoses it carried.

`record_settlement(ctx, inp, out)` runs inside the 2102 transaction, after the settlement is written: one
INSERT. A line belongs to the disease whose 两病 drug scope (profile `schemes.LB.drug_scope`, e.g. HTN: C02…C09,
DM: A10) holds the drug's class; the first match wins, in the order HTN, DM. The line's medical fee is its
`det_item_fee_sumamt`; the settlement's fund payment (`hifp_pay`) is shared out in proportion to the lines'
policy-scope amounts (`inscp_scp_amt`), in cents, by largest remainder, so the parts always add up to the
settlement exactly — the monthly reports (附件4/5) reconcile with the settlements to the cent.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Iterable, Sequence

from sqlalchemy import insert

from core.domain import Scheme
from server import fastsql, reference
from server.models_chronic import settlement_chronic

HTN, DM, OTHER = "HTN", "DM", "OTHER"
DISEASES = (HTN, DM)
BUCKETS = (HTN, DM, OTHER)
# 门诊慢特病 disease codes that are the same illness as a 两病 disease (national list, nhsa-interface §2.6).
MT_TO_LB = {"M03900": HTN, "M03902": HTN, "M01600": DM, "M01603": DM}
DISEASE_ZH = {HTN: "高血压", DM: "糖尿病", OTHER: "其他"}
CENT = Decimal("0.01")

_INSERT = insert(settlement_chronic)
fastsql.PG.setdefault("chronic_insert", (
    "INSERT INTO centre_settlement_chronic (setl_id, person_no, htn_medfee, htn_fund, dm_medfee, dm_fund, "
    "other_medfee, other_fund, diagnoses) VALUES (%(setl_id)s, %(person_no)s, %(htn_medfee)s, %(htn_fund)s, "
    "%(dm_medfee)s, %(dm_fund)s, %(other_medfee)s, %(other_fund)s, %(diagnoses)s)"
))


def lb_disease(disease: str) -> str | None:
    """HTN / DM for a 两病 code or the matching 门诊慢特病 code, else None."""
    if disease in DISEASES:
        return disease
    return MT_TO_LB.get(disease)


def drug_scopes(profile) -> dict[str, tuple[str, ...]]:
    lb = profile.scheme(Scheme.LB)
    scopes = dict(lb.drug_scope) if lb is not None else {}
    mt = profile.scheme(Scheme.MT)
    if mt is not None:
        for code, prefixes in mt.drug_scope.items():
            d = MT_TO_LB.get(code)
            if d and d not in scopes:
                scopes[d] = prefixes
    return scopes


def diagnosis_scopes(profile) -> dict[str, tuple[str, ...]]:
    lb = profile.scheme(Scheme.LB)
    scopes = dict(lb.diagnosis_scope) if lb is not None else {}
    mt = profile.scheme(Scheme.MT)
    if mt is not None:
        for code, prefixes in mt.diagnosis_scope.items():
            d = MT_TO_LB.get(code)
            if d and d not in scopes:
                scopes[d] = prefixes
    return scopes


def disease_of_class(scopes: dict[str, tuple[str, ...]], scope_class: str | None) -> str:
    if scope_class:
        for disease in DISEASES:
            if any(scope_class.startswith(p) for p in scopes.get(disease, ())):
                return disease
    return OTHER


def disease_of_diagnosis(scopes: dict[str, tuple[str, ...]], code: str) -> str | None:
    code = (code or "").upper()
    for disease in DISEASES:
        if any(code.startswith(p) for p in scopes.get(disease, ())):
            return disease
    return None


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` (cents) shared in proportion to `weights`, largest remainder first (ties: earlier first).
    Sums to `total` exactly. All-zero weights: everything to the first non-empty place, else the first."""
    total = Decimal(total).quantize(CENT)
    n = len(weights)
    if n == 0:
        return []
    wsum = sum((Decimal(w) for w in weights), Decimal("0"))
    if wsum <= 0:
        out = [Decimal("0.00")] * n
        out[0] = total
        return out
    cents = int((total / CENT).to_integral_value())
    raw = [Decimal(cents) * Decimal(w) / wsum for w in weights]
    floors = [int(r.to_integral_value(rounding=ROUND_FLOOR)) for r in raw]
    left = cents - sum(floors)
    order = sorted(range(n), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(c) * CENT).quantize(CENT) for c in floors]


def split_settlement(lines: Iterable[tuple[str, Decimal, Decimal]], fund: Decimal) -> dict[str, tuple[Decimal, Decimal]]:
    """lines: (bucket, medfee, eligible) -> {bucket: (medfee, fund)} for HTN, DM, OTHER."""
    medfee = {b: Decimal("0.00") for b in BUCKETS}
    eligible = {b: Decimal("0.00") for b in BUCKETS}
    for bucket, fee, elig in lines:
        medfee[bucket] += Decimal(fee)
        eligible[bucket] += Decimal(elig)
    weights = [eligible[b] for b in BUCKETS]
    if sum(weights) <= 0:
        weights = [medfee[b] for b in BUCKETS]
    funds = allocate(fund, weights)
    return {b: (medfee[b].quantize(CENT), funds[i]) for i, b in enumerate(BUCKETS)}


def record_settlement(ctx, inp, out: dict) -> None:
    """Called by 2102 inside its transaction, after the settlement is written."""
    setl = out["setlinfo"]
    profile = reference.profile_for(ctx.centre, ctx.conn, None)
    scopes = ctx.centre.cached("chronic.scopes", lambda: drug_scopes(profile), reference.TTL)
    catalogue = reference.catalogue(ctx.centre, ctx.conn)
    cut = {c["feedetl_sn"]: c for c in out.get("detlcutinfo", [])}
    lines = []
    for d in inp.drugdetail:
        drug = catalogue.resolve(d.med_list_codg, d.medins_list_codg)
        c = cut.get(d.feedetl_sn, {})
        lines.append((disease_of_class(scopes, drug.scope_class),
                      Decimal(str(c.get("det_item_fee_sumamt", d.det_item_fee_sumamt))),
                      Decimal(str(c.get("inscp_scp_amt", "0")))))
    parts = split_settlement(lines, Decimal(str(setl["hifp_pay"])))
    diagnoses = [x.diag_code for x in inp.diseinfo] or [str(c) for c in inp.druginfo.expContent.get("diagnoses", []) if c]
    if not diagnoses and inp.druginfo.dise_codg:
        diagnoses = [inp.druginfo.dise_codg]
    row = {
        "setl_id": setl["setl_id"], "person_no": setl["psn_no"],
        "htn_medfee": parts[HTN][0], "htn_fund": parts[HTN][1], "dm_medfee": parts[DM][0], "dm_fund": parts[DM][1],
        "other_medfee": parts[OTHER][0], "other_fund": parts[OTHER][1],
        "diagnoses": ",".join(dict.fromkeys(diagnoses))[:200],
    }
    ctx.defer("chronic_insert", row) if ctx.pg else ctx.conn.execute(_INSERT, row)


__all__ = [
    "BUCKETS", "DISEASES", "DISEASE_ZH", "DM", "HTN", "MT_TO_LB", "OTHER", "allocate", "diagnosis_scopes",
    "disease_of_class", "disease_of_diagnosis", "drug_scopes", "lb_disease", "record_settlement", "split_settlement",
]
