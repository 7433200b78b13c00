"""Checkout at a pharmacy counter: identify → audit → pre-settle → settle → print → (upload) | return.

    checkout = CheckoutService(terminal)
    who = checkout.identify(Identification("id_card", "4207…"), operator="OP01")
    sale = checkout.audit(basket, who.identification, operator="OP01")      # local audit, draft -> audited
    sale = checkout.pre_settle(sale.sale_id)        # 2101 online, or the local calculation offline (limits)
    sale = checkout.settle(sale.sale_id)            # 2102 through the outbox, or provisional offline
    receipt = checkout.print_receipt(sale.sale_id)  # printed; the 3505 upload is queued
    checkout.return_sale(sale.sale_id, operator="OP01", reason="…")   # 2103 (+3506), never an edit
    checkout.status()                                # the sync status line

Every refusal is a CheckoutError with a code and the reason in Chinese and English (offline limits list every
limit that failed). Long calls (identify, pre_settle, settle, return_sale) do network I/O: a shell runs them
off the UI thread. A shell never touches SQLAlchemy or requests; it gets these views.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.context import AuditInputError
from core.audit.ordinary import evaluate_sale
from core.audit.result import AuditResult
from core.domain import AuditRequest, Person, Verdict, fmt
from core.domain.masking import mask_id
from core.policy.calculator import line_amounts
from core.policy.profile import Profile, bundled_profiles
from core.services.checkout_types import (  # noqa: F401 (the checkout's public values, re-exported)
    CheckoutError,
    Identification,
    Identified,
    Receipt,
    ReceiptLine,
    SaleView,
)
from core.store.catalogue import get_drugs
from core.store.history_sql import SqlHistory
from core.store.models import FacilityRow
from core.store.persons import find_person_by_id_number, find_person_by_ss_card, get_person
from core.sync import alerts, journal, ledger
from core.sync import offline as offline_policy
from core.sync import outbox as ob
from core.sync.basket import Basket, BasketError
from core.sync.documents import (
    new_offline_no,
    new_sale_id,
    queue_cancel,
    queue_uploads,
    settle_business_key,
)
from core.sync.envelope import Outcome, Reply
from core.sync.models import SyncOutbox, SyncSale
from core.sync.offline import OfflineCheck
from core.sync.refdata import RefDataError, fetch_person, store_person
from core.sync.states import LABEL_ZH, SETTLED_LIKE, IllegalTransition, SaleState, transition
from core.sync.status import SyncStatus, sync_status
from core.sync.terminal import Terminal
from core.sync.transactions import CERT_TYPE, TransactionFormatError, parse_settlement, settle_input

log = logging.getLogger("onewindow.checkout")
S = SaleState




class CheckoutService:
    def __init__(self, terminal: Terminal, *, profile: Profile | None = None) -> None:
        self.t = terminal
        if profile is None:
            profiles = bundled_profiles()
            pid = terminal.config.terminal.profile_id
            if pid not in profiles:
                raise CheckoutError("profile", f"未找到待遇方案 {pid}", f"benefit profile {pid!r} is not installed")
            profile = profiles[pid]
        self.profile = profile
        self._idents: dict[str, Identification] = {}
        self._facility_cache: tuple[float, dict] | None = None

    def _facilities(self, s: Session) -> dict:
        """Facilities known locally (for FRD-001), re-read at most once a minute."""
        now = time.monotonic()
        if self._facility_cache is None or now - self._facility_cache[0] > 60:
            self._facility_cache = (now, {r.code: r.to_domain() for r in s.scalars(select(FacilityRow))})
        return self._facility_cache[1]

    def _recently_unreachable(self) -> bool:
        """The last contact failed less than `offline_probe_s` ago: queries go straight to the offline path (the
        background sender keeps probing; the first answer it gets brings the counter back online)."""
        h = self.t.transport.health
        return bool(h.believed_offline and h.last_failure_monotonic is not None
                    and time.monotonic() - h.last_failure_monotonic < self.t.config.sender.offline_probe_s)

    # ---- guards -------------------------------------------------------------------------------------------
    def _ready(self) -> None:
        if not self.t.recovered:
            raise CheckoutError("recovery", "正在检查上次未完成的交易，请稍候",
                                "start-up recovery has not finished; no new work yet")

    def _sale(self, s: Session, sale_id: str) -> SyncSale:
        sale = s.get(SyncSale, sale_id)
        if sale is None:
            raise CheckoutError("no_sale", f"单据 {sale_id} 不存在", f"no sale {sale_id}", sale_id=sale_id)
        return sale

    @staticmethod
    def _require(sale: SyncSale, *states: SaleState) -> None:
        if sale.state not in {st.value for st in states}:
            want = "、".join(LABEL_ZH[st] for st in states)
            raise CheckoutError("state", f"单据 {sale.sale_id} 当前为「{LABEL_ZH[S(sale.state)]}」，此操作需要「{want}」",
                                f"sale {sale.sale_id} is {sale.state}; this needs {', '.join(st.value for st in states)}",
                                sale_id=sale.sale_id)

    # ---- identify -----------------------------------------------------------------------------------------
    def identify(self, ident: Identification, *, operator: str, operator_name: str = "") -> Identified:
        """Online: 1101 + 5301, cached with fresh registrations. Offline: ID card or social security card only,
        from the cache (an e-voucher QR is dynamic and cannot be used offline)."""
        self._ready()
        ident = ident.normalised()
        if ident.kind not in CERT_TYPE or not ident.number:
            raise CheckoutError("identification", "无法识别的身份凭证", f"unknown identification {ident.kind!r}")
        try:
            if self._recently_unreachable():
                raise RefDataError("the centre was unreachable moments ago", "中心暂时无法连接",
                                   Reply(Outcome.NOT_SENT, error="not tried again yet: " + self.t.transport.health.last_error))
            fetched = fetch_person(self.t, ident.kind, ident.number, card_sn=ident.card_sn, operator=operator,
                                   operator_name=operator_name)
        except RefDataError as exc:
            if exc.reply is not None and exc.reply.reached:
                raise CheckoutError("identify_refused", exc.message_zh, str(exc)) from None
            return self._identify_offline(ident, exc)
        with self.t.write() as s, s.begin():
            store_person(s, self.t, fetched.person, insuplc_admdvs=fetched.insuplc_admdvs,
                         ss_card_no=ident.number if ident.kind == "ss_card" else None)
        p = fetched.person
        return Identified(p.person_no, p.name, mask_id(p.id_number),
                          p.insurance_type, p.registrations, True, ident, 0.0)

    def _identify_offline(self, ident: Identification, exc: RefDataError) -> Identified:
        limits = self.t.config.offline
        if ident.kind == "evoucher" or ident.kind not in limits.allowed_identification:
            raise CheckoutError(
                "evoucher_offline" if ident.kind == "evoucher" else "identification_offline",
                "中心无法连接：医保电子凭证二维码是动态码，离线不能使用，请改用身份证或社保卡",
                "the centre cannot be reached: an e-voucher QR is dynamic and cannot be used offline; use the ID "
                "card or the social security card", details={"error": str(exc)})
        with self.t.read() as s:
            person = (find_person_by_id_number(s, ident.number, cipher=self.t.cipher) if ident.kind == "id_card"
                      else find_person_by_ss_card(s, ident.number, cipher=self.t.cipher))
            age = offline_policy.registration_age_hours(s, person.person_no, self.t.utcnow()) if person else None
        if person is None:
            raise CheckoutError("not_cached", "中心无法连接，本机没有该参保人的缓存信息，不能离线办理",
                                "the centre cannot be reached and this person is not cached on this terminal")
        ok = age is not None and age <= limits.max_registration_age_hours
        note_zh = "离线识别（本地缓存）" + ("" if ok else f"；备案缓存已过期（{age or 0:.0f} 小时），不能离线结算")
        note_en = "identified offline from the cache" + ("" if ok else "; the cached registration is too old to settle offline")
        return Identified(person.person_no, person.name, mask_id(person.id_number),
                          person.insurance_type, person.registrations, False, ident, age, ok, note_zh, note_en)

    # ---- audit --------------------------------------------------------------------------------------------
    def _evaluate(self, s: Session, basket: Basket) -> tuple[AuditResult, Person, dict]:
        person = get_person(s, basket.person_no, cipher=self.t.cipher)
        if person is None:
            raise CheckoutError("not_identified", "请先识别参保人", f"person {basket.person_no} is not cached: identify first")
        drugs = get_drugs(s, {l.drug_key for l in basket.lines})
        missing = sorted({l.drug_key for l in basket.lines} - drugs.keys())
        if missing:
            raise CheckoutError("unknown_drug", f"药品不在本地目录：{'、'.join(missing)}，请先同步目录",
                                f"not in the local catalogue: {', '.join(missing)} (sync the catalogue)")
        facility = self.t.config.terminal.facility()
        facilities = self._facilities(s)
        now = self.t.local_naive()
        request = AuditRequest(person=person, facility=facility, prescription=basket.prescription(),
                               requested_scheme=basket.scheme, date=now.date(), time=now.time().replace(microsecond=0),
                               profile_id=self.profile.profile_id)
        try:
            result = evaluate_sale(request, SqlHistory(s), self.profile, drugs, facilities,  # OP: med_type 41/11
                                   med_type=basket.extra.get("med_type"))
        except AuditInputError as exc:
            raise CheckoutError("audit_input", f"无法审核：{exc}", f"cannot audit: {exc}") from None
        return result, person, drugs

    def audit(self, basket: Basket, ident: Identification, *, operator: str, operator_name: str = "",
              sale_id: str | None = None, med_type: str | None = None) -> SaleView:
        """Local audit of the basket: a new sale (or an edited one) in `audited`, or `draft` when blocked.
        `med_type`: the prescription's (e.g. a provincial sub-code of 14); default the scheme's from the config."""
        self._ready()
        try:
            basket.validate()
        except BasketError as exc:
            raise CheckoutError("basket", exc.message_zh, str(exc)) from None
        with self.t.write() as s, s.begin():
            result, person, _ = self._evaluate(s, basket)
            now = self.t.utcnow()
            if sale_id is None:
                sale = SyncSale(
                    sale_id=new_sale_id(s, self.t), terminal_id=self.t.config.terminal.terminal_id, state=S.DRAFT.value,
                    offline=False, person_no=basket.person_no, cert_type=CERT_TYPE[ident.kind],
                    scheme=basket.scheme.value, med_type=med_type or self.t.config.med_type[basket.scheme.value],
                    disease=basket.disease, operator=operator, operator_name=operator_name, basket="", warn_ack=False,
                    reason="", created_at=now, updated_at=now)
                s.add(sale)
                s.flush()
                journal.append(s, "sale.create", sale_id=sale.sale_id, to_state=S.DRAFT.value,
                               data={"person_no": basket.person_no, "operator": operator}, at=now)
            else:
                sale = self._sale(s, sale_id)
                self._require(sale, S.DRAFT, S.AUDITED, S.PRE_SETTLED)
                sale.offline, sale.warn_ack = False, False
                if med_type:
                    sale.med_type = med_type
            sale.basket = basket.to_json()
            sale.audit = json.dumps(result.to_dict(), ensure_ascii=False)
            if result.settlement is not None:
                st = result.settlement
                sale.total, sale.fund, sale.personal = st.total, st.fund_payment, st.personal_payment
            blocked = result.verdict == Verdict.BLOCK
            target = S.DRAFT if blocked else S.AUDITED
            data = {"verdict": result.verdict.value, "hits": [h.rule for h in result.hits]}
            if sale.state == S.DRAFT.value and target == S.DRAFT:
                sale.reason = "审核不通过 blocked"
                journal.append(s, "sale.audit", sale_id=sale.sale_id, data=data, at=now)
            else:
                transition(s, sale, target, now=now, reason=("审核不通过 blocked" if blocked else "已审核 audited"),
                           data=data)
            sid = sale.sale_id
        self._idents[sid] = ident
        return self.sale(sid)

    def acknowledge_warnings(self, sale_id: str, *, operator: str) -> SaleView:
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            self._require(sale, S.AUDITED, S.PRE_SETTLED)
            sale.warn_ack = True
            journal.append(s, "sale.warn_ack", sale_id=sale_id, data={"operator": operator})
        return self.sale(sale_id)

    # ---- pre-settle ---------------------------------------------------------------------------------------
    def _cert(self, sale: SyncSale, s: Session) -> tuple[str, str, str]:
        ident = self._idents.get(sale.sale_id)
        if ident is not None:
            return CERT_TYPE[ident.kind], ident.number, ident.card_sn
        person = get_person(s, sale.person_no, cipher=self.t.cipher)
        if sale.cert_type == "02" and person is not None and person.id_number:
            return "02", person.id_number, ""
        return "", "", ""  # psn_no alone identifies the person to the centre

    def _ident_kind(self, sale: SyncSale) -> str:
        ident = self._idents.get(sale.sale_id)
        if ident is not None:
            return ident.kind
        return {v: k for k, v in CERT_TYPE.items()}.get(sale.cert_type, "evoucher")

    def _input(self, s: Session, sale: SyncSale, basket: Basket, drugs, person: Person) -> dict:
        cert_type, cert_no, card_sn = self._cert(sale, s)
        return settle_input(basket, drugs, cert_type=cert_type, cert_no=cert_no, card_sn=card_sn,
                            insutype=person.insurance_type, med_type=sale.med_type, sale_time=self.t.local_naive(),
                            profile=self.t.transport.profile)

    def offline_check(self, s: Session, sale: SyncSale, fund: Decimal) -> OfflineCheck:
        return offline_policy.check(
            s, self.t.config.offline, person_no=sale.person_no, ident_kind=self._ident_kind(sale), fund=fund,
            now_utc=self.t.utcnow(), local_day=self.t.today(), utc_offset_hours=self.t.config.terminal.utc_offset_hours,
            exclude_sale=sale.sale_id, account=Basket.json_uses_account(sale.basket))

    def _offline_refused(self, sale_id: str, check: OfflineCheck, prefix_zh: str, prefix_en: str) -> CheckoutError:
        return CheckoutError("offline_refused", f"{prefix_zh}：{check.text_zh}", f"{prefix_en}: {check.text_en}",
                             sale_id=sale_id, details={"reasons": [r.code for r in check.reasons], **check.figures})

    def pre_settle(self, sale_id: str, *, operator: str | None = None, acknowledge_later: bool = False) -> SaleView:
        """2101 when the centre answers (the returned view carries its output node in `centre_output`);
        otherwise the local figures, only inside the offline limits. `acknowledge_later`: a preview shown while
        the cashier still reads the warnings — `settle` refuses until they are acknowledged."""
        self._ready()
        with self.t.read() as s:
            sale = self._sale(s, sale_id)
            self._require(sale, S.AUDITED)
            verdict = json.loads(sale.audit or "{}").get("verdict")
            if verdict == Verdict.WARN.value and not sale.warn_ack and not acknowledge_later:
                raise CheckoutError("warn_not_acknowledged", "审核有警告，请确认后再结算",
                                    "the audit warned: acknowledge the warnings first", sale_id=sale_id)
            basket = Basket.from_json(sale.basket)
            person = get_person(s, sale.person_no, cipher=self.t.cipher)
            drugs = get_drugs(s, {l.drug_key for l in basket.lines})
            if person is None or len(drugs) != len({l.drug_key for l in basket.lines}):
                raise CheckoutError("audit_again", "人员或药品信息已变化，请重新审核", "audit the sale again",
                                    sale_id=sale_id)
            node = self._input(s, sale, basket, drugs, person)
            local = (sale.total, sale.fund, sale.personal)  # the audit's figures, used when offline
            opter, opter_name = operator or sale.operator, sale.operator_name
        if self._recently_unreachable():  # do not make the cashier wait for another connect timeout
            reply = Reply(Outcome.NOT_SENT, error="not tried again yet: " + self.t.transport.health.last_error)
        else:
            reply = self.t.transport.call(self.t.config.infno["pre_settle"], node, operator=opter,
                                          operator_name=opter_name)
        if reply.refused:
            with self.t.write() as s, s.begin():
                self._sale(s, sale_id).reason = f"预结算被拒绝：{reply.err_msg}"
            raise CheckoutError("presettle_refused", f"中心预结算不通过：{reply.err_msg}", f"pre-settlement refused: "
                                f"{reply.err_msg}", sale_id=sale_id, details={"output": reply.output})
        if reply.ok:
            try:
                centre = parse_settlement(reply.output)
            except TransactionFormatError as exc:
                raise CheckoutError("presettle_answer", f"预结算返回无法识别：{exc}", f"pre-settlement answer: {exc}",
                                    sale_id=sale_id) from None
            tol = self.t.config.sender.total_tolerance
            if abs(centre.total - local[0]) > tol:  # the 0.1 元 rule, at pre-settlement: block, say why
                with self.t.write() as s, s.begin():
                    self._sale(s, sale_id).reason = (f"本地金额 {fmt(local[0])} 与中心 {fmt(centre.total)} 相差超过 "
                                                     f"{fmt(tol)} 元，请同步目录后重新审核")
                raise CheckoutError("total_mismatch", f"本地金额 {fmt(local[0])} 与中心医疗费总额 {fmt(centre.total)} 相差"
                                    f"超过 {fmt(tol)} 元，请同步目录后重新审核",
                                    f"local total {fmt(local[0])} and the centre's {fmt(centre.total)} differ by more "
                                    f"than {fmt(tol)}: sync the catalogue and audit again", sale_id=sale_id)
            with self.t.write() as s, s.begin():
                sale = self._sale(s, sale_id)
                self._require(sale, S.AUDITED)
                sale.offline = False
                sale.total, sale.fund, sale.personal = centre.total, centre.fund, centre.personal
                transition(s, sale, S.PRE_SETTLED, now=self.t.utcnow(), reason="已预结算 pre-settled (2101)",
                           data={"centre": centre.to_dict(), "warn": reply.warn_msg})
            return replace(self.sale(sale_id), centre_output=dict(reply.output or {}))
        # The centre cannot be reached: the local calculation (the audit's), inside the floor limits only; the
        # settlement itself audits again and checks the limits again, atomically.
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            self._require(sale, S.AUDITED)
            check = self.offline_check(s, sale, local[1])
            if not check.ok:
                sale.reason = f"中心无法连接，离线不可结算：{check.text_zh}"
            else:
                sale.offline = True
                sale.total, sale.fund, sale.personal = local
                transition(s, sale, S.PRE_SETTLED, now=self.t.utcnow(),
                           reason=f"离线预结算（本地计算）offline pre-settlement: {reply.error}",
                           data={"offline_check": check.figures})
        if not check.ok:
            raise self._offline_refused(sale_id, check, "中心无法连接，离线结算超出限额",
                                        "the centre cannot be reached and the sale is outside the offline limits")
        return self.sale(sale_id)

    # ---- settle -------------------------------------------------------------------------------------------
    def settle(self, sale_id: str) -> SaleView:
        """Settle a pre-settled sale: online through the outbox (the cashier waits, within the patience), or
        provisionally offline. A repeated call (double click) changes nothing and returns the sale."""
        self._ready()
        with self.t.read() as s:
            sale = self._sale(s, sale_id)
            if sale.state != S.PRE_SETTLED.value:
                if sale.state in (S.SENDING.value, S.PROVISIONAL.value) or sale.state in {x.value for x in SETTLED_LIKE}:
                    return self.sale(sale_id)
                self._require(sale, S.PRE_SETTLED)
            if json.loads(sale.audit or "{}").get("verdict") == Verdict.WARN.value and not sale.warn_ack:
                raise CheckoutError("warn_not_acknowledged", "审核有警告，请确认后再结算",
                                    "the audit warned: acknowledge the warnings first", sale_id=sale_id)
            offline = sale.offline
        return self._settle_offline(sale_id) if offline else self._settle_online(sale_id)

    def _settle_online(self, sale_id: str) -> SaleView:
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            if sale.state != S.PRE_SETTLED.value:
                return self.sale(sale_id)
            basket = Basket.from_json(sale.basket)
            result, person, drugs = self._evaluate(s, basket)
            if result.verdict == Verdict.BLOCK or result.settlement is None:
                raise CheckoutError("blocked", "本地审核不通过（可能已有离线单据占用额度），不能结算",
                                    "the local audit blocks this sale now", sale_id=sale_id,
                                    details={"hits": [h.rule for h in result.hits]})
            node = self._input(s, sale, basket, drugs, person)
            msgid = self.t.allocate_msgid(s)
            item = ob.reserve(
                s, self.t.cipher, kind="settle", infno=self.t.config.infno["settle"], msgid=msgid,
                business_key=settle_business_key(s, sale_id), input_node=node, sale_id=sale_id, lane=sale.person_no,
                interactive=True, owner=self.t.lease.holder, psn_no=sale.person_no,
                insuplc_admdvs=self._admdvs(s, sale.person_no), opter=sale.operator, opter_name=sale.operator_name,
                now=self.t.utcnow())
            ledger.record(s, settlement_id=msgid, basket=basket, result=result, drugs=drugs,
                          facility_code=self.t.config.terminal.institution_code, when=self.t.local_naive(),
                          status="sending")
            sale.msgid = msgid
            transition(s, sale, S.SENDING, now=self.t.utcnow(), reason="结算中 sending 2102", data={"msgid": msgid})
            item_id = item.id
            self.t.sender.claim(item_id)  # before commit: the background sender must not take it
        try:
            delivery = self.t.sender.deliver(item_id, self.t.config.sender.settle_patience_s)
            if delivery.status == ob.PENDING and delivery.never_reached:
                self._fallback_offline(sale_id, item_id)
            elif delivery.status == ob.SUPERSEDED:
                self._try_reversal(sale_id)
        finally:
            self.t.sender.release(item_id)
        return self.sale(sale_id)

    def _admdvs(self, s: Session, person_no: str) -> str:
        from core.sync.models import SyncPersonFresh

        row = s.get(SyncPersonFresh, person_no)
        return row.insuplc_admdvs if row is not None else ""

    def _fallback_offline(self, sale_id: str, item_id: int) -> None:
        """The 2102 never left (the centre refused the connection): keep it as a provisional offline sale with
        the same msgid when the limits allow, else withdraw it — nothing reached the centre either way."""
        refused: OfflineCheck | None = None
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            item = s.get(SyncOutbox, item_id)
            if item is None or item.status != ob.PENDING or sale.state != S.SENDING.value:
                return
            check = self.offline_check(s, sale, sale.fund)
            now = self.t.utcnow()
            if check.ok:
                item.interactive = False
                sale.offline = True
                sale.offline_no = new_offline_no(s, self.t)
                ledger.set_status(s, item.msgid, "provisional")
                transition(s, sale, S.PROVISIONAL, now=now, reason=f"中心无法连接，转离线暂存 {sale.offline_no}",
                           data={"msgid": item.msgid, "offline_check": check.figures, "error": item.last_error})
            else:
                refused = check
                ob.finish(s, item, ob.WITHDRAWN, reason="centre unreachable, outside the offline limits", now=now)
                ledger.void(s, item.msgid, "withdrawn", self.t.today())
                sale.msgid = None
                transition(s, sale, S.PRE_SETTLED, now=now, reason=f"中心无法连接，未结算；离线不可结算：{check.text_zh}",
                           data={"withdrawn_msgid": item.msgid, "offline_check": check.figures})
        if refused is not None:
            raise self._offline_refused(sale_id, refused, "中心无法连接，本笔未结算；离线结算超出限额",
                                        "the centre cannot be reached; not settled, and outside the offline limits")

    def _try_reversal(self, sale_id: str) -> None:
        with self.t.read() as s:
            rev = s.scalar(select(SyncOutbox).where(SyncOutbox.sale_id == sale_id, SyncOutbox.kind == "reverse",
                                                    SyncOutbox.status == ob.PENDING))
            rev_id = rev.id if rev else None
        if rev_id is not None:
            self.t.sender.deliver(rev_id, self.t.config.sender.reversal_patience_s)

    def _settle_offline(self, sale_id: str) -> SaleView:
        refused: OfflineCheck | None = None
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            if sale.state != S.PRE_SETTLED.value:
                return self.sale(sale_id)
            basket = Basket.from_json(sale.basket)
            result, person, drugs = self._evaluate(s, basket)
            if result.verdict == Verdict.BLOCK or result.settlement is None:
                raise CheckoutError("blocked", "本地审核不通过，不能结算", "the local audit blocks this sale now",
                                    sale_id=sale_id, details={"hits": [h.rule for h in result.hits]})
            st = result.settlement
            check = self.offline_check(s, sale, st.fund_payment)
            if not check.ok:
                refused = check
                sale.reason = f"离线不可结算：{check.text_zh}"
            else:
                node = self._input(s, sale, basket, drugs, person)
                msgid = self.t.allocate_msgid(s)
                ob.reserve(s, self.t.cipher, kind="settle", infno=self.t.config.infno["settle"], msgid=msgid,
                           business_key=settle_business_key(s, sale_id), input_node=node, sale_id=sale_id,
                           lane=sale.person_no, psn_no=sale.person_no, insuplc_admdvs=self._admdvs(s, sale.person_no),
                           opter=sale.operator, opter_name=sale.operator_name, now=self.t.utcnow())
                ledger.record(s, settlement_id=msgid, basket=basket, result=result, drugs=drugs,
                              facility_code=self.t.config.terminal.institution_code, when=self.t.local_naive(),
                              status="provisional")
                sale.msgid = msgid
                sale.offline_no = new_offline_no(s, self.t)
                sale.total, sale.fund, sale.personal = st.total, st.fund_payment, st.personal_payment
                transition(s, sale, S.PROVISIONAL, now=self.t.utcnow(),
                           reason=f"离线暂存 provisional {sale.offline_no}",
                           data={"msgid": msgid, "offline_check": check.figures})
        if refused is not None:
            raise self._offline_refused(sale_id, refused, "离线结算超出限额", "outside the offline limits")
        self.t.sender.wake()
        return self.sale(sale_id)

    # ---- print / return / cancel --------------------------------------------------------------------------
    def print_receipt(self, sale_id: str) -> Receipt:
        """Record the print (a settled sale becomes printed; a provisional one keeps its state and prints as
        provisional) and queue the 3505 upload of its lines. A second call is a reprint (COPY)."""
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            self._require(sale, S.SETTLED, S.PROVISIONAL, S.PRINTED, S.UPLOADED)
            basket = Basket.from_json(sale.basket)
            person = get_person(s, sale.person_no, cipher=self.t.cipher)
            drugs = get_drugs(s, {l.drug_key for l in basket.lines})
            copy = sale.printed_at is not None
            now = self.t.utcnow()
            if not copy:
                sale.printed_at = now
                if sale.state == S.SETTLED.value:
                    transition(s, sale, S.PRINTED, now=now, reason="已打印 printed")
                uploads = queue_uploads(s, self.t, sale, basket, drugs, person_name=person.name if person else "",
                                        now_local=self.t.local_naive())
                if uploads == [] and sale.state == S.PRINTED.value:
                    sale.uploaded_at = now
                    transition(s, sale, S.UPLOADED, now=now, reason="无追溯码需上传 nothing to upload")
            else:
                journal.append(s, "sale.reprint", sale_id=sale_id, at=now)
            lines = tuple(
                ReceiptLine(l.drug_key, drugs[l.drug_key].name, l.qty,
                            drugs[l.drug_key].unit if l.split else drugs[l.drug_key].pack_unit,
                            line_amounts(drugs[l.drug_key], l.qty, l.split, False).amount, l.trace_codes)
                for l in basket.lines if l.drug_key in drugs)
            name = person.name if person else ""
            masked = mask_id(person.id_number) if person else ""
        self.t.sender.wake()
        view = self.sale(sale_id)
        title = "医保结算单（离线暂存，待中心确认）" if view.provisional else "医保结算单"
        return Receipt(view, name, masked, lines, now.isoformat(), copy, title + ("（补打）" if copy else ""))

    def return_sale(self, sale_id: str, *, operator: str, reason: str, operator_name: str = "") -> SaleView:
        """Return a settled sale: 2103 cancels the settlement, 3506 returns the uploaded codes."""
        self._ready()
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            if sale.state in (S.RETURNING.value, S.RETURNED.value):
                return self.sale(sale_id)
            self._require(sale, S.SETTLED, S.PRINTED, S.UPLOADED)
            item = queue_cancel(s, self.t, sale, reason=f"退货 return: {reason}", operator=operator,
                                operator_name=operator_name)
            item_id = item.id
            self.t.sender.claim(item_id)
        try:
            self.t.sender.deliver(item_id, self.t.config.sender.settle_patience_s)
        finally:
            self.t.sender.release(item_id)
        return self.sale(sale_id)

    def cancel(self, sale_id: str, *, reason: str) -> SaleView:
        """Drop a sale that was never sent."""
        with self.t.write() as s, s.begin():
            sale = self._sale(s, sale_id)
            try:
                transition(s, sale, S.CANCELLED, now=self.t.utcnow(), reason=f"取消 cancelled: {reason}")
            except IllegalTransition as exc:
                raise CheckoutError("state", exc.message_zh, str(exc), sale_id=sale_id) from None
        self._idents.pop(sale_id, None)
        return self.sale(sale_id)

    # ---- views --------------------------------------------------------------------------------------------
    def sale(self, sale_id: str) -> SaleView:
        with self.t.read() as s:
            sale = self._sale(s, sale_id)
            return self._view(s, sale)

    def _view(self, s: Session, sale: SyncSale) -> SaleView:
        audit = json.loads(sale.audit or "{}")
        confirmed = sale.centre_total is not None
        total = sale.centre_total if confirmed else sale.total
        fund = sale.centre_fund if confirmed else sale.fund
        personal = sale.centre_personal if confirmed else sale.personal
        return SaleView(
            sale.sale_id, sale.state, LABEL_ZH[S(sale.state)], sale.person_no, sale.offline, sale.offline_no,
            sale.msgid, sale.setl_id, total, fund, personal, confirmed, audit.get("verdict"),
            audit.get("rule_hits", []), sale.reason,
            [{"kind": a.kind, "zh": a.message_zh, "en": a.message_en,
              "diff_fund": fmt(a.diff_fund) if a.diff_fund is not None else None, "resolved": a.resolved}
             for a in alerts.all_alerts(s, sale.sale_id)])

    def sales(self, *, states: tuple[str, ...] = (), limit: int = 200) -> list[SaleView]:
        with self.t.read() as s:
            stmt = select(SyncSale).order_by(SyncSale.created_at.desc()).limit(limit)
            if states:
                stmt = stmt.where(SyncSale.state.in_(states))
            return [self._view(s, r) for r in s.scalars(stmt)]

    def status(self) -> SyncStatus:
        return sync_status(self.t)

    def alerts(self) -> list[alerts.AlertView]:
        with self.t.read() as s:
            return alerts.open_alerts(s)

    def resolve_alert(self, alert_id: int, *, supervisor: str, note: str) -> None:
        with self.t.write() as s, s.begin():
            alerts.resolve(s, alert_id, supervisor, note, now=self.t.utcnow())

    def journal(self, sale_id: str) -> list[dict[str, Any]]:
        with self.t.read() as s:
            return journal.entries(s, sale_id)


__all__ = ["CheckoutError", "CheckoutService", "Identification", "Identified", "Receipt", "ReceiptLine", "SaleView"]
