"""5203 结算信息查询: one settlement of a person, with what the personal accounts paid (issue 17)."""
from __future__ import annotations

from pydantic import Field

from core.domain import fmt
from core.store.models import SettlementRow
from server import accounts, reference
from server.envelope import PlatformError
from server.transactions import Input, transaction


class SettlementQueryData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    setl_id: str = Field(min_length=1, max_length=64)
    mdtrt_id: str = Field(default="", max_length=64)


class SettlementQueryInput(Input):
    data: SettlementQueryData


@transaction("5203", "结算信息查询", SettlementQueryInput)
def settlement_info(ctx, inp: SettlementQueryInput) -> dict:
    """One settlement of a person, by setl_id (the ids come from 5205): amounts, place, time, reversal.
    Any signed institution may ask (a self-service kiosk prints a person's statement from it), but only
    with the settlement's own psn_no: a setl_id alone reveals nothing."""
    d = inp.data
    row = ctx.session.get(SettlementRow, d.setl_id)
    if row is None or row.person_no != d.psn_no:
        raise PlatformError(f"settlement {d.setl_id} of person {d.psn_no} not found (结算记录不存在)")
    fac = reference.facilities(ctx.centre, ctx.conn).get(row.facility_code)
    own, mulaid = accounts.paid(ctx.conn, row.settlement_id)  # the amounts first paid, kept after a reversal
    when = f"{row.date.isoformat()} {row.time.strftime('%H:%M:%S') if row.time else '00:00:00'}"
    return {"setlinfo": {
        "setl_id": row.settlement_id, "mdtrt_id": row.settlement_id, "psn_no": row.person_no,
        "setl_time": when, "fixmedins_code": row.facility_code, "fixmedins_name": fac.name if fac else "",
        "medfee_sumamt": fmt(row.total), "fund_pay_sumamt": fmt(row.fund), "hifp_pay": fmt(row.fund),
        "psn_part_amt": fmt(row.personal), "psn_pay": fmt(row.personal),
        "acct_pay": fmt(own), "acct_mulaid_pay": fmt(mulaid), "psn_cash_pay": fmt(row.personal - own - mulaid),
        "refd_setl_flag": "1" if row.reversed_on is not None else "0",
        "expContent": {"scheme": row.scheme, "period": row.period,
                       "reversed_on": row.reversed_on.isoformat() if row.reversed_on else None},
    }}
