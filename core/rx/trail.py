"""审方 → 调配 → 核对 → 发药: the pharmacist's four steps on one prescription, each with who did it (seed 003: every
review and dispensing step traceable).

    trail = Trail.start(lines, mode="strict", check="scan", verdict="WARN", hints=["DRG-004 …"])
    trail.review(li, at)            # 审方: a licensed pharmacist; sees the audit verdict and hints; BLOCK cannot pass
    trail.dispense(wang, at)        # 调配: whoever picks the boxes (no licence needed)
    trail.scan_box(code) / trail.confirm_line(1)   # the check: every box scanned again, or every line confirmed
    trail.check(zhao, at)           # 核对: a licensed pharmacist; in "strict" mode not the one who dispensed
    trail.hand_out(li, at)          # 发药
    trail.upload_fields()           # phar_name / phar_prac_cert_no / phar_chk_name … for 3505 and 7206
    trail.receipt_lines()           # what the receipt and the sale record print

Mode (setting dispensing.pharmacists): "single" — a one-pharmacist shop, one person may do every step, and the
trail says so (同一人); "strict" — the check is done by a different person from the dispenser, and by a different
pharmacist from the reviewer. A step out of order, a missing licence, a check with boxes unscanned or lines
unconfirmed: TrailError (Chinese first), the trail left as it was.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STEPS = ("review", "dispense", "check", "hand_out")
STEP_NAMES = {"review": "审方", "dispense": "调配", "check": "核对", "hand_out": "发药"}
MODES = ("single", "strict")
CHECKS = ("scan", "confirm")


class TrailError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Staff:
    user_id: str
    name: str
    licence: str = ""  # 执业药师注册证号 from the staff profile; "" = not a licensed pharmacist


@dataclass(frozen=True)
class TrailLine:
    line: int
    drug_name: str
    codes: tuple[str, ...] = ()  # trace codes sold on the line: the check scans each again


@dataclass(frozen=True)
class Step:
    step: str
    user_id: str
    name: str
    licence: str
    at: dt.datetime
    same_person_as: tuple[str, ...] = ()  # earlier steps done by the same person (allowed in single mode only)

    def to_dict(self) -> dict:
        return {"step": self.step, "user_id": self.user_id, "name": self.name, "licence": self.licence,
                "at": self.at.isoformat(timespec="seconds"), "same_person_as": list(self.same_person_as)}


@dataclass
class Trail:
    lines: tuple[TrailLine, ...]
    mode: str = "strict"
    check_mode: str = "scan"
    verdict: str = "PASS"  # the audit verdict the reviewer saw
    hints: tuple[str, ...] = ()  # interaction / dose hints shown at review
    steps: list[Step] = field(default_factory=list)
    scanned: set[str] = field(default_factory=set)
    confirmed: set[int] = field(default_factory=set)

    @classmethod
    def start(cls, lines, *, mode: str = "strict", check: str = "scan", verdict: str = "PASS", hints=()) -> "Trail":
        if mode not in MODES:
            raise TrailError(f"审方模式 {mode!r} 无效（single 或 strict）", f"mode {mode!r} is not single or strict")
        if check not in CHECKS:
            raise TrailError(f"核对方式 {check!r} 无效（scan 或 confirm）", f"check {check!r} is not scan or confirm")
        return cls(tuple(lines), mode, check, verdict, tuple(hints))

    # ---- state -------------------------------------------------------------------------------------------
    @property
    def next_step(self) -> str | None:
        return STEPS[len(self.steps)] if len(self.steps) < len(STEPS) else None

    @property
    def done(self) -> bool:
        return self.next_step is None

    def by(self, step: str) -> Step | None:
        return next((s for s in self.steps if s.step == step), None)

    def missing_checks(self) -> list[str]:
        """What the check still waits for: box codes not scanned again, or lines not confirmed."""
        if self.check_mode == "scan":
            return [c for line in self.lines for c in line.codes if c not in self.scanned] + [
                f"L{line.line}" for line in self.lines if not line.codes and line.line not in self.confirmed]
        return [f"L{line.line}" for line in self.lines if line.line not in self.confirmed]

    # ---- steps -------------------------------------------------------------------------------------------
    def _add(self, step: str, who: Staff, at: dt.datetime, *, licensed: bool) -> Step:
        if self.next_step != step:
            want = STEP_NAMES.get(self.next_step or "", "（已完成）")
            raise TrailError(f"现在应进行{want}，不能{STEP_NAMES[step]}", f"the next step is {self.next_step}, not {step}")
        if licensed and not who.licence.strip():
            raise TrailError(f"{who.name} 没有执业药师注册证号，不能{STEP_NAMES[step]}（请在人员资料中登记）",
                             f"{who.name} has no pharmacist licence number: cannot {step}")
        same = tuple(s.step for s in self.steps if s.user_id == who.user_id)
        record = Step(step, who.user_id, who.name, who.licence.strip(), at, same)
        self.steps.append(record)
        return record

    def review(self, who: Staff, at: dt.datetime) -> Step:
        if self.verdict == "BLOCK":
            raise TrailError("审核结果为禁止（BLOCK），处方不能通过审方", "the audit verdict is BLOCK: review cannot pass")
        return self._add("review", who, at, licensed=True)

    def dispense(self, who: Staff, at: dt.datetime) -> Step:
        return self._add("dispense", who, at, licensed=False)

    def scan_box(self, code: str) -> bool:
        """A box scanned again at the check; False for a code that is not on this prescription."""
        code = code.strip()
        if self.next_step != "check" or not any(code in line.codes for line in self.lines):
            return False
        self.scanned.add(code)
        return True

    def confirm_line(self, line: int) -> None:
        if self.next_step != "check":
            raise TrailError("调配完成后才能核对", "check comes after dispensing")
        if self.check_mode == "scan" and any(l.line == line and l.codes for l in self.lines):
            raise TrailError(f"第 {line} 行有追溯码，须逐盒扫码核对", f"line {line} has box codes: scan each box")
        if not any(l.line == line for l in self.lines):
            raise TrailError(f"处方没有第 {line} 行", f"no line {line}")
        self.confirmed.add(line)

    def check(self, who: Staff, at: dt.datetime) -> Step:
        missing = self.missing_checks()
        if self.next_step == "check" and missing:
            raise TrailError(f"还有 {len(missing)} 项未核对：{'、'.join(missing[:5])}",
                             f"{len(missing)} not checked yet: {', '.join(missing[:5])}")
        if self.mode == "strict" and self.next_step == "check":
            dispenser, reviewer = self.by("dispense"), self.by("review")
            if dispenser is not None and dispenser.user_id == who.user_id:
                raise TrailError("严格模式：核对人不能是调配人，请另一位药师核对",
                                 "strict mode: the checker cannot be the dispenser")
            if reviewer is not None and reviewer.user_id == who.user_id:
                raise TrailError("严格模式：核对人不能是审方药师，请另一位药师核对",
                                 "strict mode: the checker cannot be the reviewer")
        return self._add("check", who, at, licensed=True)

    def hand_out(self, who: Staff, at: dt.datetime) -> Step:
        return self._add("hand_out", who, at, licensed=False)

    # ---- what travels and prints -------------------------------------------------------------------------
    def upload_fields(self) -> dict:
        """3505 (selinfo) and 7206 fields: the reviewing pharmacist and the checking one, with licence numbers."""
        rev, chk, dsp = self.by("review"), self.by("check"), self.by("dispense")
        return {"phar_name": rev.name if rev else "", "phar_prac_cert_no": rev.licence if rev else "",
                "phar_chk_name": chk.name if chk else "", "phar_chk_prac_cert_no": chk.licence if chk else "",
                "dspr_name": dsp.name if dsp else ""}

    def receipt_lines(self) -> list[str]:
        out = []
        for s in self.steps:
            who = f"{s.name}" + (f"（执业药师 {s.licence}）" if s.licence else "")
            same = f"（与{'、'.join(STEP_NAMES[x] for x in s.same_person_as)}同一人）" if s.same_person_as else ""
            out.append(f"{STEP_NAMES[s.step]}：{who} {s.at:%H:%M}{same}")
        return out

    def to_dict(self) -> dict:
        return {"mode": self.mode, "check_mode": self.check_mode, "verdict": self.verdict, "hints": list(self.hints),
                "steps": [s.to_dict() for s in self.steps],
                "checked": sorted(self.scanned) + [f"L{n}" for n in sorted(self.confirmed)]}

    @classmethod
    def from_dict(cls, data: dict, lines) -> "Trail":
        trail = cls.start(lines, mode=data["mode"], check=data["check_mode"], verdict=data.get("verdict", "PASS"),
                          hints=data.get("hints", ()))
        for s in data.get("steps", []):
            trail.steps.append(Step(s["step"], s["user_id"], s["name"], s["licence"], dt.datetime.fromisoformat(s["at"]),
                                    tuple(s.get("same_person_as", ()))))
        for c in data.get("checked", []):
            if c.startswith("L") and c[1:].isdigit():
                trail.confirmed.add(int(c[1:]))
            else:
                trail.scanned.add(c)
        return trail


__all__ = ["CHECKS", "MODES", "STEPS", "STEP_NAMES", "Staff", "Step", "Trail", "TrailError", "TrailLine"]
