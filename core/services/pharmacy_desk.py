"""The pharmacy desk's service, now the package core.services.desk (one module per use case behind the facade
PharmacyDesk); this module keeps the old import path working."""
from core.domain.clock import today_cst
from core.services.desk import PharmacyDesk, Through, read_through

__all__ = ["PharmacyDesk", "Through", "read_through", "today_cst"]
