"""The desk's shared state and plumbing (core.services.desk): stores, link, configuration, the operator, the
terminal and its checkout (started once), the catalogue, transaction numbers by name.

Every use case of the desk (identify, prescriptions, sale, settlement, returns, records, follow-ups) is a
mixin over DeskBase in its own module; core.services.desk.facade.PharmacyDesk combines them. A new use case
is a new module with a mixin over DeskBase, added to the facade's bases."""
from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from core.domain import Facility, money
from core.i18n import message
from core.policy.profile import Profile, bundled_profiles
from core.services.auth import Operator
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.checkout import CheckoutService
from core.services.pharmacy_config import DeskConfig
from core.services.ports import CentreLink, DeskError
from core.store import desk as t
from core.store.db import session_factory
from core.store.lane import store_events, write_engine
from core.store.rx_cache import ensure_rx_cache
from core.sync.config import DEFAULT_INFNO
from core.sync.refdata import RefDataError, sync_catalogue
from core.sync.states import SETTLED_LIKE
from core.sync.states import SaleState as S
from core.sync.terminal import Terminal

SCHEME_MED_TYPE = {"LB": "9901", "MT": "14"}
MED_TYPE_SCHEME = {"14": "MT", "140104": "MT", "140201": "MT", "9929": "MT", "9901": "LB", "1403": "LB"}
REVIEW_WINDOW_DAYS = 90
RECOVERY_WAIT_S = 20.0  # how long a settlement waits for start-up recovery before it says so
RECOVERY_RESOLVE_S = 15.0  # how long start-up recovery waits for the centre to answer what was in flight
CERT_KIND = {"01": "evoucher", "02": "id_card", "03": "ss_card"}
OPEN_STATES = (S.DRAFT.value, S.AUDITED.value, S.PRE_SETTLED.value)
SETTLED_STATES = {s.value for s in SETTLED_LIKE}
DISPENSED_STATES = SETTLED_STATES | {S.RETURNING.value, S.RETURNED.value}  # settled at the centre at some point
NEVER_SETTLED = (S.REJECTED.value, S.REVERSED.value, S.CANCELLED.value)


def _dec(v: Any) -> Decimal:
    return money(v if v not in (None, "") else "0")


def _same_store(a: Engine, b: Engine) -> bool:
    if a is b:
        return True
    ua, ub = make_url(a.url), make_url(b.url)
    if ua.get_backend_name() == "sqlite" and ub.get_backend_name() == "sqlite":
        from pathlib import Path

        da, db = ua.database or "", ub.database or ""
        if da in ("", ":memory:") or db in ("", ":memory:"):
            return False
        return Path(da).expanduser().resolve() == Path(db).expanduser().resolve()
    return ua.render_as_string(hide_password=False) == ub.render_as_string(hide_password=False)


class DeskBase:
    def __init__(self, engine: Engine, link: CentreLink | None, config: DeskConfig, *,
                 profile: Profile | None = None, terminal: Terminal | None = None) -> None:
        t.ensure_desk_schema(engine)
        # the prescription cache's tables too, here at start-up: created later they were DDL on whichever
        # worker first opened the cache, outside the store's one writer lane
        ensure_rx_cache(engine)
        self.engine = engine
        # Every write goes through the store's one writer (core.store.lane), as the terminal's sender's do.
        self.wengine = write_engine(engine)
        self.Session = session_factory(engine)
        self.WSession = session_factory(self.wengine)
        self.events = store_events(engine)  # sale / outbox / online changes, for the screens (core.events)
        self.link = link
        self.config = config
        profiles = bundled_profiles()
        self.profile = profile or profiles.get(config.profile_id) or next(iter(profiles.values()))
        self.facility = Facility(config.institution, config.institution_name, "pharmacy", "pharmacy", None,
                                 config.city)
        self.operator: Operator | None = None
        self.terminal: Terminal | None = terminal if terminal is not None else getattr(link, "t", None)
        self.checkout: CheckoutService | None = None
        if self.terminal is not None:
            if not _same_store(engine, self.terminal.engine):
                raise ValueError("the desk and its terminal must use the same store (one database): "
                                 f"{engine.url!r} vs {self.terminal.engine.url!r}")
            self.checkout = CheckoutService(self.terminal, profile=self.profile)
        self._baskets: dict[str, tuple[str, str]] = {}  # desk sale id -> (sync sale id, basket JSON)
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._drain_lock = threading.Lock()

    # ------------------------------------------------------------------ session, status, reference data
    def set_operator(self, op: Operator) -> None:
        self.operator = op
        if self.link is not None:
            self.link.set_operator(op.user_id, op.name)

    def _user(self) -> str:
        return self.operator.user_id if self.operator else "-"

    def _user_name(self) -> str:
        return self.operator.name if self.operator else ""

    def _start_terminal(self, wait_s: float | None = None) -> None:
        """Terminal.start() once: recovery of whatever was in flight at the last exit, then the sender thread.
        With `wait_s`, wait at most that long for a start already running elsewhere."""
        term = self.terminal
        if term is None or term.recovered:
            return
        if not self._start_lock.acquire(timeout=-1 if wait_s is None else wait_s):
            return
        try:
            if not term.recovered:
                term.start(resolve_timeout_s=RECOVERY_RESOLVE_S)
        finally:
            self._start_lock.release()

    def _ready(self) -> CheckoutService:
        """The checkout, once start-up recovery has run (the first settlement waits for it, then says so)."""
        if self.checkout is None:
            raise DeskError(message("desk.audit.offline"))
        self._start_terminal(wait_s=RECOVERY_WAIT_S)
        if not self.terminal.recovered:
            raise DeskError(message("desk.settle.recovering"))
        return self.checkout

    def close(self) -> None:
        """Stop the terminal (its sender thread); the link closes it when the link opened it."""
        closer = getattr(self.link, "close", None)
        if callable(closer) and getattr(self.link, "t", None) is self.terminal:
            closer()
        elif self.terminal is not None:
            self.terminal.close()

    def sync_catalogue(self) -> int:
        """Catalogue changes since the version this store has (1301, incremental), through the sync layer."""
        if self.terminal is None:
            return 0
        try:
            return sync_catalogue(self.terminal, operator=self.operator.user_id if self.operator else "SYS").items
        except RefDataError as exc:
            if exc.reply is not None and exc.reply.refused:
                raise CentreRefused("1301", exc.reply.err_msg or str(exc)) from None
            raise CentreUnreachable("1301", str(exc), maybe_sent=False) from None

    def _infno(self, use: str) -> str:
        """Transaction numbers by name, from the terminal's configuration (provinces number some differently)."""
        t = getattr(self.link, "t", None)
        table = t.config.infno if t is not None else DEFAULT_INFNO
        return table.get(use) or DEFAULT_INFNO[use]

    def _need_link(self) -> CentreLink:
        if self.link is None:
            raise DeskError(message("desk.audit.offline"))
        return self.link
