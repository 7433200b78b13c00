"""Shared test data and helpers for the store tests."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, text

from core.domain import Drug, Facility, Person, Registration, Scheme

STORE_TABLES = ("trace_sale", "dispense", "settlement", "registration", "person", "facility", "drug")

D = dt.date

AMLODIPINE = Drug(
    key="D01", name="苯磺酸氨氯地平片", price=Decimal("28.00"), pack_size=28, drug_class="甲",
    nhsa_code="XC08CAA321A001010199901", atc="C08CA01", spec="5mg", unit="片", pack_unit="盒",
    strength=Decimal("5"), strength_unit="mg", max_daily=Decimal("10"), trace_prefix="8100011",
    barcode="6901234567892",
)
METFORMIN = Drug(
    key="D02", name="盐酸二甲双胍片", price=Decimal("24.00"), pack_size=60, drug_class="甲",
    nhsa_code="XA10BAE021A001010199902", atc="A10BA02", spec="0.5g", unit="片", pack_unit="盒",
    strength=Decimal("500"), strength_unit="mg", max_daily=Decimal("2550"), trace_prefix="8100022",
    barcode="6901234567908",
)
IRBESARTAN = Drug(
    key="D03", name="厄贝沙坦片", price=Decimal("41.30"), pack_size=28, drug_class="乙",
    preselfpay_ratio=Decimal("0.10"), nhsa_code="XC09CAE901A001010199903", atc="C09CA04", spec="150mg",
    unit="片", pack_unit="盒", trace_prefix="8100033",
)
QIANJIN = Drug(
    key="D07", name="妇科千金片", price=Decimal("36.00"), pack_size=1, drug_class="乙",
    nhsa_code="ZD02AAF0202010105046", nhsa_class="D02AA", sex_limit="2", trace_prefix="8100077",
    spec="(片剂)", unit="盒", pack_unit="盒", inpatient_only=False, restriction_text="限妇科",
    price_ceiling=Decimal("40.00"), course_limit_days=30, long_rx_barred=True, insurance_scope="maternity",
    age_limit="adult", min_facility_level=1,
)
SUPPLEMENT = Drug(key="N01", name="维生素C咀嚼片(保健食品)", price=Decimal("59.90"), pack_size=1,
                  category="health_food", barcode="6909876543210")
CATALOGUE = (AMLODIPINE, METFORMIN, IRBESARTAN, QIANJIN, SUPPLEMENT)

PHARMACY = Facility("P42070000001", "康济大药房(测试)", "pharmacy", "pharmacy", None, "420700")
CLINIC = Facility("H42070000011", "社区卫生服务中心(测试)", "clinic", "1", "1", "420700")
OTHER_CITY = Facility("H42010000003", "武汉某医院(测试)", "hospital", "3", "3", "420100")

WANG = Person(
    person_no="T0001", name="王某(测试)", sex="1", birth_date=D(1957, 3, 12), insurance_type="390",
    id_number="42070419570312101X",
    registrations=(Registration(Scheme.LB, "HTN", D(2023, 1, 1)),),
)
LI = Person(
    person_no="T0002", name="李某(测试)", sex="2", birth_date=D(1963, 6, 30), insurance_type="310",
    id_number="420704196306301148",
    registrations=(
        Registration(Scheme.LB, "HTN", D(2023, 1, 1)),
        Registration(Scheme.LB, "DM", D(2023, 1, 1), None, ("P42070000001", "H42070000011")),
    ),
)
ZHAO = Person(
    person_no="T0003", name="赵某(测试)", sex="1", birth_date=D(1955, 11, 2), insurance_type="310",
    id_number="420704195511021255", status="deceased", death_date=D(2025, 8, 1),
    registrations=(
        Registration(Scheme.MT, "M03900", D(2025, 3, 1), D(2027, 2, 28)),
        Registration(Scheme.MT, "M01600", D(2025, 3, 1), D(2027, 2, 28)),
    ),
)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def counts(engine: Engine) -> dict[str, int]:
    return {t: count(engine, t) for t in STORE_TABLES}
