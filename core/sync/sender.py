"""The single sender of a terminal: only the process holding the lease sends outbox items.

    terminal.sender.start()                  # background thread (the GUI process)
    stats = terminal.sender.drain(timeout_s=60)   # send everything that can go now (tests, bench, recovery)
    result = terminal.sender.deliver(item_id, patience_s)   # a cashier waiting for one settlement

A pass selects ready items (strict order within a person's lane, at most one in flight per lane), counts an
attempt on each (committed before anything is sent), sends them over a few HTTP connections, and records the
answers in small groups, one transaction each. Nothing is removed from the outbox: an item only changes
status when the centre answered it (or it was superseded, cancelled, withdrawn).
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.sync import journal
from core.sync import outbox as ob
from core.sync.apply import apply_reply, cancel_doomed, mark_attempt
from core.sync.config import SenderConfig
from core.sync.envelope import Outcome, Reply
from core.store.models import SettlementRow
from core.sync.models import SyncOutbox, SyncSale

if TYPE_CHECKING:
    from core.sync.terminal import Terminal

log = logging.getLogger("onewindow.sync")

APPLY_GROUP = SenderConfig.apply_group  # answers per transaction unless the terminal's settings say otherwise


@dataclass
class DrainStats:
    sent: int = 0
    ok: int = 0
    refused: int = 0
    failed: int = 0
    passes: int = 0
    not_holder: bool = False
    remaining: int = 0
    seconds: float = 0.0
    msgids: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        self.sent += 1
        if outcome == "ok":
            self.ok += 1
        elif outcome == "refused":
            self.refused += 1
        else:
            self.failed += 1


@dataclass
class Delivery:
    """What happened to one interactive item while the cashier waited."""

    status: str  # the item's status afterwards (pending = still open)
    reply: Reply | None
    attempts: int
    sent_here: bool  # False: another instance holds the lease and was left to send it
    never_reached: bool  # the only attempt(s) proved the centre was not reached (connection refused)


class Sender:
    def __init__(self, terminal: "Terminal") -> None:
        self.t = terminal
        self._claimed: dict[int, int] = {}
        self._claim_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pass_lock = threading.Lock()
        self.record_msgids = False  # tests: keep the msgid of every message this process sends
        self.sent_msgids: list[str] = []

    # ---- claims: items an interactive call is sending in this process ---------------------------------------
    def claim(self, item_id: int) -> None:
        """The background passes leave a claimed item alone (claims nest: a counter per item)."""
        with self._claim_lock:
            self._claimed[item_id] = self._claimed.get(item_id, 0) + 1

    def release(self, item_id: int) -> None:
        with self._claim_lock:
            n = self._claimed.get(item_id, 0) - 1
            if n > 0:
                self._claimed[item_id] = n
            else:
                self._claimed.pop(item_id, None)

    def claimed(self) -> set[int]:
        with self._claim_lock:
            return set(self._claimed)

    # ---- sending one item ---------------------------------------------------------------------------------
    def _send(self, item_id: int, snapshot: dict) -> Reply:
        return self.t.transport.call(snapshot["infno"], snapshot["input"], msgid=snapshot["msgid"],
                                     operator=snapshot["opter"], operator_name=snapshot["opter_name"],
                                     insuplc_admdvs=snapshot["insuplc_admdvs"])

    def _snapshot(self, item: SyncOutbox, payload: str | None = None) -> dict:
        return {"id": item.id, "infno": item.infno, "msgid": item.msgid, "opter": item.opter or "SYS",
                "opter_name": item.opter_name, "insuplc_admdvs": item.insuplc_admdvs,
                "input": ob.input_of(item, self.t.cipher, payload)}

    def _apply(self, results: list[tuple[int, Reply]], stats: DrainStats | None = None, *,
               force_resolve: bool = False, count_attempt: bool = False) -> list[str]:
        outcomes = []
        with self.t.write() as s, s.begin():
            # One query each for the group's items and sales: the loop below then finds them in the session.
            # (The session's identity map holds objects weakly: keep these lists alive for the loop.)
            items = {i.id: i for i in s.scalars(select(SyncOutbox).where(SyncOutbox.id.in_([r[0] for r in results])))}
            sale_ids = [i.sale_id for i in items.values() if i.sale_id]
            sales = list(s.scalars(select(SyncSale).where(SyncSale.sale_id.in_(sale_ids)))) if sale_ids else []
            msgids = [i.msgid for i in items.values() if i.kind == "settle"]
            records = (list(s.scalars(select(SettlementRow).where(SettlementRow.settlement_id.in_(msgids))))
                       if msgids else [])
            with journal.held(s):  # the group's journal entries in one INSERT, same transaction
                for item_id, reply in results:
                    item = items.get(item_id)
                    assert sales is not None and records is not None  # kept referenced on purpose
                    if item is not None and count_attempt and item.status == ob.PENDING:
                        mark_attempt(s, self.t, item)
                    outcome = apply_reply(s, self.t, item, reply, force_resolve=force_resolve) if item else "stale"
                    outcomes.append(outcome)
                    if stats is not None:
                        stats.add(outcome)
        return outcomes

    # ---- a pass over the outbox ---------------------------------------------------------------------------
    def run_pass(self, stats: DrainStats | None = None) -> DrainStats:
        """One pass: send what is ready now. Returns what it did (not_holder when another process sends)."""
        stats = stats or DrainStats()
        with self._pass_lock:
            if not self.t.lease.ensure():
                stats.not_holder = True
                return stats
            stats.passes += 1
            cfg = self.t.config.sender
            claimed = self.claimed()
            with self.t.write() as s, s.begin():
                sel = ob.select_ready(s, self.t.utcnow(), limit=cfg.batch, skip_ids=claimed)
                if sel.blocked_by_dependency:
                    cancel_doomed(s, self.t, sel.blocked_by_dependency)
                bodies = ob.payloads(s, [item.id for item in sel.ready])
                snapshots = [self._snapshot(item, bodies[item.id]) for item in sel.ready]
                if sel.ready:
                    # Counted before anything is sent (one statement for the batch); the sale's own transition
                    # (provisional -> sending) is journaled with the answer.
                    now = self.t.utcnow()
                    s.execute(update(SyncOutbox).where(SyncOutbox.id.in_([i.id for i in sel.ready]))
                              .values(attempts=SyncOutbox.attempts + 1, last_attempt_at=now,
                                      first_attempt_at=func.coalesce(SyncOutbox.first_attempt_at, now))
                              .execution_options(synchronize_session=False))
                stats.remaining = sel.waiting
            if not snapshots:
                return stats
            self._dispatch(snapshots, stats)
            return stats

    def _dispatch(self, snapshots: list[dict], stats: DrainStats) -> None:
        pool = self._executor()
        pending: dict[Future, int] = {}
        queue = list(snapshots)
        results: list[tuple[int, Reply]] = []
        failures_in_a_row = 0
        while queue or pending:
            while queue and len(pending) < self.t.config.sender.workers:
                if not self.t.lease.ensure():
                    log.info("lost the sender lease; %d items left for the new holder", len(queue))
                    queue.clear()
                    break
                if failures_in_a_row >= 3 and pending:
                    break  # the centre looks unreachable: finish what is out, then stop this pass
                if failures_in_a_row >= 3:
                    queue.clear()
                    break
                snap = queue.pop(0)
                if self.record_msgids:
                    stats.msgids.append(snap["msgid"])
                    self.sent_msgids.append(snap["msgid"])
                pending[pool.submit(self._send, snap["id"], snap)] = snap["id"]
            if not pending:
                break
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                item_id = pending.pop(fut)
                try:
                    reply = fut.result()
                except Exception as exc:  # noqa: BLE001 - a bug in a worker must not lose the item
                    log.exception("sending item %s failed unexpectedly", item_id)
                    reply = Reply(Outcome.UNKNOWN, error=f"internal error: {exc}")
                failures_in_a_row = 0 if reply.reached else failures_in_a_row + 1
                results.append((item_id, reply))
            if len(results) >= self.t.config.sender.apply_group:
                self._apply(results, stats)
                results = []
        if results:
            self._apply(results, stats)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.t.config.sender.workers,
                                            thread_name_prefix="ow-sync-send")
        return self._pool

    def drain(self, *, timeout_s: float = 60.0, idle_exit: bool = True) -> DrainStats:
        """Pass after pass until nothing is pending (or only items waiting on an unreachable centre when
        `idle_exit`), or the timeout."""
        stats = DrainStats()
        started = time.monotonic()
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            before = stats.sent
            self.run_pass(stats)
            if stats.not_holder:
                break
            with self.t.read() as s:
                left = sum(ob.waiting(s).values())
            stats.remaining = left
            if left == 0:
                break
            if stats.sent == before:
                if idle_exit and self.t.transport.health.believed_offline:
                    break
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        stats.seconds = time.monotonic() - started
        return stats

    # ---- one interactive item -----------------------------------------------------------------------------
    def deliver(self, item_id: int, patience_s: float) -> Delivery:
        """Send one item now and wait for its answer, at most `patience_s` (asking again with the same msgid
        after a lost answer). Past the patience an interactive settlement is resolved by reversal."""
        deadline = time.monotonic() + patience_s
        self.claim(item_id)
        try:
            attempts, last, reached_never = 0, None, True
            while True:
                if not self.t.lease.ensure():
                    return self._wait_for(item_id, deadline)
                with self.t.read() as s:
                    item = s.get(SyncOutbox, item_id)
                    if item is None or item.status != ob.PENDING:
                        return Delivery(item.status if item else "missing", last, attempts, True, False)
                    snap = self._snapshot(item)
                # The attempt is counted with its outcome (one commit per attempt): an interactive item in
                # flight at a crash is reversed whatever its count says.
                attempts += 1
                if self.record_msgids:
                    self.sent_msgids.append(snap["msgid"])
                last = self._send(item_id, snap)
                if last.outcome is not Outcome.NOT_SENT:
                    reached_never = False
                out_of_time = time.monotonic() >= deadline
                if last.reached or (last.outcome is Outcome.NOT_SENT and reached_never and attempts == 1):
                    # An answer; or the centre was certainly not reached: the caller decides (offline or not).
                    if last.reached:
                        self._apply([(item_id, last)], count_attempt=True)
                    else:
                        self._record_failure(item_id, last)
                    return Delivery(self._status(item_id), last, attempts, True, reached_never and not last.reached)
                if out_of_time:
                    self._apply([(item_id, last)], force_resolve=True, count_attempt=True)
                    return Delivery(self._status(item_id), last, attempts, True, False)
                self._record_failure(item_id, last)
                time.sleep(min(0.2 * attempts, 1.0, max(0.0, deadline - time.monotonic())))
        finally:
            self.release(item_id)

    def _record_failure(self, item_id: int, reply: Reply) -> None:
        with self.t.write() as s, s.begin():
            item = s.get(SyncOutbox, item_id)
            if item is not None and item.status == ob.PENDING:
                mark_attempt(s, self.t, item)
                item.last_error = reply.error[:1000]

    def _status(self, item_id: int) -> str:
        with self.t.read() as s:
            item = s.get(SyncOutbox, item_id)
            return item.status if item else "missing"

    def _wait_for(self, item_id: int, deadline: float) -> Delivery:
        while time.monotonic() < deadline:
            status = self._status(item_id)
            if status != ob.PENDING:
                return Delivery(status, None, 0, False, False)
            time.sleep(0.05)
        return Delivery(self._status(item_id), None, 0, False, False)

    # ---- background -----------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ow-sync-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        cfg = self.t.config.sender
        while not self._stop.is_set():
            try:
                stats = self.run_pass()
                idle = stats.sent == 0
            except Exception:  # noqa: BLE001 - the loop must survive anything and try again
                log.exception("sender pass failed")
                idle = True
            if idle:
                pause = cfg.offline_probe_s if self.t.transport.health.believed_offline else cfg.poll_s
                self._wake.wait(pause)
                self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def session_items(session: Session, ids: list[int]) -> list[SyncOutbox]:
    return [item for i in ids if (item := session.get(SyncOutbox, i)) is not None]


__all__ = ["Delivery", "DrainStats", "Sender"]
