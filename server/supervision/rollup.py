"""Fold the centre's journal into the supervision aggregates, and raise the alerts it implies.

The journal is the change feed: every state change appends an entry inside its own transaction, numbered under
the journal lock that is held until the commit, so entries become visible in `seq` order with no gaps. A
watermark (centre_sv_state 'seq') says how far the aggregates are folded. `fold(engine)` takes the next
entries in ONE transaction — aggregates, folded settlements, alerts and the watermark commit together, so a
crash folds nothing twice — and the settlement's own transaction stays as it was (no extra statement on the
centre's hot path). The screen calls it about twice a second while anyone watches (server.supervision.live),
so a settlement shows within a second; with several workers one folds at a time (an advisory lock; SQLite has
one writer anyway).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, Engine, Text, any_, bindparam, func, select, text, update

from core.store.models import DrugRow, FacilityRow, SettlementRow, TraceSaleRow
from server.db import transaction
from server.models import journal, trace_upload
from server.models_chronic import settlement_chronic
from server.supervision import alerts
from server.supervision.models import (
    sv_day,
    sv_drug_day,
    sv_drug_month,
    sv_hour,
    sv_settlement,
    sv_settlement_drug,
    sv_state,
    sv_trace_day,
)
from server.supervision.rules import Rules, load

log = logging.getLogger("onewindow.server.supervision")

LOCK_ROLLUP = 6  # advisory lock class (server.db uses 1-4)
AMOUNTS = ("services", "settlements", "total_c", "fund_c", "personal_c", "htn_fund_c", "dm_fund_c", "other_fund_c")
DRUG_AMOUNTS = ("lines", "boxes_m", "coded_boxes", "units", "supply_days")
SERVICE_KINDS = ("registration.created", "followup", "care.visit")  # 服务人次 besides settlements


def cents(value) -> int:
    return int((Decimal(str(value or "0")) * 100).to_integral_value())


@dataclass
class Batch:
    """Deltas of one fold, keyed like the aggregate tables' primary keys."""

    hour: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(AMOUNTS, 0)))
    day: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(AMOUNTS, 0)))
    drug_day: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(DRUG_AMOUNTS, 0)))
    drug_month: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(DRUG_AMOUNTS, 0)))
    trace_day: dict = field(default_factory=lambda: defaultdict(lambda: {"uploads": 0, "codes": 0, "returns": 0}))
    settled: list = field(default_factory=list)  # rows for sv_settlement
    uploaded: dict = field(default_factory=dict)  # setl_id -> at
    reversed: list = field(default_factory=list)  # setl_id
    persons: dict = field(default_factory=dict)  # person_no -> last at (rules R01, R02, R06)
    codes: dict = field(default_factory=dict)  # trace code -> (facility, at) (R03)
    caps: list = field(default_factory=list)  # (facility, msgid, person_no, at) (R05)

    def add(self, hour: str, facility: str, scheme: str, **amounts) -> None:
        for target in (self.hour[(hour, facility, scheme)], self.day[(hour[:10], facility, scheme)]):
            for k, v in amounts.items():
                target[k] += v

    def add_drug(self, day: str, facility: str, line: list, sign: int) -> None:
        """`line` as folded: [drug_key, boxes_m, coded_boxes, units, supply_days]; counts as one line."""
        for target in (self.drug_day[(day, line[0])], self.drug_month[(day[:7], facility, line[0])]):
            for k, v in zip(DRUG_AMOUNTS, (1, *line[1:])):
                target[k] += sign * v


def _hour_of(at: str) -> str:
    return f"{at[:10]} {at[11:13]}"


def _state(conn: Connection, key: str, default: str = "") -> str:
    v = conn.execute(select(sv_state.c.value).where(sv_state.c.key == key)).scalar()
    return default if v is None else v


def set_state(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(sv_state).where(sv_state.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(sv_state.insert().values(key=key, value=value))


def version(conn: Connection) -> int:
    """Goes up whenever something on the screen may have changed (the live stream compares it)."""
    return int(_state(conn, "version", "0"))


def _pg_type(column) -> str:
    return {"INTEGER": "bigint", "BIGINT": "bigint", "BOOLEAN": "boolean"}.get(str(column.type).split("(")[0], "text")


def _unnest(table, cols) -> str:
    """PostgreSQL: the rows as one SELECT over parallel arrays (one statement for any number of rows)."""
    return "SELECT * FROM unnest(" + ", ".join(f"CAST(:{c} AS {_pg_type(table.c[c])}[])" for c in cols) + ")"


def _upsert_add(conn: Connection, table, keys: tuple[str, ...], deltas: dict) -> None:
    """Add `deltas` ({key tuple: {column: delta}}) to the rows of `table`, creating missing rows."""
    if not deltas:
        return
    rows = [dict(zip(keys, k), **v) for k, v in deltas.items()]
    values = [c for c in rows[0] if c not in keys]
    if conn.dialect.name == "postgresql":
        cols = [*keys, *values]
        conn.execute(text(
            f"INSERT INTO {table.name} ({', '.join(cols)}) {_unnest(table, cols)} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in values)
        ), {c: [r[c] for r in rows] for c in cols})
        return
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: table.c[c] + stmt.excluded[c] for c in values})
    conn.execute(stmt, rows)


