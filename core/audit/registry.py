"""Rule registry: each rule is a small function registered under its catalogue id.

A rule yields Findings (which line, what to tell the pharmacist); the engine turns them into hits with the
severity the profile gives the rule, or drops them when the profile switches the rule off.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from core.audit.catalogue import RULES
from core.audit.context import AuditContext


@dataclass(frozen=True)
class Finding:
    line: int | None
    zh: str
    en: str
    data: dict = field(default_factory=dict)
    severity: str | None = None  # a rule may pick a severity other than its default (TRC-001 无码库: WARN)


RuleFn = Callable[[AuditContext], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredRule:
    rule_id: str
    family: str
    check: RuleFn


_REGISTRY: list[RegisteredRule] = []


def rule(rule_id: str, family: str) -> Callable[[RuleFn], RuleFn]:
    if rule_id not in RULES:
        raise KeyError(f"{rule_id} is not in the rule catalogue")

    def decorate(fn: RuleFn) -> RuleFn:
        _REGISTRY.append(RegisteredRule(rule_id, family, fn))
        return fn

    return decorate


def registered(family: str | None = None) -> list[RegisteredRule]:
    from core.audit import rules  # noqa: F401  (importing the package registers every family)

    return [r for r in _REGISTRY if family is None or r.family == family]
