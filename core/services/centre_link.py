"""What the desk's services hear from the centre when a call does not simply succeed.

    CentreRefused      the centre answered with infcode -1: `err_msg` (and any `output`, e.g. the audit hits of
                       a refused pre-settlement); a repeat of the same msgid gets the same refusal
    CentreUnreachable  no answer: `maybe_sent` False = certainly not sent (safe to retry or drop), True = the
                       centre may have acted on it (reverse it by its msgid with 2601, never resend under a new one)

The link itself is core.services.sync_link.TerminalCentreLink, over the terminal's core.sync transport.
"""
from __future__ import annotations

from typing import Any


class CentreRefused(Exception):
    def __init__(self, infno: str, err_msg: str, output: Any = None, msgid: str = "") -> None:
        super().__init__(f"{infno}: {err_msg}")
        self.infno, self.err_msg, self.output, self.msgid = infno, err_msg, output or {}, msgid


class CentreUnreachable(Exception):
    def __init__(self, infno: str, detail: str, *, maybe_sent: bool, msgid: str = "") -> None:
        super().__init__(f"{infno}: {detail}")
        self.infno, self.detail, self.maybe_sent, self.msgid = infno, detail, maybe_sent, msgid


class CentreAuthRejected(CentreUnreachable):
    """The centre's gateway refused this terminal's signature (HTTP 401): a wrong or missing signing secret or
    institution code, or a clock more than 5 minutes off. Retrying cannot help; the settings must change."""

    ZH = ("中心拒绝了本机的签名（HTTP 401）：签名密钥或机构编号不对，或本机时钟偏差超过 5 分钟。"
          "重试无用，请主管在设置中填写中心发给本机构的签名密钥（onewindow config set signing.secret …）并核对时钟。")
    EN = ("the centre refused this terminal's signature (HTTP 401): wrong signing secret or institution code, or "
          "the clock is more than 5 minutes off. Retrying will not help: a supervisor must set the secret the "
          "centre issued (onewindow config set signing.secret …) and check the clock.")


__all__ = ["CentreAuthRejected", "CentreRefused", "CentreUnreachable"]