def _in(conn: Connection, column, values: list):
    """column IN values; on PostgreSQL as = ANY(one array parameter) (a batch has thousands of ids)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(f"in_{column.name}", list(values), type_=ARRAY(Text)))
    return column.in_(values)


def _insert_many(conn: Connection, table, rows: list[dict]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cols = list(rows[0])
        conn.execute(text(f"INSERT INTO {table.name} ({', '.join(cols)}) {_unnest(table, cols)}"),
                     {c: [r[c] for r in rows] for c in cols})
    else:
        conn.execute(table.insert(), rows)


class Reference:
    """Drugs (pack size) and institutions (kind, level, area, interface profile), read once per fold."""

    def __init__(self, conn: Connection) -> None:
        self.pack = dict(conn.execute(select(DrugRow.key, DrugRow.pack_size)).all())
        self.kind = dict(conn.execute(select(FacilityRow.code, FacilityRow.kind)).all())
        self.interface = interfaces(conn)

    def codes_follow(self, facility: str) -> bool:
        """Whether this institution's trace codes travel only in 3505 (the national profile): its settlements
        carry none, yet each of their drug lines still owes a 3505."""
        return self.interface.profile(facility).trace_codes == "3505"


class Interfaces:
    """The interface profile of each institution (centre settings `interface.<code>` / `interface.default`, as
    server.centre.Centre.interface_of reads them); a profile that does not load counts as ours."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def profile(self, facility: str):
        from core.gateway.profiles import InterfaceProfileError, load_profile

        name = self.names.get(facility) or self.names.get("") or "onewindow"
        try:
            return load_profile(name)
        except InterfaceProfileError:
            log.warning("interface profile %r of %s does not load; read as onewindow", name, facility)
            return load_profile("onewindow")


def interfaces(conn: Connection) -> Interfaces:
    from server.models import setting

    names = {}
    for key, value in conn.execute(select(setting.c.key, setting.c.value).where(setting.c.key.like("interface.%"))):
        code = key[len("interface."):]
        names["" if code == "default" else code] = value
    return Interfaces(names)


def _drug_lines(lines, coded: dict[str, int], pack: dict[str, int]) -> list[list]:
    """[[drug_key, boxes_m, coded_boxes, units, supply_days]] of a settlement's dispensed lines."""
    out: dict[str, list] = {}
    for drug_key, units, days, verdict, *_ in lines:  # (split, since the 3505 check: server.transactions.split)
        if verdict == "BLOCK":
            continue
        units = int(units)
        row = out.setdefault(drug_key, [drug_key, 0, 0, 0, 0])
        row[1] += units * 1000 // max(1, int(pack.get(drug_key) or 1))
        row[3] += units
        row[4] += int(days or 0)
    for drug_key, n in coded.items():
        if drug_key in out:
            out[drug_key][2] += n
    return list(out.values())


def fold(engine: Engine, *, rules: Rules | None = None, now: dt.datetime | None = None, batch: int = 5000,
         periodic: bool = True, event_rules: bool = True) -> int:
    """Fold up to `batch` new journal entries (and run the periodic rules when due); returns how many.
    `event_rules=False` folds without judging each entry (a backfill of history, e.g. the benchmark's load)."""
    rules = rules or load()
    if not periodic:
        # nothing new: no write transaction (on SQLite it would hold the one writer lock for nothing)
        with engine.connect() as conn:
            head = conn.execute(select(func.max(journal.c.seq))).scalar() or 0
            seen = int(_state(conn, "seq", "0"))
            conn.rollback()
        if head <= seen:
            return 0
    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            if not conn.execute(text("SELECT pg_try_advisory_xact_lock(:c, 0)"), {"c": LOCK_ROLLUP}).scalar():
                return 0  # another worker is folding right now
        seq = int(_state(conn, "seq", "0"))
        entries = conn.execute(
            select(journal.c.seq, journal.c.at, journal.c.kind, journal.c.fixmedins_code, journal.c.msgid,
                   journal.c.payload).where(journal.c.seq > seq).order_by(journal.c.seq).limit(batch)
        ).all()
        changed = False
        if entries:
            _fold_entries(conn, entries, rules, event_rules)
            set_state(conn, "seq", str(entries[-1].seq))
            changed = True
        if periodic:
            changed = alerts.periodic(conn, rules, now or dt.datetime.now()) or changed
        if changed:
            set_state(conn, "version", str(version(conn) + 1))
        return len(entries)


