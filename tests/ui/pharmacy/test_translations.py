"""Every label the pharmacist sees exists in Chinese and English: the .ts holds every label of the code, each
with a finished English translation; the .qm compiles; every message the desk's services produce has both."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from resources.translations.update import SOURCES, TS, fill

pytestmark = pytest.mark.ui


def _messages(ts: Path) -> dict[str, ET.Element]:
    return {m.findtext("source"): m for m in ET.parse(ts).iter("message")}


def test_every_label_in_the_code_has_english(tmp_path):
    fresh = tmp_path / "fresh.ts"
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    root = TS.parent.parent.parent
    files = [str(p) for d in SOURCES for p in sorted((root / d).glob("*.py"))]
    subprocess.run([str(tool), *files, "-ts", str(fresh), "-source-language", "zh_CN", "-target-language", "en"],
                   check=True, capture_output=True, cwd=root)
    in_code = set(_messages(fresh))
    in_repo = _messages(TS)
    assert in_code - set(in_repo) == set(), "labels missing from onewindow_en.ts: run python -m resources.translations.update"
    unfinished = [s for s, m in in_repo.items() if not (m.findtext("translation") or "").strip()
                  or m.find("translation").get("type") == "unfinished"]
    assert unfinished == []
    assert fill(fresh) == []  # the phrase book covers every label


def test_qm_compiles_and_translates(qapp):
    from desktop.common import i18n
    from desktop.qt import QtCore

    assert i18n.ensure_compiled(force=True) == [i18n.qm_path("en")]
    try:
        assert i18n.set_language("en")
        assert QtCore.QCoreApplication.translate("IdentifyScreen", "第一步：识别参保人") == "Step 1: identify the patient"
    finally:
        i18n.set_language("zh")
    assert QtCore.QCoreApplication.translate("IdentifyScreen", "第一步：识别参保人") == "第一步：识别参保人"


def test_service_messages_have_both_languages():
    from core.i18n import keys, message

    desk_keys = keys("desk.")
    assert len(desk_keys) > 50
    for key in desk_keys:
        m = message(key)
        assert m.zh and m.en and m.zh != m.en, key
