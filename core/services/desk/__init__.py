"""The pharmacy desk's use cases, one module each, behind the facade PharmacyDesk (core.services.ports.DeskPort):

    base           DeskBase: stores, link, configuration, operator, terminal and checkout, catalogue
    identify       e-voucher / ID card / social security card → PatientCard (online, or cached offline)
    prescriptions  e-prescriptions, pickup codes, a prescription opened as a Sale
    sale           per-scan checks, 拆零 and 无码库, the local audit, the Sale as a sync Basket
    settlement     pre-settlement and settlement through the checkout, the desk's record and payment
    returns        whole or partial returns, the kept lines settled again
    records        finding a sale or return, prints
    followups      the link status, 7206 follow-ups
    through        a record's settlement read through from its sync sale
    facade         PharmacyDesk, combining the above

Extend by adding a module with a mixin over DeskBase (or a plain function over its stores) and adding it to
PharmacyDesk's bases; keep each module small (< 600 lines).
"""
from core.services.desk.facade import PharmacyDesk
from core.services.desk.through import Through, read_through

__all__ = ["PharmacyDesk", "Through", "read_through"]