def fold_all(engine: Engine, *, rules: Rules | None = None, batch: int = 20000, event_rules: bool = True) -> int:
    """Fold everything there is (start-up, bench, tests)."""
    total = 0
    while True:
        n = fold(engine, rules=rules, batch=batch, periodic=False, event_rules=event_rules)
        total += n
        if n < batch:
            return total


def _fold_entries(conn: Connection, entries, rules: Rules, event_rules: bool = True) -> None:
    ref = Reference(conn)
    b = Batch()
    settles = [(e, json.loads(e.payload)) for e in entries if e.kind == "settle"]
    setl_ids = [p["setl_id"] for _, p in settles]
    chronic = {r.setl_id: r for r in conn.execute(
        select(settlement_chronic.c.setl_id, settlement_chronic.c.htn_fund, settlement_chronic.c.dm_fund,
               settlement_chronic.c.other_fund).where(_in(conn, settlement_chronic.c.setl_id, setl_ids))
    )} if setl_ids else {}
    coded: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if setl_ids:
        for sid, drug_key, n in conn.execute(
            select(TraceSaleRow.settlement_id, TraceSaleRow.drug_key, text("count(*)"))
            .where(_in(conn, TraceSaleRow.settlement_id, setl_ids)).group_by(TraceSaleRow.settlement_id, TraceSaleRow.drug_key)
        ):
            coded[sid][drug_key] += n
    for e in entries:
        at = e.at[:19].replace("T", " ")
        hour = _hour_of(e.at)
        fac = e.fixmedins_code
        if e.kind == "settle":
            continue  # below, with the batch's lookups
        p = json.loads(e.payload)
        if e.kind in SERVICE_KINDS:
            b.add(hour, fac, "-", services=1)
            if p.get("psn_no"):
                b.persons[p["psn_no"]] = at
        elif e.kind == "sale":
            t = b.trace_day[(at[:10], fac)]
            t["uploads"] += 1
            t["codes"] += len(p.get("codes") or [])
            if p.get("setl_id"):
                b.uploaded[p["setl_id"]] = at
            for code in p.get("codes") or []:
                b.codes[code] = (fac, at)
        elif e.kind == "sale.return":
            b.trace_day[(at[:10], fac)]["returns"] += 1
        elif e.kind in ("cancel", "reversal") and p.get("setl_id"):
            b.reversed.append(p["setl_id"])
    for e, p in settles:
        at = e.at[:19].replace("T", " ")
        hour, fac, sid = _hour_of(e.at), e.fixmedins_code, p["setl_id"]
        ch = chronic.get(sid)
        split = (cents(ch.htn_fund), cents(ch.dm_fund), cents(ch.other_fund)) if ch else (0, 0, cents(p["fund"]))
        b.add(hour, fac, p.get("scheme", ""), services=1, settlements=1, total_c=cents(p["total"]),
              fund_c=cents(p["fund"]), personal_c=cents(p["personal"]), htn_fund_c=split[0], dm_fund_c=split[1],
              other_fund_c=split[2])
        lines = _drug_lines(p.get("lines") or [], coded.get(sid, {}), ref.pack)
        for line in lines:
            b.add_drug(at[:10], fac, line, 1)
        codes = p.get("codes") or []
        b.settled.append({"setl_id": sid, "at": at, "facility_code": fac, "person_no": p["psn_no"],
                          "scheme": p.get("scheme", ""), "lines": json.dumps(lines, separators=(",", ":")),
                          "needs_upload": bool(lines) and ref.kind.get(fac) == "pharmacy"
                                          and (bool(codes) or ref.codes_follow(fac)), "uploaded_at": None,
                          "alerted": False, "reversed": False})
        b.persons[p["psn_no"]] = at
        for code in codes:
            b.codes[code] = (fac, at)
        b.caps.append((fac, e.msgid, p["psn_no"], at))
    _reverse(conn, b)
    _upsert_add(conn, sv_hour, ("hour", "facility_code", "scheme"), b.hour)
    _upsert_add(conn, sv_day, ("day", "facility_code", "scheme"), b.day)
    _upsert_add(conn, sv_drug_day, ("day", "drug_key"), b.drug_day)
    _upsert_add(conn, sv_drug_month, ("month", "facility_code", "drug_key"), b.drug_month)
    _upsert_add(conn, sv_trace_day, ("day", "facility_code"), b.trace_day)
    uploaded = _complete(conn, b)
    for r in b.settled:  # uploaded in the same batch: written with its upload time
        if r["setl_id"] in uploaded:
            r["uploaded_at"] = uploaded.pop(r["setl_id"])
    _insert_many(conn, sv_settlement, b.settled)
    # the drug drill-down's index: one row per drug of each settlement (its reversal stays on sv_settlement)
    _insert_many(conn, sv_settlement_drug, [{"drug_key": line[0], "at": r["at"], "setl_id": r["setl_id"],
                                             "boxes_m": int(line[1])}
                                            for r in b.settled for line in json.loads(r["lines"])])
    if uploaded and conn.dialect.name == "postgresql":
        conn.execute(text(
            "UPDATE centre_sv_settlement s SET uploaded_at = u.up FROM unnest(CAST(:sid AS text[]), "
            "CAST(:up AS text[])) AS u(sid, up) WHERE s.setl_id = u.sid AND s.uploaded_at IS NULL"
        ), {"sid": list(uploaded), "up": list(uploaded.values())})
    elif uploaded:
        conn.execute(update(sv_settlement).where(sv_settlement.c.setl_id == bindparam("sid"),
                                                 sv_settlement.c.uploaded_at.is_(None))
                     .values(uploaded_at=bindparam("up")), [{"sid": k, "up": v} for k, v in uploaded.items()])
    if event_rules:
        alerts.on_batch(conn, rules, b)


