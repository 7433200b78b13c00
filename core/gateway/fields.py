"""The national field lists, one table per transaction (../shared/domain/nhsa-interface.md §1.2, §2).

The same tables serve the client (`onewindow gateway lint`, every message our gateway builds is checked in the
tests) and the centre (the tolerant normaliser reads the types from them; `onewindow server --strict` refuses
every deviation from them, naming the field). An interface profile (core.gateway.profiles) may add the nodes
and fields its province adds; the national profile adds none.

A field is `Field(kind, max_len, required, scale, choices)`:

    char      text, at most max_len characters (JSON string)
    num       decimal (precision, scale) such as amounts (16,2), cnt (16,4), pric (16,6): a JSON number or a
              numeric string
    int       whole number: a JSON number or a numeric string
    date      yyyy-MM-dd
    datetime  yyyy-MM-dd HH:mm:ss
    json      char that holds a JSON object (expContent): the national type is text, so a JSON string

A node is an object (`obj`) or a list of objects (`lst`) of fields; `required` on a node means it must be there.
Required means present, not null and not empty; `when=(sibling, value)` makes a field required only when its
sibling holds that value (3505/3506 `setl_id` when `mdtrt_setl_type` is 1, an insured sale).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class Field:
    kind: str
    max_len: int = 0
    required: bool = False
    scale: int = 2
    choices: tuple[str, ...] = ()
    when: tuple[str, str] = ()  # (sibling field, value): required when the sibling holds that value


@dataclass(frozen=True)
class Node:
    fields: Mapping[str, Field]
    many: bool = False
    required: bool = True
    max_items: int = 0


def c(n: int, req: bool = False, choices: tuple[str, ...] = ()) -> Field:
    return Field("char", n, req, choices=choices)


def num(scale: int = 2, req: bool = False) -> Field:
    return Field("num", 16, req, scale)


def i(req: bool = False) -> Field:
    return Field("int", 16, req)


def d(req: bool = False) -> Field:
    return Field("date", 10, req)


def dtm(req: bool = False) -> Field:
    return Field("datetime", 19, req)


def j() -> Field:
    return Field("json", 4000)


def obj(req: bool = True, **fields: Field) -> Node:
    return Node(fields, False, req)


def lst(req: bool = True, max_items: int = 0, **fields: Field) -> Node:
    return Node(fields, True, req, max_items)


FLAG = ("0", "1")

ENVELOPE = obj(
    infno=c(6, True), msgid=c(30, True), mdtrtarea_admvs=c(6, True), insuplc_admdvs=c(6),
    recer_sys_code=c(10, True), dev_no=c(100), dev_safe_info=c(2000), cainfo=c(1024), signtype=c(10),
    infver=c(6, True), opter_type=c(3, True, ("1", "2", "3")), opter=c(30, True), opter_name=c(50, True),
    inf_time=dtm(True), fixmedins_code=c(30, True), fixmedins_name=c(200, True), sign_no=c(30),
)

_SETTLE = {
    "druginfo": obj(
        psn_no=c(30, True), mdtrt_cert_type=c(3, True), mdtrt_cert_no=c(50, True), begntime=dtm(True),
        medfee_sumamt=num(2, True), invono=c(20), insutype=c(6, True), dise_codg=c(30), dise_name=c(300),
        acct_used_flag=c(1, True, FLAG), med_type=c(6, True), expContent=j(),
    ),
    "drugdetail": lst(
        True, 100,
        feedetl_sn=c(30, True), rxno=c(30), rx_circ_flag=c(3, True, FLAG), fee_ocur_time=dtm(True),
        med_list_codg=c(50, True), medins_list_codg=c(150, True), det_item_fee_sumamt=num(2, True),
        cnt=num(4, True), pric=num(6, True), sin_dos_dscr=c(200), used_frqu_dscr=c(30), prd_days=num(2),
        medc_way_dscr=c(200), bilg_dr_codg=c(30), bilg_dr_name=c(50), tcmdrug_used_way=c(6),
    ),
}

_SALE = dict(
    med_list_codg=c(50, True), fixmedins_hilist_id=c(30, True), fixmedins_hilist_name=c(200, True),
    fixmedins_bchno=c(30, True), prsc_dr_cert_type=c(6), prsc_dr_certno=c(50), prsc_dr_name=c(50, True),
    phar_cert_type=c(6), phar_certno=c(50), phar_name=c(50, True), phar_prac_cert_no=c(50, True),
    hi_feesetl_type=c(6, True), setl_id=Field("char", 30, when=("mdtrt_setl_type", "1")), mdtrt_sn=c(30, True), psn_no=c(30), psn_cert_type=c(6, True),
    certno=c(50), psn_name=c(50), manu_lotnum=c(30, True), manu_date=d(True), expy_end=d(True),
    rx_flag=c(3, True, FLAG), trdn_flag=c(3, True, FLAG), finl_trns_pric=num(6), rxno=c(40),
    rx_circ_flag=c(3, True, FLAG), rtal_docno=c(40, True), stoout_no=c(40), bchno=c(30), drug_trac_codg=c(30),
    drug_prod_barc=c(30), shelf_posi=c(20), sel_retn_cnt=num(4, True), sel_retn_time=dtm(True),
    sel_retn_opter_name=c(50, True), memo=c(500), mdtrt_setl_type=c(6, False, ("1", "2")),
)
TRACE = lst(False, 500, drug_trac_codg=c(100, True))

NATIONAL: dict[str, dict[str, Node]] = {
    "9001": {"signIn": obj(opter_no=c(30, True), mac=c(20, True), ip=c(40, True))},
    "9002": {"signOut": obj(sign_no=c(30, True), opter_no=c(30, True))},
    "1101": {"data": obj(
        mdtrt_cert_type=c(3, True), mdtrt_cert_no=c(50, True), card_sn=c(32), begntime=dtm(),
        psn_cert_type=c(6), certno=c(50), psn_name=c(50),
    )},
    "5301": {"data": obj(psn_no=c(30, True))},
    "5205": {"data": obj(psn_no=c(30, True), begntime=dtm(True), endtime=dtm(True))},
    "2101": _SETTLE,
    "2102": _SETTLE,
    "2103": {"data": obj(setl_id=c(30, True), mdtrt_id=c(30, True), psn_no=c(30, True), expContent=j())},
    "2601": {"data": obj(psn_no=c(30, True), omsgid=c(30, True), oinfno=c(6, True))},
    "3505": {"selinfo": obj(**_SALE, drugtracinfo=TRACE)},
    "3506": {"selinfo": obj(**_SALE, medins_prod_sel_no=c(50, True), drugtracinfo=TRACE)},
    "3201": {"data": obj(
        insutype=c(6, True), clr_type=c(6, True), setl_optins=c(6, True), stmt_begndate=d(True),
        stmt_enddate=d(True), medfee_sumamt=num(2, True), fund_pay_sumamt=num(2, True), acct_pay=num(2, True),
        fixmedins_setl_cnt=i(True), refd_setl_flag=c(1, False, FLAG),
    )},
}
# Regional nodes that provincial profiles may switch on by name (nhsa-interface.md §2.5: Hubei-style settlements).
REGIONAL_NODES: dict[str, Node] = {
    "drug_trac_info": lst(False, 500, feedetl_sn=c(30, True), drug_trac_codg=c(100, True),
                          trdn_flag=c(3, True, FLAG), min_prcunt_type=c(6)),
}
# Kinds a tolerant reader converts (the normaliser needs only these).
DATE_KINDS = frozenset({"date", "datetime"})


def merged(base: Mapping[str, Node], extra: Mapping[str, Node]) -> dict[str, Node]:
    """`base` with `extra` nodes added; a node present in both gets the union of their fields."""
    out = dict(base)
    for name, node in extra.items():
        if name in out:
            old = out[name]
            out[name] = Node({**old.fields, **node.fields}, old.many, old.required, old.max_items)
        else:
            out[name] = node
    return out


@dataclass(frozen=True)
class Tables:
    """The field tables of one interface profile: the envelope plus one table per infno."""

    envelope: Node = ENVELOPE
    by_infno: Mapping[str, Mapping[str, Node]] = field(default_factory=lambda: dict(NATIONAL))

    def table(self, infno: str) -> Mapping[str, Node] | None:
        return self.by_infno.get(infno)


NATIONAL_TABLES = Tables()

__all__ = ["DATE_KINDS", "ENVELOPE", "Field", "NATIONAL", "NATIONAL_TABLES", "Node", "REGIONAL_NODES", "Tables",
           "merged"]


def ext() -> Field:
    return Field("ext", 4000)


# Our own richer format (the `onewindow` profile, between OneWindow terminals and the OneWindow centre): per-box
# codes and split flag on each settlement line, ICD diagnoses, dose facts in expContent objects.
_OW_SETTLE = {
    "druginfo": obj(card_sn=c(32), expContent=ext()),
    "drugdetail": lst(trdn_flag=c(3, False, FLAG), expContent=ext(),
                      drugtracinfo=lst(False, 200, drug_trac_codg=c(100, True))),
    "diseinfo": lst(False, 20, diag_code=c(30, True), diag_name=c(100)),
}
EXTENSIONS: dict[str, dict[str, dict[str, Node]]] = {
    "onewindow": {"2101": _OW_SETTLE, "2102": _OW_SETTLE,
                  "1101": {"data": obj(card_sn=c(32))}, "2103": {"data": obj(expContent=ext())}},
    "drug_trac_info": {"2101": {"drug_trac_info": REGIONAL_NODES["drug_trac_info"]},
                       "2102": {"drug_trac_info": REGIONAL_NODES["drug_trac_info"]}},
}


def tables_with(extensions: tuple[str, ...]) -> Tables:
    """The national tables plus the named extension sets (an unknown name is a KeyError: profiles validate first)."""
    by_infno = {k: dict(v) for k, v in NATIONAL.items()}
    for name in extensions:
        for infno, nodes in EXTENSIONS[name].items():
            by_infno[infno] = merged(by_infno.get(infno, {}), nodes)
    return Tables(ENVELOPE, by_infno)
