"""The prescriber form at /prescriber/: a doctor of a designated hospital or clinic writes an e-prescription for a
registered patient in the browser; the centre pre-audits it (7101, server/transactions/rx_preaudit.py) and the
doctor sees at once whether it circulates, and why not (issue #19)."""
