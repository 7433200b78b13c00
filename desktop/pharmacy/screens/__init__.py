"""The screens of the pharmacy shell, one small widget each, a module per step (as desktop.counter.screens).
They render values and emit what the pharmacist asked for; PharmacyWindow calls the services (through the
Runner) and moves between them.

    IdentifyScreen   scan the e-voucher, read the ID / social security card (or type the number)
    RxScreen         the patient card and the e-prescriptions waiting; a pickup code
    SaleScreen       the lines, their codes and colours; the verdict panel and the settlement preview
    PayScreen        personal account and cash, the change
    DoneScreen       the receipt (PDF always; what the receipt printer did with it); reprint
    ReturnScreen     find a sale by receipt number or a box's code; return all or some lines
    ShiftScreen      open with a float, X report, Z report with a blind count
    SettingsScreen   font size and language
    PaperScreen      a paper prescription: prescriber, institution, date, diagnosis, lines, photo
"""
from desktop.pharmacy.screens.common import ScanBox, message_label, parse_money, set_tone, title_label
from desktop.pharmacy.screens.identify import IdentifyScreen, RxScreen
from desktop.pharmacy.screens.paper import PaperScreen
from desktop.pharmacy.screens.pay import DoneScreen, PayScreen
from desktop.pharmacy.screens.returns import ReturnScreen
from desktop.pharmacy.screens.sale import STATE_TONE, SaleScreen, ToneDelegate
from desktop.pharmacy.screens.shift import SettingsScreen, ShiftScreen

__all__ = ["STATE_TONE", "DoneScreen", "IdentifyScreen", "PaperScreen", "PayScreen", "ReturnScreen", "RxScreen", "SaleScreen",
           "ScanBox", "SettingsScreen", "ShiftScreen", "ToneDelegate", "message_label", "parse_money", "set_tone",
           "title_label"]
