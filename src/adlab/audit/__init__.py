"""The daily audit: what changed on the last day in the data against each entity's own trailing baseline, ranked by
money at stake (`audit_day`), and its words (`audit_lines`)."""

from adlab.audit.items import Audit, audit_day
from adlab.audit.settings import AuditSettings

__all__ = ["Audit", "AuditSettings", "audit_day"]
