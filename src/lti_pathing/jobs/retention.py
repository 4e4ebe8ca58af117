"""The daily audit-retention purge: every tenant's records older than its retention go.

It runs by Celery beat (`lti_pathing.purge_audit`, daily) when a broker is set, and from the
serving process's sweeper thread without one (`jobs.sweep`); `lti-pathing audit purge` runs it
by hand. Purging is idempotent: a second run finds nothing more to delete.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import Tenant
from lti_pathing.services.audit.trail import AuditService

log = logging.getLogger(__name__)
PURGE_HOURS = 24


def purge_all(app: Flask) -> int:
    """Purge every tenant that sets a retention; how many records went."""
    total = 0
    with transaction(app) as session:
        tenants = session.scalars(select(Tenant).where(Tenant.audit_retention_days.is_not(None)))
        for tenant in list(tenants):
            total += AuditService(session, tenant).purge()
    if total:
        log.info("purged %d audit record(s) past their tenant's retention", total)
    return total
