"""The sale flow of the pharmacy desk: scans routed by screen, identify, prescriptions, the sale's boxes,
拆零 and 无码库, the audit and its acknowledgements, payment and settlement, hold and recall (挂单).

A mixin of PharmacyWindow (desktop.pharmacy.window): it uses the window's state, screens, runner and
services as its own attributes; its labels are translated under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

from core.codes import Kind, classify
from core.i18n import Message, message
from core.services.auth import warn_permission
from core.domain.clock import today_cst
from core.services.desk.accounts import OFFLINE
from core.services.desk.held import Unreadable, recall_blocker
from core.services.desk.rules import Held, held_with, settle_blockers
from core.services.pharmacy_sale import CodeCheck, Sale, apply_check
from core.services.ports import AuditView, PatientCard, Payment, SaleRecord
from desktop.common import screen_log
from desktop.common.i18n import text
from desktop.common.worker import Failure
from core.pos.tenders import TenderError
from desktop.pharmacy import screens as sc
from desktop.pharmacy.screens.common import parse_money

IDENTITY_KINDS = (Kind.EVOUCHER, Kind.ID_CARD, Kind.SS_CARD)


class SaleFlow:
    def on_scan(self, text_: str, at: float) -> None:
        page = self.page()
        if self.state.operator is None:
            return
        if self.drug_search is not None:  # a barcode or trace code scanned while searching: look it up
            self.drug_search.set_query(text_)
            return
        if page == "sale" and self.state.sale is not None:
            self._scan_box(text_, at)
            return
        if page == "returns":
            self.find_sale(text_)
            return
        if page == "pay" and self.state.sale is not None and classify(text_).kind not in IDENTITY_KINDS:
            if self.pay.tender_panel.reference.hasFocus():  # the payment slip's reference, scanned
                self.pay.tender_panel.reference.setText(text_.strip())
            else:
                self.scan_goods(text_)
            return
        result = classify(text_)
        if page == "rx" and result.kind in (Kind.TRACE_CODE, Kind.GS1) and self.state.card is not None:
            if self.state.rxs:  # a waiting prescription is never turned into an ordinary purchase by a stray scan
                self.rx.show_message("warn", text(message("desk.ordinary.rx_waiting")))
            else:
                self.open_ordinary(text_)  # a box scanned without a prescription: an ordinary purchase (41)
            return
        if page == "rx" and (result.kind is Kind.RX_TOKEN or (text_.strip().isdigit() and len(text_.strip()) == 8)):
            self.pickup(text_.strip())
            return
        if result.kind in IDENTITY_KINDS:
            if self.state.sale is not None and page in ("pay",):
                return
            self.identify_person(text_)
            return
        if page in ("identify", "done", "rx"):
            label = result.kind_label
            target = self.identify if page != "rx" else self.rx
            target.show_message("bad", text(message("desk.id.not_identity", kind=label.zh, kind_en=label.en)))

    # ---- identify ----
    def new_patient(self) -> None:
        if self.state.sale is not None and self.page() in ("sale", "pay"):
            self.sale_screen.show_message("warn", text(message("desk.scan.busy_sale")))
            return
        self.clear_customer()
        self.identify.show_message("", "")
        self.go("identify")

    def clear_customer(self) -> None:
        """Nothing of the last customer stays on any screen: card, prescriptions, sale, verdict, payment,
        receipt and a return looked up (held sales keep theirs)."""
        s = self.state
        recalled, self._recalled = self._recalled, None
        if recalled is not None:  # a recalled held sale left the desk unsettled: its kept row goes, boxes freed
            self.runner.run(self.desk.release_recalled, recalled, lane="local", failed=self.ignore_failure)
        s.card, s.sale, s.view, s.rxs, s.record, s.receipt_path = None, None, None, [], None, ""
        self._audit_seq += 1  # answers still on their way belong to the last customer
        self.rx.show_rxs([])
        self.rx.show_message("", "")
        self.sale_screen.clear()
        self.pay.clear()
        self.done.clear()
        self.returns.show_record(None)
        self.returns.show_message("", "")
        self._render_all()

    def identify_person(self, text_: str) -> None:
        self.identify.show_message("warn", self.tr("正在识别…"))
        self.go("identify")
        self.runner.run(self.desk.identify, text_, done=self._identified, failed=self._identify_failed)

    def _identify_failed(self, f: Failure) -> None:
        self.identify.show_message("bad", text(f.message))
        self.go("identify")

    def _identified(self, card: PatientCard) -> None:
        self.clear_customer()
        self.state.card = card
        self._render_all()
        self.rx.show_message("warn", self.tr("正在查询电子处方…"))
        self.go("rx")
        if not card.online:
            self.rx.show_message("warn", text(message("desk.audit.offline")))
        # offline too: the desk then lists the prescriptions it cached (fetched ahead or opened before), so a
        # patient who walks in during an outage is served (issue 19); with none cached it says the centre is away
        self.runner.run(self.desk.prescriptions, card, done=self._rxs, failed=self._rx_failed)

    def _rxs(self, rxs) -> None:
        self.state.rxs = rxs
        self.rx.show_rxs(rxs)
        if any(r.cached for r in rxs):
            self.rx.show_message("warn", self.tr("中心无法连接：以下处方来自离线缓存，结算为离线暂存"))
        else:
            self.rx.show_message("" if rxs else "warn", "" if rxs else text(message("desk.rx.none")))
        (self.rx.list if rxs else self.rx.pickup).setFocus()
        screen_log.shown("prescriptions", len(rxs))

    def _rx_failed(self, f: Failure) -> None:
        offline = f.message.key == "desk.audit.offline"  # nothing cached for this patient
        self.rx.show_message("warn" if offline else "bad", text(f.message))

    def show_card(self) -> None:
        if self.state.card is not None:
            self.go("rx")

    def pickup(self, code: str) -> None:
        if self.state.card is None:
            return
        self.runner.run(self.desk.find_pickup, self.state.card, code,
                        done=lambda rx: self.open_rx(rx.rx_id), failed=self._rx_failed)

    # ---- the sale ----
    def open_rx(self, rx_id: str) -> None:
        if self.state.card is None:
            return
        self.rx.show_message("warn", self.tr("正在下载处方…"))
        self.runner.run(self.desk.open_sale, self.state.card, rx_id, done=self._sale_opened, failed=self._rx_failed)

    def _sale_opened(self, sale: Sale) -> None:
        self.rx.show_message("", "")
        self.state.sale, self.state.view = sale, None
        self.sale_screen.line_verdicts = {}
        self.sale_screen.show_sale(sale)
        self.sale_screen.verdict.show_view(None)
        self.sale_screen.show_message("", "")
        self._update_settle()
        self.go("sale")
        self.run_audit()

    def open_ordinary(self, first_box: str | None = None) -> None:
        """F8 on the prescriptions screen, or a box scanned there: an ordinary insured purchase without a
        prescription (41 定点药店购药, core.services.desk.ordinary); the boxes scanned become its lines."""
        if self.state.card is None:
            return

        def opened(sale: Sale) -> None:
            self._sale_opened(sale)
            self.sale_screen.show_message("", text(message("desk.ordinary.opened", med_type=sale.med_type)))
            if first_box:
                self._scan_box(first_box, time.perf_counter())

        self.runner.run(self.desk.open_ordinary_sale, self.state.card, lane="local", done=opened,
                        failed=self._rx_failed)

    def _scan_box(self, text_: str, at: float) -> None:
        sale = self.state.sale
        focus = self.sale_screen.current_line()
        token = self.runner.run(self.desk.check_scan, sale, text_, focus, lane="local",
                                done=lambda check: self._scan_checked(check, at), failed=self._scan_failed)
        self._scan_started[token] = at

    def _scan_failed(self, f: Failure) -> None:
        self.sale_screen.show_message("bad", text(f.message))

    def _scan_checked(self, check: CodeCheck, at: float) -> None:
        sale = self.state.sale
        if sale is None:
            return
        if check.accepted and check.code in sale.all_codes:  # two quick scans of one box raced: refuse the second
            check = replace(check, accepted=False, tone="bad", reason=message("desk.scan.twice", line=check.line))
        held = held_with(check.code, self.state.held, besides=sale.sale_id) if check.accepted else None
        if held is not None:  # the box is reserved by a sale put aside (挂单)
            check = replace(check, accepted=False, tone="bad",
                            reason=message("desk.scan.held", no=held.no))
        self.state.sale = apply_check(check.extra.get("sale", sale), check)  # an ordinary purchase grows by the box
        self.sale_screen.show_sale(self.state.sale)
        if check.line is not None:
            row = next(i for i, l in enumerate(self.state.sale.lines) if l.no == check.line)
            self.sale_screen.table.setCurrentCell(row, 0)
        self.sale_screen.show_message(check.tone, text(check.reason))
        self._update_settle()
        self.sale_screen.table.viewport().repaint()
        self.sale_screen.message.repaint()
        self.verdict_shown.emit((time.perf_counter() - at) * 1000)
        if check.accepted:
            self.state.view = None
            self.run_audit()

    def delete_code(self) -> None:
        if self.page() != "sale" or self.state.sale is None:
            return
        no = self.sale_screen.current_line()
        if no is None:
            return
        if not self.state.sale.line(no).codes:
            self._remove_added(no)
            return
        self.state.sale = self.state.sale.without_code(no, self.state.sale.line(no).codes[-1])
        self.sale_screen.show_sale(self.state.sale)
        self.run_audit()

    def _split(self, no: int, units: int) -> None:
        if self.state.sale is None:
            return
        self.state.sale = self.state.sale.with_split(no, units or None)
        self.sale_screen.show_sale(self.state.sale)
        self.run_audit()

    def ask_uncoded(self) -> None:
        if self.page() != "sale" or self.state.sale is None:
            return
        no = self.sale_screen.current_line()
        if no is None:
            return
        key = self.state.sale.line(no).drug.key
        self.runner.run(self.desk.uncoded_batches, key, lane="local", done=self._uncoded_batches)

    def _uncoded_batches(self, batches) -> None:
        if not batches:
            self.sale_screen.show_message("warn", self.tr("该药品在无码库中没有库存"))
            return
        self.sale_screen.ask_uncoded(batches)

    def _uncoded(self, no: int, batch: str) -> None:
        self.state.sale = self.state.sale.with_uncoded(no, batch)
        self.sale_screen.show_sale(self.state.sale)
        self.run_audit()

    # ---- audit ----
    def run_audit(self) -> None:
        """Local audit at once; the centre's pre-settlement as soon as every box has its code."""
        sale, card = self.state.sale, self.state.card
        if sale is None or card is None or not sale.lines:  # an ordinary purchase before its first box
            return
        self._audit_seq += 1
        seq = self._audit_seq
        self.sale_screen.verdict.show_pending(text(message("desk.audit.pending")))
        self.runner.run(self.desk.audit, sale, card, lane="local",
                        done=lambda v: self._audited(v, seq, sale), failed=self._audit_failed)
        if sale.complete:  # a patient identified offline too: the desk pre-settles inside the offline floor limits
            self.runner.run(self.desk.pre_settle, sale, card, lane="remote",
                            done=lambda v: self._audited(v, seq, sale), failed=self._audit_failed)

    def _audited(self, view: AuditView, seq: int, sale: Sale) -> None:
        if seq != self._audit_seq or self.state.sale is None:
            return  # a newer scan changed the sale
        current = self.state.view
        if current is not None and current.source == "centre" and view.source == "local":
            return  # the centre answered first; its word stands
        self.state.view = view
        self.sale_screen.show_sale(self.state.sale, dict(view.line_verdicts))
        self.sale_screen.verdict.show_view(view, self.state.sale.acks, incomplete=not self.state.sale.complete)
        self._update_settle()
        self._show_customer()  # the amount due, once the figures are known

    def _audit_failed(self, f: Failure) -> None:
        self.sale_screen.show_message("bad", text(f.message))

    def ack(self, rule: str, line, restricted: bool) -> None:
        permission = warn_permission(rule) if restricted else "warn.ack"

        def granted(approver):
            self.state.sale = self.state.sale.with_ack(rule, line)
            self.runner.run(self.auth.log, "ack", self.state.operator.user_id, approver=approver,
                            ref=self.state.sale.rx_id, detail={"rule": rule, "line": line}, lane="local",
                            failed=self.ignore_failure)  # the UI thread never writes the store
            self.sale_screen.verdict.set_acked(rule, line, True)
            self._update_settle()

        self._need(permission, granted, ref=self.state.sale.rx_id if self.state.sale else "",
                   detail={"rule": rule, "line": line})

    def settle_blockers(self) -> list[str]:
        """Why the sale cannot be settled now, in the UI language (the rule: core.services.desk.rules)."""
        card = self.state.card
        return [text(m) for m in settle_blockers(self.state.sale, self.state.view,
                                                 card_online=bool(card and card.online),
                                                 shift_open=self.state.shift is not None)]

    def _update_settle(self) -> None:
        why = self.settle_blockers()
        self.sale_screen.set_settle(not why, "\n".join(why))

    # ---- pay and settle ----
    def go_pay(self) -> None:
        if self.settle_blockers():
            self._update_settle()
            return

        def allowed(_approver):
            f = self.state.view.figures
            self.pay.show_amounts(f.total, f.fund, f.personal, self.state.card.balance)
            self.pay.tender_panel.set_goods(self.state.sale.goods)
            self.go("pay")
            self.pay.cash.setFocus()

        self._need("sale.settle", allowed, ref=self.state.sale.rx_id)

    def settle(self, account: Decimal, tendered: Decimal) -> None:
        sale, card = self.state.sale, self.state.card
        if sale is None or self.settle_blockers():
            return
        self.pay.ok.setEnabled(False)
        self.pay.message.setText(self.tr("正在结算…"))
        shift_id = self.state.shift["shift_id"] if self.state.shift else None
        holder = self.pay.family.psn_no if self.pay.family is not None else ""
        try:  # goods in the sale or an external tender: the tenders (the desk checks them against what is due)
            tenders = self.pay.tender_panel.tenders(tendered) if self.pay.tender_panel.used() else ()
        except TenderError as exc:  # an unknown kind or an amount that is not one: said before anything is sent
            self._settle_failed(Failure(Message("desk.pay.tenders", exc.zh, exc.en), exc))
            return
        typed = parse_money(self.pay.account.text()) or Decimal("0.00")
        if typed > account:  # more than the balance shown: the desk refuses it with the reason (never capped silently)
            account = min(typed, self.pay.personal)
        self.runner.run(self.desk.settle, sale, card, Payment(account, tendered, holder, tenders), shift_id,
                        done=self._settled, failed=self._settle_failed)

    def scan_goods(self, code: str) -> None:
        """A commodity barcode on the pay step: the good joins the sale (unknown: a supervisor may add it)."""
        sale = self.state.sale
        if sale is None:
            return
        def failed(f: Failure) -> None:
            self._settle_failed(f)
            if f.message.key == "desk.goods.unknown":  # a supervisor may add it here and now
                self.pay.tender_panel.offer_quick_add(code.strip())

        self.runner.run(self.desk.scan_goods, sale, code, self.take_pending_qty(), done=self._goods_added,
                        failed=failed)

    def quick_add_goods(self, code: str, name: str, price: str) -> None:
        """The quick-add row: a supervisor approves (goods.add), the good is added, then scanned into the sale."""
        op = self.state.operator

        def granted(approver) -> None:  # noqa: ANN001
            who = approver or (op.user_id if op is not None else "")
            self.runner.run(self.desk.quick_add_goods, code, name, price, approver=who,
                            done=lambda _good: self.scan_goods(code), failed=self._settle_failed)

        self._need("goods.add", granted, ref=code, detail={"name": name, "price": price})

    def _goods_added(self, sale: Sale) -> None:
        self.state.sale = sale
        self.pay.tender_panel.add_box.hide()
        self.pay.tender_panel.set_goods(sale.goods)
        sc.set_tone(self.pay.message, "ok", self.tr("已加入非医保商品：") + sale.goods[-1].good.name if sale.goods else "")

    def use_account(self) -> None:
        """F8 on the pay step: the personal account pays what its balance allows (balance before → after). Offline
        the balance is the centre's: the desk says so and offers cash."""
        card, link = self.state.card, self.state.link
        if (card is not None and not card.online) or (link is not None and link.online is False):
            self.pay.account.setText("0.00")  # nothing from the account: the whole share is due in cash
            sc.set_tone(self.pay.message, "warn", text(OFFLINE))
            self.pay.cash.setFocus()
            return
        self.pay.use_account()

    def ask_family(self) -> None:
        """F6 on the pay step: the 共济 holders who may pay for this customer (the centre's bindings)."""
        card = self.state.card
        if card is None:
            return
        self.runner.run(self.desk.family_holders, card.person.person_no, done=self.pay.set_family,
                        failed=self._settle_failed)

    def _settle_failed(self, f: Failure) -> None:
        self.pay.ok.setEnabled(True)
        sc.set_tone(self.pay.message, "bad", text(f.message))
        self.refresh_status()

    def _settled(self, record: SaleRecord) -> None:
        self.pay.ok.setEnabled(True)
        self.state.record = record
        self.state.sale, self.state.view = None, None
        path = self._print(record, copy_no=0)
        self.runner.run(self.desk.mark_printed, record.msgid, reprint=False, lane="local",
                        failed=self.ignore_failure)  # the UI thread never writes the store
        if record.status == "provisional":  # the centre has not confirmed it yet: say so, in amber
            tone, head = "warn", self.tr("离线暂存 {3}（待中心确认）：统筹 {0}，个人 {1}，找零 {2}")
        else:
            tone, head = "ok", self.tr("结算成功：统筹 {0}，个人 {1}，找零 {2}")
        self.done.show_receipt(tone, head.replace("{0}", str(record.fund)).replace("{1}", str(record.personal))
                               .replace("{2}", str(record.change)).replace("{3}", record.offline_no),
                               self._receipt(record, 0).text_lines(36), str(path))
        self.go("done")
        self.refresh_status()
        self.settled.emit(record)

    # ---- hold / recall (挂单) ----
    def restore_held(self) -> None:
        """The held sales kept in the store (a restart, a crash): listed again, their boxes reserved again."""
        self.runner.run(self.desk.held_sales, lane="local", done=self._held_restored, failed=self.ignore_failure)

    def _held_restored(self, stored: list) -> None:
        known = {h.no for h in self.state.held}
        on_desk = self._recalled  # recalled and on the desk now (a login again): not listed twice
        self.state.held.extend(h for h in stored if isinstance(h, Held) and h.no not in known
                               and h.sale.sale_id != on_desk)
        self.state.held.sort(key=lambda h: h.no)
        self._held_no = max([self._held_no, *(h.no for h in stored)])
        bad = [h for h in stored if isinstance(h, Unreadable)]
        self.unreadable_held = bad
        self._render_all()
        if bad:
            self.identify.show_message("bad", text(bad[0].problem))

    def _hold_failed(self, f: Failure) -> None:
        self.identify.show_message("bad", text(f.message))

    def hold_or_recall(self) -> None:
        """F9 on the sale screen puts the sale aside (its boxes stay reserved for it); F9 on the identify screen
        takes the last one back, with its patient and prescriptions."""
        if self.page() == "sale" and self.state.sale is not None:
            self._held_no = max([self._held_no, *(h.no for h in self.state.held)]) + 1
            held = Held(self._held_no, self.state.card, self.state.sale, tuple(self.state.rxs))
            self.state.held.append(held)
            # kept in the store (off the UI thread): a restart or a crash keeps the sale and its boxes' reservation
            self.runner.run(self.desk.hold_sale, held, lane="local", failed=self._hold_failed)
            self._recalled = None  # held again: its row is replaced, not discarded
            self.clear_customer()
            self.identify.show_message("ok", self.tr("已挂单 {0}").replace("{0}", str(self._held_no)))
            self.go("identify")
        elif self.page() == "identify" and self.state.held:
            why = recall_blocker(self.state.held[-1], today_cst())
            if why is not None:  # e.g. its prescription expired meanwhile: it stays held (a supervisor releases it)
                self.identify.show_message("bad", text(why))
                return
            held = self.state.held.pop()
            # its row stays, marked recalled, until the sale is settled or discarded: a crash loses nothing
            self.runner.run(self.desk.recall_held, held, lane="local", failed=self.ignore_failure)
            self.clear_customer()
            self._recalled = held.sale.sale_id
            self.state.card, self.state.rxs = held.card, list(held.rxs)
            self._render_all()
            self._sale_opened(held.sale)
