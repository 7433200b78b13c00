"""The keyboard-wedge route: real key events, scanner and human timing, through the application filter.

Each test installs a ScannerEventFilter with a ManualClock on the QApplication and sends QKeyEvents (or IME
commits) to a search box, a quantity field or a password field, moving the clock between keys: 8 ms for a
USB scanner, 90 ms for a Bluetooth one, 120-250 ms for a person.
"""
from __future__ import annotations

import pytest
from PySide6.QtTest import QTest

from core.codes import Kind
from desktop.qt import QEvent, Qt, QtGui, QtWidgets
from hardware.events import ScanSource
from hardware.settings import WedgeSettings
from hardware.sim.scanner import ScannerSimulator
from hardware.wedge import ManualClock, ScannerEventFilter

pytestmark = pytest.mark.ui

TRACE = "81000110000000000001"
TOKEN = "NHSAEV1.eyJwIjoiQWJDZEVmIiwidCI6MTcwMH0Zq9xK"
GS = "\x1d"


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def route(qapp, clock):
    filt = ScannerEventFilter(WedgeSettings(), clock=clock).install(qapp)
    scans = []
    filt.scanned.connect(scans.append)
    filt.scans = scans  # for the tests' convenience
    yield filt
    filt.uninstall()


def _scanner(**kw) -> ScannerSimulator:
    return ScannerSimulator(**kw)


def _human(widget, text: str, clock: ManualClock, gaps=(180, 140, 250, 120)) -> None:
    for i, ch in enumerate(text):
        clock.advance(gaps[i % len(gaps)])
        QTest.keyClick(widget, ch)


def _settle(route: ScannerEventFilter, clock: ManualClock, ms: float = 400) -> None:
    clock.advance(ms)
    route.flush_due()


def test_scanner_burst_into_search_box_gives_one_scan_and_leaves_the_box_alone(route, form, clock):
    form.search.setText("阿莫")
    _scanner().type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]
    assert route.scans[0].source is ScanSource.KEYBOARD
    assert route.scans[0].classify().kind is Kind.TRACE_CODE
    assert form.search.text() == "阿莫"  # not one character of the scan landed in it
    assert form.returns == []          # and its Enter suffix did not "search"


def test_scanner_burst_into_quantity_field(route, form, clock):
    form.quantity.setValue(2)
    _scanner().type_now(TRACE, clock=clock, target=form.quantity)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]
    assert form.quantity.value() == 2


def test_scanner_burst_into_password_field_types_into_it_and_makes_no_scan(route, form, clock):
    _scanner(suffix="").type_now("Secret2024xyz", clock=clock, target=form.password)
    _settle(route, clock)
    assert route.scans == []
    assert form.password.text() == "Secret2024xyz"
    assert not route.holding


def test_keys_held_for_the_search_box_never_leak_into_the_password(route, form, clock):
    # three fast keys for the search box, then (5 ms later) focus is in the password field and a key comes
    _scanner(suffix="").type_now("abc", clock=clock, target=form.search)
    clock.advance(5)
    QTest.keyClick(form.password, "x")
    _settle(route, clock)
    assert form.password.text() == "x"
    assert form.search.text() == "abc"
    assert route.scans == []


def test_human_typing_reaches_each_field_in_order_with_no_scan(route, form, clock):
    _human(form.search, "amxl", clock)
    _settle(route, clock)
    form.quantity.clear()
    _human(form.quantity, "12", clock)
    _settle(route, clock)
    _human(form.password, "pw1234567", clock)
    _settle(route, clock)
    assert form.search.text() == "amxl"
    assert form.quantity.value() == 12
    assert form.password.text() == "pw1234567"
    assert route.scans == []


def test_fast_human_rolls_are_still_typing(route, form, clock):
    # pairs typed 30 ms apart (a roll), 200 ms between pairs: never min_length keys in a row
    for pair in ("th", "e ", "qu", "ic", "k "):
        clock.advance(200)
        QTest.keyClick(form.search, pair[0])
        clock.advance(30)
        QTest.keyClick(form.search, pair[1])
    _settle(route, clock)
    assert form.search.text() == "the quick "
    assert route.scans == []


def test_human_enter_still_presses_enter(route, form, clock):
    _human(form.search, "amx", clock)
    clock.advance(150)
    QTest.keyClick(form.search, Qt.Key.Key_Return)
    assert form.returns == ["amx"]
    assert route.scans == []


