"""The lifestyle prescription library (生活方式处方库) and the lifestyle half of a 双处方 (drug + lifestyle).

The library is data (resources/lifestyle/library.json), validated when it is loaded: every class has a code,
Chinese and English names, the registration codes it covers (no code in two classes), and templates whose six
sections (diet, exercise, weight, smoking/alcohol, sleep, self-monitoring) and short form are written in both
languages. Up to MAX_CLASSES classes (seed 003: 45 classes in Chibi); a file breaking any rule is refused with
the path of the offending entry.

A doctor picks a template for a prescription and may edit any section's Chinese text (`attach`); the result is
what the e-prescription carries under `lifestyle`, what the receipt prints (short form) and the kiosk shows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SECTIONS = ("diet", "exercise", "weight", "tobacco_alcohol", "sleep", "self_monitoring")
MAX_CLASSES = 64
MAX_SECTION_CHARS = 300
MAX_SHORT_CHARS = 60
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "lifestyle" / "library.json"


class LibraryError(ValueError):
    """The library file breaks a rule (message names the entry), or an attachment is not valid."""


@dataclass(frozen=True)
class Template:
    id: str
    class_code: str
    title_zh: str
    title_en: str
    short_zh: str
    short_en: str
    sections: dict[str, dict[str, str]]  # section -> {"zh", "en"}


@dataclass(frozen=True)
class DiseaseClass:
    code: str
    name_zh: str
    name_en: str
    diseases: tuple[str, ...]
    templates: tuple[Template, ...]


@dataclass(frozen=True)
class Library:
    section_names: dict[str, dict[str, str]]
    classes: dict[str, DiseaseClass]

    def template(self, template_id: str) -> Template:
        for c in self.classes.values():
            for t in c.templates:
                if t.id == template_id:
                    return t
        raise LibraryError(f"生活方式处方模板 {template_id} 不存在 (no lifestyle template {template_id!r})")

    def for_disease(self, disease_code: str) -> DiseaseClass | None:
        code = disease_code.upper()
        for c in self.classes.values():
            if code == c.code or code in c.diseases:
                return c
        return None

    def catalogue(self) -> list[dict]:
        """What a prescriber's screen lists (2585)."""
        return [{"code": c.code, "name": c.name_zh, "name_en": c.name_en, "diseases": list(c.diseases),
                 "templates": [{"id": t.id, "title": t.title_zh, "title_en": t.title_en, "short": t.short_zh,
                                "short_en": t.short_en, "sections": t.sections} for t in c.templates]}
                for c in self.classes.values()]


def _bilingual(node: Any, where: str, limit: int) -> dict[str, str]:
    if not isinstance(node, dict):
        raise LibraryError(f"{where}: 应为 {{zh, en}} (must be an object with zh and en)")
    out = {}
    for lang in ("zh", "en"):
        text = node.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise LibraryError(f"{where}.{lang}: 缺少文字 (missing text)")
        if lang == "zh" and len(text) > limit:
            raise LibraryError(f"{where}.zh: 超过 {limit} 字 (longer than {limit} characters)")
        out[lang] = text.strip()
    return out


def parse_library(data: Any, source: str = "library") -> Library:
    if not isinstance(data, dict) or not isinstance(data.get("classes"), list):
        raise LibraryError(f"{source}: 缺少 classes 列表 (no classes list)")
    names = data.get("sections") or {}
    section_names = {s: _bilingual(names.get(s), f"{source}.sections.{s}", 20) for s in SECTIONS}
    if len(data["classes"]) > MAX_CLASSES:
        raise LibraryError(f"{source}: 病种类别超过 {MAX_CLASSES} 个 (more than {MAX_CLASSES} classes)")
    classes: dict[str, DiseaseClass] = {}
    owner: dict[str, str] = {}
    template_ids: set[str] = set()
    for i, node in enumerate(data["classes"]):
        where = f"{source}.classes[{i}]"
        code = str(node.get("code") or "").strip().upper() if isinstance(node, dict) else ""
        if not code:
            raise LibraryError(f"{where}.code: 缺少类别编码 (missing code)")
        if code in classes:
            raise LibraryError(f"{where}.code: 类别 {code} 重复 (duplicate class)")
        name = _bilingual(node.get("name"), f"{where}.name", 40)
        diseases = tuple(str(d).strip().upper() for d in node.get("diseases") or [])
        for d in (code, *diseases):
            if d in owner and owner[d] != code:
                raise LibraryError(f"{where}.diseases: 病种 {d} 已属于类别 {owner[d]} (disease in two classes)")
            owner[d] = code
        templates = []
        for j, t in enumerate(node.get("templates") or []):
            tw = f"{where}.templates[{j}]"
            tid = str(t.get("id") or "").strip()
            if not tid or tid in template_ids:
                raise LibraryError(f"{tw}.id: 模板编号缺失或重复 (missing or duplicate id {tid!r})")
            template_ids.add(tid)
            sections = t.get("sections") or {}
            unknown = sorted(set(sections) - set(SECTIONS))
            if unknown:
                raise LibraryError(f"{tw}.sections: 未知栏目 {unknown[0]} (unknown section)")
            title = _bilingual(t.get("title"), f"{tw}.title", 60)
            short = _bilingual(t.get("short"), f"{tw}.short", MAX_SHORT_CHARS)
            templates.append(Template(tid, code, title["zh"], title["en"], short["zh"], short["en"],
                                      {s: _bilingual(sections.get(s), f"{tw}.sections.{s}", MAX_SECTION_CHARS)
                                       for s in SECTIONS}))
        if not templates:
            raise LibraryError(f"{where}.templates: 至少需要一个模板 (at least one template)")
        classes[code] = DiseaseClass(code, name["zh"], name["en"], diseases, tuple(templates))
    return Library(section_names, classes)


