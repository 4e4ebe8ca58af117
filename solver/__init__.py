"""lti-pathing's planning engine: CP-SAT development plans that close skill gaps.

Plain dataclasses in (`solver.instance`), plan out (`solver.solution`). Depends on OR-Tools only;
never on Flask, SQLAlchemy or `lti_pathing`.
"""
