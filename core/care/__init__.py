"""The chronic-care loop as pure rules (no Qt, no SQL): follow-up visit validation and the visit schedule
(`visits`), the lifestyle prescription library (`lifestyle`), supply planning (`supply`) and the notification
port (`notify`). The centre (server/transactions/care*.py) and the counter shell both call these."""
