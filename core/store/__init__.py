"""The local store: SQLAlchemy models, repositories and Alembic migrations (SQLite WAL on a terminal,
PostgreSQL at the centre). Import from the submodules (this package imports nothing, so that importing one
part does not pull in the rest):

- core.store.db: open_store(url) -> Engine (creates/upgrades the schema), session_factory(engine)
- core.store.paths: store_path(), store_url(), data_key_path()
- core.store.models: DrugRow, FacilityRow, PersonRow, RegistrationRow, SettlementRow, DispenseRow, TraceSaleRow
- core.store.persons: upsert_person, get_person, find_person_by_id_number, find_person_by_ss_card
- core.store.catalogue: upsert_drugs, get_drug(s), upsert_facilities, get_facility, drugs_by_trace_prefix …
- core.store.writer: NewSettlement, DispenseLine, TraceLine, record_settlement, reverse_settlement
- core.store.history_sql: SqlHistory(session) — the audit's HistoryRepository over the store
- core.store.catalogue_search: CatalogueIndex, CatalogueSearch — search as you type
- core.store.crypto: DataCipher (identity numbers encrypted at rest, keyed lookup hash)
- core.store.errors: StoreError and its subclasses
- core.store.synthetic: synthetic_drugs, build_world (benchmark data)
- core.store.desk: the dispensing desk's tables (staff, event log, sales and their codes, opened boxes, 无码库,
  shifts and Z reports) on their own MetaData: ensure_desk_schema(engine)
"""
