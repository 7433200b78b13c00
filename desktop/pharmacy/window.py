"""PharmacyWindow: the dispensing desk, from first scan to printed receipt, with the keyboard and a scanner.

It holds the state of the desk (who is logged in, the shift, the patient card, the sale, the last verdict,
held sales) and moves between the screens of desktop.pharmacy.screens. Every service call goes through the
Runner (never on the UI thread): `local` lane for the per-scan check and the local audit (SQLite, memory),
`remote` lane for the centre. Every scan, typed or scanned, arrives through the one ScanRoute.

Function keys: F1 keys · F2 new patient · F3 returns · F4 shift · F5 refresh · F6 拆零 · F7 patient card ·
F8 无码库 · F9 hold / recall (挂单) · F10 settings · F12 settle · Esc back · Ctrl+F drug search (sale screen) ·
Ctrl+P reprint · Ctrl+R print again after a printer failure · Ctrl+L log out.

Receipts: `_print` writes the PDF (the record) and, when the terminal has a receipt printer, queues the receipt
for it through desktop.common.receipt_printing (hardware's persisted PrintQueue, ESC/POS); the done and return
screens say whether it reached the paper, and a failed job stays queued for Ctrl+R. Drug search: Ctrl+F opens
desktop.pharmacy.drug_search over core.services.drug_lookup (searches on the Runner's `search` lane); Enter adds
the drug as a new line, which then goes through the same scans and audit as the prescription's lines (Del on a
line added this way, before any code, takes it off again).

Embedding (the counter shell shows this window as a page, desktop.counter.screens.settle): the public API is
    window.start_services()      what start() does minus showing the window and the login dialog
    window.sign_in_as(op)        an operator the host already authenticated (shift lookup, operator on the link)
    window.shortcuts()           the desk's QShortcuts, for the host to enable only while the desk is shown
    window.ignore_failure(f)     a Runner `failed=` callback for background calls whose failure needs no message
    window.stop()                stop timers, wait for the workers, release the receipt printer's queue
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from core.codes import Kind, classify
from core.i18n import message
from core.services.auth import Auth, Operator, warn_permission
from core.services.drug_lookup import DrugChoice, DrugLookup, add_line, default_days, remove_line
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_sale import CodeCheck, Sale, apply_check
from core.services.pharmacy_shift import ShiftService, z_text_lines
from core.services.ports import AuditView, DeskPort, LinkStatus, PatientCard, Payment, SaleRecord, ShiftReport
from core.services.receipts import build_receipt
from desktop.common import i18n, theme
from desktop.common.i18n import text
from desktop.common.login import LoginDialog
from desktop.common.receipt_printing import ReceiptPrinting
from desktop.common.scan_route import ScanRoute
from desktop.common.status import StatusLine
from desktop.common.worker import Failure, Runner
from desktop.pharmacy import screens as sc
from desktop.pharmacy.drug_search import DrugSearchDialog
from desktop.qt import QTimer, Qt, QtCore, QtGui, QtWidgets, Signal

log = logging.getLogger("onewindow.gui.pharmacy")

IDENTITY_KINDS = (Kind.EVOUCHER, Kind.ID_CARD, Kind.SS_CARD)
PAGES = ("identify", "rx", "sale", "pay", "done", "returns", "shift", "settings")


@dataclass
class DeskState:
    operator: Operator | None = None
    shift: dict | None = None
    card: PatientCard | None = None
    rxs: list = field(default_factory=list)
    sale: Sale | None = None
    view: AuditView | None = None
    record: SaleRecord | None = None
    receipt_path: str = ""
    held: list = field(default_factory=list)  # [(card, sale)]
    link: LinkStatus | None = None


class PharmacyWindow(QtWidgets.QMainWindow):
    verdict_shown = Signal(float)  # ms from the scan entering the route to its verdict on screen
    settled = Signal(object)  # SaleRecord
    busy_changed = Signal(bool)
    drugs_shown = Signal(float)  # ms from a keystroke in the drug search to its results on screen

    def __init__(self, desk: DeskPort, auth: Auth, shifts: ShiftService, config: DeskConfig, *,
                 route: ScanRoute | None = None, runner: Runner | None = None, status_interval_ms: int = 5000,
                 printing: ReceiptPrinting | None = None, lookup: DrugLookup | None = None) -> None:
        super().__init__()
        self.setObjectName("pharmacyWindow")
        self.desk, self.auth, self.shifts, self.config = desk, auth, shifts, config
        self.save_settings = None  # callable(changes: dict[key, value]) given by the composition root
        self.runner = runner or Runner(self)
        self.route = route or ScanRoute(self)
        self.route.scanned.connect(self.on_scan)
        self.state = DeskState()
        self.dialog: LoginDialog | None = None
        # receipts: PDF always; the receipt printer when the terminal has one (print jobs per screen they report on)
        self.printing = printing or ReceiptPrinting(config.receipts_folder(), parent=self)
        self.printing.job_changed.connect(self._print_job_changed)
        self._print_jobs: dict[str, list[str]] = {"done": [], "returns": []}
        self._jobs: dict[str, object] = {}
        # drug search (Ctrl+F on the sale screen)
        self.lookup = lookup if lookup is not None else DrugLookup.for_desk(desk)
        self.drug_search: DrugSearchDialog | None = None
        self._search_text: str | None = None
        self._search_running = False
        self._search_started = 0.0
        self._added: dict[str, set[int]] = {}  # sale id -> line numbers added from the drug search
        self._audit_seq = 0
        self._presettle_seq = 0
        self._scan_started: dict[int, float] = {}
        theme.set_base_size(config.font_size)
        self.resize(1366, 820)
        self._build()
        self._shortcuts()
        self.status_timer = QTimer(self)
        self.status_timer.setObjectName("statusTimer")
        self.status_timer.timeout.connect(self.refresh_status)
        self._status_interval = status_interval_ms

    # ================================================================== building
    def _build(self) -> None:
        self.setWindowTitle(self.tr("一窗通 · 药房") + f" — {self.config.institution_name} {self.config.terminal}")
        self.setFont(theme.font(0))
        self.setStyleSheet(theme.stylesheet())
        self.pages = QtWidgets.QStackedWidget(objectName="pages")
        self.identify = sc.IdentifyScreen()
        self.rx = sc.RxScreen()
        self.sale_screen = sc.SaleScreen()
        self.pay = sc.PayScreen()
        self.done = sc.DoneScreen()
        self.returns = sc.ReturnScreen()
        self.shift = sc.ShiftScreen()
        self.settings = sc.SettingsScreen()
        self._screens = dict(zip(PAGES, (self.identify, self.rx, self.sale_screen, self.pay, self.done,
                                         self.returns, self.shift, self.settings)))
        for w in self._screens.values():
            self.pages.addWidget(w)
        self.banner = QtWidgets.QLabel(objectName="banner")
        self.banner.setFont(theme.font(1, bold=True))
        self.banner.setStyleSheet("background: #0d47a1; color: white; padding: 6px;")
        self.status_line = StatusLine()
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status_line)
        self.setCentralWidget(central)
        # scan boxes feed the one route
        for box in (self.identify.box, self.rx.pickup, self.sale_screen.scan, self.returns.box):
            box.submitted.connect(lambda t_: self.route.submit(t_))
        self.sale_screen.scan.delete_requested.connect(self.delete_code)
        self.rx.picked.connect(self.open_rx)
        self.sale_screen.verdict.ack_requested.connect(self.ack)
        self.sale_screen.settle_button.clicked.connect(self.go_pay)
        self.sale_screen.split_requested.connect(self._split)
        self.sale_screen.uncoded_picked.connect(self._uncoded)
        self.pay.confirmed.connect(self.settle)
        self.done.next_button.clicked.connect(self.new_patient)
        self.done.reprint_button.clicked.connect(self.reprint)
        self.returns.return_requested.connect(self.do_return)
        self.shift.open_requested.connect(self.open_shift)
        self.shift.x_requested.connect(self.x_report)
        self.shift.close_requested.connect(self.close_shift)
        self.settings.applied.connect(self.apply_settings)
        self.status_line.show_keys(self.tr("F1 快捷键 · F2 新顾客 · F3 退货 · F4 班次 · F9 挂单 · F12 结算"))
        self._render_all()

    def _shortcuts(self) -> None:
        keys = {
            "F1": self.show_keys, "F2": self.new_patient, "F3": lambda: self.go("returns"),
            "F4": self.go_shift, "F5": self.refresh_status, "F6": self.sale_screen.ask_split,
            "F7": self.show_card, "F8": self.ask_uncoded, "F9": self.hold_or_recall,
            "F10": self.go_settings, "F12": self.f12, "Esc": self.back, "Ctrl+P": self.reprint,
            "Ctrl+L": self.logout, "Del": self.delete_code, "Ctrl+A": self.returns.check_all,
            "Ctrl+F": self.find_drug, "Ctrl+R": self.retry_print,
        }
        self._shortcut_objs = []
        for seq, fn in keys.items():
            s = QtGui.QShortcut(QtGui.QKeySequence(seq), self, fn, context=Qt.ShortcutContext.WindowShortcut)
            self._shortcut_objs.append(s)

    def rebuild(self) -> None:
        """After a language or font-size change: new screens, same state."""
        page = self.page()
        old = self.centralWidget()
        for s in self._shortcut_objs:
            s.setParent(None)
        self._build()
        self._shortcuts()
        old.deleteLater()
        self.go(page)
        if self.state.link:
            self.status_line.show_status(self.state.link)
        for where in self._print_jobs:
            self._show_print(where)

    def _render_all(self) -> None:
        op = self.state.operator
        self.status_line.show_user(f"{op.name}（{self._role(op)}）" if op else self.tr("未登录"))
        sh = self.state.shift
        shift_ = self.tr("班次")
        self.status_line.show_shift(f"{shift_} {sh['shift_id']}" if sh else self.tr("未开班"))
        self.shift.show_shift(sh)
        card = self.state.card
        self.banner.setText(
            (f"{card.name}  {card.masked_id}  " if card else "") + (self.config.institution_name or ""))
        self.rx.show_card(card)
        self.identify.held.setText(self.tr("挂单 {0} 笔（F9 取回）").replace("{0}", str(len(self.state.held)))
                                   if self.state.held else "")

    def _role(self, op: Operator) -> str:
        return {"clerk": self.tr("营业员"), "pharmacist": self.tr("药师"), "supervisor": self.tr("主管"),
                "admin": self.tr("管理员")}[op.role]

    # ================================================================== navigation
    def page(self) -> str:
        w = self.pages.currentWidget()
        return next(k for k, v in self._screens.items() if v is w)

    def go(self, page: str) -> None:
        self.pages.setCurrentWidget(self._screens[page])
        self._screens[page].setFocus()

    def show_keys(self) -> None:
        QtWidgets.QToolTip.showText(self.mapToGlobal(QtCore.QPoint(40, 40)), self.tr(
            "F2 新顾客  F3 退货  F4 班次  F5 刷新状态  F6 拆零  F7 参保人信息  F8 无码库\n"
            "F9 挂单/取单  F10 设置  F12 结算  Esc 返回  Del 删除码  Ctrl+F 查药品\n"
            "Ctrl+P 重打  Ctrl+R 重试打印  Ctrl+L 退出登录"), self)

    def back(self) -> None:
        page = self.page()
        if page == "pay":
            self.go("sale")
        elif page == "sale":
            self.go("rx")
        elif page in ("rx", "returns", "shift", "settings", "done"):
            self.go("identify")

    def f12(self) -> None:
        if self.page() == "sale":
            self.go_pay()
        elif self.page() == "returns":
            self.returns._go()
        elif self.page() == "pay":
            self.pay._confirm()

    # ================================================================== session
    def start(self) -> None:
        """Show the window and ask for a login; refresh the link status on a timer."""
        self.show()
        self.start_services()
        self.status_timer.start(self._status_interval)
        self.ask_login()

    # ---- embedding API (see the module docstring) ----
    def start_services(self) -> None:
        """The desk's start without a window or a login: the identify screen, the catalogue sync and waiting
        follow-ups (remote lane), the link status, then the drug search's index (search lane)."""
        self.go("identify")

        def started(_):
            self.refresh_status()
            if self.lookup is not None:
                self.runner.run(self.lookup.refresh, lane="search", failed=self.ignore_failure)

        self.runner.run(self.desk.start, lane="remote", done=started, failed=self.ignore_failure)
        self.refresh_status()

    def sign_in_as(self, op: Operator) -> None:
        """An operator the host shell already authenticated: the desk's own login step (shift lookup, then the
        identify or shift screen; the operator goes on the link)."""
        self._logged_in(op)

    def shortcuts(self) -> list[QtGui.QShortcut]:
        """The desk's keyboard shortcuts (function keys, Esc, Del, Ctrl+…); a host enables them only while the
        desk is on screen. A rebuild (language, font size) makes new ones: ask again after it."""
        return list(self._shortcut_objs)

    def ignore_failure(self, failure: Failure) -> None:
        """A `failed=` callback for background calls whose failure needs no message (logged at INFO)."""
        log.info("background call failed: %s", failure.message.en)

    def stop(self) -> None:
        """Stop the status timer, wait for the workers, let the receipt printer's queue go (its jobs stay in
        its file). The window may be shown again only after start()."""
        self.status_timer.stop()
        if self.drug_search is not None:
            self.drug_search.reject()
        self.runner.wait(10000)
        self.printing.stop()

    def ask_login(self) -> None:
        def check(user, password, pin):
            return self.auth.login(user, password=password, pin=pin)

        self.dialog = LoginDialog(check, self.runner, parent=self)
        self.route.paused = True
        self.dialog.accepted.connect(lambda: self._logged_in(self.dialog.operator))
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self, *_):
        self.route.paused = False
        self.dialog = None
        self.activateWindow()

    def _logged_in(self, op: Operator) -> None:
        self.state.operator = op
        self.desk.set_operator(op)
        self.runner.run(self.shifts.current, lane="local", done=self._shift_loaded)

    def _shift_loaded(self, shift: dict | None) -> None:
        self.state.shift = shift
        self._render_all()
        self.go("identify" if shift else "shift")

    def logout(self) -> None:
        if self.state.operator:
            self.auth.log("logout", self.state.operator.user_id)
        self.state.operator = None
        self._render_all()
        self.ask_login()

    def refresh_status(self) -> None:
        self.runner.run(self.desk.status, lane="local", done=self._status, failed=self._ignore)

    def _status(self, status: LinkStatus) -> None:
        self.state.link = status
        self.status_line.show_status(status)
        if not status.configured or self.runner.busy > 2:
            return
        if status.online is False:  # probe the centre; the next tick shows the result
            self.runner.run(self.desk.check_link, lane="remote", done=self.status_line.show_status,
                            failed=self._ignore)
        elif status.waiting:  # send what waits (7206, 3505, 3506, reversals), oldest first
            self.runner.run(self.desk.drain, lane="remote", done=lambda _n: None, failed=self._ignore)

    _ignore = ignore_failure  # the name the status refresh uses

    def _need(self, permission: str, then, *, ref: str = "", detail: dict | None = None) -> None:
        """Run `then(approver_id | None)` when the operator may; else ask a supervisor (logged override)."""
        op = self.state.operator
        if op is None:
            self.ask_login()
            return
        if self.auth.allowed(op, permission):
            then(None)
            return

        def check(user, password, pin):
            return self.auth.approve(user, password or pin, permission=permission, operator=op, ref=ref, detail=detail)

        prompt = self.tr("需要主管授权：请主管输入用户名和 PIN/密码")
        self.dialog = LoginDialog(check, self.runner, title=self.tr("主管授权"), prompt=prompt, parent=self)
        self.route.paused = True
        dlg = self.dialog
        dlg.accepted.connect(lambda: then(dlg.operator.user_id))
        dlg.finished.connect(self._dialog_closed)
        dlg.open()

    # ================================================================== scans
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
        result = classify(text_)
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
        self.state.card, self.state.sale, self.state.view, self.state.rxs = None, None, None, []
        self.identify.show_message("", "")
        self._render_all()
        self.go("identify")

    def identify_person(self, text_: str) -> None:
        self.identify.show_message("warn", self.tr("正在识别…"))
        self.go("identify")
        self.runner.run(self.desk.identify, text_, done=self._identified, failed=self._identify_failed)

    def _identify_failed(self, f: Failure) -> None:
        self.identify.show_message("bad", text(f.message))
        self.go("identify")

    def _identified(self, card: PatientCard) -> None:
        self.state.card, self.state.sale, self.state.view = card, None, None
        self._render_all()
        self.rx.show_rxs([])
        self.rx.show_message("warn", self.tr("正在查询电子处方…"))
        self.go("rx")
        if card.online:
            self.runner.run(self.desk.prescriptions, card, done=self._rxs, failed=self._rx_failed)
        else:
            self.rx.show_message("warn", text(message("desk.audit.offline")))

    def _rxs(self, rxs) -> None:
        self.state.rxs = rxs
        self.rx.show_rxs(rxs)
        self.rx.show_message("" if rxs else "warn", "" if rxs else text(message("desk.rx.none")))
        (self.rx.list if rxs else self.rx.pickup).setFocus()

    def _rx_failed(self, f: Failure) -> None:
        self.rx.show_message("bad", text(f.message))

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
        self.state.sale = apply_check(sale, check)
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

    # ---- drug search (Ctrl+F) ----
    def find_drug(self) -> None:
        """Open the drug search over the sale screen: type, arrows, Enter adds the drug as a new line, Esc."""
        if self.page() != "sale" or self.state.sale is None or self.drug_search is not None:
            return
        if self.lookup is None:
            self.sale_screen.show_message("warn", self.tr("本机没有药品目录，不能查询药品"))
            return
        dlg = DrugSearchDialog(default_days(self.state.sale), parent=self)
        dlg.query_changed.connect(self._search_drugs)
        dlg.chosen.connect(self._drug_chosen)
        dlg.finished.connect(self._search_closed)
        self.drug_search = dlg
        self._search_text = None
        if not self.lookup.loaded:
            dlg.show_status("warn", self.tr("正在载入药品目录…"))
        # the index is built at start-up; this rebuilds it only when the catalogue changed since (a sync)
        self.runner.run(self.lookup.refresh, lane="search", done=lambda _: self._index_ready(dlg),
                        failed=lambda f: dlg.show_status("bad", text(f.message)))
        dlg.open()
        dlg.activateWindow()
        dlg.box.setFocus()

    def _index_ready(self, dlg: DrugSearchDialog) -> None:
        if dlg is self.drug_search and dlg.status_tone == "warn" and not dlg.box.text().strip():
            dlg.show_status("", "")

    def _search_drugs(self, text_: str) -> None:
        """Search on the `search` lane, one at a time: while one runs, only the newest text waits its turn."""
        self._search_text = text_
        self._search_started = time.perf_counter()
        if self._search_running:
            return
        self._search_running = True
        self.runner.run(self.lookup.search, text_, lane="search",
                        done=lambda choices: self._drugs_found(text_, choices), failed=self._search_failed)

    def _drugs_found(self, text_: str, choices: list[DrugChoice]) -> None:
        self._search_running = False
        dlg = self.drug_search
        if dlg is None or self._search_text is None:
            return
        if self._search_text != text_:  # typed on meanwhile: the newest text's turn
            self._search_drugs(self._search_text)
            return
        dlg.show_results(text_, choices)
        self.drugs_shown.emit((time.perf_counter() - self._search_started) * 1000)

    def _search_failed(self, f: Failure) -> None:
        self._search_running = False
        if self.drug_search is not None:
            self.drug_search.show_status("bad", text(f.message))

    def _search_closed(self, *_) -> None:
        self.drug_search = None
        self._search_text = None
        self.activateWindow()
        self.sale_screen.scan.setFocus()

    def _drug_chosen(self, choice: DrugChoice, days: int) -> None:
        sale = self.state.sale
        if sale is None or self.page() != "sale":
            return
        self.state.sale = add_line(sale, choice.drug, days=days)
        line = self.state.sale.lines[-1]
        self._added.setdefault(sale.sale_id, set()).add(line.no)
        self.state.view = None
        self.sale_screen.show_sale(self.state.sale)
        self.sale_screen.table.setCurrentCell(len(self.state.sale.lines) - 1, 0)
        name = f"{choice.drug.name} {choice.drug.spec}".strip()
        if choice.needs_codes:
            note = self.tr("已加入第 {0} 行：{1}，1{2}，{3} 天；请扫描药盒追溯码（Del 撤销该行）")
        else:
            note = self.tr("已加入第 {0} 行：{1}，1{2}，{3} 天（Del 撤销该行）")
        unit = choice.drug.pack_unit or self.tr("盒")
        self.sale_screen.show_message("warn" if choice.self_pay else "ok", note.replace("{0}", str(line.no))
                                      .replace("{1}", name).replace("{2}", unit).replace("{3}", str(line.days)))
        self._update_settle()
        self.run_audit()

    def _remove_added(self, no: int) -> None:
        """Del on a line added from the drug search that has no code yet: take it off the sale again."""
        sale = self.state.sale
        added = self._added.get(sale.sale_id, set())
        if no not in added:
            return
        added.discard(no)
        self.state.sale = remove_line(sale, no)
        self.state.view = None
        self.sale_screen.show_sale(self.state.sale)
        self.sale_screen.show_message("", self.tr("已撤销第 {0} 行").replace("{0}", str(no)))
        self._update_settle()
        self.run_audit()

    # ---- audit ----
    def run_audit(self) -> None:
        """Local audit at once; the centre's pre-settlement as soon as every box has its code."""
        sale, card = self.state.sale, self.state.card
        if sale is None or card is None:
            return
        self._audit_seq += 1
        seq = self._audit_seq
        self.sale_screen.verdict.show_pending(text(message("desk.audit.pending")))
        self.runner.run(self.desk.audit, sale, card, lane="local",
                        done=lambda v: self._audited(v, seq, sale), failed=self._audit_failed)
        if sale.complete and card.online:
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

    def _audit_failed(self, f: Failure) -> None:
        self.sale_screen.show_message("bad", text(f.message))

    def ack(self, rule: str, line, restricted: bool) -> None:
        permission = warn_permission(rule) if restricted else "warn.ack"

        def granted(approver):
            self.state.sale = self.state.sale.with_ack(rule, line)
            self.auth.log("ack", self.state.operator.user_id, approver=approver, ref=self.state.sale.rx_id,
                          detail={"rule": rule, "line": line})
            self.sale_screen.verdict.set_acked(rule, line, True)
            self._update_settle()

        self._need(permission, granted, ref=self.state.sale.rx_id if self.state.sale else "",
                   detail={"rule": rule, "line": line})

    def settle_blockers(self) -> list[str]:
        sale, view = self.state.sale, self.state.view
        why = []
        if sale is None:
            return [text(message("desk.scan.no_sale"))]
        missing = [l for l in sale.lines if not l.complete]
        if missing:
            why.append(text(message("desk.audit.incomplete", n=len(missing))))
        if view is None:
            if not missing:
                why.append(text(message("desk.audit.pending")))
        elif view.verdict == "BLOCK":
            why.append(text(message("desk.audit.blocked")))
        else:
            pending = [h for h in view.warns() if (h.rule, h.line) not in sale.acks]
            if pending:
                why.append(text(message("desk.audit.ack_needed", n=len(pending))))
            if view.source != "centre" and not missing:
                why.append(text(message("desk.audit.offline")) if not (self.state.card and self.state.card.online)
                           else text(message("desk.audit.pending")))
        if self.state.shift is None:
            why.append(text(message("desk.shift.none")))
        return why

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
        self.runner.run(self.desk.settle, sale, card, Payment(account, tendered), shift_id,
                        done=self._settled, failed=self._settle_failed)

    def _settle_failed(self, f: Failure) -> None:
        self.pay.ok.setEnabled(True)
        sc.set_tone(self.pay.message, "bad", text(f.message))
        self.refresh_status()

    def _settled(self, record: SaleRecord) -> None:
        self.pay.ok.setEnabled(True)
        self.state.record = record
        self.state.sale, self.state.view = None, None
        path = self._print(record, copy_no=0)
        self.desk.mark_printed(record.msgid, reprint=False)
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

    def _receipt(self, record: SaleRecord, copy_no: int):
        op = self.state.operator
        return build_receipt(record, pharmacy=self.config.institution_name, institution=self.config.institution,
                             terminal=self.config.terminal, operator=op.name if op else "-", copy_no=copy_no)

    def _print(self, record: SaleRecord, copy_no: int, *, where: str = "done", fresh: bool = True) -> Path:
        """The receipt as a PDF (returned: the record of what was handed over) and, when the terminal has a
        receipt printer, on paper through the print queue: this returns at once, whatever the printer does.
        `where` is the screen that reports the job ("done" or "returns"); `fresh` starts its report anew."""
        content = self._receipt(record, copy_no)
        out = self.printing.print(content, open_drawer=copy_no == 0 and (record.cash_pay != 0 or record.change != 0))
        self.state.receipt_path = str(out.path)
        if fresh:
            self._print_jobs[where] = []
        if out.job is not None:
            self._jobs[out.job.id] = out.job
            self._print_jobs[where].append(out.job.id)
        self._show_print(where)
        return out.path

    def _print_job_changed(self, job) -> None:
        self._jobs[job.id] = job
        for where, ids in self._print_jobs.items():
            if job.id in ids:
                self._show_print(where)

    def _show_print(self, where: str) -> None:
        """What became of the receipt on paper, on the screen that printed it."""
        screen = self.done if where == "done" else self.returns
        jobs = [self._jobs[i] for i in self._print_jobs.get(where, []) if i in self._jobs]
        if not jobs:
            if not self.state.receipt_path:
                screen.show_printer("", "")
            elif self.printing.problem:
                screen.show_printer("warn", self.tr("小票打印机设置有误，小票只保存为 PDF：{0}")
                                    .replace("{0}", self.printing.problem))
            elif where == "done" and not self.printing.configured:
                screen.show_printer("", self.tr("未配置小票打印机：小票已保存为 PDF"))
            else:
                screen.show_printer("", "")
            return
        failed = [j for j in jobs if j.state == "failed"]
        if failed:
            job = failed[0]
            again = self.tr("（可能已打出一部分，重打的小票标为副本）") if job.maybe_printed else ""
            screen.show_printer("bad", self.tr("小票打印失败：{0}{1}。结算不受影响，小票已保存为 PDF；打印任务留在队列中，"
                                               "排除故障（缺纸、断线）后按 Ctrl+R 重新打印。")
                                .replace("{0}", job.error).replace("{1}", again))
        elif any(j.state in ("queued", "printing") for j in jobs):
            screen.show_printer("", self.tr("正在打印小票…"))
        else:
            screen.show_printer("ok", self.tr("小票已打印"))

    def retry_print(self) -> None:
        """Ctrl+R: the failed print jobs of the screen shown go back in the queue (after paper or cable is fixed)."""
        where = self.page()
        if where not in self._print_jobs:
            return
        retried = 0
        for job_id in self._print_jobs[where]:
            job = self._jobs.get(job_id)
            if job is not None and job.state == "failed":
                self._jobs[job_id] = self.printing.retry(job_id)
                retried += 1
        if retried:
            self._show_print(where)

    def reprint(self) -> None:
        record = self.state.record
        if record is None or self.page() not in ("done", "returns"):
            return
        where = self.page()

        def allowed(approver):
            copy_no = self.desk.mark_printed(record.msgid, reprint=True, approver=approver) - 1
            path = self._print(record, copy_no=copy_no, where=where)
            self.done.show_receipt("warn", self.tr("已重打（副本）"), self._receipt(record, copy_no).text_lines(36),
                                   str(path))
            self.done.setFocus()

        self._need("receipt.reprint", allowed, ref=record.receipt_no)

    # ---- hold / recall (挂单) ----
    def hold_or_recall(self) -> None:
        if self.page() == "sale" and self.state.sale is not None:
            self.state.held.append((self.state.card, self.state.sale))
            self.state.card, self.state.sale, self.state.view = None, None, None
            self._render_all()
            self.identify.show_message("ok", self.tr("已挂单"))
            self.go("identify")
        elif self.page() == "identify" and self.state.held:
            self.state.card, sale = self.state.held.pop()
            self._render_all()
            self._sale_opened(sale)

    # ---- returns ----
    def find_sale(self, ref: str) -> None:
        self.returns.show_message("warn", self.tr("正在查找…"))
        self.runner.run(self.desk.find_sale, ref, lane="local", done=self._found_sale,
                        failed=lambda f: (self.returns.show_record(None), self.returns.show_message("bad", text(f.message))))

    def _found_sale(self, record: SaleRecord) -> None:
        self.state.record = record
        self.returns.show_record(record)
        if record.status == "provisional":
            self.returns.show_message("warn", text(message("desk.ret.provisional", receipt=record.receipt_no)))
        elif record.status != "settled":
            self.returns.show_message("warn", text(message("desk.ret.already", receipt=record.receipt_no)))
        else:
            self.returns.show_message("", "")

    def do_return(self, lines: list[int]) -> None:
        record = self.returns.record
        if record is None:
            return

        def allowed(_approver):
            self.returns.go.setEnabled(False)
            self.returns.show_message("warn", self.tr("正在退货…"))
            shift_id = self.state.shift["shift_id"] if self.state.shift else None
            self.runner.run(self.desk.return_sale, record, lines, shift_id, done=self._returned,
                            failed=lambda f: (self.returns.go.setEnabled(True),
                                              self.returns.show_message("bad", text(f.message))))

        self._need("sale.return", allowed, ref=record.receipt_no)

    def _returned(self, result) -> None:
        returned, kept = result
        self._print(returned, 0, where="returns")
        msg = message("desk.ret.done") if kept is None else message("desk.ret.partial_resettled",
                                                                      n=len(kept.lines), receipt=kept.receipt_no)
        if kept is not None:
            self._print(kept, 0, where="returns", fresh=False)
        self.returns.show_record(returned)
        self.returns.show_message("ok", text(msg))
        self.refresh_status()

    # ---- shift ----
    def go_shift(self) -> None:
        self.runner.run(self.shifts.current, lane="local", done=self._shift_page)

    def _shift_page(self, shift) -> None:
        self.state.shift = shift
        self._render_all()
        self.go("shift")
        self.shift.show_shift(shift)

    def open_shift(self, amount: Decimal) -> None:
        def allowed(_approver):
            self.runner.run(self.shifts.open, self.state.operator, amount, lane="local",
                            done=lambda _sid: self.runner.run(self.shifts.current, lane="local", done=self._opened),
                            failed=lambda f: self.shift.show_message("bad", text(f.message)))

        self._need("shift.open", allowed)

    def _opened(self, shift) -> None:
        self.state.shift = shift
        self._render_all()
        self.shift.show_message("ok", self.tr("已开班"))
        self.go("identify")

    def x_report(self) -> None:
        if not self.state.shift:
            return
        self.runner.run(self.shifts.report, self.state.shift["shift_id"], lane="local",
                        done=lambda r: self.shift.show_report(r, z_text_lines(r)),
                        failed=lambda f: self.shift.show_message("bad", text(f.message)))

    def close_shift(self, counted: Decimal) -> None:
        if not self.state.shift:
            return
        sid = self.state.shift["shift_id"]

        def close(approver, allow_pending=False):
            self.shift.show_message("warn", self.tr("正在对账并关班…"))
            self.runner.run(self.shifts.close, sid, counted, self.state.operator, allow_pending=allow_pending,
                            approver=approver, done=self._closed, failed=closing_failed)

        def closing_failed(f: Failure):
            if f.message.key == "desk.shift.pending":
                self.shift.show_message("warn", text(f.message))
                self._need("shift.close.pending", lambda approver: close(approver, True), ref=sid)
            else:
                self.shift.show_message("bad", text(f.message))

        self._need("shift.close", lambda approver: close(approver))

    def _closed(self, z: ShiftReport) -> None:
        self.state.shift = None
        lines = z_text_lines(z)
        self.shift.show_report(z, lines)
        tone = "ok" if z.reconciled else "warn"
        self.shift.show_message(tone, text(z.reconciliation))
        self._print_z(z, lines)
        self._render_all()
        self.shift.show_shift(None)
        self.state.last_z = z  # type: ignore[attr-defined]

    def _print_z(self, z: ShiftReport, lines: list[str]) -> Path:
        from desktop.common.receipt_pdf import write_lines_pdf

        path = self.config.receipts_folder() / f"Z{z.z_no:04d}-{z.shift_id}.pdf"
        write_lines_pdf(lines, path, title=f"Z {z.z_no}")
        self.state.z_path = str(path)  # type: ignore[attr-defined]
        return path

    # ---- settings ----
    def go_settings(self) -> None:
        self._need("settings", lambda _a: (self.settings.show_values(theme.base_size(), i18n.lang()), self.go("settings")))

    def apply_settings(self, size: int, lang: str) -> None:
        self.config = replace(self.config, font_size=size, language=lang)
        if self.save_settings is not None:  # set by the composition root: into the site settings
            try:
                self.save_settings({"ui.font_size": size, "ui.language": lang})
            except (OSError, ValueError) as exc:
                log.warning("settings not saved: %s", exc)
        i18n.set_language(lang)
        theme.set_base_size(size)
        QtWidgets.QApplication.instance().setFont(theme.font(0))
        self.rebuild()
        self.go("identify")

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        self.stop()
        super().closeEvent(event)


__all__ = ["DeskState", "PharmacyWindow"]
