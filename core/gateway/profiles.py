"""Interface profiles: what one site's platform speaks, as validated data files (resources/interface/*.json).

A profile names the URL path(s), the signing style, the extension sets on top of the national field lists
(core.gateway.fields.EXTENSIONS), how expContent travels, where trace codes travel (on each settlement line, in
a provincial settlement node, or only in 3505), whether dise_codg carries the national chronic-disease code,
the med_type codes and any transaction numbers that differ. A bad file never half-loads: InterfaceProfileError
names the file and the key, in Chinese and English.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from core.gateway.fields import EXTENSIONS, Tables, tables_with

SIGNING_STYLES = ("ow", "tif", "csb")
TRACE_PLACES = ("settlement", "settlement_node", "3505")
DEFAULT_PATH = "/fsi/api/rsfComIfsService/callService"
ALT_PATH = "/mbs/fmi/fsi/api/callFsiService/callService"

# 门诊慢特病 national codes (nhsa-interface.md §2.6) and our 两病 disease ids: the code a national-shape 2101/2102
# carries in dise_codg, and what it means here. M03900/M01600 are also the 两病 illnesses.
NATIONAL_CHRONIC = {"M03900": "HTN", "M03902": "HTN", "M01600": "DM", "M01603": "DM"}
LB_TO_NATIONAL = {"HTN": "M03900", "DM": "M01600"}


class InterfaceProfileError(ValueError):
    def __init__(self, where: str, en: str, zh: str) -> None:
        super().__init__(f"接口配置错误 {where}：{zh} / interface profile {where}: {en}")
        self.where, self.en, self.zh = where, en, zh


@dataclass(frozen=True)
class InterfaceProfile:
    profile_id: str
    name_zh: str
    default_path: str = DEFAULT_PATH
    paths: Mapping[str, str] = field(default_factory=dict)  # infno -> path where the gateway routes per service
    signing: str = "ow"
    extensions: tuple[str, ...] = ()
    exp_content: str = "object"  # object | string
    exp_content_keys: tuple[str, ...] = ()  # which of our facts travel in expContent (empty: all of them)
    trace_codes: str = "settlement"
    dise_codg: str = "local"  # local: our disease id | national: the national 慢特病 code
    med_type: Mapping[str, str] = field(default_factory=dict)
    infno: Mapping[str, str] = field(default_factory=dict)
    # hours a settled drug line may wait for its 3505 before the supervision screen raises SV-R04 (None: the
    # rule's own limit_hours in resources/config/supervision.json)
    sale_upload_hours: float | None = None

    @functools.cached_property
    def tables(self) -> Tables:
        return tables_with(self.extensions)

    def path_for(self, infno: str) -> str:
        return self.paths.get(infno, self.default_path)

    @property
    def codes_on_lines(self) -> bool:
        return self.trace_codes == "settlement"

    def disease_code(self, disease: str) -> str:
        return LB_TO_NATIONAL.get(disease, disease) if self.dise_codg == "national" else disease


def profiles_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "resources" / "interface"


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InterfaceProfileError(where, f"must be non-empty text, got {value!r}", "必须是非空文本")
    return value


def _map(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InterfaceProfileError(where, "must be an object of texts", "必须是文本映射")
    return {str(k): _text(f"{where}.{k}", v) for k, v in value.items()}


def profile_from_dict(data: Any, where: str) -> InterfaceProfile:
    if not isinstance(data, dict):
        raise InterfaceProfileError(where, "must be a JSON object", "必须是 JSON 对象")
    known = {"id", "name_zh", "description", "paths", "signing", "extensions", "exp_content", "exp_content_keys",
             "trace_codes", "dise_codg", "med_type", "infno", "sale_upload_hours"}
    for key in data:
        if key not in known and not key.startswith("_"):
            raise InterfaceProfileError(f"{where}.{key}", "unknown key", "未知配置项")
    pid = _text(f"{where}.id", data.get("id"))
    paths = _map(f"{where}.paths", data.get("paths", {}))
    default = paths.pop("default", DEFAULT_PATH)
    for k, v in {"default": default, **paths}.items():
        if not v.startswith("/"):
            raise InterfaceProfileError(f"{where}.paths.{k}", f"a path starts with /, got {v!r}", "路径必须以 / 开头")
    signing = data.get("signing", "ow")
    if signing not in SIGNING_STYLES:
        raise InterfaceProfileError(f"{where}.signing", f"must be one of {', '.join(SIGNING_STYLES)}, got {signing!r}",
                                    f"签名方式必须是 {'/'.join(SIGNING_STYLES)}")
    ext = data.get("extensions", [])
    if not isinstance(ext, list) or any(e not in EXTENSIONS for e in ext):
        raise InterfaceProfileError(f"{where}.extensions", f"known extension sets: {', '.join(EXTENSIONS)}; got {ext!r}",
                                    "未知的扩展节点集")
    exp = data.get("exp_content", "object")
    if exp not in ("object", "string"):
        raise InterfaceProfileError(f"{where}.exp_content", "must be object or string", "必须是 object 或 string")
    keys = data.get("exp_content_keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise InterfaceProfileError(f"{where}.exp_content_keys", "must be a list of names", "必须是名称列表")
    trace = data.get("trace_codes", "settlement")
    if trace not in TRACE_PLACES:
        raise InterfaceProfileError(f"{where}.trace_codes", f"must be one of {', '.join(TRACE_PLACES)}",
                                    f"必须是 {'/'.join(TRACE_PLACES)}")
    if trace == "settlement_node" and "drug_trac_info" not in ext:
        raise InterfaceProfileError(f"{where}.trace_codes", "settlement_node needs the drug_trac_info extension",
                                    "settlement_node 需要 drug_trac_info 扩展节点")
    dise = data.get("dise_codg", "local")
    if dise not in ("local", "national"):
        raise InterfaceProfileError(f"{where}.dise_codg", "must be local or national", "必须是 local 或 national")
    med_type = _map(f"{where}.med_type", data.get("med_type", {}))
    for need in ("LB", "MT"):
        if need not in med_type:
            raise InterfaceProfileError(f"{where}.med_type.{need}", "missing", "缺少医疗类别")
    hours = data.get("sale_upload_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 31):
        raise InterfaceProfileError(f"{where}.sale_upload_hours", f"must be a number of hours in (0, 744], got {hours!r}",
                                    "必须是 0 到 744 之间的小时数")
    return InterfaceProfile(
        profile_id=pid, name_zh=str(data.get("name_zh") or pid), default_path=default, paths=paths,
        signing=signing, extensions=tuple(ext), exp_content=exp, exp_content_keys=tuple(keys), trace_codes=trace,
        dise_codg=dise, med_type=med_type, infno=_map(f"{where}.infno", data.get("infno", {})),
        sale_upload_hours=float(hours) if hours is not None else None,
    )


@functools.lru_cache(maxsize=16)
def load_profile(name_or_path: str) -> InterfaceProfile:
    """A profile by name (resources/interface/NAME.json) or by the path of a JSON file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = profiles_dir() / f"{name_or_path}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        names = ", ".join(sorted(p.stem for p in profiles_dir().glob("*.json")))
        raise InterfaceProfileError(str(name_or_path), f"no such interface profile (known: {names})",
                                    f"没有此接口配置（可选：{names}）") from None
    except ValueError as exc:
        raise InterfaceProfileError(str(path), f"not valid JSON: {exc}", "不是有效的 JSON") from None
    return profile_from_dict(data, str(path))


def known_profiles() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.json"))


__all__ = ["ALT_PATH", "DEFAULT_PATH", "InterfaceProfile", "InterfaceProfileError", "LB_TO_NATIONAL",
           "NATIONAL_CHRONIC", "SIGNING_STYLES", "known_profiles", "load_profile", "profile_from_dict"]
