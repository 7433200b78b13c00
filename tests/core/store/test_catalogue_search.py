"""Catalogue search: pinyin initials, names, code prefixes, barcodes, ranking; same answers as a linear scan."""
from __future__ import annotations

import argparse
import json
import threading
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.domain import Drug
from core.store import catalogue_search
from core.store.catalogue import upsert_drugs
from core.store.catalogue_search import CatalogueEntry, CatalogueIndex, CatalogueSearch, NaiveCatalogue
from core.store.paths import sqlite_url
from core.store.pinyin import pinyin_keys
from core.store.synthetic import synthetic_drugs
from onewindow.commands import catalogue as catalogue_command
from tests.core.store._data import AMLODIPINE, CATALOGUE, METFORMIN, QIANJIN

EXTRA = (
    Drug("D11", "氨氯地平片", Decimal("12.00"), 14, nhsa_code="XC08CAA321A001010199911", atc="C08CA01"),
    Drug("D12", "马来酸左氨氯地平片", Decimal("30.00"), 14, nhsa_code="XC08CAA400A001010199912"),
    Drug("D13", "重酒石酸去甲肾上腺素注射液", Decimal("5.00"), 1),
    Drug("D14", "维生素B6片", Decimal("2.00"), 100, barcode="6900000000021"),
    Drug("XC08", "测试药品", Decimal("1.00"), 1),  # a local key equal to a national-code prefix
)


@pytest.fixture(scope="module")
def index() -> CatalogueIndex:
    return CatalogueIndex.from_drugs(CATALOGUE + EXTRA)


def keys(hits) -> list[str]:  # noqa: ANN001
    return [h.key for h in hits]


def test_pinyin_keys() -> None:
    k = pinyin_keys("苯磺酸氨氯地平片")
    assert k.initials[0] == "bhsaldpp" and k.full == "benhuangsuananlvdipingpian"
    assert "cjssqjssxszsy" in pinyin_keys("重酒石酸去甲肾上腺素注射液").initials  # heteronym 重 = chong
    assert pinyin_keys("维生素B6片").initials == ("wssb6p",)
    assert pinyin_keys("ＡＢＣ片").full == "abcpian"  # full-width letters


def test_finds_amlodipine_by_initials(index: CatalogueIndex) -> None:
    hits = index.search("bhsaldp")
    assert keys(hits) == ["D01"]
    assert (hits[0].match, hits[0].field, hits[0].name) == ("prefix", "pinyin_initials", "苯磺酸氨氯地平片")
    assert keys(index.search("BHSALDP")) == ["D01"]  # case does not matter
    # the generic's initials without the salt: plain 氨氯地平片 first (prefix), the salts after (substring)
    assert keys(index.search("aldp")) == ["D11", "D01", "D12"]


def test_finds_by_name(index: CatalogueIndex) -> None:
    hits = index.search("氨氯地平")
    assert keys(hits) == ["D11", "D01", "D12"]
    assert [h.match for h in hits] == ["prefix", "substring", "substring"]
    assert keys(index.search("苯磺酸氨氯地平片")) == ["D01"]
    assert keys(index.search("b6")) == ["D14"]  # letters inside a Chinese name


def test_finds_by_full_pinyin(index: CatalogueIndex) -> None:
    assert keys(index.search("benhuang")) == ["D01"]
    assert "D01" in keys(index.search("anlvdiping"))


def test_finds_by_code_prefix_barcode_and_trace_code(index: CatalogueIndex) -> None:
    hits = index.search("XC08CAA321")
    assert set(keys(hits)) == {"D01", "D11"} and {h.field for h in hits} == {"nhsa_code"}
    # exact local key first, then the national-code prefixes
    hits = index.search("xc08")
    assert hits[0].key == "XC08" and hits[0].match == "exact"
    assert set(keys(hits[1:])) == {"D01", "D11", "D12"}
    hits = index.search("6901234567892")
    assert keys(hits) == ["D01"] and hits[0].match == "exact" and hits[0].field == "barcode"
    hits = index.search("81000110000000012345")  # a scanned trace code names its product
    assert keys(hits) == ["D01"] and hits[0].field == "trace_prefix"
    assert keys(index.search(QIANJIN.nhsa_code)) == ["D07"]
    # key prefix, ranked by name length: 厄贝沙坦片, 妇科千金片, 盐酸二甲双胍片, 苯磺酸氨氯地平片
    assert keys(index.search("d0")) == ["D03", "D07", "D02", "D01"]


def test_several_words_all_must_match(index: CatalogueIndex) -> None:
    assert keys(index.search("地平 5mg")) == ["D01"]  # the second word may match the spec
    assert index.search("地平 nothing") == []


