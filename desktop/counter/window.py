"""CounterWindow: the one-window service counter (综合窗口).

One clerk, one window: 办理 (identify, register, evidence, forms), 审核 (experts and the clerk's re-review),
提醒, 主动发现, 退出预警, 月报, and 结算 (the pharmacy desk's sale flow, embedded, for med_type 14 at the
counter). Every call to the centre goes through the Runner's remote lane; the screens only render and ask.
Scans arrive through the one ScanRoute: an identity scan anywhere identifies the person on 办理.

Keys: F2 办理 · F3 审核 · F4 提醒 · F5 主动发现 · F6 退出预警 · F7 月报 · F8 结算 · F9 随访 (家庭医生签约, 随访记录,
健康时间线: desktop/counter/care_actions.py) · F10 家庭共济 (desktop/counter/family_actions.py) · Ctrl+L 退出登录;
Alt+1…9 the
same pages from anywhere (on 结算 the function keys are the desk's own: F12 结算, F3 退货 …).
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from core.care.lifestyle import default_for
from core.codes import Kind, classify
from core.services.auth import Auth, Operator
from core.services.forms import RxLine
from core.services.ports import LinkStatus
from core.services.registration import CounterService, PersonView
from core.services.reminders import write_sms_csv, write_worklist_pdf
from core.services.reports_monthly import Footer, write_pdf, write_xlsx
from desktop.common import theme
from desktop.common.i18n import text
from desktop.common.login import LoginDialog
from desktop.common.scan_route import ScanRoute
from desktop.common.status import StatusLine
from desktop.common.worker import Failure, Runner
from desktop.counter.care_actions import CareActions
from desktop.counter.family_actions import FamilyActions
from desktop.counter.screens.apply import ApplyScreen
from desktop.counter.screens.care import CareScreen
from desktop.counter.screens.family import FamilyScreen
from desktop.counter.screens.lists import DiscoveryScreen, ExitsScreen, RemindersScreen
from desktop.counter.screens.reports import ReportsScreen
from desktop.counter.screens.review import ReviewScreen
from desktop.counter.screens.settle import SettlePage
from desktop.qt import Qt, QtGui, QtWidgets, Signal

log = logging.getLogger("onewindow.gui.counter")

IDENTITY_KINDS = (Kind.EVOUCHER, Kind.ID_CARD, Kind.SS_CARD)
PAGES = (("apply", "办理"), ("review", "审核"), ("reminders", "提醒"), ("discovery", "主动发现"), ("exits", "退出预警"),
         ("reports", "月报"), ("settle", "结算"), ("care", "随访"), ("family", "家庭共济"))


SCROLLED_PAGES = ("care",)


class CounterWindow(CareActions, FamilyActions, QtWidgets.QMainWindow):
    busy_changed = Signal(bool)
    done = Signal(str)  # what finished (for tests and the status line): "identified", "applied", …

    def __init__(self, svc: CounterService, auth: Auth | None, *, route: ScanRoute | None = None,
                 runner: Runner | None = None, title_name: str = "", settle_widget: QtWidgets.QWidget | None = None,
                 today=dt.date.today) -> None:
        super().__init__()
        self.setObjectName("counterWindow")
        self.svc, self.auth = svc, auth
        self.runner = runner or Runner(self)
        self.route = route or ScanRoute(self)
        self.route.scanned.connect(self.on_scan)
        self.today = today
        self.operator: Operator | None = None
        self.person: PersonView | None = None
        self.app: dict | None = None
        self.review_app: dict | None = None
        self.reminders: list[dict] = []
        self.files: dict[str, Path] = {}
        self.dialog: LoginDialog | None = None
        self.setWindowTitle(self.tr("一窗通 · 综合窗口") + (f" — {title_name}" if title_name else ""))
        self.setFont(theme.font(0))
        self.setStyleSheet(theme.stylesheet())
        self.resize(1366, 820)
        self.apply = ApplyScreen()
        self.review = ReviewScreen()
        self.reminders_screen = RemindersScreen()
        self.discovery = DiscoveryScreen()
        self.exits = ExitsScreen()
        self.reports = ReportsScreen()
        self.care = CareScreen(today())
        self.family = FamilyScreen()
        self.settle = settle_widget or self._no_settle()
        # the embedded pharmacy desk (None without a centre: the page only says what is missing)
        self.desk_page: SettlePage | None = settle_widget if isinstance(settle_widget, SettlePage) else None
        self.screens = dict(zip([p for p, _ in PAGES], (self.apply, self.review, self.reminders_screen, self.discovery,
                                                         self.exits, self.reports, self.settle, self.care,
                                                         self.family), strict=True))
        self.pages = QtWidgets.QStackedWidget(objectName="pages")
        self.nav = QtWidgets.QListWidget(objectName="nav")
        self.nav.setFont(theme.font(2, bold=True))
        # wide enough for the longest label in either form (F keys, or Alt keys on 结算) at the chosen font size, so
        # no label is cut and no scrollbar shows at 1366 px (a fixed 10 × base size cut "Alt+5 退出预警", issue #21)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fm = QtGui.QFontMetrics(self.nav.font())
        widest = max(fm.horizontalAdvance(f"{k}  {self.tr(label)}") for n, (_p, label) in enumerate(PAGES)
                     for k in (f"F{n + 2}", f"Alt+{n + 1}"))
        self.nav.setFixedWidth(widest + 2 * self.nav.frameWidth() + fm.averageCharWidth() * 2)
        # 随访 (its chart and timeline) in a scroll area: it scrolls instead of making the window taller than a
        # 1366x768 counter screen (a stack is as tall as its tallest page)
        self._scrolls: dict[str, QtWidgets.QWidget] = {}
        for n, (key, label) in enumerate(PAGES):
            holder = self.screens[key]
            if key in SCROLLED_PAGES:
                holder = QtWidgets.QScrollArea(objectName=f"scroll_{key}")
                holder.setWidgetResizable(True)
                holder.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
                holder.setWidget(self.screens[key])
            self._scrolls[key] = holder
            self.pages.addWidget(holder)
            item = QtWidgets.QListWidgetItem(f"F{n + 2}  {self.tr(label)}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(lambda r: self.go(PAGES[r][0]))
        self.banner = QtWidgets.QLabel(objectName="banner")
        self.banner.setFont(theme.font(1, bold=True))
        self.banner.setStyleSheet("background: #00695c; color: white; padding: 6px;")
        self.status_line = StatusLine()
        self.status_line.show_status(LinkStatus(True, None, 0, None))
        self._key_hint = self.tr("F2 办理 · F3 审核 · F4 提醒 · F5 主动发现 · F6 退出预警 · F7 月报 · F8 结算 · F9 随访 · F10 家庭共济 · Alt+1…9")
        self.status_line.show_keys(self._key_hint)
        body = QtWidgets.QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_line)
        self.setCentralWidget(central)
        self._wire()
        self._shortcut_objs: list = []
        self._shortcuts()
        self._render()
        self.go("apply")

    def _no_settle(self) -> QtWidgets.QWidget:
        w = QtWidgets.QLabel(self.tr("柜台结算需要连接中心并配置本窗口的定点机构编号（见设置）。"), objectName="settlePlaceholder")
        w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return w

    def _wire(self) -> None:
        a, r = self.apply, self.review
        a.scanned.connect(lambda t_: self.route.submit(t_))
        a.start_requested.connect(self.start_application)
        a.evidence_requested.connect(self.attach)
        a.submit_requested.connect(self.submit)
        a.approval_form_requested.connect(self.print_approval)
        a.rx_form_requested.connect(self.print_rx)
        r.refresh_requested.connect(self.load_queue)
        r.opened.connect(self.open_review)
        r.expert_opinion.connect(self.expert_opinion)
        r.approve_requested.connect(self.approve)
        r.reject_requested.connect(self.reject)
        self.reminders_screen.refresh_requested.connect(self.load_reminders)
        self.reminders_screen.print_requested.connect(self.print_reminders)
        self.reminders_screen.sms_requested.connect(self.export_sms)
        self.discovery.refresh_requested.connect(self.load_eligible)
        self.discovery.apply_requested.connect(self.apply_from_discovery)
        self.exits.refresh_requested.connect(self.load_exits)
        self.exits.confirm_requested.connect(self.confirm_exit)
        self.reports.run_requested.connect(self.run_report)
        self.reports.export_requested.connect(self.export_report)
        self._wire_care()
        self._wire_family()

    def _shortcuts(self) -> None:
        for n, (key, _label) in enumerate(PAGES):
            s = QtGui.QShortcut(QtGui.QKeySequence(f"F{n + 2}"), self, lambda k=key: self.go(k),
                                context=Qt.ShortcutContext.WindowShortcut)
            self._shortcut_objs.append(s)
        self._shortcut_objs.append(QtGui.QShortcut(QtGui.QKeySequence("Ctrl+L"), self, self.logout,
                                                   context=Qt.ShortcutContext.WindowShortcut))
        # Alt+1…9 reach every page, also from 结算 where the embedded desk owns the function keys
        self._nav_keys = [QtGui.QShortcut(QtGui.QKeySequence(f"Alt+{n + 1}"), self, lambda k=key: self.go(k),
                                          context=Qt.ShortcutContext.WindowShortcut) for n, (key, _l) in enumerate(PAGES)]

    def add_key(self, key: str, slot, label: str) -> None:
        """A shell's own key on the counter's pages (the composition root's F11 设置), named in the status line; off
        on 结算 like F2…F10, where the desk's keys apply. A key the counter already binds is refused."""
        taken = {k.toString() for s in self._shortcut_objs + self._nav_keys for k in s.keys()}
        if QtGui.QKeySequence(key).toString() in taken:
            raise ValueError(f"key {key} is already bound on the counter")
        sc = QtGui.QShortcut(QtGui.QKeySequence(key), self, slot, context=Qt.ShortcutContext.WindowShortcut)
        sc.setEnabled(self.page() != "settle")
        self._shortcut_objs.append(sc)
        hint = f"{key} {label}"
        self._key_hint = (self._key_hint.replace(" · Alt+", f" · {hint} · Alt+", 1) if " · Alt+" in self._key_hint
                          else f"{self._key_hint} · {hint}")
        self.status_line.show_keys(self._key_hint)

    def _label_nav(self, on_desk: bool) -> None:
        """The sidebar names the keys that work: on 结算 the function keys are the desk's (F4 班次 there, not
        提醒), so the pages are listed with their Alt+n keys while the desk is shown."""
        for n, (_key, label) in enumerate(PAGES):
            item = self.nav.item(n)
            if item is not None:
                item.setText(f"{f'Alt+{n + 1}' if on_desk else f'F{n + 2}'}  {self.tr(label)}")

    def _render(self) -> None:
        op = self.operator
        self.status_line.show_user(f"{op.name}（{op.role_name()}）" if op else self.tr("未登录"))
        p = self.person
        self.banner.setText((f"{p.name}  {p.masked}  " if p else "") + self.windowTitle())

    # ---- navigation and session --------------------------------------------------------------------------------------
    def page(self) -> str:
        w = self.pages.currentWidget()
        return next(k for k, v in self._scrolls.items() if v is w)

    def go(self, page: str) -> None:
        self.pages.setCurrentWidget(self._scrolls[page])
        on_desk = page == "settle"
        for sc in self._shortcut_objs:  # F2…F10 and Ctrl+L belong to the desk while it is shown
            sc.setEnabled(not on_desk)
        for sc in self.desk_page.shortcuts() if self.desk_page is not None else ():
            sc.setEnabled(on_desk)
        self._label_nav(on_desk)
        self.status_line.setVisible(not on_desk)  # the desk shows its own
        row = [p for p, _ in PAGES].index(page)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        first = {"review": self.load_queue, "reminders": lambda: self.reminders_screen._refresh(),
                 "discovery": self.load_eligible, "exits": self.load_exits}
        if page == "care" and self.operator is not None:  # the person may have changed: always fresh
            self.load_timeline()
        if page == "family" and self.operator is not None:  # the holder may have changed: always fresh
            self.load_bindings()
        if page in first and self.operator is not None and not getattr(self.screens[page], "_loaded", False):
            self.screens[page]._loaded = True
            first[page]()

    def start(self) -> None:
        self.show()
        if self.auth is not None:
            self.ask_login()

    def ask_login(self) -> None:
        def check(user, password, pin):
            return self.auth.login(user, password=password, pin=pin)

        self.dialog = LoginDialog(check, self.runner, title=self.tr("登录 · 一窗通综合窗口"), parent=self)
        self.route.paused = True
        self.dialog.accepted.connect(lambda: self.set_operator(self.dialog.operator))
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self, *_) -> None:
        self.route.paused = False
        self.dialog = None

    def set_operator(self, op: Operator) -> None:
        self.operator = op
        if hasattr(self.svc.link, "set_operator"):
            self.svc.link.set_operator(op.user_id, op.name)
        if self.desk_page is not None:
            self.desk_page.set_operator(op)
        self._render()

    def logout(self) -> None:
        if self.operator and self.auth:
            self.runner.run(self.auth.log, "logout", self.operator.user_id, lane="local",
                            failed=lambda f: log.info("logout not logged: %s", f.message.en))  # UI thread never writes
        self.operator = None
        self._render()
        if self.auth is not None:
            self.ask_login()

    # ---- calls -------------------------------------------------------------------------------------------------------
    def _call(self, fn, *args, done, notice, **kwargs) -> None:
        def ok(value) -> None:
            self._link(True)
            done(value)

        def failed(f: Failure) -> None:
            self._link(f.message.key != "counter.unreachable")
            notice.say(text(f.message), "bad")
            self.done.emit("failed")

        notice.say(self.tr("正在办理…"), "")
        self.runner.run(fn, *args, done=ok, failed=failed, lane="remote", **kwargs)

    def _load(self, fn, done, notice) -> None:
        """A list refresh: like _call, but it leaves the notice (what the clerk just did) alone unless it fails."""
        def ok(value) -> None:
            self._link(True)
            done(value)

        def failed(f: Failure) -> None:
            self._link(f.message.key != "counter.unreachable")
            notice.say(text(f.message), "bad")
            self.done.emit("failed")

        self.runner.run(fn, done=ok, failed=failed, lane="remote")

    def _link(self, online: bool) -> None:
        self.status_line.show_status(LinkStatus(True, online, 0, None))

    def on_scan(self, text_: str, at: float) -> None:
        if self.page() == "settle" and self.desk_page is not None:
            self.desk_page.route.submit(text_, at)  # the embedded desk takes every scan while it is shown
            return
        r = classify(text_)
        if r.kind not in IDENTITY_KINDS:
            self.apply.notice.say(self.tr("这不是身份凭证，请扫医保电子凭证、身份证或社保卡"), "warn")
            return
        self.go("apply")
        self._call(self.svc.identify, text_, done=self._identified, notice=self.apply.notice)

    def _identified(self, person: PersonView) -> None:
        self.person = person
        self.app = next((a for a in person.applications if a["status"] in ("draft", "expert_review", "clerk_review")), None)
        self.apply.scan.clear()
        self.apply.show_person(person, self.today())
        self.apply.show_application(self.app)
        warn = f"（{self.tr('死亡日期')} {person.death_date}）" if person.death_date else ""
        self.apply.notice.say(self.tr("已识别：") + person.name + warn, "warn" if warn else "ok")
        self.care.show_person(person.name, person.psn_no)
        self._render()
        self.done.emit("identified")
        self.show_desk_messages()

    def _refresh_person(self, app: dict | None = None) -> None:
        if app is not None:
            self.app = app
            self.apply.show_application(app)
        if self.person is not None:
            self.runner.run(self.svc.refresh, self.person, lane="remote", done=self._person_refreshed,
                            failed=lambda f: self.apply.notice.say(text(f.message), "bad"))

    def _person_refreshed(self, person: PersonView) -> None:
        self.person = person
        self.apply.show_person(person, self.today())

    def start_application(self, req: dict) -> None:
        if self.person is None:
            self.apply.notice.say(self.tr("请先识别参保人"), "warn")
            return

        def done(app: dict) -> None:
            self._refresh_person(app)
            self.apply.notice.say(self.tr("已登记申请 ") + app["app_no"] + self.tr("，请上传材料后提交审核"), "ok")
            self.done.emit("applied")

        draft = self.app if self.app and self.app["status"] == "draft" and self.app["scheme"] == req["scheme"] else None
        if draft is not None:  # a draft (e.g. started at the kiosk): complete it rather than start another
            def updated(app: dict) -> None:
                self._refresh_person(app)
                self.apply.notice.say(self.tr("已补充申请 ") + app["app_no"], "ok")
                self.done.emit("updated")

            self._call(self.svc.update, draft["app_no"], diseases=req["diseases"] or None, tel=req["tel"],
                       addr=req["addr"], doctor=req["doctor"], doctor_facility=req["doctor_facility"], done=updated,
                       notice=self.apply.notice)
            return
        self._call(self.svc.start, self.person, req["scheme"], req["diseases"], tel=req["tel"], addr=req["addr"],
                   doctor=req["doctor"], doctor_facility=req["doctor_facility"], done=done, notice=self.apply.notice)

    def attach(self, path: str) -> None:
        if self.app is None:
            return
        app_no = self.app["app_no"]

        def upload():
            ev = self.svc.attach(app_no, Path(path))
            return ev, self.svc.application(app_no)

        def done(result) -> None:
            ev, app = result
            self._refresh_person(app)
            self.apply.notice.say(self.tr("材料已上传：") + f"{ev.filename}（SHA-256 {ev.sha256[:12]}…，{ev.parts} 段）", "ok")
            self.done.emit("attached")

        self._call(upload, done=done, notice=self.apply.notice)

    def submit(self) -> None:
        if self.app is None:
            return

        def done(app: dict) -> None:
            self._refresh_person(app)
            experts = "、".join(r["reviewer_name"] for r in app.get("reviews", []) if r["stage"] == "expert")
            self.apply.notice.say(self.tr("已提交：") + app["status_name"] + (f"（{self.tr('抽取专家')}：{experts}）" if experts else ""), "ok")
            self.done.emit("submitted")

        self._call(self.svc.submit, self.app["app_no"], done=done, notice=self.apply.notice)

    # ---- review --------------------------------------------------------------------------------------------------------
    def load_queue(self) -> None:
        def done(items: list[dict]) -> None:
            self.review.show_queue(items)
            if self.review_app is not None:
                self.review.select(self.review_app["app_no"])
            self.done.emit("queue")

        self._load(self.svc.applications, done, self.review.notice)

    def open_review(self, app_no: str) -> None:
        def done(app: dict) -> None:
            self.review_app = app
            self.review.show_application(app)
            self.review.notice.say("", "")
            self.done.emit("review_opened")

        self._call(self.svc.application, app_no, done=done, notice=self.review.notice)

    def _after_review(self, app: dict, what: str) -> None:
        self.review_app = app
        self.review.show_application(app)
        self.review.clear_opinion()
        self.load_queue()
        if self.app is not None and self.app["app_no"] == app["app_no"]:
            self._refresh_person(app)
        self.done.emit(what)

    def expert_opinion(self, code: str, decision: str, history: str, plan: str, password: str = "") -> None:
        if self.review_app is None:
            return

        def done(app: dict) -> None:
            self.review.notice.say(self.tr("专家意见已记录：") + app["status_name"], "ok")
            self._after_review(app, "expert")

        self._call(self.svc.expert_opinion, self.review_app["app_no"], code, decision, history, plan, password,
                   done=done, notice=self.review.notice)

    def approve(self, opinion: str, user: str = "", password: str = "") -> None:
        if self.review_app is None:
            return

        def done(out: dict) -> None:
            app = out["application"]
            res = out["result"]
            until = f"{self.tr('至')} {res['enddate']}" if res.get("enddate") else self.tr("长期有效")
            self.review.notice.say(self.tr("复审通过，已备案 ") + res["trt_dcla_detl_sn"] + "：" + self.tr("自 ")
                                   + res["begndate"] + self.tr(" 起生效，") + until, "ok")
            self._after_review(app, "approved")

        self.review.approver_password.clear()
        self._call(self.svc.approve, self.review_app, opinion or self.tr("同意备案"), user, password, done=done,
                   notice=self.review.notice)

    def reject(self, opinion: str) -> None:
        if self.review_app is None:
            return
        if not opinion:
            self.review.notice.say(self.tr("退回请填写复审意见"), "warn")
            return

        def done(app: dict) -> None:
            self.review.notice.say(self.tr("已退回：") + opinion, "warn")
            self._after_review(app, "rejected")

        self._call(self.svc.reject, self.review_app["app_no"], opinion, done=done, notice=self.review.notice)

    # ---- forms ---------------------------------------------------------------------------------------------------------
    def print_approval(self) -> None:
        if self.app is None:
            return
        app_no, certno = self.app["app_no"], self.person.certno if self.person else ""

        def make():
            return self.svc.approval_pdf(self.svc.application(app_no), certno)

        def done(path: Path) -> None:
            self.files["approval"] = path
            self.apply.notice.say(self.tr("审定表（附件2）已生成：") + str(path), "ok")
            self.done.emit("approval_form")

        self._call(make, done=done, notice=self.apply.notice)

    def print_rx(self, rows: list) -> None:
        if self.person is None:
            return
        if not rows:
            self.apply.notice.say(self.tr("请先填写连续处方的用药"), "warn")
            return
        lines = [RxLine(name, spec, qty, usage, days) for name, spec, qty, usage, days in rows]
        person, app = self.person, self.app

        def done(path: Path) -> None:
            self.files["rx"] = path
            self.apply.notice.say(self.tr("连续处方（附件3）已生成：") + str(path), "ok")
            self.done.emit("rx_form")

        # the prescriber is the application's qualified doctor, never the clerk at the counter (issue 19); without
        # one recorded the line stays empty for the doctor's own hand
        doctor = str((app or {}).get("diag_dr_name") or "")
        # the lifestyle half of the 双处方: the library's template for the application's disease
        lifestyle = default_for([d.get("code", "") for d in (app or {}).get("diseases") or []])

        def make() -> Path:
            # with its doctor known, the prescription is registered at the centre first (7110: pre-audited, signed):
            # the form then carries the QR a pharmacy dispenses by; a refusal says why and nothing is printed
            reg = self.svc.register_continuous_rx(person, app, lines, doctor=doctor) if doctor else {}
            return self.svc.continuous_rx_pdf(person, app, lines, doctor=doctor, lifestyle=lifestyle,
                                              qr=reg.get("qr", ""), rx_no=reg.get("hi_rxno", ""))

        self._call(make, done=done, notice=self.apply.notice)

    # ---- worklists -----------------------------------------------------------------------------------------------------
    def load_reminders(self, kinds: str, days: int, mine: bool) -> None:
        assignee = self.operator.user_id if (mine and self.operator) else ""

        def done(items: list[dict]) -> None:
            self.reminders = items
            self.reminders_screen.show_items(items)
            self.reminders_screen.notice.say(self.tr("共 ") + str(len(items)) + self.tr(" 条提醒"), "ok")
            self.done.emit("reminders")

        if not kinds:
            self.reminders_screen.notice.say(self.tr("请至少选择一类提醒"), "warn")
            return
        self._call(self.svc.reminders, kinds, refill_days=days, assignee=assignee, done=done,
                   notice=self.reminders_screen.notice)

    def _out(self, name: str) -> Path:
        return self.svc.forms_dir / name

    def print_reminders(self) -> None:
        clerk = self.operator.name if self.operator and self.reminders_screen.mine.isChecked() else ""
        path = write_worklist_pdf(self.reminders, self._out(f"提醒清单_{self.today():%Y%m%d}.pdf"), clerk=clerk,
                                  today=self.today())
        self.files["worklist"] = path
        self.reminders_screen.notice.say(self.tr("工作清单已生成：") + str(path), "ok")

    def export_sms(self) -> None:
        path = write_sms_csv(self.reminders, self._out(f"短信_{self.today():%Y%m%d}.csv"))
        self.files["sms"] = path
        self.reminders_screen.notice.say(self.tr("短信文件已导出：") + str(path), "ok")

    def load_eligible(self) -> None:
        def done(people: list[dict]) -> None:
            self.discovery.show_people(people)
            self.done.emit("eligible")

        self._load(self.svc.eligible, done, self.discovery.notice)

    def apply_from_discovery(self, item: dict) -> None:
        def done(app: dict) -> None:
            self.app = app
            self.person = PersonView(psn_no=app["psn_no"], name=app["psn_name"], sex=app["gend"],
                                     birth=dt.date.fromisoformat(app["brdy"]) if app.get("brdy") else None,
                                     insutype=app["insutype"], certno="", status="", death_date=None)
            self._refresh_person(app)
            self.discovery.notice.say(self.tr("已为 ") + app["psn_name"] + self.tr(" 发起申请 ") + app["app_no"], "ok")
            self.load_eligible()
            self.done.emit("applied")

        self._call(self.svc.start_from_discovery, item, done=done, notice=self.discovery.notice)

    def load_exits(self) -> None:
        def done(warnings: list[dict]) -> None:
            self.exits.show_warnings(warnings)
            self.done.emit("exits")

        self._load(self.svc.exits, done, self.exits.notice)

    def confirm_exit(self, psn_no: str, reason: str) -> None:
        def done(out: dict) -> None:
            self.exits.verified.setChecked(False)
            self.load_exits()
            self.exits.notice.say(self.tr("已终止 ") + psn_no + self.tr(" 的待遇，终止日期 ") + out["enddate"]
                                  + self.tr("；此后的结算将被拒绝"), "ok")
            self.done.emit("exit_confirmed")

        self._call(self.svc.confirm_exit, psn_no, reason, done=done, notice=self.exits.notice)

    # ---- reports -------------------------------------------------------------------------------------------------------
    def run_report(self, month: str, form: str) -> None:
        def done(report: dict) -> None:
            self.reports.show_report(report)
            self.reports.notice.say(self.tr("已生成"), "ok")
            self.done.emit("report")

        self._call(self.svc.monthly, month, form, done=done, notice=self.reports.notice)

    def export_report(self, kind: str) -> None:
        rep = self.reports.report
        if rep is None:
            return
        footer = Footer(unit=self.svc.institution_name, preparer=self.operator.name if self.operator else "",
                        date=self.today().isoformat())
        path = self._out(f"{rep['annex']}_{rep['month']}.{kind}")
        (write_xlsx if kind == "xlsx" else write_pdf)(rep, path, footer)
        self.files[f"report_{kind}"] = path
        self.reports.notice.say(self.tr("已导出：") + str(path), "ok")

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        self.runner.wait(10000)
        if self.desk_page is not None:
            self.desk_page.close_desk()
        super().closeEvent(event)


__all__ = ["CounterWindow", "PAGES"]
