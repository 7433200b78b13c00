"""Alert rule thresholds, read from resources/config/supervision.json (one place to tune them)."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).resolve().parents[2] / "resources" / "config" / "supervision.json"
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Rules:
    rules: dict[str, dict[str, Any]]
    top_n: int
    live_poll_seconds: float

    def __getitem__(self, rule_id: str) -> dict[str, Any]:
        return self.rules[rule_id]

    def name(self, rule_id: str) -> tuple[str, str]:
        r = self.rules[rule_id]
        return r["name_zh"], r["name_en"]


def parse(data: dict[str, Any]) -> Rules:
    rules = data.get("rules")
    if not isinstance(rules, dict) or not rules:
        raise ValueError("supervision rules: 'rules' must be a non-empty object / 规则文件缺少 rules")
    for rid, r in rules.items():
        if r.get("severity") not in SEVERITIES:
            raise ValueError(f"supervision rule {rid}: severity must be one of {', '.join(SEVERITIES)}")
        for key in ("name_zh", "name_en"):
            if not r.get(key):
                raise ValueError(f"supervision rule {rid}: {key} is missing")
    return Rules(rules, int(data.get("top_n", 10)), float(data.get("live_poll_seconds", 0.5)))


@functools.lru_cache(maxsize=4)
def load(path: str | None = None) -> Rules:
    return parse(json.loads(Path(path or RULES_FILE).read_text(encoding="utf-8")))