def test_limit_empty_and_no_match(index: CatalogueIndex) -> None:
    assert index.search("") == [] and index.search("   ") == []
    assert index.search("zzzzzz") == []
    assert len(index.search("p", limit=2)) == 2
    assert index.search("p", limit=0) == []


def test_hit_json(index: CatalogueIndex) -> None:
    data = index.search("bhsaldp")[0].to_json()
    assert data == {
        "key": "D01", "name": "苯磺酸氨氯地平片", "spec": "5mg", "pack_unit": "盒", "price": "28.00",
        "nhsa_code": AMLODIPINE.nhsa_code, "barcode": "6901234567892", "match": "prefix",
        "field": "pinyin_initials",
    }


QUERIES = st.one_of(
    st.sampled_from(["b", "bh", "aldp", "p", "pian", "片", "地平", "酸", "x", "xc0", "yp0000", "69", "8", "z",
                     "gl", "盐酸", "缓释", "jn", "sp", "ab", "1", "0"]),
    st.text(alphabet="abdghjlpsxyz0123456789片胶囊盐酸地平二甲双胍 ", min_size=1, max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 5), query=QUERIES, limit=st.sampled_from([1, 5, 50]))
def test_same_answers_as_a_linear_scan(seed: int, query: str, limit: int) -> None:
    entries = _entries(seed)
    expected = NaiveCatalogue(entries).search(query, limit)
    assert _indexes(seed).search(query, limit) == expected
    # code prefixes matching many items are scanned rather than taken from the sorted range: same answers
    sparse = catalogue_search._Field.SPARSE
    catalogue_search._Field.SPARSE = 2
    try:
        assert _indexes(seed).search(query, limit) == expected
    finally:
        catalogue_search._Field.SPARSE = sparse


_CACHE: dict[int, tuple[list[CatalogueEntry], CatalogueIndex]] = {}


def _entries(seed: int) -> list[CatalogueEntry]:
    if seed not in _CACHE:
        entries = [CatalogueEntry.from_drug(d) for d in synthetic_drugs(300, seed)]
        # the rank order is the only tie-breaker: several windows are crossed with a small window
        index = CatalogueIndex(entries)
        index._WINDOW = 16
        _CACHE[seed] = (entries, index)
    return _CACHE[seed][0]


def _indexes(seed: int) -> CatalogueIndex:
    _entries(seed)
    return _CACHE[seed][1]


def test_index_loaded_from_the_store(engine, session: Session) -> None:  # noqa: ANN001
    upsert_drugs(session, CATALOGUE + EXTRA)
    search = CatalogueSearch.for_engine(engine)
    assert not search.loaded
    hits = search.search("bhsaldp")
    assert search.loaded and keys(hits) == ["D01"]
    assert hits[0].price == Decimal("28.00")
    assert keys(search.search("ysejsg")) == ["D02"]
    upsert_drugs(session, [Drug("D99", "苯磺酸氨氯地平胶囊", Decimal("9.90"), 7)])
    assert keys(search.search("bhsaldp")) == ["D01"]  # still the old index
    search.reload()
    assert keys(search.search("bhsaldp")) == ["D01", "D99"]


def test_concurrent_first_searches_load_once() -> None:
    loads = []
    gate = threading.Event()

    def loader() -> CatalogueIndex:
        gate.wait(5)
        loads.append(1)
        return CatalogueIndex.from_drugs(CATALOGUE)

    search = CatalogueSearch(loader)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(keys(search.search("ysej")))) for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert loads == [1] and results == [[METFORMIN.key]] * 4


def _run_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    catalogue_command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_command_prints_json_lines(sqlite_engine, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    with Session(sqlite_engine) as session:
        upsert_drugs(session, CATALOGUE + EXTRA)
    url = str(sqlite_engine.url)
    assert _run_command(["catalogue", "search", "氨氯地平", "--db", url]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [x["key"] for x in lines] == ["D11", "D01", "D12"]
    assert lines[0]["match"] == "prefix" and lines[1]["name"] == "苯磺酸氨氯地平片"
    assert _run_command(["catalogue", "search", "bhsaldp", "--db", url, "--limit", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["key"] == "D01"


def test_command_uses_the_local_store_and_says_when_it_is_missing(
    _isolated_home, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    assert _run_command(["catalogue", "search", "x"]) == 1
    assert "no local store" in capsys.readouterr().err
    from core.store.db import open_store
    from core.store.paths import store_path

    engine = open_store(sqlite_url(store_path()))
    with Session(engine) as session:
        upsert_drugs(session, CATALOGUE)
    engine.dispose()
    assert _run_command(["catalogue", "search", "6901234567892"]) == 0
    assert json.loads(capsys.readouterr().out)["key"] == "D01"
