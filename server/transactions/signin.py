"""9001 签到 / 9002 签退."""
from __future__ import annotations

import datetime as dt

import secrets

from pydantic import Field
from sqlalchemy import select, update

from server import idempotency, rx_keys
from server.envelope import PlatformError
from server.models import signin
from server.transactions import Input, transaction


class SignInNode(Input):
    opter_no: str = Field(min_length=1, max_length=30)
    mac: str = Field(default="", max_length=40)
    ip: str = Field(default="", max_length=40)


class SignInInput(Input):
    signIn: SignInNode


class SignOutNode(Input):
    sign_no: str = Field(min_length=1, max_length=30)
    opter_no: str = Field(min_length=1, max_length=30)


class SignOutInput(Input):
    signOut: SignOutNode


@transaction("9001", "签到", SignInInput, needs_signin=False)
def sign_in(ctx, inp: SignInInput) -> dict:
    sign_no = ctx.now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(8)[:16].upper()
    ctx.conn.execute(
        signin.insert().values(
            sign_no=sign_no, fixmedins_code=ctx.code, opter=inp.signIn.opter_no, sign_time=ctx.now_text
        )
    )
    # Sign-in is the natural daily moment to forget old nonces.
    idempotency.purge_nonces(ctx.conn, int(ctx.now.timestamp()) - 2 * ctx.centre.window)
    # ... and to reduce answers past their retention period to their outcome (a few per sign-in, oldest first)
    cutoff = ctx.now - dt.timedelta(days=idempotency.ANSWER_RETENTION_DAYS)
    idempotency.reduce_old_answers(ctx.conn, cutoff.isoformat(timespec="microseconds"), limit=200)
    ctx.journal("signin", {"sign_no": sign_no, "opter": inp.signIn.opter_no})
    # the public keys that sign circulating prescriptions (server.rx_keys): kept by the pharmacy, which checks
    # downloaded and cached prescriptions with them, also while the centre is down
    return {"signinoutb": {"sign_time": ctx.now_text, "sign_no": sign_no}, "rx_sign_keys": rx_keys.public_keys(ctx.centre)}


@transaction("9002", "签退", SignOutInput, needs_signin=False)
def sign_out(ctx, inp: SignOutInput) -> dict:
    node = inp.signOut
    row = ctx.conn.execute(
        select(signin.c.fixmedins_code, signin.c.signout_time).where(signin.c.sign_no == node.sign_no)
    ).first()
    if row is None or row.fixmedins_code != ctx.code:
        raise PlatformError(f"sign_no {node.sign_no} is not a sign-in of {ctx.code}")
    if row.signout_time is not None:
        raise PlatformError(f"sign_no {node.sign_no} was already signed out at {row.signout_time}")
    ctx.conn.execute(update(signin).where(signin.c.sign_no == node.sign_no).values(signout_time=ctx.now_text))
    ctx.journal("signout", {"sign_no": node.sign_no, "opter": node.opter_no})
    return {"signoutoutb": {"sign_time": ctx.now_text, "sign_no": node.sign_no}}
