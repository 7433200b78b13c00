"""A paper prescription entered at the pharmacy (纸质处方): who wrote it where and when, the diagnosis, the lines
with dose and days, and the photo or scan of the slip, checked like an uploaded one before a sale opens.

    checked = check_paper(PaperRx(...), drugs_by_key, today)   # RxInputError (Chinese first) or the lines' Sigs

Refused, with the reason: no prescriber or institution, a date in the future, a validity already over, no line,
an unknown drug, a line without boxes or days, a dose or frequency that cannot be read (core.rx.dose), no image
of the slip (the supervisor's trail: the paper stays at the pharmacy, its picture goes with the sale), an image
that is not a JPEG or PNG or larger than MAX_IMAGE_BYTES.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from core.domain import Drug, Sig
from core.rx.dose import SigError, sig_for

MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class RxInputError(ValueError):
    """`field` names what is wrong, so an entry screen can show the reason next to it: prescriber, institution,
    date, valid_days, diagnosis, lines, image, or line:N (the Nth line, from 1)."""

    def __init__(self, zh: str, en: str, field: str = "") -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en, self.field = zh, en, field


@dataclass(frozen=True)
class PaperLine:
    drug_key: str
    boxes: int
    days: int
    dose: str = ""  # 单次剂量, e.g. "5mg"
    frequency: str = ""  # e.g. "qd", "每日2次"
    way: str = ""  # 用法, e.g. "口服"


@dataclass(frozen=True)
class PaperRx:
    prescriber: str
    institution: str
    rx_date: dt.date
    diagnosis_code: str
    diagnosis_name: str
    lines: tuple[PaperLine, ...]
    image: bytes = b""
    valid_days: int = 3
    rx_type: str = "ordinary"  # ordinary / long (the doctor assessed a long prescription)

    @property
    def valid_until(self) -> dt.date:
        return self.rx_date + dt.timedelta(days=self.valid_days - 1)


def image_type(data: bytes) -> str | None:
    return next((mime for magic, mime in IMAGE_TYPES.items() if data.startswith(magic)), None)


def check_paper(rx: PaperRx, drugs: Mapping[str, Drug], today: dt.date) -> list[tuple[Drug, PaperLine, Sig | None]]:
    if not rx.prescriber.strip():
        raise RxInputError("请填写开方医师", "the prescriber is required", "prescriber")
    if not rx.institution.strip():
        raise RxInputError("请填写开方机构", "the institution is required", "institution")
    if rx.rx_date > today:
        raise RxInputError(f"开方日期 {rx.rx_date} 晚于今天", f"prescription date {rx.rx_date} is in the future", "date")
    if not 1 <= rx.valid_days <= 90:
        raise RxInputError("有效天数应为 1–90 天", "valid days must be 1-90", "valid_days")
    if rx.valid_until < today:
        raise RxInputError(f"处方已于 {rx.valid_until} 过期", f"the prescription expired on {rx.valid_until}", "date")
    if not rx.diagnosis_code.strip():
        raise RxInputError("请填写临床诊断", "the diagnosis is required", "diagnosis")
    if not rx.lines:
        raise RxInputError("处方没有药品", "the prescription has no drug line", "lines")
    if not rx.image:
        raise RxInputError("纸质处方须拍照或扫描留存后才能调剂", "a paper prescription needs its photo or scan attached",
                           "image")
    if len(rx.image) > MAX_IMAGE_BYTES or image_type(rx.image) is None:
        raise RxInputError("处方图片须为 8 MB 以内的 JPEG 或 PNG", "the image must be a JPEG or PNG of at most 8 MB",
                           "image")
    out = []
    for no, line in enumerate(rx.lines, start=1):
        drug = drugs.get(line.drug_key)
        if drug is None:
            raise RxInputError(f"第 {no} 行药品 {line.drug_key!r} 不在本店目录", f"line {no}: unknown drug {line.drug_key!r}",
                               f"line:{no}")
        if line.boxes < 1 or not 1 <= line.days <= 366:
            raise RxInputError(f"第 {no} 行 {drug.name}：数量须至少 1 盒、天数 1–366", f"line {no}: boxes >= 1 and days 1-366",
                               f"line:{no}")
        try:
            sig = sig_for(drug, line.dose, line.frequency)
        except SigError as exc:
            raise RxInputError(f"第 {no} 行 {drug.name}：{exc.zh}", f"line {no}: {exc.en}",
                               f"line:{no}") from None
        out.append((drug, line, sig))
    return out
