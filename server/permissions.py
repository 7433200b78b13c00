"""Who may call what: institution kinds and the permission matrix, reviewed in one place.

Every institution in centre_institution has one kind. MATRIX maps each transaction number to the kinds that may
call it; `check(kind, infno)` is the one question the pipeline asks (server.centre, before any handler runs, in
--dev too: there the caller is the envelope's fixmedins_code). `onewindow server --permissions` prints the table.

Why these kinds may call these transactions:
- registration decisions (2503/2504/2513), the expert pool (2517), status changes (2521 exit, 2522 death/stop),
  worklists and reports are the agency's (经办机构) work; a supervisor (监管) may read the lists and reports;
- the 两病 management roster (2542), follow-ups (2541, 2560-2564) and reminders (2590/2593) come from the
  doctors who manage the patients (hospital, clinic) or the agency, never from a pharmacy; remote prescription
  review (2570-2572) is done by hospitals and clinics;
- applications (2510-2512, 2514, 2516) start where the patient is: at the agency's counter, a hospital or clinic
  (the qualified doctor), or a self-service kiosk;
- e-prescriptions are uploaded and revoked by prescribers (hospital, clinic) and found, downloaded and marked
  dispensed by pharmacies and the agency's settling counter (7206 only for the caller's own settlement); the kiosk
  shows a person's waiting prescriptions;
- settlement is for the places where benefits are paid out: pharmacies, hospitals, clinics, and the agency's
  counter (窗口结算); sale uploads with trace codes (3505/3506) come from the dispensing pharmacy;
- family-sharing (共济) bindings change only at the agency's counter, where the holder's credential is checked by a
  clerk; the places that settle may read them.
- stock movements (3501-3504, 3507) are the pharmacy's own; its stock is read by itself, the agency and the
  supervisor (3508-3513); prescribers, pharmacies and both readers may ask which pharmacies stock a drug (3590).
"""
from __future__ import annotations

from server.envelope import PlatformError

AGENCY, HOSPITAL, CLINIC, PHARMACY, KIOSK, SUPERVISOR = "agency", "hospital", "clinic", "pharmacy", "kiosk", "supervisor"
KINDS: dict[str, str] = {  # kind -> Chinese name
    AGENCY: "经办机构", HOSPITAL: "医院", CLINIC: "诊所/基层医疗机构", PHARMACY: "定点药店", KIOSK: "自助机",
    SUPERVISOR: "监管部门",
}

_ALL = frozenset(KINDS)
_PAYING = frozenset({AGENCY, HOSPITAL, CLINIC, PHARMACY})  # places where benefits are settled
_IDENTIFY = frozenset({AGENCY, HOSPITAL, CLINIC, PHARMACY, KIOSK})  # places that look a person up
_APPLY = frozenset({AGENCY, HOSPITAL, CLINIC, KIOSK})
_PRESCRIBERS = frozenset({HOSPITAL, CLINIC})
_AGENCY = frozenset({AGENCY})
_AGENCY_READ = frozenset({AGENCY, SUPERVISOR})
# the agency's counter settles with the pharmacy desk's flow: it finds, downloads and marks e-prescriptions too
_DISPENSING = frozenset({PHARMACY, AGENCY})
_MANAGING = frozenset({AGENCY, HOSPITAL, CLINIC})  # 两病 management: follow-ups and rosters come from doctors

