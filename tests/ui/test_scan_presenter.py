"""The scan panel's text, without a window."""
from datetime import date

from core.codes import classify
from desktop.fonts import cjk_families, pick_cjk_family
from desktop.scan_presenter import present


def test_id_card_view_hides_the_full_number():
    view = present(classify("42070419500202153X", today=date(2025, 1, 1)))
    assert (view.title, view.title_en, view.valid) == ("居民身份证", "resident ID card", True)
    rows = dict(view.rows)
    assert "42070419500202153X" not in " ".join(rows.values()) + view.history_line
    assert rows["性别 sex"] == "男 / male" and rows["格式 format"] == "18 位 / 18 digits"
    assert view.history_line == "✓ 居民身份证  420704********153X"


def test_invalid_view_gives_the_reason_in_both_languages_and_hint():
    assert present(classify("6901234567892")).tone == "warn"  # valid, but not the box's trace code
    assert present(classify("81000110000000000001")).tone == "ok"
    view = present(classify("6901234567893"))
    assert view.tone == "bad" and not view.valid and "校验位错误" in view.status and "check digit is wrong" in view.status
    assert view.hint.startswith("这是商品条码")
    assert "hint" not in " ".join(label for label, _ in view.rows)


def test_gs1_view_lists_other_ais_and_wraps_the_text():
    view = present(classify("(01)06901234567892(17)261231(11)250101(10)A(21)B", today=date(2025, 1, 1)))
    rows = dict(view.rows)
    assert rows["其他应用标识符 other AIs"] == "(11) 250101"
    assert rows["GS1 文本 GS1 text"] == "(01)06901234567892 (17)261231 (11)250101 (10)A (21)B"
    assert rows["GTIN"] == "06901234567892"


def test_cjk_family_choice():
    assert pick_cjk_family(["DejaVu Sans", "Noto Serif CJK SC", "Noto Sans CJK SC"]) == "Noto Sans CJK SC"
    assert pick_cjk_family(["DejaVu Sans", "Microsoft YaHei"]) == "Microsoft YaHei"
    assert cjk_families(["Arial", "Some Hei Font"]) == ["Some Hei Font"]
    assert pick_cjk_family(["DejaVu Sans"]) is None
