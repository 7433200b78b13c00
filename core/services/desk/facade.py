"""PharmacyDesk: the use cases of the dispensing desk (core.services.ports.DeskPort), from scan to receipt.

    desk = PharmacyDesk(engine, link, config)        # link: TerminalCentreLink (its Terminal settles); None = standalone
    desk.start()                                     # off the UI thread: start-up recovery and the background sender
                                                     # (Terminal.start), then the catalogue (1301, incremental)
    card = desk.identify("420704195703121015")       # e-voucher / ID card / social security card
    rx = desk.prescriptions(card)[0]; sale = desk.open_sale(card, rx.rx_id)
    check = desk.check_scan(sale, "81000110000000000001")     # < 1 ms, local
    view = desk.pre_settle(sale, card)               # the pre-settlement (2101, or offline within the floor limits)
    record = desk.settle(sale, card, Payment(cash_tendered=Decimal("50")), shift_id)

Every method may block on HTTP or SQLite: the shell runs them through a worker.

Settling goes through the sync layer, never around it: core.services.checkout.CheckoutService over the link's
core.sync.terminal.Terminal. The desk's Sale becomes a core.sync Basket (codes, 拆零, 无码库 batches, days, sig)
and audit → acknowledge_warnings → pre_settle → settle → print_receipt run there: message ids from the stored
sequence, the sale and its 2102 reserved in the outbox before anything is sent, an unknown outcome reversed by
its msgid (2601), provisional offline settlement inside the floor limits, 3505/3506 queued, the 0.10 元
local-vs-centre rule, start-up recovery. The desk keeps only what the sync layer does not hold — receipt
numbers, payments (account, cash, change), the codes per receipt line, opened boxes (拆零), the 无码库,
shifts, reprints — in its own tables (core.store.desk), keyed to the sync sale.

A desk record reads its settlement through from the sync sale (SyncSale: state, figures, setl_id, offline
number; the 2102 answer from its outbox item): a provisional sale shows `provisional` with its offline number
and the local figures, and once the background sender has the centre's answer the same record shows `settled`
with the centre's figures and setl_id. Nothing is copied, so nothing has to be kept in step.

7206 (e-prescription dispensed) is no outbox kind: it waits in desk_followup under a msgid from the terminal's
stored sequence and goes out (`drain`) once its sale is settled at the centre.

The use cases live in the modules of this package (identify, prescriptions, sale, settlement, returns,
records, follow-ups) over desk.base.DeskBase; PharmacyDesk only combines them and starts the desk.
"""
from __future__ import annotations

import logging

from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.ports import DeskError
from core.services.desk.accounts import FamilyAccounts
from core.services.desk.goods import Goods
from core.services.desk.held import HeldSales
from core.services.desk.identify import Identify
from core.services.desk.paper import PaperPrescriptions
from core.services.desk.rx_offline import OfflinePrescriptions
from core.services.desk.trail import DispensingTrail
from core.services.desk.repeat import RepeatLastSale
from core.services.desk.returns import Returns

log = logging.getLogger("onewindow.desk")


class PharmacyDesk(Identify, OfflinePrescriptions, PaperPrescriptions, DispensingTrail, Returns, FamilyAccounts,
                   HeldSales, Goods, RepeatLastSale):
    """The desk's use cases (core.services.ports.DeskPort) behind one object."""

    def apply_rx_settings(self, site) -> None:
        """The site's settings of issue 19 (core/settings: rx_cache.*, dispensing.*) on this desk."""
        self.rx_cache_limit = int(site.get("rx_cache.max_entries", "pharmacy"))
        self.rx_refill_days = int(site.get("rx_cache.refill_days", "pharmacy"))
        self.trail_mode = str(site.get("dispensing.pharmacists", "pharmacy"))
        self.trail_check = str(site.get("dispensing.check", "pharmacy"))
        self.trail_required = bool(site.get("dispensing.trail_required", "pharmacy"))

    def start(self) -> None:
        """At start-up, off the UI thread: start-up recovery and the background sender, then catalogue changes
        from the centre, waiting follow-ups, and the prescriptions of patients due a refill here, cached for
        selling while the centre is down (core.services.desk.rx_offline)."""
        if self.terminal is not None:
            self._start_terminal()
        if self.link is None:
            return
        try:
            self.sync_catalogue()
        except (CentreUnreachable, CentreRefused) as exc:
            log.info("start-up catalogue sync skipped: %s", exc)
        self.drain()
        try:
            cached = self.prefetch_prescriptions()
            if cached:
                log.info("%d waiting prescription(s) cached for offline selling", cached)
        except DeskError as exc:  # no link, or the centre went away: the cache keeps what it had
            log.info("prescription prefetch skipped: %s", exc)
