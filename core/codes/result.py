"""ScanResult: the one value classify() returns, and its JSON shape."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.codes.kinds import Kind
from core.i18n import Message, message

# Field values that identify a person; screens and logs show `masked` instead.
SENSITIVE_FIELDS = frozenset({"number"})


class Parsed(NamedTuple):
    """What one kind's parser found: its fields and, when the code is not valid, why."""

    fields: dict[str, Any]
    error_code: str | None = None
    error_args: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """A classified scan.

    input       the text exactly as received (for a non-str input: its type and repr, cut to 80 chars)
    kind        Kind; UNKNOWN when nothing matched or the input was refused before matching
    valid       True only when the code is well formed for its kind (check digits, dates, shape)
    fields      kind-specific values (see core.codes.classify); JSON-serialisable; treat as read-only
    error       None, or the reason in both languages (core.i18n.Message)
    error_code  None, or a stable key: the reason's catalogue key is "codes.<error_code>"
    text        the normalised text the kind was decided on (suffix, AIM prefix stripped, NFKC applied)
    """

    input: str
    kind: Kind
    valid: bool
    fields: dict[str, Any] = field(default_factory=dict)
    error: Message | None = None
    error_code: str | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """{"input", "kind", "valid", "fields", "error"}; error is {"zh": ..., "en": ...} or None; a warning
        (fields["warning"]) is kept in fields."""
        return {
            "input": self.input,
            "kind": self.kind.value,
            "valid": self.valid,
            "fields": _copy(self.fields),
            "error": None if self.error is None else self.error.as_dict(),
        }

    @property
    def kind_label(self) -> Message:
        return message(f"codes.kind.{self.kind.value}")

    @property
    def hint(self) -> Message | None:
        """A note for a valid code the operator probably did not mean (a box's commodity barcode)."""
        key = self.fields.get("hint")
        return message(f"codes.hint.{key}") if key else None

    @property
    def warning(self) -> Message | None:
        """Part of a valid scan could not be read (a GS1 AI we do not know); what was read stands."""
        found = self.fields.get("warning")
        if not found:
            return None
        return message(f"codes.{found['code']}", **{k: v for k, v in found.items() if k != "code"})

    @property
    def display_text(self) -> str:
        """What a screen, receipt or log may show for this scan: ID numbers masked, long tokens cut."""
        if self.kind is Kind.ID_CARD:
            return self.fields.get("masked", "")
        if self.kind is Kind.GS1 and "hri" in self.fields:
            return self.fields["hri"]
        if self.kind is Kind.EVOUCHER or len(self.text) > 40:
            return f"{self.text[:16]}…({len(self.text)})"
        return self.text


def _copy(fields: dict[str, Any]) -> dict[str, Any]:
    # One level of nesting (GS1 "ais") is all fields ever hold; copy it so callers cannot edit the result.
    return {k: dict(v) if isinstance(v, dict) else v for k, v in fields.items()}
