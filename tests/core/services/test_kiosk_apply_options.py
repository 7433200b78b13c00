"""Which 两病 applications the kiosk offers (core.services.kiosk.lb_apply_options): the rule left the window."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from core.services.kiosk import ApplicationView, Capabilities, lb_apply_options
from core.services.ports import RegistrationView

ALL = Capabilities(application_submit=True, application_evidence=True)


def card(*regs: tuple[str, str, bool]) -> SimpleNamespace:
    return SimpleNamespace(registrations=tuple(
        RegistrationView(scheme, disease, disease, dt.date(2025, 1, 1), None, active, None)
        for scheme, disease, active in regs))


def app(status: str, scheme: str = "LB") -> ApplicationView:
    return ApplicationView("A1", scheme, "高血压", status, status, "2026-11-25")


def test_nobody_registered_may_apply_for_both():
    assert lb_apply_options(card(), [], ALL) == ("HTN", "DM")


def test_a_registered_disease_is_not_offered_again_an_expired_one_is():
    assert lb_apply_options(card(("LB", "HTN", True)), [], ALL) == ("DM",)
    assert lb_apply_options(card(("LB", "HTN", False)), [], ALL) == ("HTN", "DM")
    assert lb_apply_options(card(("LB", "HTN", True), ("LB", "DM", True)), [], ALL) == ()


@pytest.mark.parametrize("status", ["draft", "expert_review", "clerk_review"])
def test_one_open_application_at_a_time(status):
    assert lb_apply_options(card(), [app(status)], ALL) == ()


@pytest.mark.parametrize("status", ["approved", "rejected", "cancelled"])
def test_a_decided_application_does_not_block(status):
    assert lb_apply_options(card(), [app(status)], ALL) == ("HTN", "DM")


def test_an_open_application_of_the_other_scheme_does_not_block():
    assert lb_apply_options(card(), [app("draft", scheme="MT")], ALL) == ("HTN", "DM")


@pytest.mark.parametrize("caps", [Capabilities(), Capabilities(application_submit=True),
                                  Capabilities(application_evidence=True)])
def test_only_where_the_centre_takes_applications_with_evidence(caps):
    assert lb_apply_options(card(), [], caps) == ()
