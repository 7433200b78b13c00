"""Bilingual messages: a catalogue of stable keys -> (Chinese, English), Chinese first.

    tr("codes.empty")                  -> "空输入"
    tr("codes.empty", lang="en")       -> "empty input"
    both("codes.trace_length", length=19) -> {"zh": "...", "en": "..."}
    message("codes.empty")             -> Message(key, zh, en), a frozen value to keep in results

Each area keeps its messages in its own table module here (codes.py, ui.py; the audit engine adds its own),
merged once at import in catalogue.py, so a translator reads plain data and a duplicate key is caught at
import rather than shadowing another area's text. Keys are stable: tests and other programs match on them,
the texts may change. Placeholders use str.format names; a missing one is left visible instead of raising.
"""
from core.i18n.catalogue import LANGS, Message, both, has_key, keys, message, tr

__all__ = ["LANGS", "Message", "both", "has_key", "keys", "message", "tr"]
