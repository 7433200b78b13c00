"""What an audit returns: the verdict, every hit, per-line amounts and the settlement preview."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.domain import LineVerdict, RuleHit, Scheme, Verdict, fmt
from core.policy.calculator import LineAmounts, SettlementPreview


@dataclass(frozen=True)
class LineResult:
    line: int
    drug_key: str
    drug_name: str
    chain_key: str
    days: int
    split: bool
    amounts: LineAmounts
    verdict: LineVerdict
    remaining_supply_days_before: int | None
    new_supply_end: dt.date | None
    trace_codes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        a = self.amounts
        return {
            "line": self.line,
            "drug": self.drug_key,
            "units": a.units,
            "amount": fmt(a.amount),
            "fulamt_ownpay": fmt(a.fulamt_ownpay),
            "preselfpay": fmt(a.preselfpay),
            "overlmt_selfpay": fmt(a.overlimit),
            "eligible": fmt(a.eligible),
            "line_verdict": self.verdict.value,
            "remaining_supply_days_before": self.remaining_supply_days_before,
            "new_supply_end": self.new_supply_end.isoformat() if self.new_supply_end else None,
        }


@dataclass
class AuditResult:
    verdict: Verdict
    scheme: Scheme | None
    requested_scheme: Scheme
    hits: list[RuleHit]
    lines: list[LineResult]
    settlement: SettlementPreview | None
    settlement_if_blocked_lines_removed: SettlementPreview | None = None
    arithmetic: list[str] = field(default_factory=list)

    def line(self, no: int) -> LineResult:
        return next(l for l in self.lines if l.line == no)

    def hit_details(self, lang: str = "en") -> list[str]:
        out = []
        for h in self.hits:
            where = f" L{h.line}" if h.line is not None else ""
            out.append(f"{h.rule}{where}: {h.message_en if lang == 'en' else h.message_zh}")
        return out

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict.value,
            "scheme": self.scheme.value if self.scheme else None,
            "rule_hits": [
                {"rule": h.rule, "severity": h.severity.value, "line": h.line,
                 "message": {"zh": h.message_zh, "en": h.message_en}}
                for h in self.hits
            ],
            "lines": [l.to_dict() for l in self.lines],
            "settlement": self.settlement.to_dict() if self.settlement else None,
            "settlement_if_blocked_lines_removed": (
                self.settlement_if_blocked_lines_removed.to_dict() if self.settlement_if_blocked_lines_removed else None
            ),
            "arithmetic": " | ".join(self.arithmetic) if self.arithmetic else None,
            "hit_details": self.hit_details("en"),
        }
