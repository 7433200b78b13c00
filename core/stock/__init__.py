"""Stock and traceability (进销存): the ledger's domain (core.stock.domain), delivery files (core.stock.files).

The ledger's tables and its one writer are core.store.models_stock and core.store.stock; uploads (3501–3504,
3507) are core.sync.stock_uploads; the use cases the screens call are core.services.stock.
"""
from core.stock.domain import *  # noqa: F401,F403
from core.stock.domain import __all__  # noqa: F401