def test_typing_then_scan_then_typing(route, form, clock):
    _human(form.search, "ab", clock)
    clock.advance(300)
    _scanner().type_now(TRACE, clock=clock, target=form.search)
    _human(form.search, "cd", clock)
    _settle(route, clock)
    assert form.search.text() == "abcd"
    assert [s.text for s in route.scans] == [TRACE]


@pytest.mark.parametrize("suffix", ["\r", "\t", ""], ids=["enter", "tab", "none"])
def test_enter_tab_or_no_suffix(route, form, clock, suffix):
    _scanner(suffix=suffix).type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]
    assert form.search.text() == "" and form.returns == []


def test_caps_lock_inverts_letters_and_the_filter_puts_them_back(route, form, clock):
    _scanner(caps_lock=True).type_now(TOKEN, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TOKEN]


def test_caps_lock_on_a_gs1_batch(route, form, clock):
    code = "]d2010690123456789217261200" + "10AbC1" + GS + "21S9x"
    _scanner(caps_lock=True).type_now(code, clock=clock, target=form.search)
    _settle(route, clock)
    (scan,) = route.scans
    assert scan.text == "010690123456789217261200" + "10AbC1" + GS + "21S9x"
    assert scan.symbology == "]d2"
    result = scan.classify()
    assert result.kind is Kind.GS1 and result.fields["batch"] == "AbC1" and result.fields["serial"] == "S9x"


def test_full_width_keys_from_an_ime_are_normalised(route, form, clock):
    _scanner(fullwidth=True).type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]
    assert form.search.text() == ""


def test_full_width_ime_commits_are_one_scan(route, form, clock):
    form.search.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
    _scanner(fullwidth=True, via_input_method=True).type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]
    assert form.search.text() == ""


def test_ime_commits_typed_by_a_person_are_replayed(route, form, clock):
    for word in ("阿莫", "西林"):
        clock.advance(400)
        event = QtGui.QInputMethodEvent("", [])
        event.setCommitString(word)
        QtWidgets.QApplication.sendEvent(form.search, event)
    _settle(route, clock)
    assert form.search.text() == "阿莫西林"
    assert route.scans == []


def test_mark_scan_route_switches_the_ime_off(form):
    ScannerEventFilter.mark_scan_route(form.search)
    assert not form.search.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)


def test_slow_bluetooth_scanner_needs_its_gap_setting(route, form, clock):
    _scanner(gap_ms=90).type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert route.scans == []  # at the default 50 ms, 90 ms keys are typing...
    assert form.search.text() == TRACE
    assert form.returns == [TRACE]
    form.search.clear()
    route.set_settings(WedgeSettings(max_gap_ms=150))
    _scanner(gap_ms=90).type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]  # ...and a scan once the device's gap is set
    assert form.search.text() == ""


def test_gs1_separator_typed_as_ctrl_bracket_is_kept(route, form, clock):
    code = "0106901234567892" + "17261200" + "10A1" + GS + "21S9"
    _scanner().type_now(code, clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [code]
    assert route.scans[0].classify().fields["batch"] == "A1"


def test_configured_gs_substitute(route, form, clock):
    route.set_settings(WedgeSettings(gs_substitute="~"))
    _scanner().type_now("0106901234567892172612001 0A1~21S9".replace(" ", ""), clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == ["010690123456789217261200" + "10A1" + GS + "21S9"]


def test_prefix_makes_a_short_code_a_scan_and_is_stripped(route, form, clock):
    route.set_settings(WedgeSettings(prefix="\x02", suffix="\x03"))
    _scanner(prefix="\x02", suffix="\x03").type_now("A12", clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == ["A12"]
    assert form.search.text() == ""


def test_crlf_suffix_second_key_is_blanked(route, form, clock):
    _scanner(suffix="\r\n").type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock, 20)
    assert [s.text for s in route.scans] == [TRACE]
    assert form.returns == []


def test_double_trigger_within_blanking_is_dropped_but_a_later_rescan_counts(route, form, clock):
    scanner = _scanner()
    scanner.type_now(TRACE, clock=clock, target=form.search)
    clock.advance(60)
    scanner.type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert len(route.scans) == 1
    clock.advance(2000)
    scanner.type_now(TRACE, clock=clock, target=form.search)
    _settle(route, clock)
    assert len(route.scans) == 2


def test_two_different_codes_back_to_back(route, form, clock):
    scanner = _scanner()
    scanner.type_now(TRACE, clock=clock, target=form.search)
    clock.advance(60)
    scanner.type_now("81000110000000000002", clock=clock, target=form.search)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE, "81000110000000000002"]


def test_scanner_enter_suffix_does_not_fire_a_shortcut(route, form, clock):
    fired = []
    QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Return), form, lambda: fired.append(True),
                    context=Qt.ShortcutContext.WindowShortcut)
    form.activateWindow()
    form.quantity.setFocus()
    for ch in TRACE:
        QTest.keyClick(form.quantity, ch)
        clock.advance(8)
    QTest.keyClick(form.quantity, Qt.Key.Key_Return)
    _settle(route, clock)
    assert [s.text for s in route.scans] == [TRACE]
    assert fired == []
    clock.advance(500)
    QTest.keyClick(form.quantity, Qt.Key.Key_Return)  # a person's Enter still works
    assert fired == [True]


