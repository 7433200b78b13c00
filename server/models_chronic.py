"""The centre's chronic-disease management tables (issue 9, the counter 综合窗口): registration applications
and their review, evidence, the expert pool, people under management (the family-doctor roster), follow-up
visits, per-disease amounts of each settlement, and confirmed exits.

Same rules as server/models.py: on the centre's own MetaData (Alembic env server/migrations, migration c0002),
no foreign keys into the shared core.store tables. Timestamps are text in the centre's local time
("yyyy-MM-dd HH:mm:ss", as the envelope writes them); calendar days are DATE columns.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from server.models import metadata

MONEY = Numeric(14, 2)

# The pool two experts are drawn from for a 门诊慢特病 application (Yuhu: 从专家库自动抽取两名医保专家).
expert = Table(
    "centre_expert",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("specialty", String(50), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
)

# One application (申请) for a registration (备案) of one or more diseases of one scheme.
application = Table(
    "centre_application",
    metadata,
    Column("app_no", String(40), primary_key=True),
    Column("person_no", String(32), nullable=False),
    Column("scheme", String(2), nullable=False),
    # draft -> expert_review (MT) -> clerk_review -> approved | rejected | cancelled;  LB: draft -> clerk_review
    Column("status", String(16), nullable=False),
    Column("diseases", Text, nullable=False),  # JSON [{code, name, diag_code, diag_name}]
    Column("tel", String(30), nullable=False, server_default=""),
    Column("addr", String(200), nullable=False, server_default=""),
    Column("source", String(16), nullable=False, server_default="counter"),  # counter / discovery / kiosk
    Column("diag_dr_codg", String(30), nullable=False, server_default=""),
    Column("diag_dr_name", String(50), nullable=False, server_default=""),
    Column("ide_fixmedins_no", String(30), nullable=False, server_default=""),
    Column("hosp_ide_date", Date, nullable=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("created_by", String(30), nullable=False),
    Column("created_by_name", String(50), nullable=False, server_default=""),
    Column("created_at", String(19), nullable=False),
    Column("updated_at", String(19), nullable=False),
    Column("decided_by", String(30), nullable=True),
    Column("decided_at", String(19), nullable=True),
    Column("hosp_opinion", Text, nullable=False, server_default=""),
    Column("effective_from", Date, nullable=True),
    Column("effective_until", Date, nullable=True),
    Column("trt_dcla_detl_sn", String(40), nullable=True),
    Column("registration_ids", Text, nullable=False, server_default="[]"),
    Index("ix_centre_application_person", "person_no"),
    Index("ix_centre_application_status", "status"),
)

# Every step of an application, who and when (also in the hash-chained journal).
application_step = Table(
    "centre_application_step",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_no", String(40), nullable=False),
    Column("at", String(19), nullable=False),
    Column("step", String(24), nullable=False),
    Column("who", String(30), nullable=False),
    Column("who_name", String(50), nullable=False, server_default=""),
    Column("institution", String(30), nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),
    Index("ix_centre_application_step_app", "app_no"),
)

# Evidence (scanned documents, photos): stored with its SHA-256, assembled from parts (the envelope is 64 KB).
evidence = Table(
    "centre_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_no", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("mime", String(60), nullable=False, server_default=""),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=True),  # NULL while parts are still arriving
    Column("parts", Integer, nullable=False, server_default="1"),
    Column("added_at", String(19), nullable=False),
    Column("added_by", String(30), nullable=False),
    UniqueConstraint("app_no", "sha256", name="uq_centre_evidence_app_hash"),
)

evidence_part = Table(
    "centre_evidence_part",
    metadata,
    Column("evidence_id", Integer, primary_key=True, autoincrement=False),
    Column("part", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

# Reviews: two drawn experts (stage "expert"), then the clerk's re-review (stage "clerk").
review = Table(
    "centre_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_no", String(40), nullable=False),
    Column("stage", String(10), nullable=False),
    Column("reviewer_code", String(30), nullable=False),
    Column("reviewer_name", String(50), nullable=False, server_default=""),
    Column("drawn_at", String(19), nullable=False),
    Column("decision", String(10), nullable=True),  # approve / reject
    Column("history_dx", Text, nullable=False, server_default=""),  # 病史及诊断
    Column("plan", Text, nullable=False, server_default=""),  # 治疗方案
    Column("decided_at", String(19), nullable=True),
    Column("recorded_by", String(30), nullable=True),
    UniqueConstraint("app_no", "stage", "reviewer_code", name="uq_centre_review_app_reviewer"),
    Index("ix_centre_review_app", "app_no"),
)

# People under management (纳入管理) by a primary-care unit: the family-doctor roster (附件6, 参保人数).
managed = Table(
    "centre_managed",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_no", String(32), nullable=False),
    Column("disease", String(16), nullable=False),  # HTN / DM
    Column("unit_code", String(30), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date, nullable=True),
    Column("updated_at", String(19), nullable=False),
    UniqueConstraint("person_no", "disease", "unit_code", name="uq_centre_managed"),
    Index("ix_centre_managed_unit", "unit_code"),
)

# Face-to-face follow-up visits (随访) of registered 两病 patients (at least 4 a year, seed 004).
followup = Table(
    "centre_followup",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_no", String(32), nullable=False),
    Column("visit_date", Date, nullable=False),
    Column("facility_code", String(30), nullable=False),
    Column("doctor", String(50), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("at", String(19), nullable=False),
    # The measured visit (issue 24, migration c0003; NULL on visits recorded before it, by 2541).
    Column("place", String(100), nullable=True),
    Column("doctor_code", String(30), nullable=True),
    Column("sbp", Integer, nullable=True),  # mmHg
    Column("dbp", Integer, nullable=True),
    Column("fpg", Numeric(4, 1), nullable=True),  # fasting plasma glucose, mmol/L
    Column("rpg", Numeric(4, 1), nullable=True),  # random glucose, mmol/L
    Column("hba1c", Numeric(4, 1), nullable=True),  # %
    Column("weight_kg", Numeric(5, 1), nullable=True),
    Column("height_cm", Numeric(5, 1), nullable=True),
    Column("bmi", Numeric(4, 1), nullable=True),
    Column("smoking", String(10), nullable=True),  # never / former / current
    Column("cigarettes", Integer, nullable=True),  # per day, when current
    Column("adherence", String(12), nullable=True),  # regular / irregular / none
    Column("adverse", Text, nullable=True),
    Column("assessment", String(12), nullable=True),  # controlled / uncontrolled
    Column("next_visit", Date, nullable=True),
    Column("referral", Text, nullable=True),
    Column("drugs", Text, nullable=True),  # JSON [{drug_key, drug_name, spec, dose, freq}]: what supply planning reads
    Column("recorded_by", String(30), nullable=True),
    Index("ix_centre_followup_person", "person_no", "visit_date"),
)

# Per settlement: amounts by disease (高血压 / 糖尿病 / other) and the diagnoses it carried. Written in the
# 2102 transaction (server/chronic.py); the monthly reports and 主动发现 read it.
settlement_chronic = Table(
    "centre_settlement_chronic",
    metadata,
    Column("setl_id", String(64), primary_key=True),
    Column("person_no", String(32), nullable=False),
    Column("htn_medfee", MONEY, nullable=False),
    Column("htn_fund", MONEY, nullable=False),
    Column("dm_medfee", MONEY, nullable=False),
    Column("dm_fund", MONEY, nullable=False),
    Column("other_medfee", MONEY, nullable=False),
    Column("other_fund", MONEY, nullable=False),
    Column("diagnoses", String(200), nullable=False, server_default=""),
    Index("ix_centre_settlement_chronic_person", "person_no"),
)

# Contact details given on applications and rosters (for reminders by SMS).
contact = Table(
    "centre_contact",
    metadata,
    Column("person_no", String(32), primary_key=True),
    Column("tel", String(30), nullable=False, server_default=""),
    Column("addr", String(200), nullable=False, server_default=""),
    Column("updated_at", String(19), nullable=False),
)

# Confirmed exits (退出): which registrations were ended, why, by whom.
exit_ = Table(
    "centre_exit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_no", String(32), nullable=False),
    Column("reason", String(16), nullable=False),  # death / insurance / review_overdue
    Column("end_date", Date, nullable=False),
    Column("registrations", Text, nullable=False),  # JSON [{id, scheme, disease, old_end}]
    Column("confirmed_at", String(19), nullable=False),
    Column("confirmed_by", String(30), nullable=False),
    Column("institution", String(30), nullable=False),
    Index("ix_centre_exit_person", "person_no"),
)

__all__ = [
    "application", "application_step", "contact", "evidence", "evidence_part", "exit_", "expert", "followup",
    "managed", "review", "settlement_chronic",
]
