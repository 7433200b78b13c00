"""Patterns across institutions: 一人多开 (same drug elsewhere today), many institutions in a month, and
the same card settled in another city minutes ago (一卡多用)."""
from __future__ import annotations

import datetime as dt

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule


@rule("DUP-002", "history")
def same_drug_elsewhere_today(ctx: AuditContext):
    here = ctx.facility.code
    for line in ctx.lines:
        if not line.drug.is_drug:
            continue
        for d in ctx.dispenses:
            if (d.chain_key == line.drug.chain_key and d.date == ctx.day and d.facility_code != here
                    and ctx.counts(d.settlement_id)):
                yield Finding(line.no, f"{line.drug.name} 今日已在其他机构（{d.facility_code}）取过（一人多开）",
                              "same drug already dispensed today at another institution (一人多开)",
                              {"facility": d.facility_code})
                break


@rule("DUP-003", "history")
def many_institutions(ctx: AuditContext):
    window = ctx.profile.multi_site_window_days
    places = {ctx.facility.code}
    for s in ctx.settlements:
        if 0 <= (ctx.day - s.date).days < window and s.date <= ctx.day and s.counts_on(ctx.day):
            places.add(s.facility_code)
    if len(places) >= ctx.profile.multi_site_threshold:
        yield Finding(None, f"{window} 天内在 {len(places)} 家不同机构结算，请留意",
                      f"{len(places)} different institutions within {window} days", {"institutions": sorted(places)})


@rule("FRD-001", "history")
def other_city_minutes_ago(ctx: AuditContext):
    if ctx.request.time is None:
        return
    now = dt.datetime.combine(ctx.day, ctx.request.time)
    here_city = ctx.facility.city
    limit = dt.timedelta(minutes=ctx.profile.geo_jump_minutes)
    for s in ctx.settlements:
        if s.time is None or not s.counts_on(ctx.day):
            continue
        city = s.city or ctx.city_of(s.facility_code)
        if not city or city == here_city:
            continue
        gap = now - dt.datetime.combine(s.date, s.time)
        if dt.timedelta(0) <= gap < limit:
            minutes = int(gap.total_seconds() // 60)
            yield Finding(None, f"该卡 {minutes} 分钟前在异地（{city}）结算，疑似一卡多用，请核验身份（刷脸/医保码）",
                          f"same card settled in another city ({city}) {minutes} minutes earlier: verify identity",
                          {"minutes": minutes, "city": city})
            return
