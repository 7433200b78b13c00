"""Paper prescriptions (core.rx.paper): what is refused before a sale opens, and why."""
import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from core.domain import Drug
from core.rx.paper import PaperLine, PaperRx, RxInputError, check_paper

TODAY = dt.date(2026, 12, 7)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DRUGS = {"D01": Drug("D01", "苯磺酸氨氯地平片", Decimal("28"), 28, unit="片", strength=Decimal("5"), strength_unit="mg")}
OK = PaperRx("刘医生", "区人民医院", TODAY, "I10.x00", "高血压", (PaperLine("D01", 1, 28, "5mg", "qd", "口服"),), PNG)


def test_a_complete_paper_prescription_passes_with_its_sig():
    [(drug, line, sig)] = check_paper(OK, DRUGS, TODAY)
    assert drug.key == "D01" and line.boxes == 1 and sig.dose == Decimal("5") and sig.times_per_day == 1


@pytest.mark.parametrize("change, reason", [
    ({"prescriber": " "}, "开方医师"),
    ({"rx_date": TODAY + dt.timedelta(days=1)}, "晚于今天"),
    ({"rx_date": TODAY - dt.timedelta(days=5)}, "过期"),
    ({"valid_days": 0}, "有效天数"),
    ({"diagnosis_code": ""}, "临床诊断"),
    ({"lines": ()}, "没有药品"),
    ({"image": b""}, "拍照或扫描"),
    ({"image": b"GIF89a" + b"\x00" * 10}, "JPEG 或 PNG"),
    ({"lines": (PaperLine("D99", 1, 28),)}, "不在本店目录"),
    ({"lines": (PaperLine("D01", 0, 28),)}, "至少 1 盒"),
    ({"lines": (PaperLine("D01", 1, 28, "a lot", "qd"),)}, "单次剂量无法识别"),
    ({"lines": (PaperLine("D01", 1, 28, "5mg", "now and then"),)}, "用药频次无法识别"),
])
def test_bad_paper_prescriptions_are_refused_with_the_reason(change, reason):
    with pytest.raises(RxInputError, match=reason):
        check_paper(dataclasses.replace(OK, **change), DRUGS, TODAY)
