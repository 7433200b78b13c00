"""A face-to-face follow-up visit (随访): validation with ranges, and the schedule of at least four a year.

`validate_visit(raw, today)` turns what a doctor typed (or another vendor sent: strings for numbers, nulls,
dates with a time) into a `Visit`, or raises `VisitError` naming the field in Chinese and English. The ranges
are plausibility limits of what a measuring device or a lab can report, not clinical targets: a value outside
them is a typing error (收缩压 1400), so it is refused and nothing is written.

`schedule(visit_days, today, next_visit)` is the ≥4-a-year rule of seed 004 (每年不少于4次面对面随访):
visits this calendar year, how many should be done by the end of this quarter, the next due day, and
ok / due / overdue.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FOLLOWUPS_PER_YEAR = 4
DUE_SOON_DAYS = 14
DEFAULT_INTERVAL_DAYS = 90  # four a year when the doctor sets no next visit

# field: (low, high, unit, 中文名, English name)
RANGES: dict[str, tuple[Decimal, Decimal, str, str, str]] = {
    "sbp": (Decimal(60), Decimal(260), "mmHg", "收缩压", "systolic BP"),
    "dbp": (Decimal(30), Decimal(160), "mmHg", "舒张压", "diastolic BP"),
    "fpg": (Decimal("1.0"), Decimal("33.3"), "mmol/L", "空腹血糖", "fasting glucose"),
    "rpg": (Decimal("1.0"), Decimal("33.3"), "mmol/L", "随机血糖", "random glucose"),
    "hba1c": (Decimal("3.0"), Decimal("20.0"), "%", "糖化血红蛋白", "HbA1c"),
    "weight_kg": (Decimal(20), Decimal(250), "kg", "体重", "weight"),
    "height_cm": (Decimal(100), Decimal(230), "cm", "身高", "height"),
    "bmi": (Decimal(10), Decimal(60), "kg/m²", "体质指数", "BMI"),
    "cigarettes": (Decimal(0), Decimal(100), "支/日", "日吸烟量", "cigarettes a day"),
}
SMOKING = {"never": "从不吸烟", "former": "已戒烟", "current": "吸烟"}
ADHERENCE = {"regular": "规律服药", "irregular": "间断服药", "none": "不服药"}
ASSESSMENT = {"controlled": "控制满意", "uncontrolled": "控制不满意"}
DECIMALS = {"sbp": 0, "dbp": 0, "cigarettes": 0, "fpg": 1, "rpg": 1, "hba1c": 1, "weight_kg": 1, "height_cm": 1,
            "bmi": 1}


class VisitError(ValueError):
    def __init__(self, field_name: str, zh: str, en: str) -> None:
        super().__init__(f"{zh} ({en})")
        self.field, self.zh, self.en = field_name, zh, en


@dataclass(frozen=True)
class VisitDrug:
    drug_key: str
    drug_name: str = ""
    spec: str = ""
    dose: str = ""
    freq: str = ""


@dataclass(frozen=True)
class Visit:
    visit_date: dt.date
    place: str
    doctor_code: str
    doctor_name: str
    assessment: str
    sbp: int | None = None
    dbp: int | None = None
    fpg: Decimal | None = None
    rpg: Decimal | None = None
    hba1c: Decimal | None = None
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    bmi: Decimal | None = None
    smoking: str | None = None
    cigarettes: int | None = None
    adherence: str | None = None
    adverse: str = ""
    next_visit: dt.date | None = None
    referral: str = ""
    note: str = ""
    drugs: tuple[VisitDrug, ...] = field(default_factory=tuple)

    def drugs_json(self) -> str:
        return json.dumps([asdict(d) for d in self.drugs], ensure_ascii=False)


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null", "None"))


def parse_day(value: Any, name: str, zh: str) -> dt.date:
    """ISO days, with or without a time, and the Java/C# forms other vendors send (2025/09/15, 20250915)."""
    text = str(value).strip()
    for candidate in (text[:10], text[:10].replace("/", "-"), text[:8]):
        try:
            if len(candidate) == 8 and candidate.isdigit():
                return dt.date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
            return dt.date.fromisoformat(candidate)
        except ValueError:
            continue
    raise VisitError(name, f"{zh}不是有效日期：{text!r}", f"{name}: not a date: {text!r}")


