import pytest

from core.i18n import Message, both, has_key, keys, message, tr
from core.i18n.catalogue import _merge


def test_chinese_first_english_second():
    assert tr("codes.empty") == "空输入"
    assert tr("codes.empty", "en") == "empty input"
    assert tr("codes.empty", lang="zh_CN") == "空输入"
    assert tr("codes.empty", lang="en_US") == "empty input"
    assert both("codes.empty") == {"zh": "空输入", "en": "empty input"}


def test_placeholders():
    assert both("codes.trace_length", length=19)["en"].startswith("a drug traceability code has 20 digits (read 19)")
    # A missing placeholder stays visible instead of raising.
    assert "{length}" in tr("codes.trace_length", "en")


def test_message_value():
    m = message("codes.too_long", length=600, limit=512)
    assert isinstance(m, Message) and m.key == "codes.too_long"
    assert m.as_dict() == both("codes.too_long", length=600, limit=512)
    assert m.get("en") == m.en and str(m) == f"{m.zh} / {m.en}"


@pytest.mark.allow_warnings
def test_unknown_key_is_logged_and_shown_as_the_key(caplog):
    assert tr("no.such.key") == "no.such.key"
    assert "no.such.key" in caplog.text


def test_catalogue_is_well_formed_and_covers_every_kind():
    from core.codes import Kind

    assert has_key("codes.unrecognised")
    for kind in Kind:
        assert has_key(f"codes.kind.{kind.value}")
    assert keys("codes.kind.") == sorted(f"codes.kind.{k.value}" for k in Kind)
    with pytest.raises(ValueError, match="twice"):
        _merge(({"a": ("甲", "a")}, {"a": ("乙", "b")}))
    with pytest.raises(ValueError, match="pair"):
        _merge(({"a": ("甲",)},))