def uploaded_drugs(conn: Connection, setl_ids) -> dict[str, set[str]]:
    """setl_id -> the drugs its 3505 uploads sold (centre_trace_upload, by its setl_id index)."""
    out: dict[str, set[str]] = defaultdict(set)
    if setl_ids:
        for sid, drug_key in conn.execute(select(trace_upload.c.setl_id, trace_upload.c.drug_key).distinct()
                                          .where(_in(conn, trace_upload.c.setl_id, list(setl_ids)))):
            out[sid].add(drug_key)
    return out


def _complete(conn: Connection, b: Batch) -> dict[str, str]:
    """setl_id -> when of the settlements this batch's 3505s completed: every drug line settled has its upload
    (a settlement of two drugs with one uploaded still waits, and SV-R04 names the other)."""
    if not b.uploaded:
        return {}
    lines = {r["setl_id"]: r["lines"] for r in b.settled if r["setl_id"] in b.uploaded}
    rest = [sid for sid in b.uploaded if sid not in lines]
    if rest:
        lines.update(conn.execute(select(sv_settlement.c.setl_id, sv_settlement.c.lines)
                                  .where(_in(conn, sv_settlement.c.setl_id, rest))).all())
    sold = uploaded_drugs(conn, list(b.uploaded))
    return {sid: at for sid, at in b.uploaded.items()
            if sid not in lines or {line[0] for line in json.loads(lines[sid])} <= sold.get(sid, set())}


def _reverse(conn: Connection, b: Batch) -> None:
    """Subtract reversed settlements where they were added (their own hour, institution and drugs)."""
    for sid in dict.fromkeys(b.reversed):
        # a settlement of this same batch is already in b.settled: write it first so one path handles both
        pending = [r for r in b.settled if r["setl_id"] == sid]
        row = conn.execute(select(sv_settlement).where(sv_settlement.c.setl_id == sid)).first()
        if pending:
            r = pending[0]
            if r["reversed"]:
                continue
            r["reversed"] = True
            at, fac, scheme, lines = r["at"], r["facility_code"], r["scheme"], json.loads(r["lines"])
        elif row is not None and not row.reversed:
            conn.execute(update(sv_settlement).where(sv_settlement.c.setl_id == sid).values(reversed=True))
            at, fac, scheme, lines = row.at, row.facility_code, row.scheme, json.loads(row.lines)
        else:
            continue
        s = conn.execute(select(SettlementRow.total, SettlementRow.fund, SettlementRow.personal)
                         .where(SettlementRow.settlement_id == sid)).first()
        ch = conn.execute(select(settlement_chronic.c.htn_fund, settlement_chronic.c.dm_fund,
                                 settlement_chronic.c.other_fund).where(settlement_chronic.c.setl_id == sid)).first()
        if s is None:
            continue
        split = (cents(ch.htn_fund), cents(ch.dm_fund), cents(ch.other_fund)) if ch else (0, 0, cents(s.fund))
        b.add(f"{at[:10]} {at[11:13]}", fac, scheme, settlements=-1, total_c=-cents(s.total), fund_c=-cents(s.fund),
              personal_c=-cents(s.personal), htn_fund_c=-split[0], dm_fund_c=-split[1], other_fund_c=-split[2])
        for line in lines:
            b.add_drug(at[:10], fac, line, -1)


__all__ = ["AMOUNTS", "DRUG_AMOUNTS", "Batch", "cents", "fold", "fold_all", "set_state", "version"]