def test_widget_deleted_while_keys_are_held(route, qtbot, clock):
    box = QtWidgets.QLineEdit()
    _scanner(suffix="").type_now("ab", clock=clock, target=box)
    box.deleteLater()
    QtWidgets.QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    _settle(route, clock)
    assert route.scans == []


@pytest.mark.allow_warnings
def test_a_bug_in_the_filter_switches_it_off_and_keys_flow_again(route, form, clock, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("bug")

    monkeypatch.setattr(route._detector, "text", boom)
    QTest.keyClick(form.search, "a")
    assert not route.enabled
    QTest.keyClick(form.search, "b")
    assert form.search.text() == "ab"


def test_real_timer_settles_typing_and_a_played_scan(qapp, qtbot, form):
    filt = ScannerEventFilter(WedgeSettings()).install(qapp)  # the real clock and the real timer
    try:
        with qtbot.waitSignal(filt.scanned, timeout=3000) as blocker:
            ScannerSimulator(target=lambda: form.search).play([TRACE])
        assert blocker.args[0].text == TRACE
        QTest.keyClick(form.search, "x")
        qtbot.waitUntil(lambda: form.search.text() == "x", timeout=2000)
    finally:
        filt.uninstall()


def test_replaying_a_script_file_through_the_event_loop(qapp, qtbot, form, tmp_path):
    """The script's keys travel through the real event loop (timers, queued events); the filter reads the
    script's own clock, so a loaded machine that runs the timers late cannot split a scan (it did, under load)."""
    from hardware.sim.scanner import load_script
    from hardware.wedge.clock import ManualClock

    script = tmp_path / "morning.scans"
    script.write_text("# two scans, the second from a Bluetooth scanner\n6901234567892\n@100 gap=70 RX12345678\n",
                      encoding="utf-8")
    clock = ManualClock()
    filt = ScannerEventFilter(WedgeSettings(max_gap_ms=120), clock=clock).install(qapp)
    scans = []
    filt.scanned.connect(scans.append)
    try:
        simulator = ScannerSimulator(target=lambda: form.search)
        with qtbot.waitSignal(simulator.finished, timeout=30000):
            simulator.play(load_script(script), clock=clock)
        qtbot.waitUntil(lambda: len(scans) == 2, timeout=2000)
    finally:
        filt.uninstall()
    assert [s.text for s in scans] == ["6901234567892", "RX12345678"]
    assert scans[1].classify().kind is Kind.RX_TOKEN
    assert form.search.text() == ""


def test_fast_typing_in_a_numeric_field_is_typing_not_a_scan(route, form, clock, qtbot):
    """#21: "236.40" typed fast into the blind cash count vanished (taken for a scan). A field marked numeric
    gets its keys however fast they come; an unmarked field still turns the same burst into a scan."""
    cash = QtWidgets.QLineEdit()
    qtbot.addWidget(cash)
    ScannerEventFilter.mark_numeric(cash)
    _scanner(suffix="").type_now("236.40", clock=clock, target=cash)
    _settle(route, clock)
    assert cash.text() == "236.40" and route.scans == []
    _scanner(suffix="").type_now("236.40", clock=clock, target=form.search)
    _settle(route, clock)
    assert form.search.text() == "" and [s.text for s in route.scans] == ["236.40"]
