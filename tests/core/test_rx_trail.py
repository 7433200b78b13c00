"""审方 → 调配 → 核对 → 发药 (core.rx.trail): order, licences, strict vs single-pharmacist, the check itself."""
import datetime as dt

import pytest

from core.rx.trail import Staff, Trail, TrailError, TrailLine

T = dt.datetime(2026, 12, 7, 10, 0)
LI = Staff("li", "李药师", "YS4207001")
ZHAO = Staff("zhao", "赵药师", "YS4207002")
WANG = Staff("wang", "王店员")  # no licence: may dispense and hand out, never review or check
LINES = (TrailLine(1, "苯磺酸氨氯地平片", ("C1", "C2")), TrailLine(2, "盐酸二甲双胍片", ("C3",)))


def test_strict_trail_with_three_people_travels_and_prints():
    t = Trail.start(LINES, mode="strict", check="scan", verdict="WARN", hints=("DRG-004 日剂量超量",))
    t.review(LI, T)
    t.dispense(WANG, T)
    assert not t.scan_box("NOT-ON-RX") and t.missing_checks() == ["C1", "C2", "C3"]
    for code in ("C1", "C2"):
        assert t.scan_box(code)
    with pytest.raises(TrailError, match="还有 1 项未核对：C3"):
        t.check(ZHAO, T)
    t.scan_box("C3")
    with pytest.raises(TrailError, match="核对人不能是调配人"):
        t.check(WANG, T)  # (also unlicensed; the strict rule speaks first)
    with pytest.raises(TrailError, match="核对人不能是审方药师"):
        t.check(LI, T)
    t.check(ZHAO, T + dt.timedelta(minutes=3))
    t.hand_out(WANG, T + dt.timedelta(minutes=4))
    assert t.done
    assert t.upload_fields() == {"phar_name": "李药师", "phar_prac_cert_no": "YS4207001", "phar_chk_name": "赵药师",
                                 "phar_chk_prac_cert_no": "YS4207002", "dspr_name": "王店员"}
    assert t.receipt_lines() == ["审方：李药师（执业药师 YS4207001） 10:00", "调配：王店员 10:00",
                                 "核对：赵药师（执业药师 YS4207002） 10:03", "发药：王店员 10:04（与调配同一人）"]
    again = Trail.from_dict(t.to_dict(), LINES)
    assert again.to_dict() == t.to_dict() and again.done


def test_single_pharmacist_shop_records_the_same_person():
    t = Trail.start(LINES, mode="single", check="confirm")
    t.review(LI, T)
    t.dispense(LI, T)
    with pytest.raises(TrailError, match="未核对"):
        t.check(LI, T)
    t.confirm_line(1)
    t.confirm_line(2)
    t.check(LI, T)
    t.hand_out(LI, T)
    assert t.by("check").same_person_as == ("review", "dispense")
    assert t.receipt_lines()[2].endswith("（与审方、调配同一人）")


def test_out_of_order_unlicensed_and_blocked_are_refused_and_change_nothing():
    t = Trail.start(LINES, mode="single")
    with pytest.raises(TrailError, match="现在应进行审方"):
        t.dispense(WANG, T)
    with pytest.raises(TrailError, match="没有执业药师注册证号"):
        t.review(WANG, T)
    assert t.steps == [] and t.next_step == "review"
    with pytest.raises(TrailError, match="调配完成后才能核对"):
        t.confirm_line(1)
    t.review(LI, T)
    t.dispense(WANG, T)
    with pytest.raises(TrailError, match="须逐盒扫码"):
        t.confirm_line(1)  # scan mode: a line with codes is checked box by box
    with pytest.raises(TrailError, match="没有第 9 行"):
        t.confirm_line(9)
    blocked = Trail.start(LINES, verdict="BLOCK")
    with pytest.raises(TrailError, match="BLOCK"):
        blocked.review(LI, T)
    with pytest.raises(TrailError):
        Trail.start(LINES, mode="lax")


def test_a_line_without_codes_is_confirmed_in_scan_mode():
    t = Trail.start((TrailLine(1, "中药饮片"),), mode="single", check="scan")
    t.review(LI, T)
    t.dispense(LI, T)
    assert t.missing_checks() == ["L1"]
    t.confirm_line(1)
    t.check(LI, T)
    assert t.next_step == "hand_out"


def test_the_desk_takes_the_site_settings(tmp_path):
    from core.services.desk import PharmacyDesk
    from core.services.pharmacy_config import DeskConfig
    from core.store.db import open_store

    values = {"rx_cache.max_entries": 7, "rx_cache.refill_days": 3, "dispensing.pharmacists": "strict",
              "dispensing.check": "confirm", "dispensing.trail_required": True}

    class Site:
        def get(self, key, shell=None):
            return values[key]

    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        desk = PharmacyDesk(engine, None, DeskConfig(receipt_dir=str(tmp_path)))
        assert (desk.trail_mode, desk.rx_cache_limit, desk.trail_required) == ("single", 500, False)  # the defaults
        desk.apply_rx_settings(Site())
        assert (desk.rx_cache_limit, desk.rx_refill_days, desk.trail_mode, desk.trail_check) == (7, 3, "strict", "confirm")
        assert desk.trail_required is True  # a setting of the registry, not a hidden default
    finally:
        engine.dispose()
