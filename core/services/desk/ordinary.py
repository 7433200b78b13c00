"""The ordinary insured purchase at the desk (issue 17): any insured customer — not only a registered 两病/慢特病
patient — buys insured drugs without a chronic prescription, med_type 41 定点药店购药 (account only: the fund pays
nothing, the personal share is paid from the personal account when the pharmacist chooses it, or in cash).

How the desk chooses the med_type, from the same data as the centre (resources/policies/*.json "ordinary",
core.policy.ordinary.is_ordinary, server/transactions/ordinary_pay.py):
- an e-prescription whose med_type is a chronic code (14…, 9901, 1403) is a chronic sale, as before;
- an e-prescription whose med_type is in the profile's "ordinary" section (11 门诊统筹 凭外配处方) is an ordinary
  sale under that code (pooling with its deductible, ratio and annual cap; the prescription number travels);
- no prescription (F8 on the prescriptions screen, or a box scanned there): an ordinary purchase, 41.

The sale has scheme OP: the local engine (core.audit.ordinary.evaluate_sale) audits it with the chronic-only rules
off and settles it by core.policy.ordinary — the same figures the centre answers. Its lines come from the boxes:
a box of a product not yet in the sale adds a line of one box; another box of a product whose line is complete
adds one box to that line. A line lasts ORDINARY_DAYS: no prescription names a course, and a purchase must not
stretch the supply chain the chronic refill rules read.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from core.codes import Kind, classify
from core.domain import Drug, Scheme
from core.domain.clock import today_cst
from core.i18n import message
from core.policy.ordinary import DEFAULT_MED_TYPE, is_ordinary
from core.services.pharmacy_sale import BAD, CodeCheck, Sale, SaleLine
from core.services.ports import PatientCard
from core.store.catalogue import drugs_by_barcode, drugs_by_trace_prefix

ORDINARY_DAYS = 1
OP = Scheme.OP.value


def is_ordinary_sale(sale: Sale) -> bool:
    return sale.scheme == OP


def ordinary_sale(card: PatientCard, med_type: str = DEFAULT_MED_TYPE, *, day: dt.date | None = None) -> Sale:
    """An empty ordinary purchase for the identified customer; its lines come from the boxes scanned."""
    return Sale(sale_id=uuid.uuid4().hex[:12], person_no=card.person.person_no, person_name=card.person.name,
                scheme=OP, med_type=med_type, diagnoses=(), rx_id="", rx_date=day or today_cst(), rx_valid_until=None,
                rx_kind="ordinary", long_rx_confirmed=False, lines=(), insurance_type=card.insurance_type,
                cert_type=card.cert_type, cert_no=card.cert_no)


def scheme_for(profile, med_type: str, chronic: str) -> str:
    """The sale's scheme for a prescription's med_type: OP when the profile makes it an ordinary purchase, else
    the chronic scheme the caller found (`chronic`)."""
    return OP if is_ordinary(profile, med_type) else chronic


def box_product(text: str) -> tuple[str, str] | None:
    """("trace", 7-digit prefix) or ("gs1", GTIN) of a box's code; None when the scan is not a valid box code."""
    r = classify(text)
    if r.kind is Kind.TRACE_CODE and r.valid:
        return "trace", r.fields["product_prefix"]
    if r.kind is Kind.GS1 and r.valid and r.fields.get("gtin"):
        return "gs1", r.fields["gtin"]
    return None


def find_box_drug(session, product: tuple[str, str]) -> Drug | None:
    """The catalogue's drug of a box (the first of its product; a product sold under two keys is rare)."""
    form, key = product
    found = drugs_by_trace_prefix(session, key) if form == "trace" else (
        drugs_by_barcode(session, key) or drugs_by_barcode(session, key.lstrip("0")))
    drugs = sorted((d for d in found if d.is_drug), key=lambda d: d.key)
    return drugs[0] if drugs else None


def grown(sale: Sale, drug: Drug) -> Sale | None:
    """The sale with room for one more box of `drug`: one box more on its complete whole-box line, or a new line
    of one box; None when a line of it still waits for codes (the box goes there) or is 拆零."""
    mine = [l for l in sale.lines if l.drug.key == drug.key]
    if any(not l.complete or l.split or l.uncoded for l in mine):
        return None
    if mine:
        line = mine[-1]
        bigger = replace(line, qty=line.qty + 1)
        return replace(sale, lines=tuple(bigger if l.no == line.no else l for l in sale.lines), acks=frozenset())
    no = max((l.no for l in sale.lines), default=0) + 1
    return replace(sale, lines=(*sale.lines, SaleLine(no, drug, 1, ORDINARY_DAYS)), acks=frozenset())


def check_ordinary(sale: Sale, text: str, check: CodeCheck, find, recheck) -> CodeCheck:
    """An ordinary sale's answer to a box the plain check refused as "not this sale's product" or "line full":
    the check again on the sale grown by that box; accepted, the grown sale rides in extra["sale"]. `find`:
    product -> Drug | None; `recheck`: Sale -> CodeCheck (the plain per-scan check)."""
    if check.accepted or check.reason.key not in ("desk.scan.other_product", "desk.scan.line_full"):
        return check
    product = box_product(text)
    drug = find(product) if product is not None else None
    if drug is None:
        prefix = product[1] if product is not None else text
        return replace(check, line=None, reason=message("desk.ordinary.unknown_box", prefix=prefix))
    bigger = grown(sale, drug)
    if bigger is None:
        return check
    again = recheck(bigger)
    if not again.accepted:  # refused on the grown sale: said, and the sale stays as it was
        known = {l.no for l in sale.lines}
        return replace(again, line=again.line if again.line in known else None, tone=BAD)
    return replace(again, extra={**again.extra, "sale": bigger})
