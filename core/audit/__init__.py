"""Pre-settlement audit (事前审核): rule registry, rules by family, AuditContext -> verdict with hits."""
