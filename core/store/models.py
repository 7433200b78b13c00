"""All tables of the store, importable from one place (and registered on Base.metadata)."""
from __future__ import annotations

from core.store.base import Base
from core.store.models_catalogue import DrugRow, FacilityRow, drug_row_values, facility_row_values
from core.store.models_held import DeskHeldRow
from core.store.models_history import DispenseRow, SettlementRow, TraceSaleRow
from core.store.models_person import PersonRow, RegistrationRow
from core.store.models_pos import PosGoodRow, PosGoodsLineRow, PosTenderRow
from core.store.models_stock import StockBatchRow, StockBoxRow, StockDocRow, StockMoveRow, StockProductRow

metadata = Base.metadata

__all__ = [
    "Base", "DeskHeldRow", "DispenseRow", "DrugRow", "FacilityRow", "PersonRow", "PosGoodRow", "PosGoodsLineRow", "PosTenderRow", "RegistrationRow", "SettlementRow",
    "StockBatchRow", "StockBoxRow", "StockDocRow", "StockMoveRow", "StockProductRow", "TraceSaleRow", "drug_row_values", "facility_row_values", "metadata",
]
