"""Random sequences of stock operations keep every batch's quantity equal to its whole boxes on hand × pack size
plus its opened boxes' remainders, and each box in the state a simple model says (hypothesis state machine).
Refused operations (a box not on hand, too many units) must leave the ledger exactly as it was."""
from __future__ import annotations

import datetime as dt
import itertools
import shutil

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.stock.domain import Delivery, DeliveryLine, Product, StockError
from core.store import stock
from core.store.db import open_store
from core.store.models_stock import StockBatchRow
from core.store.paths import sqlite_url

NOW = dt.datetime(2026, 12, 7, 9, 0)
PACK = 10
PRODUCTS = {"D01": Product("D01", "氨氯地平", PACK, trace_prefix="8100011")}
CODES = [f"8100011{i:013d}" for i in range(1, 13)]


def make_machine(template):
    class StockMachine(RuleBasedStateMachine):
        @initialize()
        def open(self):
            self.tmp = template.parent / f"m{next(SEQ)}.db"
            shutil.copyfile(template, self.tmp)
            self.engine = open_store(sqlite_url(self.tmp), upgrade=False)
            self.s = Session(self.engine)
            self.model: dict[str, tuple[str, int]] = {}  # code -> (state, units_left)
            self.offs: dict[str, tuple[str, int, str]] = {}  # written off, not undone: code -> (state, left, bchno)
            self.docs = itertools.count(1)

        def teardown(self):
            if hasattr(self, "s"):
                self.s.close()
                self.engine.dispose()
                self.tmp.unlink(missing_ok=True)

        def doc(self) -> str:
            return f"D{next(self.docs)}"

        def attempt(self, fn, ok: bool):
            before = self.totals()
            try:
                fn()
            except StockError:
                self.s.rollback()
                assert not ok, "a valid operation was refused"
                assert self.totals() == before, "a refused operation changed the ledger"
                return False
            assert ok, "an invalid operation was accepted"
            return True

        def totals(self):
            return sorted((b.bchno, b.units) for b in self.s.scalars(select(StockBatchRow)))

        @rule(picks=st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True),
              lot=st.sampled_from(["A", "B"]))
        def receive(self, picks, lot):
            ok = all(self.model.get(c, ("supplier_returned",))[0] == "supplier_returned" for c in picks)
            d = Delivery("供", "INV", tuple(DeliveryLine(c, "D01", lot, "2026-01-01", "2028-01-01") for c in picks))
            if self.attempt(lambda: stock.receive(self.s, d, PRODUCTS, doc_no=self.doc(), now=NOW,
                                                  today=NOW.date()), ok):
                for c in picks:
                    self.model[c] = ("in_stock", PACK)

        @rule(code=st.sampled_from(CODES), units=st.one_of(st.none(), st.integers(1, PACK + 1)))
        def sell(self, code, units):
            state, left = self.model.get(code, (None, 0))
            if units is None:
                ok = state in ("in_stock", "returned")
            else:
                ok = state in ("in_stock", "returned", "opened") and units <= left
            if self.attempt(lambda: stock.sell(self.s, [stock.SaleBox(code, units)], doc_no=self.doc(), now=NOW), ok):
                rest = 0 if units is None else left - units
                self.model[code] = ("sold" if rest == 0 else "opened", rest)

        @rule(code=st.sampled_from(CODES))
        def return_box(self, code):
            state, _ = self.model.get(code, (None, 0))
            if state is None:
                return  # a box the ledger never had is skipped by design
            if self.attempt(lambda: stock.return_sale(self.s, [stock.SaleBox(code)], doc_no=self.doc(), now=NOW),
                            state == "sold"):
                self.model[code] = ("returned", PACK)

        @rule(code=st.sampled_from(CODES))
        def write_off(self, code):
            state, left = self.model.get(code, (None, 0))
            if self.attempt(lambda: stock.write_off(self.s, [code], change_kind="loss", doc_no=self.doc(), now=NOW,
                                                    supervisor="SUP"), state in ("in_stock", "returned", "opened")):
                self.offs[code] = (state, left, stock.facts(self.s, [code])[code].bchno)
                self.model[code] = ("written_off", 0)

        @rule(code=st.sampled_from(CODES))
        def undo_write_offs(self, code):
            """3507 of a change mirrored: every live write-off of the box's batch undone, each box as it was."""
            f = stock.facts(self.s, [code]).get(code)
            if f is None:
                return
            back = [c for c, (_s, _l, b) in self.offs.items() if b == f.bchno]
            if self.attempt(lambda: stock.undo_docs(self.s, [f.bchno], ("change",), doc_no=self.doc(), now=NOW,
                                                    supervisor="SUP"), bool(back)):
                for c in back:
                    state, left, _b = self.offs.pop(c)
                    self.model[c] = (state, left)

        @rule(code=st.sampled_from(CODES))
        def back_to_supplier(self, code):
            state, _ = self.model.get(code, (None, 0))
            if self.attempt(lambda: stock.supplier_return(self.s, [code], doc_no=self.doc(), supplier="供", now=NOW),
                            state in ("in_stock", "returned")):
                self.model[code] = ("supplier_returned", 0)

        @invariant()
        def batches_equal_boxes_plus_remainders(self):
            if not hasattr(self, "s"):
                return
            assert stock.check_invariant(self.s) == []
            on_hand = sum(left for st_, left in self.model.values() if st_ in ("in_stock", "returned", "opened"))
            assert sum(u for _, u in self.totals()) == on_hand
            got = stock.facts(self.s, list(self.model))
            assert {c: (f.state, f.units_left) for c, f in got.items()} == self.model

    return StockMachine


SEQ = itertools.count(1)


@pytest.mark.slow
def test_stock_state_machine(_sqlite_template):
    machine = make_machine(_sqlite_template)
    machine.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
    machine.TestCase().runTest()
