"""Booking requests nobody answered expire, and the learners' plans are re-planned without them.

Celery beat runs `expire_bookings` every hour (`celery_app.py`); without Celery, cron can run
`lti-pathing expire-bookings`.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.jobs import enqueue_from_today
from lti_pathing.models import Tenant
from lti_pathing.services.mentoring import MentorService


def expire_bookings(app: Flask) -> int:
    """Expire overdue requests in every active tenant; queue a re-plan for each plan hit."""
    expired = 0
    with app.app_context(), transaction(app, writes=True) as session:
        for tenant in session.scalars(select(Tenant).where(Tenant.active.is_(True))).all():
            mentors = MentorService(session, tenant)
            plans = {}
            for booking in mentors.expire_overdue():
                expired += 1
                plan = mentors.plan_to_replan(booking)
                if plan is not None:
                    plans[plan.id] = plan
            for plan in plans.values():
                enqueue_from_today(session, tenant, plan)
    return expired
