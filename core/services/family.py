"""家庭共济 at the agency's counter (issue 17): bind a relative to an employee's personal account and end it, the
holder confirming with their own credential (电子凭证 token, ID card or social security card read at the counter),
through the counter's link (2594/2595, our extensions; the centre journals both and allows only the agency).

The credential is classified first (core.codes): an ID number with a wrong check character, or a code that is no
credential at all, is refused here with the reason and nothing is sent.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.codes import Kind, classify
from core.i18n import Message
from core.services.ports import DeskError
from core.services.registration import CounterService

RELATIONS = {"1": "配偶", "2": "父母", "3": "子女", "9": "其他近亲属"}


def _bad(key: str, zh: str, en: str) -> DeskError:
    return DeskError(Message(f"counter.family.{key}", zh, en))


@dataclass(frozen=True)
class Binding:
    binding_id: str
    holder_psn_no: str
    holder_name: str
    relative_psn_no: str
    relation: str
    since: str


def holder_credential(counter: CounterService, text: str) -> tuple[str, str, str]:
    """(mdtrt_cert_type, cert_no, card_sn) of what the holder presented (an e-voucher QR decoded by the centre,
    1162, as the counter's identify does); refuses anything else before anything is sent."""
    r = classify(text.strip())
    if r.kind is Kind.ID_CARD and r.valid:
        return "02", r.fields["number"], ""
    if r.kind is Kind.SS_CARD and r.valid:
        return "03", r.fields.get("card_no") or r.text, r.fields.get("card_sn") or "-"
    if r.kind is Kind.EVOUCHER and r.valid:
        data = counter.call(counter._infno("evoucher"), {"data": {"ecQrCode": r.text, "businessType": "02121",
                                                                 "orgId": ""}})["data"]
        return "01", data["ecToken"], ""
    raise _bad("credential", "请账户持有人出示本人有效的电子凭证、身份证或社保卡确认",
               "the account holder confirms with their own valid e-voucher, ID card or social security card")


class FamilyBindings:
    def __init__(self, counter: CounterService) -> None:
        self.counter = counter

    def bind(self, holder_psn_no: str, relative_psn_no: str, relation: str, holder_presented: str) -> Binding:
        if relation not in RELATIONS:
            raise _bad("relation", "请选择亲属关系（配偶、父母、子女、其他近亲属）", "choose the relation")
        cert_type, cert_no, card_sn = holder_credential(self.counter, holder_presented)
        out = self.counter.call("2594", {"data": {
            "holder_psn_no": holder_psn_no, "relative_psn_no": relative_psn_no, "relation": relation,
            "holder_cert_type": cert_type, "holder_cert_no": cert_no, "holder_card_sn": card_sn}})["data"]
        return Binding(out["binding_id"], holder_psn_no, "", relative_psn_no, out["relation_name"], out["begntime"])

    def end(self, holder_psn_no: str, relative_psn_no: str, holder_presented: str) -> str:
        cert_type, cert_no, card_sn = holder_credential(self.counter, holder_presented)
        out = self.counter.call("2595", {"data": {
            "holder_psn_no": holder_psn_no, "relative_psn_no": relative_psn_no, "holder_cert_type": cert_type,
            "holder_cert_no": cert_no, "holder_card_sn": card_sn}})["data"]
        return str(out["endtime"])

    def of(self, psn_no: str) -> list[Binding]:
        rows = self.counter.call(self.counter._infno("family_accounts"), {"data": {"psn_no": psn_no}}).get("feedetail", [])
        return [Binding(r["binding_id"], r["holder_psn_no"], r.get("holder_name", ""), r["relative_psn_no"],
                        r.get("relation_name", ""), r.get("begntime", "")) for r in rows]
