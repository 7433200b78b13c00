"""Synthetic but realistic data for benchmarks: a drug catalogue and a whole dispensing history.

- ``synthetic_drugs(n, seed)``: catalogue items named like a Chinese price list — salt + generic stem + dosage
  form, compound products, trade names in brackets — with real ATC codes (C08/C09/C07/C03/A10/C10/B01/C01/R03
  for the chronic diseases, a spread of other classes as filler), national codes of the right shape, EAN-13
  barcodes, trace-code prefixes, prices, pack sizes, 甲/乙/丙 classes.
- ``build_world(...)``: a SQLite store (WAL, same schema as the product) with persons registered for 两病
  (HTN/DM) or 门诊慢特病 (M03900/M01600/…), facilities, the catalogue, and N dispensing rows with their
  settlements and sold trace codes, as if the persons had refilled their regimens for two years. Built with
  executemany in one transaction (synchronous=OFF during the load only), cached in a temp folder by
  parameters, so the second call returns at once.

Everything is deterministic for a given seed. Identity numbers are encrypted with a key file kept beside the
world (``SyntheticWorld.cipher()``).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from core.domain import Drug
from core.store.crypto import DataCipher
from core.store.db import head_revision, open_store
from core.store.paths import sqlite_url
from core.store.pinyin import pinyin_keys

GENERATOR_VERSION = 1
CENT = Decimal("0.01")

# (stem, ATC, salts, forms, strengths as (value, unit), tablets per day, price per unit in yuan, group)
# group: HTN, DM, LIPID, AP (antiplatelet), CHD, COPD, OTHER
_STEMS: tuple[tuple, ...] = (
    ("氨氯地平", "C08CA01", ("苯磺酸", "马来酸", "甲磺酸"), ("片", "分散片", "胶囊"), ((5, "mg"), (2.5, "mg"), (10, "mg")), 1, 0.6, "HTN"),
    ("左氨氯地平", "C08CA17", ("苯磺酸", "马来酸"), ("片",), ((2.5, "mg"), (5, "mg")), 1, 0.9, "HTN"),
    ("硝苯地平", "C08CA05", ("",), ("片", "缓释片", "控释片", "缓释胶囊"), ((30, "mg"), (20, "mg"), (10, "mg")), 1, 1.2, "HTN"),
    ("非洛地平", "C08CA02", ("",), ("缓释片", "片"), ((5, "mg"), (2.5, "mg")), 1, 1.1, "HTN"),
    ("尼群地平", "C08CA08", ("",), ("片",), ((10, "mg"),), 2, 0.1, "HTN"),
    ("拉西地平", "C08CA09", ("",), ("片",), ((4, "mg"),), 1, 1.5, "HTN"),
    ("乐卡地平", "C08CA13", ("盐酸",), ("片",), ((10, "mg"),), 1, 2.0, "HTN"),
    ("贝尼地平", "C08CA15", ("盐酸",), ("片",), ((4, "mg"), (8, "mg")), 1, 1.8, "HTN"),
    ("缬沙坦", "C09CA03", ("",), ("胶囊", "片", "分散片"), ((80, "mg"), (160, "mg")), 1, 1.3, "HTN"),
    ("厄贝沙坦", "C09CA04", ("",), ("片", "分散片", "胶囊"), ((150, "mg"), (75, "mg")), 1, 1.4, "HTN"),
    ("氯沙坦钾", "C09CA01", ("",), ("片", "胶囊"), ((50, "mg"), (100, "mg")), 1, 1.6, "HTN"),
    ("替米沙坦", "C09CA07", ("",), ("片", "胶囊"), ((40, "mg"), (80, "mg")), 1, 1.2, "HTN"),
    ("坎地沙坦酯", "C09CA06", ("",), ("片",), ((4, "mg"), (8, "mg")), 1, 1.9, "HTN"),
    ("奥美沙坦酯", "C09CA08", ("",), ("片",), ((20, "mg"), (40, "mg")), 1, 2.2, "HTN"),
    ("依那普利", "C09AA02", ("马来酸",), ("片",), ((10, "mg"), (5, "mg")), 1, 0.3, "HTN"),
    ("贝那普利", "C09AA07", ("盐酸",), ("片",), ((10, "mg"),), 1, 1.0, "HTN"),
    ("培哚普利", "C09AA04", ("叔丁胺",), ("片",), ((4, "mg"),), 1, 2.1, "HTN"),
    ("卡托普利", "C09AA01", ("",), ("片",), ((25, "mg"),), 3, 0.05, "HTN"),
    ("福辛普利钠", "C09AA09", ("",), ("片",), ((10, "mg"),), 1, 1.4, "HTN"),
    ("美托洛尔", "C07AB02", ("酒石酸", "琥珀酸"), ("片", "缓释片"), ((25, "mg"), (47.5, "mg")), 2, 0.4, "HTN"),
    ("比索洛尔", "C07AB07", ("富马酸",), ("片",), ((5, "mg"), (2.5, "mg")), 1, 0.9, "HTN"),
    ("氢氯噻嗪", "C03AA03", ("",), ("片",), ((25, "mg"),), 1, 0.05, "HTN"),
    ("吲达帕胺", "C03BA11", ("",), ("片", "缓释片"), ((2.5, "mg"), (1.5, "mg")), 1, 0.5, "HTN"),
    ("二甲双胍", "A10BA02", ("盐酸",), ("片", "缓释片", "肠溶片", "胶囊"), ((0.5, "g"), (0.25, "g"), (0.85, "g")), 3, 0.2, "DM"),
    ("格列美脲", "A10BB12", ("",), ("片", "分散片"), ((2, "mg"), (1, "mg")), 1, 0.8, "DM"),
    ("格列齐特", "A10BB09", ("",), ("缓释片", "片"), ((30, "mg"), (80, "mg")), 1, 0.7, "DM"),
    ("格列吡嗪", "A10BB07", ("",), ("片", "控释片"), ((5, "mg"),), 2, 0.3, "DM"),
    ("阿卡波糖", "A10BF01", ("",), ("片", "胶囊"), ((50, "mg"), (100, "mg")), 3, 1.0, "DM"),
    ("伏格列波糖", "A10BF03", ("",), ("片", "分散片"), ((0.2, "mg"),), 3, 0.9, "DM"),
    ("西格列汀", "A10BH01", ("磷酸",), ("片",), ((100, "mg"),), 1, 3.5, "DM"),
    ("维格列汀", "A10BH02", ("",), ("片",), ((50, "mg"),), 2, 2.8, "DM"),
    ("沙格列汀", "A10BH03", ("",), ("片",), ((5, "mg"),), 1, 4.0, "DM"),
    ("利格列汀", "A10BH05", ("",), ("片",), ((5, "mg"),), 1, 4.2, "DM"),
    ("达格列净", "A10BK01", ("",), ("片",), ((10, "mg"), (5, "mg")), 1, 4.5, "DM"),
    ("恩格列净", "A10BK03", ("",), ("片",), ((10, "mg"),), 1, 4.3, "DM"),
    ("吡格列酮", "A10BG03", ("盐酸",), ("片", "胶囊"), ((15, "mg"), (30, "mg")), 1, 1.1, "DM"),
    ("瑞格列奈", "A10BX02", ("",), ("片",), ((1, "mg"), (0.5, "mg")), 3, 0.6, "DM"),
    ("那格列奈", "A10BX03", ("",), ("片",), ((120, "mg"),), 3, 0.9, "DM"),
    ("甘精胰岛素", "A10AE04", ("",), ("注射液",), ((300, "IU"),), 0, 130.0, "DM"),
    ("门冬胰岛素", "A10AB05", ("",), ("注射液",), ((300, "IU"),), 0, 60.0, "DM"),
    ("地特胰岛素", "A10AE05", ("",), ("注射液",), ((300, "IU"),), 0, 120.0, "DM"),
    ("阿托伐他汀钙", "C10AA05", ("",), ("片", "胶囊", "分散片"), ((20, "mg"), (10, "mg"), (40, "mg")), 1, 0.9, "LIPID"),
    ("瑞舒伐他汀钙", "C10AA07", ("",), ("片", "胶囊"), ((10, "mg"), (5, "mg"), (20, "mg")), 1, 1.0, "LIPID"),
    ("辛伐他汀", "C10AA01", ("",), ("片", "胶囊"), ((20, "mg"),), 1, 0.3, "LIPID"),
    ("普伐他汀钠", "C10AA03", ("",), ("片",), ((20, "mg"),), 1, 1.2, "LIPID"),
    ("匹伐他汀钙", "C10AA08", ("",), ("片",), ((2, "mg"),), 1, 2.0, "LIPID"),
    ("依折麦布", "C10AX09", ("",), ("片",), ((10, "mg"),), 1, 3.0, "LIPID"),
    ("非诺贝特", "C10AB05", ("",), ("胶囊", "片"), ((200, "mg"),), 1, 1.0, "LIPID"),
    ("阿司匹林", "B01AC06", ("",), ("肠溶片", "肠溶胶囊"), ((100, "mg"),), 1, 0.2, "AP"),
    ("氯吡格雷", "B01AC04", ("硫酸氢",), ("片",), ((75, "mg"), (25, "mg")), 1, 2.5, "AP"),
    ("替格瑞洛", "B01AC24", ("",), ("片",), ((90, "mg"),), 2, 4.0, "AP"),
    ("单硝酸异山梨酯", "C01DA14", ("",), ("缓释片", "片", "缓释胶囊"), ((40, "mg"), (20, "mg")), 1, 0.8, "CHD"),
    ("硝酸甘油", "C01DA02", ("",), ("片", "舌下片"), ((0.5, "mg"),), 1, 0.1, "CHD"),
    ("曲美他嗪", "C01EB15", ("盐酸",), ("片", "缓释片"), ((20, "mg"), (35, "mg")), 2, 0.9, "CHD"),
    ("噻托溴铵", "R03BB04", ("",), ("吸入粉雾剂", "粉雾剂"), ((18, "μg"),), 1, 6.0, "COPD"),
    ("沙美特罗替卡松", "R03AK06", ("",), ("吸入粉雾剂",), ((50, "μg"),), 2, 4.5, "COPD"),
    ("布地奈德福莫特罗", "R03AK07", ("",), ("吸入粉雾剂",), ((160, "μg"),), 2, 4.0, "COPD"),
    ("孟鲁司特钠", "R03DC03", ("",), ("片", "咀嚼片", "颗粒"), ((10, "mg"), (4, "mg")), 1, 2.5, "COPD"),
    ("茶碱", "R03DA04", ("",), ("缓释片",), ((0.1, "g"),), 2, 0.3, "COPD"),
    ("奥美拉唑", "A02BC01", ("",), ("肠溶胶囊", "肠溶片"), ((20, "mg"),), 1, 0.5, "OTHER"),
    ("雷贝拉唑钠", "A02BC04", ("",), ("肠溶片", "肠溶胶囊"), ((10, "mg"), (20, "mg")), 1, 1.5, "OTHER"),
    ("兰索拉唑", "A02BC03", ("",), ("肠溶片", "肠溶胶囊"), ((15, "mg"), (30, "mg")), 1, 1.2, "OTHER"),
    ("阿莫西林", "J01CA04", ("",), ("胶囊", "分散片", "颗粒"), ((0.25, "g"), (0.5, "g")), 3, 0.2, "OTHER"),
    ("头孢克肟", "J01DD08", ("",), ("胶囊", "分散片", "颗粒"), ((0.1, "g"), (50, "mg")), 2, 1.5, "OTHER"),
    ("左氧氟沙星", "J01MA12", ("盐酸", "乳酸"), ("片", "胶囊", "注射液"), ((0.5, "g"), (0.1, "g")), 1, 1.0, "OTHER"),
    ("布洛芬", "M01AE01", ("",), ("缓释胶囊", "片", "混悬液", "颗粒"), ((0.3, "g"), (0.2, "g")), 2, 0.3, "OTHER"),
    ("对乙酰氨基酚", "N02BE01", ("",), ("片", "缓释片", "口服溶液"), ((0.5, "g"), (0.65, "g")), 3, 0.1, "OTHER"),
    ("甲钴胺", "B03BA05", ("",), ("片", "胶囊", "注射液"), ((0.5, "mg"),), 3, 0.6, "OTHER"),
    ("叶酸", "B03BB01", ("",), ("片",), ((0.4, "mg"), (5, "mg")), 1, 0.1, "OTHER"),
    ("骨化三醇", "A11CC04", ("",), ("软胶囊", "胶丸"), ((0.25, "μg"),), 1, 1.2, "OTHER"),
    ("碳酸钙", "A12AA04", ("",), ("片", "咀嚼片", "颗粒"), ((0.75, "g"),), 1, 0.3, "OTHER"),
    ("氯雷他定", "R06AX13", ("",), ("片", "胶囊", "糖浆"), ((10, "mg"),), 1, 0.8, "OTHER"),
    ("西替利嗪", "R06AE07", ("盐酸",), ("片", "滴剂", "胶囊"), ((10, "mg"),), 1, 0.9, "OTHER"),
    ("坦索罗辛", "G04CA02", ("盐酸",), ("缓释胶囊",), ((0.2, "mg"),), 1, 1.8, "OTHER"),
    ("非那雄胺", "G04CB01", ("",), ("片", "胶囊"), ((5, "mg"),), 1, 1.5, "OTHER"),
    ("多奈哌齐", "N06DA02", ("盐酸",), ("片", "口崩片"), ((5, "mg"), (10, "mg")), 1, 2.5, "OTHER"),
    ("舍曲林", "N06AB06", ("盐酸",), ("片", "胶囊"), ((50, "mg"),), 1, 2.2, "OTHER"),
    ("艾司西酞普兰", "N06AB10", ("草酸",), ("片",), ((10, "mg"),), 1, 3.0, "OTHER"),
    ("奥氮平", "N05AH03", ("",), ("片", "口崩片"), ((5, "mg"), (10, "mg")), 1, 3.5, "OTHER"),
    ("左甲状腺素钠", "H03AA01", ("",), ("片",), ((50, "μg"), (100, "μg")), 1, 0.3, "OTHER"),
    ("甲巯咪唑", "H03BB02", ("",), ("片",), ((10, "mg"), (5, "mg")), 1, 0.3, "OTHER"),
    ("别嘌醇", "M04AA01", ("",), ("片", "缓释胶囊"), ((0.1, "g"),), 2, 0.1, "OTHER"),
    ("非布司他", "M04AA03", ("",), ("片",), ((40, "mg"),), 1, 2.8, "OTHER"),
    ("华法林钠", "B01AA03", ("",), ("片",), ((2.5, "mg"), (3, "mg")), 1, 0.3, "OTHER"),
    ("利伐沙班", "B01AF01", ("",), ("片",), ((10, "mg"), (20, "mg")), 1, 6.0, "OTHER"),
    ("地高辛", "C01AA05", ("",), ("片",), ((0.25, "mg"),), 1, 0.2, "OTHER"),
    ("螺内酯", "C03DA01", ("",), ("片", "胶囊"), ((20, "mg"),), 2, 0.1, "OTHER"),
    ("呋塞米", "C03CA01", ("",), ("片", "注射液"), ((20, "mg"),), 1, 0.05, "OTHER"),
    ("托拉塞米", "C03CA04", ("",), ("片", "胶囊"), ((10, "mg"),), 1, 1.5, "OTHER"),
    ("地西泮", "N05BA01", ("",), ("片", "注射液"), ((2.5, "mg"),), 1, 0.1, "OTHER"),
    ("氨溴索", "R05CB06", ("盐酸",), ("片", "口服溶液", "缓释胶囊"), ((30, "mg"),), 3, 0.3, "OTHER"),
)
_COMPOUNDS: tuple[tuple[str, str, str], ...] = (
    ("缬沙坦氢氯噻嗪", "C09DA03", "HTN"), ("厄贝沙坦氢氯噻嗪", "C09DA04", "HTN"),
    ("氯沙坦钾氢氯噻嗪", "C09DA01", "HTN"), ("氨氯地平贝那普利", "C09BB10", "HTN"),
    ("缬沙坦氨氯地平", "C09DB01", "HTN"), ("奥美沙坦酯氨氯地平", "C09DB02", "HTN"),
    ("西格列汀二甲双胍", "A10BD07", "DM"), ("吡格列酮二甲双胍", "A10BD05", "DM"),
    ("阿托伐他汀钙氨氯地平", "C10BX03", "LIPID"), ("复方利血平氨苯蝶啶", "C02LA01", "HTN"),
    ("复方丹参", "C01EX", "CHD"), ("复方甘草", "R05CA", "OTHER"),
)
_FORM_CODES = {
    "片": "A001", "肠溶片": "A012", "缓释片": "A003", "控释片": "A004", "分散片": "A006", "咀嚼片": "A008",
    "口崩片": "A010", "舌下片": "A011", "胶囊": "B001", "缓释胶囊": "B003", "肠溶胶囊": "B004", "软胶囊": "B005",
    "胶丸": "B006", "注射液": "C002", "颗粒": "N001", "吸入粉雾剂": "L002", "粉雾剂": "L003", "混悬液": "D002",
    "口服溶液": "D001", "糖浆": "D003", "滴剂": "D004", "肠溶片剂": "A012",
}
_BRAND_CHARS = "康欣宁安力达泰舒乐复诺维瑞普能喜洛平拜新怡优倍佳络恒信益通美和博雅天正元亚华健福迪凯贝立"
_MAKERS = "华润 石药 扬子江 恒瑞 齐鲁 正大天晴 科伦 华海 京新 信立泰 海正 鲁南 国药 上药 白云山 修正 太极 东阳光".split()
_NON_DRUGS = (("维生素C咀嚼片", "health_food"), ("钙维生素D软胶囊", "health_food"), ("蛋白粉", "food"),
              ("医用口罩", "daily"), ("润肤霜", "cosmetic"), ("血糖试纸", "daily"))
CHRONIC_GROUPS = ("HTN", "DM", "LIPID", "AP", "CHD", "COPD")


def _ean13(body12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _fmt_strength(value: float, unit: str) -> str:
    text = f"{value:g}"
    return f"{text}{unit}"


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def synthetic_drugs(n: int, seed: int = 1, *, chronic_share: float = 0.6) -> list[Drug]:
    """`n` catalogue items with unique keys, national codes, barcodes and trace prefixes (deterministic).

    About `chronic_share` of them belong to the chronic-disease groups (HTN, DM, lipids, antiplatelets, CHD,
    COPD); the rest are other classes, compound products and a few non-drug goods.
    """
    rng = random.Random(seed)
    chronic = [s for s in _STEMS if s[7] != "OTHER"]
    other = [s for s in _STEMS if s[7] == "OTHER"]
    stem_serial = {s[0]: f"{chr(65 + i % 26)}{100 + i * 7 % 900:03d}" for i, s in enumerate(_STEMS)}
    drugs: list[Drug] = []
    for i in range(n):
        roll = rng.random()
        brand = ""
        if roll < 0.01:
            name, category = rng.choice(_NON_DRUGS)
            name = f"{name}({rng.choice(_MAKERS)})"
            drugs.append(Drug(
                key=f"YP{i + 1:08d}", name=name, price=_money(rng.uniform(5, 120)), pack_size=1, category=category,
                spec="1盒", unit="盒", pack_unit="盒", barcode=_ean13(f"69{rng.randrange(10**10):010d}"),
            ))
            continue
        if roll < 0.06:
            stem_name, atc, group = rng.choice(_COMPOUNDS)
            form = rng.choice(("片", "胶囊", "分散片"))
            name = f"{stem_name}{form}"
            strength, unit, per_day, unit_price = Decimal("1"), "片", 1, rng.uniform(1.0, 4.0)
            spec = f"{rng.choice(('80mg/12.5mg', '150mg/12.5mg', '5mg/10mg', '50mg/850mg'))}"
            serial = f"F{rng.randrange(100, 999)}"
        else:
            stem = rng.choice(chronic) if rng.random() < chronic_share else rng.choice(other)
            stem_name, atc, salts, forms, strengths, per_day, unit_price, group = stem
            form = rng.choice(forms)
            name = f"{rng.choice(salts)}{stem_name}{form}"
            value, sunit = rng.choice(strengths)
            strength, unit = Decimal(str(value)), sunit
            spec = _fmt_strength(value, sunit)
            serial = stem_serial[stem_name]
        if rng.random() < 0.35:
            brand = rng.choice(_BRAND_CHARS) + rng.choice(_BRAND_CHARS)
            name = f"{name}({brand})"
        injectable = "注射" in form or "吸入" in form or "粉雾" in form
        pack_size = 1 if injectable else rng.choice((7, 14, 20, 24, 28, 30, 36, 48, 60, 100))
        price = _money(max(0.5, unit_price * (pack_size if not injectable else 1) * rng.uniform(0.6, 1.8)))
        dclass = rng.choices(("甲", "乙", "丙"), weights=(60, 35, 5))[0]
        ratio = Decimal(rng.choice(("0.05", "0.10"))) if dclass == "乙" and rng.random() < 0.5 else Decimal("0")
        company = f"{rng.randrange(10000, 99999)}"
        nhsa = (f"X{atc[:5]}{serial}{_FORM_CODES.get(form, 'A001')}"
                f"{rng.randrange(1, 99):02d}{rng.randrange(1, 99):02d}{company}")
        per_day_units = Decimal(per_day) if per_day else None
        max_daily = strength * per_day_units * 2 if per_day_units and strength else None
        drugs.append(Drug(
            key=f"YP{i + 1:08d}", name=name, price=price, pack_size=pack_size, category="drug", drug_class=dclass,
            preselfpay_ratio=ratio, nhsa_code=nhsa, atc=atc if len(atc) == 7 else None,
            nhsa_class=atc[:5], spec=f"{spec}*{pack_size}" if pack_size > 1 else spec,
            unit="支" if injectable else ("粒" if "胶囊" in form else "片"), pack_unit="盒",
            strength=strength, strength_unit=unit, max_daily=max_daily,
            trace_prefix=f"8{(i * 7919) % 1_000_000:06d}" if n <= 1_000_000 else None,
            barcode=_ean13(f"69{(i * 104729 + seed) % 10**10:010d}"),
            sex_limit="2" if rng.random() < 0.002 else None,
        ))
    return drugs


def drug_group(drug: Drug) -> str:
    """HTN / DM / LIPID / AP / CHD / COPD / OTHER by ATC class (for regimens)."""
    code = drug.atc or drug.nhsa_class or ""
    if code.startswith(("C08", "C09", "C07", "C03A", "C03B", "C02")):
        return "HTN"
    if code.startswith("A10"):
        return "DM"
    if code.startswith("C10"):
        return "LIPID"
    if code.startswith("B01AC"):
        return "AP"
    if code.startswith("C01D") or code.startswith("C01E"):
        return "CHD"
    if code.startswith("R03"):
        return "COPD"
    return "OTHER"


# ---------------------------------------------------------------------------------------------- world


@dataclass(frozen=True)
class SyntheticWorld:
    path: Path
    key_path: Path
    persons: int
    drugs: int
    facilities: int
    settlements: int
    dispenses: int
    trace_sales: int
    first_date: dt.date
    last_date: dt.date
    seed: int
    build_seconds: float
    reused: bool = False

    @property
    def url(self) -> str:
        return sqlite_url(self.path)

    def cipher(self) -> DataCipher:
        return DataCipher.load(self.key_path)

    def person_no(self, index: int) -> str:
        return _person_no(index)


def _person_no(i: int) -> str:
    return f"P{i:09d}"


def _id_number(birth: dt.date, i: int) -> str:
    # region code and serial taken from the index: unique for up to 10 million persons
    body = f"42{i // 1000 % 10000:04d}{birth:%Y%m%d}{i % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


_REG_PLANS = (  # (weight, [(scheme, disease)], regimen groups)
    (42, [("LB", "HTN")], ("HTN",)),
    (18, [("LB", "DM")], ("DM",)),
    (10, [("LB", "HTN"), ("LB", "DM")], ("HTN", "DM")),
    (16, [("MT", "M03900")], ("HTN", "LIPID", "AP")),
    (8, [("MT", "M01600")], ("DM", "LIPID")),
    (3, [("MT", "M03900"), ("MT", "M01600")], ("HTN", "DM", "LIPID")),
    (2, [("MT", "M04600")], ("CHD", "AP", "LIPID")),
    (1, [("MT", "M05300")], ("COPD",)),
)


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "onewindow-synthetic"


def build_world(
    *,
    persons: int = 100_000,
    drugs: int = 20_000,
    dispenses: int = 1_000_000,
    facilities: int = 300,
    seed: int = 1,
    first_date: dt.date = dt.date(2024, 1, 1),
    last_date: dt.date = dt.date(2025, 12, 31),
    cache_dir: Path | None = None,
    rebuild: bool = False,
) -> SyntheticWorld:
    """A store with `dispenses` dispensing rows (and their settlements and trace sales) over `persons` persons
    and `drugs` catalogue items; reused from `cache_dir` when one with the same parameters exists."""
    if persons <= 0 or drugs <= 0 or dispenses < 0 or facilities <= 0:
        raise ValueError("persons, drugs and facilities must be positive, dispenses non-negative")
    cache = cache_dir or default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    stem = (f"world-g{GENERATOR_VERSION}-r{head_revision()}-p{persons}-d{drugs}-h{dispenses}-f{facilities}"
            f"-s{seed}-{first_date:%Y%m%d}-{last_date:%Y%m%d}")
    path, manifest, key_path = cache / f"{stem}.db", cache / f"{stem}.json", cache / f"{stem}.key"
    if not rebuild and path.exists() and manifest.exists() and key_path.exists():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            return _world_from_manifest(data, path, key_path, reused=True)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged manifest: build again
    started = time.perf_counter()
    tmp = cache / f".{stem}.{os.getpid()}.building.db"
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    if rebuild or not key_path.exists():
        key_path.unlink(missing_ok=True)
    cipher = DataCipher.load(key_path)
    try:
        engine = open_store(sqlite_url(tmp))
        engine.dispose()
        counts = _load(tmp, cipher, persons=persons, n_drugs=drugs, n_dispenses=dispenses,
                       n_facilities=facilities, seed=seed, first_date=first_date, last_date=last_date)
    except BaseException:
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)
        raise
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    os.replace(tmp, path)
    world = SyntheticWorld(path=path, key_path=key_path, persons=persons, drugs=drugs, facilities=facilities,
                           first_date=first_date, last_date=last_date, seed=seed,
                           build_seconds=round(time.perf_counter() - started, 2), **counts)
    data = {k: (str(v) if isinstance(v, (Path, dt.date)) else v) for k, v in asdict(world).items()}
    manifest.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return world


def _world_from_manifest(data: dict, path: Path, key_path: Path, *, reused: bool) -> SyntheticWorld:
    return SyntheticWorld(
        path=path, key_path=key_path, persons=int(data["persons"]), drugs=int(data["drugs"]),
        facilities=int(data["facilities"]), settlements=int(data["settlements"]),
        dispenses=int(data["dispenses"]), trace_sales=int(data["trace_sales"]),
        first_date=dt.date.fromisoformat(data["first_date"]), last_date=dt.date.fromisoformat(data["last_date"]),
        seed=int(data["seed"]), build_seconds=float(data["build_seconds"]), reused=reused,
    )


def _time(t: dt.time | None) -> str | None:
    # The text SQLAlchemy's SQLite Time type writes and reads.
    return None if t is None else f"{t:%H:%M:%S}.{t.microsecond:06d}"


def _load(path: Path, cipher: DataCipher, *, persons: int, n_drugs: int, n_dispenses: int, n_facilities: int,
          seed: int, first_date: dt.date, last_date: dt.date) -> dict[str, int]:
    rng = random.Random(seed * 7919 + 17)
    now = dt.datetime(2026, 1, 1).isoformat(sep=" ") + ".000000"
    catalogue = synthetic_drugs(n_drugs, seed)
    by_group: dict[str, list[Drug]] = {g: [] for g in (*CHRONIC_GROUPS, "OTHER")}
    for d in catalogue:
        if d.is_drug and d.in_catalogue and d.atc:
            by_group[drug_group(d)].append(d)
    for group in CHRONIC_GROUPS:
        if not by_group[group]:  # a very small catalogue: fall back to any chronic drug
            by_group[group] = [d for g in CHRONIC_GROUPS for d in by_group[g]] or [catalogue[0]]

    # facilities: 2/3 pharmacies, then level-1 clinics, level-2 and level-3 hospitals
    fac_rows, fac_codes, fac_city = [], [], {}
    for i in range(n_facilities):
        share = i / n_facilities
        kind, level, grade, prefix = (("pharmacy", "pharmacy", None, "P") if share < 0.66 else
                                      ("clinic", "1", "1", "H") if share < 0.86 else
                                      ("hospital", "2", "2", "H") if share < 0.96 else ("hospital", "3", "3", "H"))
        city = rng.choices(("420700", "420100", "421200"), weights=(85, 10, 5))[0]
        code = f"{prefix}{city}{i + 1:05d}"
        fac_rows.append((code, f"测试{'药房' if kind == 'pharmacy' else '医院'}{i + 1:04d}", kind, level, grade, city))
        fac_codes.append(code)
        fac_city[code] = city

    drug_rows = []
    for d in catalogue:
        keys = pinyin_keys(d.name)
        drug_rows.append((
            d.key, d.name, d.spec, d.unit, d.pack_unit, d.pack_size, str(d.price), d.category, d.drug_class,
            str(d.preselfpay_ratio), d.nhsa_code, d.atc, d.nhsa_class, None if d.strength is None else str(d.strength),
            d.strength_unit, None if d.max_daily is None else str(d.max_daily), d.sex_limit, d.age_limit,
            d.min_facility_level, d.trace_prefix, d.barcode, 0, None, None, None, None, 0, keys.initials_text,
            keys.full, 1, now,
        ))

    # how many dispensing rows each person gets: around the mean, summing exactly to n_dispenses
    mean = n_dispenses / persons
    quota = [max(0, int(rng.gauss(mean, mean / 3) + 0.5)) for _ in range(persons)]
    diff = n_dispenses - sum(quota)
    step = 1 if diff > 0 else -1
    i = 0
    while diff:
        j = i % persons
        if step > 0 or quota[j] > 0:
            quota[j] += step
            diff -= step
        i += 1

    span = (last_date - first_date).days
    sql = {
        "person": "INSERT INTO person (person_no, name, sex, birth_date, insurance_type, status, death_date, "
                  "id_number_enc, id_number_hash, ss_card_no, profile_id, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "registration": "INSERT INTO registration (id, person_no, scheme, disease, begin_date, end_date, "
                        "designated_facilities) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "settlement": "INSERT INTO settlement (settlement_id, person_no, date, time, facility_code, city, scheme, "
                      "period, total, fund, personal, deductible_applied, expense_counted, reversed_on, status, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "dispense": "INSERT INTO dispense (person_no, settlement_id, date, time, facility_code, drug_key, chain_key, "
                    "days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "trace_sale": "INSERT INTO trace_sale (code, settlement_id, line, drug_key, date, units, split, "
                      "facility_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    }
    buffers: dict[str, list[tuple]] = {name: [] for name in sql}
    counts = {name: 0 for name in sql}

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")  # bulk load only; the store itself always runs FULL
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("PRAGMA cache_size=-200000")
        # secondary indexes are dropped for the load and rebuilt after it (faster than updating them per row)
        indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                              "AND tbl_name IN ('person', 'registration', 'settlement', 'dispense', 'trace_sale')"
                              ).fetchall()
        con.execute("BEGIN")
        for name, _sql in indexes:
            con.execute(f'DROP INDEX "{name}"')

        def flush(force: bool = False) -> None:
            for name, rows in buffers.items():
                if rows and (force or len(rows) >= 50_000):
                    con.executemany(sql[name], rows)
                    counts[name] += len(rows)
                    rows.clear()

        con.executemany("INSERT INTO facility (code, name, kind, benefit_level, hospital_grade, city) "
                        "VALUES (?, ?, ?, ?, ?, ?)", fac_rows)
        con.executemany(
            "INSERT INTO drug (key, name, spec, unit, pack_unit, pack_size, price, category, drug_class, "
            "preselfpay_ratio, nhsa_code, atc, nhsa_class, strength, strength_unit, max_daily, sex_limit, "
            "age_limit, min_facility_level, trace_prefix, barcode, inpatient_only, insurance_scope, "
            "restriction_text, price_ceiling, course_limit_days, long_rx_barred, pinyin_initials, pinyin_full, "
            "catalogue_version, updated_at) VALUES (" + ", ".join("?" * 31) + ")", drug_rows)
        _generate_history(rng, cipher, buffers, flush, persons=persons, quota=quota, by_group=by_group,
                          fac_codes=fac_codes, fac_city=fac_city, first_date=first_date, last_date=last_date,
                          span=span, now=now)
        flush(force=True)
        for _name, index_sql in indexes:
            con.execute(index_sql)
        con.execute("COMMIT")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return {"settlements": counts["settlement"], "dispenses": counts["dispense"], "trace_sales": counts["trace_sale"]}


def _generate_history(rng: random.Random, cipher: DataCipher, buffers: dict[str, list[tuple]], flush, *,
                      persons: int, quota: list[int], by_group: dict[str, list[Drug]], fac_codes: list[str],
                      fac_city: dict[str, str], first_date: dt.date, last_date: dt.date, span: int,
                      now: str) -> None:
    person_rows, reg_rows = buffers["person"], buffers["registration"]
    set_rows, disp_rows, trace_rows = buffers["settlement"], buffers["dispense"], buffers["trace_sale"]
    serial = 0
    reg_id = 0
    weights = [p[0] for p in _REG_PLANS]
    ratios = tuple(Decimal(r) for r in ("0.50", "0.60", "0.70", "0.80", "0.85", "0.90"))
    clock = [_time(dt.time(h, m, sec)) for h in range(8, 18) for m in range(60) for sec in (4, 21, 38, 55)]
    rand = rng.random
    for idx in range(persons):
        pno = _person_no(idx)
        birth = dt.date(rng.randint(1935, 1985), rng.randint(1, 12), rng.randint(1, 28))
        itype = "310" if rng.random() < 0.45 else "390"
        status, death = "active", None
        r = rng.random()
        if r < 0.01:
            status, death = "deceased", first_date + dt.timedelta(days=rng.randrange(span + 1))
        elif r < 0.015:
            status = "suspended"
        idn = _id_number(birth, idx)
        person_rows.append((
            pno, f"测试{idx % 997:03d}", rng.choice("12"), birth.isoformat(), itype, status,
            None if death is None else death.isoformat(), cipher.encrypt(idn), cipher.lookup_hash(idn),
            f"SC{idx:010d}", "TEST_CITY_A", now,
        ))
        _w, regs, groups = rng.choices(_REG_PLANS, weights=weights)[0]
        reg_begin = dt.date(rng.randint(2021, 2023), rng.randint(1, 12), 1)
        mt = regs[0][0] == "MT"
        for scheme, disease in regs:
            reg_id += 1
            end = None if scheme == "LB" else reg_begin + dt.timedelta(days=rng.choice((730, 1095, 1460)))
            reg_rows.append((reg_id, pno, scheme, disease, reg_begin.isoformat(),
                             None if end is None else end.isoformat(), ""))
        # regimen: one drug per disease group, sometimes a second one from the first group
        regimen = [rng.choice(by_group[g]) for g in groups[: rng.randint(1, len(groups))]]
        if rng.random() < 0.25:
            regimen.append(rng.choice(by_group[groups[0]]))
        regimen = list({d.chain_key: d for d in regimen}.values())
        home = rng.choice(fac_codes)
        supply = rng.choice((28, 30, 56, 84))
        left = quota[idx]
        fills = math.ceil(left / len(regimen)) if left else 0
        if fills:
            gap = max(7, min(supply, span // fills))
            day = first_date + dt.timedelta(days=rng.randrange(max(1, span - gap * (fills - 1) + 1)))
        for _k in range(fills):
            lines = regimen[: min(len(regimen), left)]
            left -= len(lines)
            serial += 1
            fac = home if rand() < 0.85 else fac_codes[int(rand() * len(fac_codes))]
            day_iso = day.isoformat()
            sid = f"{fac[:12]}{day:%Y%m%d}{serial:010d}"
            when = clock[int(rand() * len(clock))]
            total = Decimal("0")
            for ln, drug in enumerate(lines, start=1):
                packs = max(1, min(4, round(supply / max(1, drug.pack_size))))
                total += drug.price * packs
                disp_rows.append((pno, sid, day_iso, when, fac, drug.key, drug.chain_key, supply))
                prefix = drug.trace_prefix or "8000000"
                for _ in range(packs):
                    serial += 1
                    trace_rows.append((f"{prefix}{serial:013d}", sid, ln, drug.key, day_iso, drug.pack_size, 0, fac))
            fund = (total * ratios[int(rand() * len(ratios))]).quantize(CENT, rounding=ROUND_HALF_UP)
            reversed_on = None
            if rand() < 0.01:
                reversed_on = (day + dt.timedelta(days=rng.choice((0, 0, 1, 3)))).isoformat()
            set_rows.append((
                sid, pno, day_iso, when, fac, fac_city.get(fac, ""), "MT" if mt else "LB", str(day.year),
                str(total), str(fund), str(total - fund), "0", str(total), reversed_on,
                "reversed" if reversed_on else "settled", now,
            ))
            day = min(last_date, day + dt.timedelta(days=max(1, gap + int(rand() * 9) - 5)))
        if len(trace_rows) >= 50_000 or len(person_rows) >= 50_000:
            flush()


__all__ = ["CHRONIC_GROUPS", "GENERATOR_VERSION", "SyntheticWorld", "build_world", "default_cache_dir",
           "drug_group", "synthetic_drugs"]
