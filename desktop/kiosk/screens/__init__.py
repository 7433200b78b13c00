"""The kiosk's screens: one task per screen, Chinese first, big type. Each screen renders values it is given
and emits what the person chose; the window (desktop.kiosk.window) decides what happens next. Every screen
that shows a person's data has `clear()`, which removes that data from its widgets (the idle wipe).

    base.py     Page, the scheme/insurance labels, forget_frame
    entry.py    home, scan, card, busy, message, unavailable
    person.py   menu, lists, applications
    paper.py    photo of a diagnosis, statement period and output
    admin.py    supervisor code, admin menu
"""
from desktop.kiosk.screens.admin import AdminPage, SupervisorPage
from desktop.kiosk.screens.base import CENTER, INSURANCE, SCHEME, Page, forget_frame
from desktop.kiosk.screens.entry import BusyPage, CardPage, HomePage, MessagePage, ScanPage, UnavailablePage
from desktop.kiosk.screens.paper import PeriodPage, PhotoPage, StatementPage
from desktop.kiosk.screens.person import ApplicationPage, ListPage, MenuPage

__all__ = [
    "CENTER", "INSURANCE", "SCHEME", "AdminPage", "ApplicationPage", "BusyPage", "CardPage", "HomePage", "ListPage",
    "MenuPage", "MessagePage", "Page", "PeriodPage", "PhotoPage", "ScanPage", "StatementPage", "SupervisorPage",
    "UnavailablePage", "forget_frame",
]
