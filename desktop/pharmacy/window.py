"""PharmacyWindow: the dispensing desk, from first scan to printed receipt, with the keyboard and a scanner.

It holds the state of the desk (who is logged in, the shift, the patient card, the sale, the last verdict,
held sales) and moves between the screens of desktop.pharmacy.screens. Every service call goes through the
Runner (never on the UI thread): `local` lane for the per-scan check and the local audit (SQLite, memory),
`remote` lane for the centre. Every scan, typed or scanned, arrives through the one ScanRoute.

The window is split by flow, one mixin per module: sale_flow (scans, identify, prescriptions, the sale, audit,
payment, 挂单), search_flow (Ctrl+F), print_flow (receipts, reprint), returns_flow, shift_flow; this module keeps
the building, navigation, login, link status, permissions and settings.

Keys are per screen (`keymap`: one action per key on a screen; F1 and the status line list the screen's keys):
F1 keys · F2 new patient · F3 returns · F4 shift · F5 refresh · F10 settings · Ctrl+L log out everywhere;
sale: F6 拆零 · F8 无码库 · F9 hold (挂单) · F12 pay · Del code · Ctrl+F drug search; sale, pay and done:
Ctrl+T the 审方→调配→核对→发药 trail (desktop.pharmacy.trail_flow); pay: F6 共济 account ·
F8 personal account · F12 confirm; step 1: F9 recall; prescriptions: F6 paper prescription · F8 ordinary purchase
(41, no prescription; a box scanned there does the same) (paper: F12 open the sale ·
Ctrl+F drug · F9 photograph the slip · Ctrl+O its picture from a file · Ctrl+Del line); returns: F12 twice (ask, then return) · Ctrl+A; shift:
F6 X report; done and returns: Ctrl+P reprint · Ctrl+R print again after a printer failure; Esc back (Esc
after the receipt: next customer). Quick keys (desktop.pharmacy.quick_flow): sale and pay: a number then * (quantity),
an amount then Ctrl+D (a supervisor's discount, goods only); rx and sale: Ctrl+F8 repeats the patient's last sale;
identify, done and shift: F11 opens the cash drawer (a supervisor). A shell adds its own with `add_key` (Ctrl+K 进销存).

Customer display (desktop.pharmacy.customer_display, display_flow): each change of screen, of the audit's figures
and of the pay step's amounts publishes what the customer sees on the event bus (core.events.DISPLAY_CHANGED).

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
import warnings
from dataclasses import dataclass, field, replace

from core.events import EventBus
from core.services.auth import PERMISSIONS, Auth, Operator
from core.services.desk.held import held_list
from core.services.drug_lookup import DrugLookup
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_sale import Sale
from core.services.pharmacy_shift import ShiftService
from core.services.ports import AuditView, DeskPort, LinkStatus, PatientCard, SaleRecord
from desktop.common import i18n, screen_log, theme
from desktop.common.events import QtEvents
from desktop.common.login import LoginDialog
from desktop.common.receipt_printing import ReceiptPrinting
from desktop.common.scan_route import ScanRoute
from desktop.common.status import StatusLine
from desktop.common.worker import Failure, Runner
from desktop.pharmacy import screens as sc
from desktop.pharmacy.display_flow import DisplayFlow
from desktop.pharmacy.drug_search import DrugSearchDialog
from desktop.pharmacy.paper_flow import PaperFlow
from desktop.pharmacy.print_flow import PrintFlow
from desktop.pharmacy.quick_flow import QuickFlow
from desktop.pharmacy.returns_flow import ReturnsFlow
from desktop.pharmacy.sale_flow import SaleFlow
from desktop.pharmacy.search_flow import SearchFlow
from desktop.pharmacy.shift_flow import ShiftFlow
from desktop.pharmacy.trail_flow import TrailFlow
from desktop.qt import Qt, QtCore, QtGui, QTimer, QtWidgets, Signal

log = logging.getLogger("onewindow.gui.pharmacy")

PAGES = ("identify", "rx", "sale", "pay", "done", "returns", "shift", "settings", "paper")
PATIENT_PAGES = ("rx", "paper", "sale", "pay", "done")  # the screens that show the patient in the header


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
    held: list = field(default_factory=list)  # [core.services.desk.rules.Held]
    link: LinkStatus | None = None


class PharmacyWindow(SaleFlow, QuickFlow, DisplayFlow, SearchFlow, PaperFlow, TrailFlow, PrintFlow, ReturnsFlow, ShiftFlow,
                     QtWidgets.QMainWindow):
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
        self._drawer_jobs: set[str] = set()  # cash drawer kicks on their way (desktop.pharmacy.print_flow)
        # the customer display's views go out on the store's event bus (a bus of its own without a store)
        self.display_bus = getattr(desk, "events", None) or EventBus()
        self._customer_last = None
        # drug search (Ctrl+F on the sale screen)
        self.lookup = lookup if lookup is not None else DrugLookup.for_desk(desk)
        self.drug_search: DrugSearchDialog | None = None
        self._search_text: str | None = None
        self._search_running = False
        self._search_started = 0.0
        self._added: dict[str, set[int]] = {}  # sale id -> line numbers added from the drug search
        self._audit_seq = 0
        self._held_no = 0  # held sales (挂单): numbered on from those kept in the store
        self.unreadable_held: list = []  # stored held sales this program cannot read (a supervisor releases them)
        self._recalled: str | None = None  # the sale id of a recalled held sale on the desk (its row is kept)
        self.keys_shown = ""  # what F1 showed last
        self._extra_keys: dict[str, tuple] = {}  # keys the composition root adds (add_key)
        self._presettle_seq = 0
        self._scan_started: dict[int, float] = {}
        theme.set_base_size(config.font_size)
        self.resize(1366, 820)
        self._build()
        self._shortcuts()
        # The status line follows the store's change notifications (a sale, the outbox, the centre's
        # reachability: core.events); changes close together make one refresh. The timer only probes the centre
        # while it is believed offline (nothing else would notice it coming back).
        self.events = QtEvents(getattr(desk, "events", None), parent=self)
        self._status_soon = QTimer(self, singleShot=True, interval=150)
        self._status_soon.timeout.connect(self.refresh_status)
        self.events.changed.connect(lambda _topic, _data: self._status_soon.start())
        self.status_timer = QTimer(self)
        self.status_timer.setObjectName("statusTimer")
        self.status_timer.timeout.connect(self.refresh_status)
        self._status_interval = status_interval_ms
        self.status_timer.setInterval(status_interval_ms)

    def tr(self, source: str, disambiguation: str | None = None, n: int = -1) -> str:  # noqa: D401
        """A label in the current language, looked up under each class of the window: the flows (mixins, one
        module each) carry their labels under their own class names in onewindow_en.ts, as lupdate names them,
        while PySide's own tr() would only ask under PharmacyWindow."""
        for cls in type(self).__mro__:
            if cls.__module__.startswith("desktop.pharmacy"):
                out = QtCore.QCoreApplication.translate(cls.__name__, source, disambiguation, n)
                if out != source:
                    return out
        return source

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
        self.paper = sc.PaperScreen()
        self._screens = dict(zip(PAGES, (self.identify, self.rx, self.sale_screen, self.pay, self.done,
                                         self.returns, self.shift, self.settings, self.paper)))
        for w in self._screens.values():
            self.pages.addWidget(w)
        self.banner = QtWidgets.QLabel(objectName="banner")
        self.banner.setFont(theme.font(1, bold=True))
        self.banner.setStyleSheet("background: #0d47a1; color: white; padding: 6px;")
        self.status_line = StatusLine()
        # the keys' hint may be cut short, never widen the window past the screen (F1 lists them all)
        self.status_line.keys_label.setMinimumWidth(1)
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
        self.pay.tender_panel.goods_scanned.connect(self.scan_goods)
        self.pay.tender_panel.quick_add.connect(self.quick_add_goods)
        self.done.next_button.clicked.connect(self.new_patient)
        self.done.reprint_button.clicked.connect(self.reprint)
        self.returns.return_requested.connect(self.do_return)
        self.shift.open_requested.connect(self.open_shift)
        self.shift.x_requested.connect(self.x_report)
        self.shift.close_requested.connect(self.close_shift)
        self.settings.applied.connect(self.apply_settings)
        self._wire_quick_keys()
        self._wire_display()
        self._render_all()

    def keymap(self) -> dict[str, dict[str, tuple]]:
        """Each screen's keys, {page: {key: (action, label)}}: one action per key on a screen, and F1 and the
        status line list exactly these (a key that does nothing on a screen is not listed there)."""
        # self.tr(...) written out: lupdate files a label under the class it reads it in; through an alias the
        # labels landed in no class and the English UI showed them in Chinese (status line, F1)
        common = {"F1": (self.show_keys, self.tr("快捷键")), "F2": (self.new_patient, self.tr("新顾客")),
                  "F3": (lambda: self.go("returns"), self.tr("退货")), "F4": (self.go_shift, self.tr("班次")),
                  "F5": (self.refresh_status, self.tr("刷新状态")), "F10": (self.go_settings, self.tr("设置")),
                  "Ctrl+L": (self.logout, self.tr("退出登录"))}
        back = {"Esc": (self.back, self.tr("返回"))}
        card = {"F7": (self.show_card, self.tr("参保人信息"))} if self.state.card is not None else {}
        trail = {"Ctrl+T": (self.open_trail, self.tr("审方/核对"))}
        prints = {"Ctrl+P": (self.reprint, self.tr("重打小票")), "Ctrl+R": (self.retry_print, self.tr("重试打印"))}
        recall = {"F9": (self.hold_or_recall, self.tr("取回挂单"))} if self.state.held else {}
        drawer = {"F11": (self.open_drawer_key, self.tr("开钱箱（主管）"))}
        qty = {"*": (self.quick_qty, self.tr("数量（先输数字）")),
               "Ctrl+D": (self.quick_discount, self.tr("折扣（先输金额，主管）"))}
        pages = {
            "identify": common | card | recall | drawer,
            "rx": common | card | back | {"F6": (self.go_paper, self.tr("纸质处方")),
                                          "F8": (self.open_ordinary, self.tr("普通购药")),
                                          "Ctrl+F8": (self.repeat_last, self.tr("重复上次购药"))},
            "paper": common | card | back | {"F12": (self.paper_submit, self.tr("开单")),
                                             "Ctrl+F": (self.paper_find_drug, self.tr("查药品")),
                                             "F9": (self.paper_take_photo, self.tr("拍照")),
                                             "Ctrl+O": (self.paper_pick_photo, self.tr("处方图片")),
                                             "Ctrl+Del": (self.paper_delete_line, self.tr("删除药品行"))},
            "sale": common | card | back | trail | qty | {"Ctrl+F8": (self.repeat_last, self.tr("重复上次购药")),
                "F6": (self.sale_screen.ask_split, self.tr("拆零")), "F8": (self.ask_uncoded, self.tr("无码库")),
                "F9": (self.hold_or_recall, self.tr("挂单")), "F12": (self.go_pay, self.tr("结算")),
                "Del": (self.delete_code, self.tr("删除码")), "Ctrl+F": (self.find_drug, self.tr("查药品"))},
            "pay": common | back | trail | qty | {"F12": (self.pay._confirm, self.tr("确认收款")),
                                            "F8": (self.use_account, self.tr("个人账户全额")),
                    "F6": (self.ask_family, self.tr("共济账户")), "F7": (self.pay.tender_panel.next_kind, self.tr("其他付款"))},
            "done": common | card | back | prints | trail | drawer,
            "returns": common | back | prints | {"F12": (self.returns._go, self.tr("退货（再按 F12 确认）")),
                                                 "Ctrl+A": (self.returns.check_all, self.tr("全选"))},
            "shift": common | back | drawer | {"F6": (self.x_report, self.tr("X 报表"))},
            "settings": common | back,
        }
        for seq, (action, label, where) in self._extra_keys.items():
            for page, keys in pages.items():
                if where is None or page in where:
                    keys[seq] = (action, label)
        return pages

    def add_key(self, seq: str, action, label: str, pages: tuple[str, ...] | None = None) -> None:
        """A key the composition root adds (Ctrl+K 进销存): it works and F1 lists it on `pages` (every screen
        when None). A key a screen already uses is refused: one action per key on a screen."""
        taken = [p for p, keys in self.keymap().items() if seq in keys and (pages is None or p in pages)]
        if taken:
            raise ValueError(f"{seq} is already used on {', '.join(taken)}")
        self._extra_keys[seq] = (action, label, pages)
        s = QtGui.QShortcut(QtGui.QKeySequence(seq), self, lambda: self.press_key(seq),
                            context=Qt.ShortcutContext.WindowShortcut)
        self._shortcut_objs.append(s)

    def _shortcuts(self) -> None:
        """One QShortcut per key of any screen; each press does what the current screen's keymap says."""
        keys = sorted({k for page in self.keymap().values() for k in page} | {"F7", "F9"})
        self._shortcut_objs = []
        for seq in keys:
            s = QtGui.QShortcut(QtGui.QKeySequence(seq), self, lambda seq=seq: self.press_key(seq),
                                context=Qt.ShortcutContext.WindowShortcut)
            self._shortcut_objs.append(s)

    def press_key(self, seq: str) -> None:
        action = self.keymap().get(self.page(), {}).get(seq)
        if action is not None:
            action[0]()

    EVERYWHERE = ("F2", "F3", "F4", "F5", "F10", "Ctrl+L")  # F1 lists these; the status line has no room

    def keys_text(self, sep: str = "  ", *, brief: bool = False) -> str:
        """The current screen's keys as F1 lists them; `brief` (the status line): F1 and this screen's own
        single keys — Ctrl combinations are listed by F1 only, so the line fits 1366 px as screens gain keys."""
        order = ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "Esc", "Del", "*"]
        keys = self.keymap().get(self.page(), {})
        ranked = sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), k))
        if brief:
            # "*" too: it follows a typed number (F1 lists it), and the line must fit at 1366 px (the counter's too)
            ranked = [k for k in ranked if k not in self.EVERYWHERE and not k.startswith("Ctrl+") and k != "*"]
        return sep.join(f"{k} {keys[k][1]}" for k in ranked)

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
        self.rx.show_card(self.state.card)
        self.rx.show_rxs(self.state.rxs)
        self._show_banner()
        # how many are held, and which had been recalled when the program stopped (core.services.desk.held)
        held = "\n".join(i18n.text(m) for m in held_list(self.state.held))
        if held != self.identify.held.text():
            self.identify.held.setText(held)
            screen_log.message("heldLabel", "", held)

    def _show_banner(self) -> None:
        """The patient in the header only on the screens that serve them (not on step 1, returns, shift)."""
        card = self.state.card
        serving = card is not None and self.page() in PATIENT_PAGES
        self.banner.setText((f"{card.name}  {card.masked_id}  " if serving else "") + (self.config.institution_name or ""))

    def _role(self, op: Operator) -> str:
        return {"clerk": self.tr("营业员"), "pharmacist": self.tr("药师"), "supervisor": self.tr("主管"),
                "admin": self.tr("管理员")}[op.role]

    # ================================================================== navigation
    def page(self) -> str:
        w = self.pages.currentWidget()
        return next(k for k, v in self._screens.items() if v is w)

    def go(self, page: str) -> None:
        self.pages.setCurrentWidget(self._screens[page])
        self._show_banner()
        self.status_line.show_keys(self.keys_text(" · ", brief=True))
        self._screens[page].setFocus()
        screen_log.shown("screen", page)
        if page != "pay":  # a quantity typed before "*" on the pay step belongs to its next good, not a later sale
            self._pending_qty = None
        self._show_customer()

    def show_keys(self) -> None:
        """F1: this screen's keys."""
        self.keys_shown = self.keys_text("\n")
        QtWidgets.QToolTip.showText(self.mapToGlobal(QtCore.QPoint(40, 40)), self.keys_shown, self)

    def back(self) -> None:
        page = self.page()
        if page == "returns" and self.returns.disarm():  # Esc cancels a return waiting for its confirmation
            return
        if page == "pay":
            self.go("sale")
        elif page == "paper":
            self.go("rx")
        elif page == "sale":
            self.go("rx")
        elif page == "done":  # the sale is over: Esc is the next customer, nothing of this one stays
            self.new_patient()
        elif page in ("rx", "returns", "shift", "settings"):
            self.go("identify")

    def f12(self) -> None:
        self.press_key("F12")

    # ================================================================== session
    def start(self) -> None:
        """Show the window and ask for a login; the link status follows the store's change notifications."""
        self.show()
        self.start_services()
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
        self._status_soon.stop()
        self.events.close()
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
        if not self.isActiveWindow():
            # X without a window manager: when the focus was moved to this window while the login dialog still
            # blocked it, closing the dialog re-announces nothing (X sends no FocusIn to the window that already
            # has the focus), Qt keeps "no active window" and every function key (a window shortcut) stays dead
            # while typed text still arrives. Keys reach us only if the focus is ours, so claim it.
            with warnings.catch_warnings():  # deprecated in Qt 6.5 for activateWindow(), which is what X ignored
                warnings.simplefilter("ignore", DeprecationWarning)
                QtWidgets.QApplication.setActiveWindow(self)

    def _logged_in(self, op: Operator) -> None:
        self.state.operator = op
        self.desk.set_operator(op)
        self.runner.run(self.shifts.current, lane="local", done=self._shift_loaded)
        self.restore_held()

    def _shift_loaded(self, shift: dict | None) -> None:
        self.state.shift = shift
        self._render_all()
        self.go("identify" if shift else "shift")

    def logout(self) -> None:
        if self.state.operator:
            self.runner.run(self.auth.log, "logout", self.state.operator.user_id, lane="local",
                            failed=self._ignore)  # the UI thread never writes the store
        self.state.operator = None
        self._render_all()
        self.ask_login()

    def refresh_status(self) -> None:
        self.runner.run(self.desk.status, lane="local", done=self._status, failed=self._ignore)

    def _status(self, status: LinkStatus) -> None:
        self.state.link = status
        self.status_line.show_status(status)
        if status.online is False and status.configured:
            if not self.status_timer.isActive():
                self.status_timer.start()
        else:
            self.status_timer.stop()
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

        # ask for the role the permission needs: a dialog that asks for a supervisor accepts one
        if PERMISSIONS.get(permission) == "admin":
            title, prompt = self.tr("管理员授权"), self.tr("需要管理员授权：请管理员输入用户名和 PIN/密码")
        else:
            title, prompt = self.tr("主管授权"), self.tr("需要主管授权：请主管输入用户名和 PIN/密码")
        self.dialog = LoginDialog(check, self.runner, title=title, prompt=prompt, parent=self)
        self.route.paused = True
        dlg = self.dialog
        dlg.accepted.connect(lambda: then(dlg.operator.user_id))
        dlg.finished.connect(self._dialog_closed)
        dlg.open()

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