def _number(raw: dict, name: str) -> Decimal | None:
    value = raw.get(name)
    if _absent(value):
        return None
    low, high, unit, zh, en = RANGES[name]
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise VisitError(name, f"{zh}应为数字，收到 {value!r}", f"{en} must be a number, got {value!r}") from None
    if not low <= number <= high:
        raise VisitError(name, f"{zh} {number} {unit} 超出合理范围 {low}–{high} {unit}，请核对后重新录入",
                         f"{en} {number} {unit} is outside the plausible range {low}–{high} {unit}; check and re-enter")
    places = DECIMALS[name]
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _choice(raw: dict, name: str, options: dict[str, str], zh: str, *, required: bool = False) -> str | None:
    value = raw.get(name)
    if _absent(value):
        if required:
            raise VisitError(name, f"请填写{zh}", f"{name} is required")
        return None
    text = str(value).strip().lower()
    by_label = {label: key for key, label in options.items()}
    if text in options:
        return text
    if str(value).strip() in by_label:
        return by_label[str(value).strip()]
    allowed = "、".join(f"{k}（{v}）" for k, v in options.items())
    raise VisitError(name, f"{zh}应为 {allowed}，收到 {value!r}", f"{name} must be one of {', '.join(options)}, got {value!r}")


def _text(raw: dict, name: str, limit: int, zh: str, *, required: bool = False) -> str:
    value = raw.get(name)
    text = "" if _absent(value) else str(value).strip()
    if required and not text:
        raise VisitError(name, f"请填写{zh}", f"{name} is required")
    if len(text) > limit:
        raise VisitError(name, f"{zh}过长（最多 {limit} 字）", f"{name} is longer than {limit} characters")
    return text


def _drugs(raw: dict) -> tuple[VisitDrug, ...]:
    value = raw.get("drugs")
    if _absent(value):
        return ()
    if not isinstance(value, list) or len(value) > 20:
        raise VisitError("drugs", "用药清单应为列表（最多 20 种）", "drugs must be a list of at most 20")
    out = []
    for item in value:
        if not isinstance(item, dict) or _absent(item.get("drug_key")):
            raise VisitError("drugs", "用药清单每项须有药品编码 drug_key", "each drug needs a drug_key")
        out.append(VisitDrug(**{k: str(item.get(k) or "").strip()[:60] for k in
                                ("drug_key", "drug_name", "spec", "dose", "freq")}))
    return tuple(out)


