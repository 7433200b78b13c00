"""Held sales (挂单) kept in the store: the sale put aside, its patient's card and prescriptions, until it is
recalled or released. A desk restarted after a crash lists them again and their boxes stay reserved for them
(core.services.desk.rules.held_with): nothing is lost on a crash.

The payload is the desk's own value objects pickled (they hold Decimals, dates, drugs and messages), sealed with
a key derived from the installation's data key (Fernet: encrypted and authenticated). Sealed, because the row holds
the patient's card (name, ID number) — personal data is never plain at rest — and because pickle must never read
bytes this desk did not write: a changed or foreign row fails authentication before anything is unpickled. A row
that cannot be read (another version of the program wrote it, another data key, or it was changed) is listed with
`unreadable` set and a clear message, never dropped silently: a supervisor releases it."""
from __future__ import annotations

import base64
import datetime as dt
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from cryptography.fernet import Fernet

from sqlalchemy import delete, select, update

from core.domain.clock import today_cst
from core.i18n import Message, message
from core.services.desk.base import DeskBase
from core.services.desk.rules import Held
from core.services.ports import DeskError
from core.store.base import utcnow
from core.store.models_held import DeskHeldRow
from core.store.persons import default_cipher

FORMAT = 2  # the payload's format: Fernet(pickle of (card, sale, rxs)); 1 was the same pickle unsealed
PURPOSE = "onewindow desk held sales v1"


@dataclass(frozen=True)
class Unreadable:
    """A stored held sale this program cannot read: listed so that a supervisor releases it."""

    no: int
    sale_id: str
    person_no: str

    @property
    def problem(self) -> Message:
        return message("desk.held.unreadable", no=self.no)


def recall_blocker(held: Held, today: dt.date) -> Message | None:
    """Why held sale `held` may not be taken back to settle on `today` (None: it may): its prescription expired."""
    until = getattr(held.sale, "rx_valid_until", None)
    if until is not None and until < today:
        return message("desk.held.expired", no=held.no, date=until.isoformat())
    return None


def held_list(held: Sequence[Held]) -> list[Message]:
    """What step 1 says of the held sales: how many (F9 recalls the last), and which of them had been recalled and
    were still unsettled when the program stopped (a crash or a restart with the sale on the desk) — the
    pharmacist sees that the sale was interrupted, not merely put aside. Nothing held: nothing said."""
    if not held:
        return []
    out = [message("desk.held.count", n=len(held))]
    interrupted = [str(h.no) for h in held if h.recalled]
    if interrupted:
        zh, en = message("desk.held.recalled_before", nos="、".join(interrupted)), \
            message("desk.held.recalled_before", nos=", ".join(interrupted))
        out.append(Message(zh.key, zh.zh, en.en))
    return out


class HeldSales(DeskBase):
    @cached_property
    def _held_seal(self) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(default_cipher().derive_key(PURPOSE)))

    def hold_sale(self, held: Held) -> None:
        """Keep `held` in the store (a sale held again under the same id replaces its earlier row)."""
        blob = self._held_seal.encrypt(pickle.dumps((held.card, held.sale, tuple(held.rxs)))).decode("ascii")
        with self.WSession() as s, s.begin():
            s.execute(delete(DeskHeldRow).where(
                (DeskHeldRow.sale_id == held.sale.sale_id) | (DeskHeldRow.no == held.no)))
            s.add(DeskHeldRow(no=held.no, sale_id=held.sale.sale_id, person_no=held.sale.person_no,
                              user_id=self._user(), held_at=utcnow(), format=FORMAT, payload=blob))

    def held_sales(self) -> list[Held | Unreadable]:
        """The held sales in the store, by number (a restarted desk lists them and reserves their boxes again)."""
        with self.Session() as s:
            rows = s.execute(select(DeskHeldRow).order_by(DeskHeldRow.no)).scalars().all()
            out: list[Held | Unreadable] = []
            for r in rows:
                try:
                    if r.format != FORMAT:
                        raise ValueError(r.format)
                    # decrypt() authenticates first: only bytes this desk sealed are unpickled
                    card, sale, rxs = pickle.loads(self._held_seal.decrypt(r.payload.encode("ascii")))
                    out.append(Held(r.no, card, sale, tuple(rxs), recalled=r.recalled_at is not None))
                except Exception:  # noqa: BLE001 - any undecodable row is shown as such, never lost
                    out.append(Unreadable(r.no, r.sale_id, r.person_no))
        return out

    def recall_held(self, held: Held, today: dt.date | None = None) -> Held:
        """Take `held` back to settle it: refused (DeskError, the row kept) when its prescription expired
        meanwhile; otherwise its row is only marked recalled and stays until the sale is settled (the settlement
        drops it) or discarded (release_recalled): a desk that crashes in between lists it again as held, its
        boxes still reserved. Held again, its row is replaced."""
        why = recall_blocker(held, today or today_cst())
        if why is not None:
            raise DeskError(why)
        with self.WSession() as s, s.begin():
            s.execute(update(DeskHeldRow).where(DeskHeldRow.no == held.no).values(recalled_at=utcnow()))
        return held

    def release_recalled(self, sale_id: str) -> int:
        """The recalled sale `sale_id` was discarded on the desk (a new customer): its row goes, its boxes are
        free. A row held again meanwhile (no longer marked recalled) is kept."""
        with self.WSession() as s, s.begin():
            return s.execute(delete(DeskHeldRow).where(
                DeskHeldRow.sale_id == sale_id, DeskHeldRow.recalled_at.is_not(None))).rowcount or 0

    def release_held(self, nos: Iterable[int]) -> int:
        """Drop held sales `nos` from the store (released by a supervisor at Z)."""
        nos = list(nos)
        if not nos:
            return 0
        with self.WSession() as s, s.begin():
            return s.execute(delete(DeskHeldRow).where(DeskHeldRow.no.in_(nos))).rowcount or 0
