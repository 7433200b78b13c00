"""Typed errors of the store. Each carries an English message (str(exc)) and a Chinese one (message_zh) for
the screen; whatever raised them left the database as it was."""
from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""

    def __init__(self, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


class SchemaVersionError(StoreError):
    """The database schema is newer than this program, or a migration failed."""


class UnknownPersonError(StoreError, LookupError):
    def __init__(self, person_no: str) -> None:
        super().__init__(f"unknown person {person_no!r}: refresh the person before settling",
                         f"参保人 {person_no} 不在本地缓存中，请先查询人员信息")
        self.person_no = person_no


class UnknownSettlementError(StoreError, LookupError):
    def __init__(self, settlement_id: str) -> None:
        super().__init__(f"unknown settlement {settlement_id!r}", f"未找到结算记录 {settlement_id}")
        self.settlement_id = settlement_id


class DuplicateSettlementError(StoreError):
    """The settlement id (message id) is already recorded; `existing` is the recorded settlement."""

    def __init__(self, settlement_id: str, existing: object | None = None) -> None:
        super().__init__(f"settlement {settlement_id!r} is already recorded",
                         f"结算 {settlement_id} 已存在，不能重复记录")
        self.settlement_id = settlement_id
        self.existing = existing


class InvalidRecordError(StoreError, ValueError):
    """Input that cannot be stored (missing field, negative amount, inconsistent lines …)."""

    def __init__(self, message: str, message_zh: str = "") -> None:
        super().__init__(message, message_zh or f"数据无效：{message}")


__all__ = [
    "DuplicateSettlementError", "InvalidRecordError", "SchemaVersionError", "StoreError", "UnknownPersonError",
    "UnknownSettlementError",
]
