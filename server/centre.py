"""The centre's request pipeline, independent of the web framework.

    bytes -> JSON (Decimal numbers) -> envelope -> signed headers -> handler by infno -> input model
    -> ONE database transaction: nonce, idempotency lookup, sign-in check, handler (locks, audit,
       writes, journal), stored answer -> commit

A refusal (PlatformError) rolls the whole transaction back and stores only the refusal under the msgid,
in a second short transaction, so a repeated message gets the same refusal and nothing else changes.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import psycopg
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError

from core.gateway import conform
from core.gateway.fields import Tables, tables_with
from core.gateway.profiles import InterfaceProfile
from server import idempotency, identity, journal, permissions, signing, staff
from server.context import Ctx
from server.db import CommitUnknown, transaction
from server.envelope import (
    CST,
    AuthError,
    BodyError,
    PlatformError,
    RequestEnvelope,
    parse_body,
    parse_envelope,
    parse_input,
    response,
)
from server.models import institution, setting, signin
from server.sealed import open_text
from server.transactions import REGISTRY, load_all

log = logging.getLogger("onewindow.server")

DEFAULT_ADMVS = "420700"
# A valid sign-in is remembered this long per process; a sign-out (9002) in another worker process takes
# effect here within this time, in this process at once.
SIGNIN_CACHE_SECONDS = 10.0
# Tables keyed by the settlement id (= the msgid of its 2102): a unique violation there is another institution's
# settlement with that id, not a concurrent copy of this message (that one hits centre_message).
SETTLEMENT_ID_TABLES = frozenset({"settlement", "centre_settlement_chronic"})
# The two answers of a message that failed inside the centre (README, "On a 5xx or a dropped connection").
# Before COMMIT was sent the transaction was rolled back: the first is true. From the moment COMMIT is sent
# it may have committed: the answer starts with OUTCOME_UNKNOWN and says how to find out.
NOTHING_CHANGED = "未作任何更改，请用同一 msgid 重发 (nothing was changed, retry with the same msgid)"
OUTCOME_UNKNOWN = "结果未知 OUTCOME UNKNOWN:"


def system_clock() -> dt.datetime:
    return dt.datetime.now(CST)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False
    text: str | None = None  # the body as stored under the msgid (idempotency.encode), when it was stored

    def encoded(self) -> bytes:
        """The bytes to send: the stored text itself when there is one, else the same encoding of the body."""
        return (self.text if self.text is not None else idempotency.encode(self.body)).encode("utf-8")


@dataclass
class Centre:
    engine: Engine
    dev: bool = False
    clock: Callable[[], dt.datetime] = system_clock
    window: int = signing.WINDOW_SECONDS
    admvs: str = DEFAULT_ADMVS
    _secrets: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _requests: int = 0
    _signins: dict[str, tuple[str, float]] = field(default_factory=dict)
    # --strict: every deviation from these tables is refused with the field named (None: tolerant only)
    strict: InterfaceProfile | None = None

    def __post_init__(self) -> None:
        load_all()

    def interface_of(self, conn, code: str) -> str:
        """The interface profile an institution's terminals speak (centre setting `interface.<code>`, else
        `interface.default`, else onewindow): where its trace codes travel, which signing styles it may use."""
        values = self.cached("ref.settings.interface", lambda: _rows_by_institution(conn, "interface."))
        return values.get(code) or values.get("") or "onewindow"

    def signing_styles(self, code: str) -> tuple[str, ...]:
        """The signing styles an institution may use (centre setting `signing.<code>` = "ow,tif", else
        `signing.default`, else ours)."""
        values = self.cached("ref.settings.signing", lambda: _per_institution(self.engine, "signing."))
        text = values.get(code) or values.get("") or "ow"
        return tuple(s.strip() for s in text.split(",") if s.strip())

    # ---- configuration held in the database -------------------------------------------------------------
    def institution_for(self, code: str) -> tuple[str, str] | None:
        """(secret, kind) of an active institution, None for an unknown or inactive one; cached 30 s."""
        hit = self._secrets.get(code)
        if hit is not None and time.monotonic() - hit[1] < 30:
            return hit[0]
        with self.engine.connect() as conn:
            row = conn.execute(
                select(institution.c.secret, institution.c.kind, institution.c.active).where(institution.c.code == code)
            ).first()
            conn.rollback()
        value = (open_text(row.secret, "institution secret"), row.kind) if row is not None and row.active else None
        self._secrets[code] = (value, time.monotonic())
        return value

    def secret_for(self, code: str) -> str | None:
        found = self.institution_for(code)
        return found[0] if found else None

    def kind_of(self, code: str) -> str | None:
        found = self.institution_for(code)
        return found[1] if found else None

    def setting(self, conn, key: str) -> str | None:
        return conn.execute(select(setting.c.value).where(setting.c.key == key)).scalar()

    def cached(self, key: str, build: Callable[[], Any], ttl: float = 30.0) -> Any:
        """A small per-process cache (catalogue, profiles, keys); entries live `ttl` seconds."""
        hit = self._cache.get(key)
        now = time.monotonic()
        if hit is not None and now - hit[1] < ttl:
            return hit[0]
        value = build()
        self._cache[key] = (value, now)
        return value

    def invalidate(self, prefix: str = "") -> None:
        for k in [k for k in self._cache if k.startswith(prefix)]:
            self._cache.pop(k, None)

    def warm(self, connections: int) -> None:
        """Open `connections` pooled connections and load the reference data, so that a freshly started worker's
        first requests do not pay for them (measured: the first half second ran at about half speed)."""
        from server import reference

        conns = []
        try:
            for _ in range(max(1, connections)):
                conns.append(self.engine.connect())
            for load in (reference.catalogue, reference.facilities, reference.profiles, reference.settings):
                load(self, conns[0])
        except Exception as exc:  # noqa: BLE001 - the requests will report it; /health too
            log.warning("could not warm up the centre: %s", exc)
        finally:
            for conn in conns:
                conn.rollback()
                conn.close()

    # ---- the pipeline ---------------------------------------------------------------------------------------
    def handle(self, raw: bytes, headers: Mapping[str, str]) -> Answer:
        received = self.clock()
        admvs = self.admvs
        try:
            data = parse_body(raw)
            admvs = str(data.get("mdtrtarea_admvs") or admvs)[:6] if isinstance(data.get("mdtrtarea_admvs"), str) else admvs
            if self.strict is not None:
                problems = conform.check(self.strict.tables, data)
                if problems:
                    raise PlatformError("严格模式 strict: " + conform.describe(problems))
            conform.normalise_envelope(TOLERANT, data)
            if isinstance(data.get("input"), dict) and isinstance(data.get("infno"), str):
                conform.normalise(TOLERANT, data["infno"], data["input"])
            env = parse_envelope(data)
            signed = None
            if not self.dev or signing.has_signature(headers):
                code, nonce, ts = signing.verify(headers, raw, self.secret_for, now=received.timestamp(), window=self.window,
                                                 styles_for=self.signing_styles)
                if code != env.fixmedins_code:
                    raise AuthError(
                        f"the signing institution {code} is not the envelope's fixmedins_code {env.fixmedins_code}"
                    )
                signed = (nonce, ts)
            tx = REGISTRY.get(env.infno)
            if tx is None:
                raise PlatformError(f"unknown infno {env.infno!r}: this centre does not offer that transaction")
            refused = self._admit(env)
            if refused is not None:  # before the input is read: a caller without the right learns nothing of it
                return self._refuse(env, refused, signed, idempotency.digest(env.infno, env.input), received,
                                    received.isoformat(timespec="microseconds"))
            model = parse_input(tx.input_model, env.input)
        except PlatformError as exc:
            return Answer(exc.http_status, response(admvs, received, self.clock(), err_msg=exc.err_msg))
        except Exception as exc:
            # The caller's checks read the database (its secret, its kind, refusals are journaled): a connection
            # lost here comes before any write, so "nothing was changed" is true, as in _run.
            if not _connection_lost(exc):
                raise
            log.error("database unavailable while checking a caller: %s", exc)
            return Answer(503, response(admvs, received, self.clock(),
                                        err_msg=unchanged("中心数据库不可用 the centre's database is unavailable")))
        try:
            return self._run(env, tx, model, signed, received)
        except CommitUnknown as exc:
            log.error("outcome unknown for %s %s: %s", env.infno, env.msgid, exc)
            return Answer(503, response(env.mdtrtarea_admvs, received, self.clock(), err_msg=outcome_unknown(env)))

    def _admit(self, env: RequestEnvelope) -> PlatformError | None:
        """The caller's own checks before any handler runs: its institution kind may call this transaction
        (server.permissions; a refusal of the kind is journaled) and the msgid is its own (server.identity)."""
        try:
            permissions.check(env.fixmedins_code, self.kind_of(env.fixmedins_code), env.infno)
            identity.check_msgid(env.fixmedins_code, env.msgid)
        except PlatformError as exc:
            return exc
        return None

    def _run(self, env: RequestEnvelope, tx, model, signed, received: dt.datetime) -> Answer:
        digest = idempotency.digest(env.infno, env.input)
        at = received.isoformat(timespec="microseconds")
        try:
            try:
                with transaction(self.engine) as conn:
                    ctx = Ctx(self, conn, env, received)
                    if signed is not None:
                        ahead = _ahead(tx, ctx, model) if ctx.pg and tx.ahead is not None else None
                        fresh, stored = idempotency.claim_nonce_and_lookup(conn, env.fixmedins_code, *signed,
                                                                           env.msgid, ahead=ahead)
                        if not fresh:
                            raise AuthError("replayed request: this nonce was already used")
                    else:
                        stored = idempotency.lookup(conn, env.fixmedins_code, env.msgid)
                    if stored is not None:
                        return self._replay(stored, env, digest, received)
                    if tx.needs_signin:
                        self._check_signin(conn, env)
                    try:
                        try:
                            result = tx.handler(ctx, model)
                        except ArithmeticError:  # decimal overflow of an absurd amount sent as text ("1e309")
                            raise PlatformError("数值超出范围 / a number is out of range; nothing was written") from None
                        ctx.flush()
                        output, warn = result if isinstance(result, tuple) else (result, "")
                        warn = "; ".join([w for w in ([warn] if warn else []) + ctx.warnings if w])
                        resp = response(env.mdtrtarea_admvs, received, self.clock(), output=output, warn_msg=warn)
                        text = idempotency.encode(resp)
                        if ctx.pg:
                            # deferred writes + answer + journal + COMMIT in one round trip; a concurrent answer
                            # for this msgid fails it with a unique violation (handled below like _Raced)
                            ctx.commit_pg(idempotency.params(code=env.fixmedins_code, msgid=env.msgid,
                                                             infno=env.infno, digest_=digest, resp=resp, at=at,
                                                             text=text))
                        else:
                            if not idempotency.store(conn, code=env.fixmedins_code, msgid=env.msgid, infno=env.infno,
                                                     digest_=digest, resp=resp, at=at, text=text):
                                raise _Raced()
                            ctx.write_journal()  # last: the journal lock is held only until the commit
                    finally:
                        ctx.close()
                    if env.infno == "9002":
                        self._signins.pop(model.signOut.sign_no, None)
                    return Answer(200, resp, text=text)
            except AuthError:
                raise
            except PlatformError as exc:
                return self._refuse(env, exc, signed, digest, received, at)
        except CommitUnknown:
            raise  # answered by handle(), as when a fallback below meets it
        except AuthError as exc:
            return Answer(exc.http_status, response(env.mdtrtarea_admvs, received, self.clock(), err_msg=exc.err_msg))
        except _Raced:
            return self._after_race(env, digest, received)
        except OperationalError as exc:
            log.error("database unavailable while handling %s %s: %s", env.infno, env.msgid, exc.orig)
            return Answer(503, response(env.mdtrtarea_admvs, received, self.clock(),
                                        err_msg=unchanged("中心数据库不可用 the centre's database is unavailable")))
        except DBAPIError as exc:
            if _is_unique_violation(exc):
                if _violated_table(exc) in SETTLEMENT_ID_TABLES:
                    return self._refuse(env, _setl_id_taken(env), signed, digest, received, at)
                # A concurrent message with the same msgid committed first: give its answer.
                return self._after_race(env, digest, received)
            log.exception("database error while handling %s %s", env.infno, env.msgid)
            return Answer(500, response(env.mdtrtarea_admvs, received, self.clock(),
                                        err_msg=unchanged("中心内部错误 internal error in the centre")))
        except Exception as exc:  # noqa: BLE001 - the client always gets an envelope
            # PostgreSQL statements run on the driver directly (server.fastsql) raise the driver's errors
            if _is_unique_violation(exc):
                if _violated_table(exc) in SETTLEMENT_ID_TABLES:
                    return self._refuse(env, _setl_id_taken(env), signed, digest, received, at)
                return self._after_race(env, digest, received)
            if _connection_lost(exc):
                log.error("database unavailable while handling %s %s: %s", env.infno, env.msgid, exc)
                return Answer(503, response(env.mdtrtarea_admvs, received, self.clock(),
                                            err_msg=unchanged("中心数据库不可用 the centre's database is unavailable")))
            log.exception("unexpected error while handling %s %s", env.infno, env.msgid)
            return Answer(500, response(env.mdtrtarea_admvs, received, self.clock(),
                                        err_msg=unchanged("中心内部错误 internal error in the centre")))

    def _replay(self, stored, env, digest, received) -> Answer:
        if stored.digest == "reversed-before-arrival" and stored.infno == env.infno:
            return Answer(200, stored.response, replayed=True)
        if stored.digest != digest or stored.infno != env.infno:
            return Answer(200, response(env.mdtrtarea_admvs, received, self.clock(), err_msg=(
                f"msgid {env.msgid} was already used for a different message ({stored.infno}); "
                "a new message needs a new msgid")))
        return Answer(200, stored.response, replayed=True)

    def _refuse(self, env, exc: PlatformError, signed, digest, received, at) -> Answer:
        resp = response(env.mdtrtarea_admvs, received, self.clock(), err_msg=exc.err_msg, output=exc.output)
        text = idempotency.encode(resp)
        try:
            with transaction(self.engine) as conn:
                if signed is not None:
                    idempotency.claim_nonce(conn, env.fixmedins_code, *signed)
                if isinstance(exc, staff.StaffAuthError):
                    staff.record_failure(conn, exc)  # a wrong password counts although the request is refused
                if isinstance(exc, permissions.CallerRefused):
                    journal.append(conn, "refusal", {"infno": env.infno, "reason": exc.err_msg,
                                                     "opter": env.opter}, at=at, code=env.fixmedins_code,
                                   msgid=env.msgid)
                if idempotency.store(conn, code=env.fixmedins_code, msgid=env.msgid, infno=env.infno,
                                     digest_=digest, resp=resp, at=at, text=text):
                    return Answer(exc.http_status, resp, text=text)
                raise _Raced()
        except _Raced:
            return self._after_race(env, digest, received)

    def _after_race(self, env, digest, received) -> Answer:
        with transaction(self.engine) as conn:
            stored = idempotency.lookup(conn, env.fixmedins_code, env.msgid)
        if stored is None:  # pragma: no cover - the winner committed before we looked
            return Answer(200, response(env.mdtrtarea_admvs, received, self.clock(),
                                        err_msg="concurrent message with the same msgid; retry"))
        return self._replay(stored, env, digest, received)

    def _check_signin(self, conn, env: RequestEnvelope) -> None:
        if not env.sign_no:
            raise _SessionRefused("sign_no is required: sign in with 9001 first (签到)")
        hit = self._signins.get(env.sign_no)
        if hit is not None and hit[0] == env.fixmedins_code and time.monotonic() - hit[1] < SIGNIN_CACHE_SECONDS:
            return
        row = conn.execute(
            select(signin.c.fixmedins_code, signin.c.signout_time).where(signin.c.sign_no == env.sign_no)
        ).first()
        if row is None or row.fixmedins_code != env.fixmedins_code:
            raise _SessionRefused(f"sign_no {env.sign_no} is not a sign-in of {env.fixmedins_code}: sign in with 9001")
        if row.signout_time is not None:
            raise _SessionRefused(f"sign_no {env.sign_no} was signed out at {row.signout_time} (已签退): sign in again")
        self._signins[env.sign_no] = (env.fixmedins_code, time.monotonic())


def _connection_lost(exc: BaseException) -> bool:
    """The database connection failed (SQLAlchemy's OperationalError, or the driver's own from server.fastsql)."""
    return isinstance(exc, (OperationalError, psycopg.OperationalError)) or _sqlstate(exc).startswith("08")


def unchanged(cause: str) -> str:
    """A failure before COMMIT was sent: the transaction was rolled back."""
    return f"{cause}; {NOTHING_CHANGED}"


def outcome_unknown(env: RequestEnvelope) -> str:
    """A failure from the moment COMMIT was sent: the message may have taken effect. Says how to find out."""
    from server.transactions.settlement import REVERSIBLE

    ref = f"2601 (omsgid {env.msgid}, oinfno {env.infno})"
    zh, en = (f"，或以 {ref} 冲正", f", or reverse it with {ref}") if env.infno in REVERSIBLE else ("", "")
    return (f"{OUTCOME_UNKNOWN} 提交已发出后中心数据库未确认，本交易可能已生效：请用同一 msgid 重发以取回结果{zh}；"
            "切勿换新 msgid 重做 (the centre's database did not confirm the commit: this message may have taken "
            f"effect. Resend it with the same msgid to get its answer{en}; never send it again under a new msgid)")


# The tolerant reader knows every node any profile may send (the national lists plus all extension sets).
TOLERANT: Tables = tables_with(("onewindow", "drug_trac_info"))


def _per_institution(engine: Engine, prefix: str) -> dict[str, str]:
    """institution code ('' = default) -> value, from the centre settings `<prefix><code>` (outside a transaction:
    a second connection inside one would wait for its own write lock on SQLite)."""
    with engine.connect() as conn:
        try:
            return _rows_by_institution(conn, prefix)
        finally:
            conn.rollback()


def _rows_by_institution(conn, prefix: str) -> dict[str, str]:
    rows = conn.execute(select(setting.c.key, setting.c.value).where(setting.c.key.like(prefix + "%"))).all()
    out = {}
    for key, value in rows:
        code = key[len(prefix):]
        out["" if code == "default" else code] = value
    return out


def _ahead(tx, ctx, model):
    """The transaction's statements to run with the nonce check, or None (then it runs them itself)."""
    try:
        return tx.ahead(ctx, model)
    except PlatformError:
        return None  # the handler refuses it in its turn, after the nonce, msgid and sign-in checks