@lru_cache(maxsize=4)
def load_library(path: str | None = None) -> Library:
    file = Path(path) if path else DEFAULT_PATH
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LibraryError(f"{file}: 无法读取生活方式处方库 (cannot read the library: {exc})") from None
    return parse_library(data, file.name)


def attach(library: Library, node: dict[str, Any]) -> dict[str, Any]:
    """The lifestyle prescription an e-prescription carries: a template, with the doctor's edits of any
    section's (or the short form's) Chinese text. Refuses unknown templates, unknown sections, empty or
    over-long text."""
    if not isinstance(node, dict):
        raise LibraryError("lifestyle: 应为对象 (must be an object)")
    template = library.template(str(node.get("template_id") or "").strip())
    edits = node.get("sections") or {}
    if not isinstance(edits, dict):
        raise LibraryError("lifestyle.sections: 应为对象 (must be an object)")
    unknown = sorted(set(edits) - set(SECTIONS))
    if unknown:
        raise LibraryError(f"lifestyle.sections.{unknown[0]}: 未知栏目 (unknown section)")
    sections = []
    for s in SECTIONS:
        text = template.sections[s]["zh"]
        edited = s in edits and edits[s] is not None
        if edited:
            text = str(edits[s]).strip()
            if not text or len(text) > MAX_SECTION_CHARS:
                raise LibraryError(f"生活方式处方“{library.section_names[s]['zh']}”一栏内容为空或超过 {MAX_SECTION_CHARS} 字 "
                                   f"(lifestyle.sections.{s}: empty or longer than {MAX_SECTION_CHARS} characters)")
        sections.append({"section": s, "name": library.section_names[s]["zh"], "name_en": library.section_names[s]["en"],
                         "text": text, "text_en": "" if edited else template.sections[s]["en"], "edited": edited})
    short = template.short_zh
    if node.get("short") not in (None, ""):
        short = str(node["short"]).strip()
        if len(short) > MAX_SHORT_CHARS:
            raise LibraryError(f"lifestyle.short: 超过 {MAX_SHORT_CHARS} 字 (longer than {MAX_SHORT_CHARS} characters)")
    cls = library.classes[template.class_code]
    return {"template_id": template.id, "class_code": cls.code, "class_name": cls.name_zh, "title": template.title_zh,
            "title_en": template.title_en, "short": short,
            "short_en": template.short_en if short == template.short_zh else "", "sections": sections}


def default_for(diseases: list[str], library: Library | None = None) -> dict[str, Any] | None:
    """The first template of the first disease that has a class: what a prescription gets unless the doctor
    picks or edits another."""
    lib = library or load_library()
    for code in diseases:
        cls = lib.for_disease(code)
        if cls is not None:
            return attach(lib, {"template_id": cls.templates[0].id})
    return None


def short_lines(lifestyle: dict | None) -> tuple[str, ...]:
    """The receipt's and the kiosk statement's short form: a heading and the one-line advice."""
    if not lifestyle:
        return ()
    return (f"生活方式处方（{lifestyle.get('class_name', '')}）", str(lifestyle.get("short", "")))


__all__ = ["DEFAULT_PATH", "MAX_CLASSES", "SECTIONS", "DiseaseClass", "Library", "LibraryError", "Template", "attach", "default_for",
           "load_library", "parse_library", "short_lines"]