def validate_visit(raw: dict, today: dt.date) -> Visit:
    if _absent(raw.get("visit_date")):
        raise VisitError("visit_date", "请填写随访日期", "visit_date is required")
    day = parse_day(raw["visit_date"], "visit_date", "随访日期")
    if day > today:
        raise VisitError("visit_date", f"随访日期 {day} 晚于今天", f"visit_date {day} is in the future")
    if day < today - dt.timedelta(days=366):
        raise VisitError("visit_date", f"随访日期 {day} 早于一年前，不能补录", f"visit_date {day} is more than a year ago")
    values = {name: _number(raw, name) for name in RANGES}
    if (values["sbp"] is None) != (values["dbp"] is None):
        raise VisitError("sbp", "血压须同时填写收缩压和舒张压", "blood pressure needs both systolic and diastolic")
    if values["sbp"] is not None and values["sbp"] <= values["dbp"]:
        raise VisitError("sbp", f"收缩压 {values['sbp']} 应高于舒张压 {values['dbp']}",
                         f"systolic {values['sbp']} must be above diastolic {values['dbp']}")
    if all(values[k] is None for k in ("sbp", "fpg", "rpg", "hba1c")):
        raise VisitError("sbp", "随访须至少记录血压或血糖", "a visit records blood pressure or glucose")
    weight, height, bmi = values["weight_kg"], values["height_cm"], values["bmi"]
    if weight is not None and height is not None:
        computed = (weight / (height / 100) ** 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if bmi is not None and abs(bmi - computed) > Decimal("0.5"):
            raise VisitError("bmi", f"体质指数 {bmi} 与体重、身高算出的 {computed} 不符",
                             f"BMI {bmi} does not match {computed} from weight and height")
        if not RANGES["bmi"][0] <= computed <= RANGES["bmi"][1]:
            raise VisitError("bmi", f"体重 {weight} kg、身高 {height} cm 算出的体质指数 {computed} 不合理，请核对",
                             f"weight and height give an implausible BMI {computed}")
        bmi = computed
    smoking = _choice(raw, "smoking", SMOKING, "吸烟情况")
    cigarettes = values["cigarettes"]
    if cigarettes is not None and smoking != "current":
        raise VisitError("cigarettes", "只有吸烟者填写日吸烟量", "cigarettes a day only for a current smoker")
    next_visit = None
    if not _absent(raw.get("next_visit")):
        next_visit = parse_day(raw["next_visit"], "next_visit", "下次随访日期")
        if not day < next_visit <= day + dt.timedelta(days=366):
            raise VisitError("next_visit", f"下次随访日期 {next_visit} 应在本次随访之后一年内",
                             f"next_visit {next_visit} must be within a year after the visit")
    return Visit(
        visit_date=day, place=_text(raw, "place", 100, "随访地点", required=True),
        doctor_code=_text(raw, "doctor_code", 30, "医生编码"), doctor_name=_text(raw, "doctor", 50, "随访医生", required=True),
        assessment=_choice(raw, "assessment", ASSESSMENT, "评估结论", required=True) or "",
        sbp=int(values["sbp"]) if values["sbp"] is not None else None,
        dbp=int(values["dbp"]) if values["dbp"] is not None else None,
        fpg=values["fpg"], rpg=values["rpg"], hba1c=values["hba1c"], weight_kg=weight, height_cm=height, bmi=bmi,
        smoking=smoking, cigarettes=int(cigarettes) if cigarettes is not None else None,
        adherence=_choice(raw, "adherence", ADHERENCE, "服药依从性"), adverse=_text(raw, "adverse", 500, "药物不良反应"),
        next_visit=next_visit, referral=_text(raw, "referral", 500, "转诊"), note=_text(raw, "note", 1000, "备注"),
        drugs=_drugs(raw),
    )


@dataclass(frozen=True)
class Schedule:
    year: int
    done: int
    expected_by_quarter_end: int
    last_visit: dt.date | None
    next_due: dt.date
    status: str  # ok / due / overdue
    status_zh: str

    def as_dict(self) -> dict:
        return {"year": self.year, "visits_this_year": self.done, "required_per_year": FOLLOWUPS_PER_YEAR,
                "expected_by_quarter_end": self.expected_by_quarter_end,
                "last_visit": self.last_visit.isoformat() if self.last_visit else None,
                "next_due": self.next_due.isoformat(), "status": self.status, "status_name": self.status_zh}


def quarter_end(day: dt.date) -> dt.date:
    q = (day.month - 1) // 3 + 1
    return dt.date(day.year + (q == 4), (q * 3) % 12 + 1, 1) - dt.timedelta(days=1)


def schedule(visit_days: list[dt.date], today: dt.date, next_visit: dt.date | None = None,
             since: dt.date | None = None) -> Schedule:
    """`next_visit` is the day the doctor set at the last visit; `since` the day the person came under care
    (contract signed), before which nothing was owed."""
    this_year = [d for d in visit_days if d.year == today.year and d <= today]
    last = max(visit_days) if visit_days else None
    quarter = (today.month - 1) // 3 + 1
    first = (since.month - 1) // 3 + 1 if since and since.year == today.year else 1  # nothing owed before signing
    expected = max(min(quarter - first + 1, FOLLOWUPS_PER_YEAR), 0)
    if last is None:  # never visited: a month after signing, else by the end of this quarter
        due = since + dt.timedelta(days=30) if since else quarter_end(today)
    else:
        due = next_visit or last + dt.timedelta(days=DEFAULT_INTERVAL_DAYS)
    if len(this_year) < expected:  # behind the ≥4-a-year pace: due by the end of this quarter at the latest
        due = min(due, quarter_end(today))
    if due < today or len(this_year) < expected - 1:  # a whole past quarter without its visit is overdue already
        status, zh = "overdue", "已逾期"
    elif (due - today).days <= DUE_SOON_DAYS:
        status, zh = "due", "即将到期"
    else:
        status, zh = "ok", "正常"
    return Schedule(today.year, len(this_year), expected, last, due, status, zh)


__all__ = ["ADHERENCE", "ASSESSMENT", "FOLLOWUPS_PER_YEAR", "RANGES", "SMOKING", "Schedule", "Visit", "VisitDrug",
           "VisitError", "parse_day", "quarter_end", "schedule", "validate_visit"]