class _Raced(Exception):
    """Another transaction stored an answer for this msgid first."""


class _SessionRefused(AuthError):
    """sign_no missing, unknown or signed out: a refusal of the session, not of the message, so it is answered
    (infcode -1, HTTP 200) without being stored under the msgid — the same message may come again after a new
    9001 and is then processed (a stored refusal would make every repeat of that msgid fail)."""

    http_status = 200


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""


def _is_unique_violation(exc: BaseException) -> bool:
    if _sqlstate(exc) == "23505":
        return True
    return "UNIQUE constraint failed" in str(getattr(exc, "orig", None) or "")


def _violated_table(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    if diag is not None:
        return getattr(diag, "table_name", None) or ""
    text = str(orig)  # SQLite: "UNIQUE constraint failed: settlement.settlement_id"
    if "UNIQUE constraint failed: " in text:
        return text.split("UNIQUE constraint failed: ", 1)[1].split(".", 1)[0]
    return ""


def _setl_id_taken(env: RequestEnvelope) -> PlatformError:
    """The settlement id is the msgid: another institution's settlement already has it (the msgid key is per
    institution, the settlement id is not)."""
    return PlatformError(f"settlement id {env.msgid} is already used by another institution's message; "
                         "nothing was settled, send it again with a new msgid")
