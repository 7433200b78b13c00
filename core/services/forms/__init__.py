"""Forms of seed 001 as PDF (reportlab; STSong-Light draws Chinese with no font file), laid out like the originals:

    附件2 两病门诊用药保障审定表      approval.ApprovalForm, write_approval_pdf   (filled from an application)
    附件3 慢性病用药连续（外配）处方  continuous_rx.ContinuousRx, write_continuous_rx_pdf (with the pickup schedule:
                                      each refill only when the last supply has at most 15 days left)
"""
from core.services.forms.approval import ApprovalForm, approval_form_from, write_approval_pdf
from core.services.forms.continuous_rx import ContinuousRx, RxLine, pickup_schedule, write_continuous_rx_pdf

__all__ = [
    "ApprovalForm", "ContinuousRx", "RxLine", "approval_form_from", "pickup_schedule", "write_approval_pdf",
    "write_continuous_rx_pdf",
]