MATRIX: dict[str, frozenset[str]] = {
    "9001": _ALL, "9002": _ALL,
    "1312": _ALL, "1301": _ALL,
    "1101": _IDENTIFY, "1162": _IDENTIFY, "5301": _IDENTIFY, "5205": _IDENTIFY, "5206": _IDENTIFY,
    "2101": _PAYING, "2102": _PAYING, "2103": _PAYING, "2601": _PAYING, "3201": _PAYING,
    "5203": _PAYING | {KIOSK, SUPERVISOR},
    "3101": _PAYING | {SUPERVISOR}, "3102": _PAYING | {SUPERVISOR},
    "3505": frozenset({PHARMACY}), "3506": frozenset({PHARMACY}),
    "7101": _PRESCRIBERS, "7104": _PRESCRIBERS,
    "7110": _PRESCRIBERS | _AGENCY,  # 附件3 continuous prescriptions: the doctor's institution or the agency counter
    "7201": _DISPENSING, "7202": _DISPENSING | _PRESCRIBERS | {KIOSK}, "7203": _DISPENSING,
    "7206": _DISPENSING,
    "2510": _APPLY, "2511": _APPLY, "2512": _APPLY, "2514": _APPLY | {SUPERVISOR}, "2516": _APPLY,
    "2513": _AGENCY, "2503": _AGENCY, "2504": _AGENCY, "2517": _AGENCY,
    "2515": _AGENCY_READ,
    "2520": _AGENCY_READ, "2521": _AGENCY, "2522": _AGENCY, "2530": _AGENCY_READ, "2540": _MANAGING | {SUPERVISOR},
    "2541": _MANAGING, "2542": _MANAGING, "2550": _AGENCY_READ,
    # family doctors, follow-ups, reminders, remote prescription review, supply (server/transactions/care*.py)
    "2560": _MANAGING, "2561": _MANAGING, "2562": _MANAGING, "2563": _MANAGING, "2564": _MANAGING,
    "2585": _MANAGING, "2590": _MANAGING, "2593": _MANAGING, "2586": _IDENTIFY,
    "2591": _IDENTIFY, "2592": _IDENTIFY,  # opt-outs and desk messages wherever the person is identified
    "2570": _PRESCRIBERS, "2571": _PRESCRIBERS, "2572": _PRESCRIBERS | _AGENCY_READ,
    "2574": frozenset({HOSPITAL, AGENCY}),  # the reviewing hospital (or the agency) routes a clinic's prescriptions
    "2580": frozenset({PHARMACY, HOSPITAL, CLINIC}),
    # 家庭共济 (issue 17): bound and ended at the agency's counter with the holder's credential; the desks that
    # settle read the bindings to offer a holder's account
    "2594": _AGENCY, "2595": _AGENCY, "2596": _PAYING,
    # stock (进销存, issue 18): the pharmacy uploads its own movements; the agency and the supervisor read every
    # pharmacy's stock; prescribers ask where a drug and strength is in stock (3590, our extension)
    "3501": frozenset({PHARMACY}), "3502": frozenset({PHARMACY}), "3503": frozenset({PHARMACY}),
    "3504": frozenset({PHARMACY}), "3507": frozenset({PHARMACY}),
    "3508": frozenset({PHARMACY}) | _AGENCY_READ, "3509": frozenset({PHARMACY}) | _AGENCY_READ,
    "3510": frozenset({PHARMACY}) | _AGENCY_READ, "3511": frozenset({PHARMACY}) | _AGENCY_READ,
    "3512": frozenset({PHARMACY}) | _AGENCY_READ, "3513": frozenset({PHARMACY}) | _AGENCY_READ,
    "3590": _PRESCRIBERS | frozenset({PHARMACY}) | _AGENCY_READ,
}

REFUSAL = "机构类型无权调用该交易 / institution kind may not call this transaction"


class CallerRefused(PlatformError):
    """The caller may not do this (journaled as a refusal by server.centre): raised by the pipeline for the kind,
    and by a handler when the object belongs to another institution (7206: another's settlement)."""


class KindRefused(CallerRefused):
    """The caller's institution kind may not call this transaction (journaled as a refusal)."""


def allowed(kind: str | None, infno: str) -> bool:
    # A transaction missing from the matrix is refused to everyone: a new handler must be placed here first.
    return kind is not None and kind in MATRIX.get(infno, frozenset())


def check(code: str, kind: str | None, infno: str) -> None:
    if kind is None:
        raise KindRefused(f"{REFUSAL}: 机构 {code} 未登记 / institution {code} is not registered at this centre")
    if not allowed(kind, infno):
        raise KindRefused(f"{REFUSAL} ({infno}; {KINDS.get(kind, kind)} {kind} {code})")


def table(registry: dict | None = None) -> str:
    """The matrix as text, one line per transaction (what `onewindow server --permissions` prints)."""
    names = {k: getattr(v, "name", "") for k, v in (registry or {}).items()}
    kinds = list(KINDS)
    head = f"{'infno':6} " + " ".join(f"{k:10}" for k in kinds) + "  transaction"
    lines = [head, "-" * len(head)]
    for infno in sorted(set(MATRIX) | set(names)):
        cells = " ".join(f"{('yes' if k in MATRIX.get(infno, ()) else '-'):10}" for k in kinds)
        lines.append(f"{infno:6} {cells}  {names.get(infno, '')}")
    lines.append("")
    lines.append("kinds: " + ", ".join(f"{k} {v}" for k, v in KINDS.items()))
    return "\n".join(lines)
