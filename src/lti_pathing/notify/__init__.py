"""Notifications: events recorded in an outbox with the change, sent by e-mail and LMS messages.

`outbox.notify` is the one way in; `events` says who hears of what; `delivery` sends what is due
(background jobs: `lti_pathing.jobs.notifications`); `preferences` and `timing` decide channels,
digest and quiet hours. See docs/notifications.md.
"""
