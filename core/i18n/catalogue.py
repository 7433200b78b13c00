"""The merged catalogue and the lookup functions (see the package docstring)."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.i18n import codes as _codes
from core.i18n import desk as _desk
from core.i18n import kiosk as _kiosk
from core.i18n import ui as _ui

log = logging.getLogger("onewindow.i18n")

LANGS = ("zh", "en")

_TABLES: tuple[Mapping[str, tuple[str, str]], ...] = (_codes.MESSAGES, _ui.MESSAGES, _desk.MESSAGES, _kiosk.MESSAGES)


def _merge(tables: tuple[Mapping[str, tuple[str, str]], ...]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        for key, pair in table.items():
            if key in merged:
                raise ValueError(f"message key defined twice: {key}")
            if len(pair) != 2 or not all(isinstance(t, str) and t for t in pair):
                raise ValueError(f"message {key} needs a (Chinese, English) pair of non-empty strings")
            merged[key] = pair
    return merged


_MESSAGES = _merge(_TABLES)


class _KeepMissing(dict):
    """format_map helper: an unknown placeholder stays as `{name}` so a message never raises."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


@dataclass(frozen=True, slots=True)
class Message:
    """One message in both languages; `key` is the stable catalogue key."""

    key: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def get(self, lang: str = "zh") -> str:
        return self.en if _lang_index(lang) else self.zh

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def _lang_index(lang: str) -> int:
    # Qt and the OS hand us "zh_CN", "zh-Hans", "en_US": only the language matters; Chinese is the default.
    return 1 if isinstance(lang, str) and lang.lower().startswith("en") else 0


def _render(key: str, index: int, kw: Mapping[str, Any]) -> str:
    pair = _MESSAGES.get(key)
    if pair is None:
        log.warning("no message for key %r", key)
        return key
    template = pair[index]
    if not kw:
        return template
    return template.format_map(_KeepMissing(kw))


def tr(key: str, lang: str = "zh", **kw: Any) -> str:
    """The text of `key` in `lang` ("zh" default; anything starting with "en" gives English)."""
    return _render(key, _lang_index(lang), kw)


def both(key: str, **kw: Any) -> dict[str, str]:
    """{"zh": ..., "en": ...} for `key`: the shape used in JSON output."""
    return {"zh": _render(key, 0, kw), "en": _render(key, 1, kw)}


def message(key: str, **kw: Any) -> Message:
    return Message(key, _render(key, 0, kw), _render(key, 1, kw))


def has_key(key: str) -> bool:
    return key in _MESSAGES


def keys(prefix: str = "") -> list[str]:
    return sorted(k for k in _MESSAGES if k.startswith(prefix))
