"""What the scan panel shows for a ScanResult, as plain strings (no Qt, so it is tested without a window).

Chinese first, English second, as everywhere on screen. Sensitive fields (the full ID number) are left
out; the masked form is shown instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.codes import SENSITIVE_FIELDS, ScanResult
from core.codes.kinds import SYMBOLOGY_NAMES
from core.i18n import has_key, tr

# Shown elsewhere on the panel (the hint line), not as a table row.
_NOT_ROWS = SENSITIVE_FIELDS | {"hint"}
_TRANSLATED_VALUES = ("sex", "format")


@dataclass(frozen=True, slots=True)
class ScanView:
    title: str  # the kind in Chinese
    title_en: str
    valid: bool
    tone: str  # "ok", "warn" (valid, but probably not what was wanted) or "bad"
    status: str  # valid / invalid with the reason
    hint: str  # "" when there is nothing to add
    rows: tuple[tuple[str, str], ...]  # (field label, value)
    history_line: str


def present(result: ScanResult) -> ScanView:
    kind = result.kind_label
    if result.valid:
        status = f"✓ {tr('ui.scan.valid')} · {tr('ui.scan.valid', 'en')}"
    else:
        reason = result.error
        status = f"✗ {tr('ui.scan.invalid')}：{reason.zh}\n    {tr('ui.scan.invalid', 'en')}: {reason.en}" if reason else "✗"
    hint = result.hint
    rows = tuple(
        (_label(key), _value(key, value))
        for key, value in result.fields.items()
        if key not in _NOT_ROWS and value != {}
    )
    mark = "✓" if result.valid else "✗"
    return ScanView(
        title=kind.zh,
        title_en=kind.en,
        valid=result.valid,
        tone="bad" if not result.valid else "warn" if hint else "ok",
        status=status,
        hint=f"{hint.zh}\n{hint.en}" if hint else "",
        rows=rows,
        history_line=f"{mark} {kind.zh}  {result.display_text or result.input[:40]}",
    )


def _label(key: str) -> str:
    catalogue_key = f"codes.field.{key}"
    if not has_key(catalogue_key):
        return key
    zh, en = tr(catalogue_key), tr(catalogue_key, "en")
    return zh if zh == en else f"{zh} {en}"


def _value(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return "  ".join(f"({k}) {v}" for k, v in value.items())
    if isinstance(value, bool):
        return tr("ui.yes") if value else tr("ui.no")
    text = str(value)
    if key == "symbology" and text[1:2] in SYMBOLOGY_NAMES:
        return f"{text} ({SYMBOLOGY_NAMES[text[1]]})"
    if key == "hri":
        return text.replace("(", " (").lstrip()  # lets the table wrap between AIs
    if key in _TRANSLATED_VALUES and has_key(f"codes.value.{key}.{text}"):
        catalogue_key = f"codes.value.{key}.{text}"
        return f"{tr(catalogue_key)} / {tr(catalogue_key, 'en')}"
    return text.replace("\x1d", "<GS>")
