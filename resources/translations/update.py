"""Refresh onewindow_en.ts: collect the shells' labels with pyside6-lupdate, then fill in the English of
en_phrases.EN. Run after changing labels:  python -m resources.translations.update
(The .qm is compiled from the .ts at install time or on first run: desktop.common.i18n.ensure_compiled.)"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from resources.translations.en_phrases import EN

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS = HERE / "onewindow_en.ts"
SOURCES = ("desktop/common", "desktop/pharmacy", "desktop/pharmacy/screens")


def lupdate(ts: Path = TS) -> None:
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    files = [str(p) for d in SOURCES for p in sorted((ROOT / d).glob("*.py"))]
    subprocess.run([str(tool), *files, "-ts", str(ts), "-source-language", "zh_CN", "-target-language", "en",
                    "-no-obsolete", "-locations", "none"], check=True, capture_output=True, cwd=ROOT)


def fill(ts: Path = TS) -> list[str]:
    """Write the English of every label; returns the labels the phrase book lacks."""
    tree = ET.parse(ts)
    missing = []
    for message in tree.iter("message"):
        source = message.findtext("source")
        translation = message.find("translation")
        if source in EN:
            translation.text = EN[source]
            translation.attrib.pop("type", None)
        else:
            missing.append(source)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return missing


def main() -> int:
    lupdate()
    missing = fill()
    for m in missing:
        print(f"no English for: {m}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
