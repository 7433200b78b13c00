"""1312 医保目录信息查询 (paged) and 1301 versioned incremental catalogue download.

1301 differs from the national file flow (1301 -> file_qury_no -> 9102 zip download) on purpose: the rows
come inline as JSON, and `ver` is the centre's catalogue version, so a client asks "what changed since
version N" and gets only those drugs (all of them for ver 0 or an unknown version).
"""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, select

from core.domain import Drug
from core.store.models import drug_row_values
from server import reference
from server.models import catalogue_log
from server.transactions import Input, transaction

CLASS_LEVEL = {"甲": "01", "乙": "02", "丙": "03"}


class CatalogueQuery(Input):
    hilist_code: str = Field(default="", max_length=50)
    hilist_name: str = Field(default="", max_length=200)
    medins_list_codg: str = Field(default="", max_length=64)
    page_num: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=1000)


class CatalogueQueryInput(Input):
    data: CatalogueQuery


class DownloadQuery(Input):
    ver: str = Field(default="0", max_length=30)


class DownloadInput(Input):
    data: DownloadQuery


def drug_dict(drug: Drug, ver: int | None = None) -> dict:
    values = drug_row_values(drug)
    for k in ("updated_at", "pinyin_initials", "pinyin_full", "catalogue_version"):
        values.pop(k, None)
    out = {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in values.items()}
    if ver is not None:
        out["ver"] = ver
    return out


def hilist_row(drug: Drug) -> dict:
    return {
        "hilist_code": drug.nhsa_code or "",
        "hilist_name": drug.name,
        "medins_list_codg": drug.key,
        "chrgitm_lv": CLASS_LEVEL.get(drug.drug_class or "", "03"),
        "selfpay_prop": format(drug.preselfpay_ratio, "f"),
        "pric": format(drug.price, "f"),
        "spec": drug.spec,
        "pack_size": drug.pack_size,
        "pack_unit": drug.pack_unit,
        "atc": drug.atc,
        "category": drug.category,
        "trace_prefix": drug.trace_prefix,
    }


@transaction("1312", "医保目录信息查询", CatalogueQueryInput)
def query(ctx, inp: CatalogueQueryInput) -> dict:
    q = inp.data
    cat = reference.catalogue(ctx.centre, ctx.conn)
    drugs = sorted(cat.by_key.values(), key=lambda d: d.key)
    if q.hilist_code:
        drugs = [d for d in drugs if d.nhsa_code == q.hilist_code]
    if q.medins_list_codg:
        drugs = [d for d in drugs if d.key == q.medins_list_codg]
    if q.hilist_name:
        drugs = [d for d in drugs if q.hilist_name in d.name]
    start = (q.page_num - 1) * q.page_size
    page = drugs[start:start + q.page_size]
    return {
        "data": [hilist_row(d) for d in page],
        "page_num": q.page_num,
        "page_size": q.page_size,
        "recordCounts": len(drugs),
        "pages": (len(drugs) + q.page_size - 1) // q.page_size,
    }


@transaction("1301", "目录下载(增量, 按版本)", DownloadInput)
def download(ctx, inp: DownloadInput) -> dict:
    since = int(inp.data.ver) if inp.data.ver.isdigit() else 0
    current = int(ctx.conn.execute(select(func.max(catalogue_log.c.ver))).scalar() or 0)
    full = since <= 0 or since > current
    cat = reference.catalogue(ctx.centre, ctx.conn)
    if cat.version != current:
        ctx.centre.invalidate("ref.catalogue")
        cat = reference.catalogue(ctx.centre, ctx.conn)
    if full:
        keys = {k: None for k in cat.by_key}
    else:
        keys = {
            r.drug_key: r.ver
            for r in ctx.conn.execute(
                select(catalogue_log.c.drug_key, func.max(catalogue_log.c.ver).label("ver"))
                .where(catalogue_log.c.ver > since).group_by(catalogue_log.c.drug_key)
            )
        }
    rows = [drug_dict(cat.by_key[k], v) for k, v in sorted(keys.items()) if k in cat.by_key]
    return {"ver": str(current), "since": str(0 if full else since), "full": full, "data_cnt": len(rows), "data": rows}
