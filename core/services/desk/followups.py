"""What waits for the centre: the link status (the sync layer's outbox plus the desk's own follow-ups) and
the follow-ups themselves (7206, e-prescription dispensed), sent once their sale is settled at the centre."""
from __future__ import annotations

import json
import logging

from sqlalchemy import func, select

from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.desk.base import DISPENSED_STATES, NEVER_SETTLED, DeskBase
from core.services.ports import LinkStatus
from core.store import desk as t
from core.sync.models import SyncSale

log = logging.getLogger("onewindow.desk")


class FollowUps(DeskBase):
    def _followups_waiting(self) -> tuple[int, float | None]:
        with self.engine.connect() as conn:
            n, oldest = conn.execute(select(func.count(), func.min(t.followup.c.created_at))
                                     .where(t.followup.c.done_at.is_(None))).one()
        return int(n or 0), (t.utcnow() - oldest).total_seconds() if oldest else None

    def status(self) -> LinkStatus:
        """Online/offline and what waits for the centre: the sync layer's outbox (CheckoutService.status) plus
        the desk's own follow-ups (7206)."""
        n, age = self._followups_waiting()
        if self.checkout is None:
            if self.link is None:
                return LinkStatus(False, None, n, age)
            return LinkStatus(True, self.link.online, n, age, self.link.last_error)
        st = self.checkout.status()
        online = {"online": True, "offline": False}.get(st.mode)
        ages = [a for a in (st.oldest_waiting_s if st.waiting else None, age) if a is not None]
        return LinkStatus(True, online, st.waiting + n, max(ages) if ages else None, st.last_error,
                          provisional=st.provisional_sales, alerts=st.alerts_open, summary=st.text_zh)

    def check_link(self) -> LinkStatus:
        """Probe the centre; when it answers, the sender tries what waits at once."""
        if self.link is not None and self.link.ping() and self.terminal is not None:
            self.terminal.sender.wake()
        return self.status()

    def _sync_state(self, sale_id: str) -> tuple[str | None, str]:
        with self.Session() as s:
            ss = s.get(SyncSale, sale_id)
            return (ss.state, ss.setl_id or ss.msgid or "") if ss is not None else (None, "")

    def drain(self) -> int:
        """Wake the sync sender for what waits in the outbox, and send the desk's own follow-ups (7206) whose
        sale the centre has settled, oldest first; stops at the first one that cannot reach the centre."""
        if self.terminal is not None:
            self.terminal.sender.wake()
        if self.link is None:
            return 0
        sent = 0
        with self._drain_lock:
            with self.engine.connect() as conn:
                rows = conn.execute(select(t.followup).where(t.followup.c.done_at.is_(None))
                                    .order_by(t.followup.c.id)).all()
            for r in rows:
                payload = json.loads(r.payload)
                if r.sale_id:
                    state, setl_id = self._sync_state(r.sale_id)
                    if state is None or state in NEVER_SETTLED:
                        with self.wengine.begin() as conn:
                            conn.execute(t.followup.update().where(t.followup.c.id == r.id).values(
                                done_at=t.utcnow(), last_error=f"not sent: the sale was not settled ({state})"))
                        continue
                    if state not in DISPENSED_STATES:
                        continue  # provisional or in flight: after the centre's answer
                    payload.setdefault("data", {})["setl_id"] = setl_id
                try:
                    self.link.call(r.infno, payload, msgid=r.msgid)
                    values = dict(done_at=t.utcnow(), attempts=r.attempts + 1, last_error=None)
                except CentreRefused as exc:
                    log.warning("follow-up %s %s refused by the centre: %s", r.infno, r.msgid, exc.err_msg)
                    values = dict(done_at=t.utcnow(), attempts=r.attempts + 1, last_error=exc.err_msg)
                except CentreUnreachable as exc:
                    with self.wengine.begin() as conn:
                        conn.execute(t.followup.update().where(t.followup.c.id == r.id)
                                     .values(attempts=r.attempts + 1, last_error=exc.detail))
                    break
                with self.wengine.begin() as conn:
                    conn.execute(t.followup.update().where(t.followup.c.id == r.id).values(**values))
                sent += 1
        return sent
