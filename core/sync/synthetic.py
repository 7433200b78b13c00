"""Synthetic persons and baskets for sync tests and the sync benchmark (deterministic, no real people).

- `synthetic_persons(n)`: 两病 (hypertension) residents with valid-looking 18-digit ID numbers (region 420704,
  correct check character), one registration each, person numbers S000000…
- `world_with_persons(world, persons)`: a copy of a world (e.g. the shared vectors) with them added, for
  `server.seed.seed_world`.
- `basket_for(person_no, n)`: the amlodipine line the vectors use (D01, 3 boxes, 84 days, one trace code per
  box, codes unique per (person, n)).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from core.codes.checksums import id_check_char
from core.domain import Person, Registration, Scheme
from core.sync.basket import Basket, BasketLine

D01_PREFIX = "8100011"


def id_number(i: int) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=(i * 37) % 18000)
    body = f"420704{birth:%Y%m%d}{i % 1000:03d}"
    return body + id_check_char(body)


def person_no(i: int) -> str:
    return f"S{i:06d}"


def synthetic_persons(n: int, *, start: int = 0) -> list[Person]:
    out = []
    for i in range(start, start + n):
        idn = id_number(i)
        birth = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        out.append(Person(person_no(i), f"测试{i}", "1" if i % 2 else "2", birth, "390", id_number=idn,
                          registrations=(Registration(Scheme.LB, "HTN", dt.date(2023, 1, 1)),)))
    return out


def world_with_persons(world, persons: list[Person]):
    patients = dict(world.patients)
    for p in persons:
        patients[p.person_no] = p
    return replace(world, patients=patients)


def trace_code(person_index: int, n: int, box: int) -> str:
    return f"{D01_PREFIX}{person_index % 10**8:08d}{n % 100:02d}{box % 1000:03d}"


def basket_for(person_index: int, n: int = 0, *, boxes: int = 3, rx_date: dt.date | None = None) -> Basket:
    codes = tuple(trace_code(person_index, n, b) for b in range(boxes))
    return Basket(
        person_no=person_no(person_index), scheme=Scheme.LB, disease="HTN", diagnoses=("I10.x00",),
        rx_no=f"RX{person_index:06d}{n:02d}", rx_date=rx_date or dt.date.today(),
        lines=(BasketLine("D01", boxes, 28 * boxes, trace_codes=codes, dose=Decimal("5"),
                          times_per_day=Decimal("1")),),
        long_rx_confirmed=True, doctor_name="测试医生", disease_name="高血压",
    )


__all__ = ["basket_for", "id_number", "person_no", "synthetic_persons", "trace_code", "world_with_persons"]
