"""`onewindow catalogue search TEXT [--db URL] [--limit N]`: search the drug catalogue of a store.

Prints one JSON object per hit (JSON lines), best first:
{"key", "name", "spec", "pack_unit", "price", "nhsa_code", "barcode", "match", "field"}.
"""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalogue", help="drug catalogue of the local store (药品目录)")
    csub = p.add_subparsers(dest="catalogue_command", metavar="ACTION", required=True)
    s = csub.add_parser("search", help="search by name, pinyin initials, code prefix or barcode (JSON lines)")
    s.add_argument("text", metavar="TEXT", nargs="+", help="what the clerk would type, e.g. bhsaldp or 氨氯地平")
    s.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the store (default: the local store file)")
    s.add_argument("--limit", type=int, default=50, help="at most this many hits (default 50)")
    s.set_defaults(handler=_search)


def _search(args: argparse.Namespace) -> int:
    from core.store import paths
    from core.store.catalogue_search import CatalogueIndex
    from core.store.db import open_store
    from core.store.errors import StoreError
    from sqlalchemy.exc import SQLAlchemyError

    url = args.db
    if url is None:
        path = paths.store_path()
        if not path.exists():
            print(f"onewindow catalogue: no local store at {path} (set ONEWINDOW_HOME or pass --db URL)",
                  file=sys.stderr)
            return 1
        url = paths.store_url(path)
    try:
        engine = open_store(url)
    except (StoreError, SQLAlchemyError, OSError) as exc:
        print(f"onewindow catalogue: cannot open the store {url}: {exc}", file=sys.stderr)
        return 1
    try:
        index = CatalogueIndex.from_engine(engine)
    finally:
        engine.dispose()
    for hit in index.search(" ".join(args.text), limit=args.limit):
        print(json.dumps(hit.to_json(), ensure_ascii=False))
    return 0
