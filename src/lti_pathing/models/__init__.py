"""The tables, grouped by noun. Importing this package registers every model on `Base.metadata`."""

from lti_pathing.models.catalog import (
    Activity,
    ActivityKind,
    ActivityMentor,
    ActivityOutcome,
    ActivityPrereq,
    ActivitySkillPrereq,
    Cohort,
    LmsCourseLink,
)
from lti_pathing.models.checkins import CheckIn
from lti_pathing.models.credentials import Credential, CredentialKind
from lti_pathing.models.evidence import Evidence, EvidenceSource
from lti_pathing.models.grades import Gradebook, GradePassback, LtiContext
from lti_pathing.models.jobs import Job, JobDispatch, JobKind, JobStatus
from lti_pathing.models.lms import (
    CompletionChannel,
    CompletionRecord,
    LmsConnection,
    LmsSyncRun,
    SyncStatus,
)
from lti_pathing.models.lti import (
    CourseRoster,
    PlatformDeployment,
    PlatformRegistration,
    RegistrationInvite,
    ToolKey,
)
from lti_pathing.models.mentoring import BookingStatus, MentorBooking, MentorUnavailableWeek
from lti_pathing.models.notifications import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from lti_pathing.models.people import Lms, LmsIdentity, Mentor, Person
from lti_pathing.models.plans import (
    AppendOnlyViolation,
    ItemStatus,
    Plan,
    PlanEvent,
    PlanItem,
    PlanStatus,
)
from lti_pathing.models.roles import (
    CareerPath,
    JobFamily,
    PathKind,
    Role,
    RoleLevel,
    RoleSkill,
    Track,
)
from lti_pathing.models.skills import Skill, SkillCategory, SkillLevel, SkillRelation
from lti_pathing.models.team import ApprovalDelegation, TeamBudget
from lti_pathing.models.tenancy import Tenant, UnmatchedLaunch
from lti_pathing.models.tokens import ApiToken

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityMentor",
    "ActivityOutcome",
    "ActivityPrereq",
    "ActivitySkillPrereq",
    "ApiToken",
    "AppendOnlyViolation",
    "ApprovalDelegation",
    "BookingStatus",
    "CareerPath",
    "Channel",
    "CheckIn",
    "Cohort",
    "CompletionChannel",
    "CompletionRecord",
    "CourseRoster",
    "Credential",
    "CredentialKind",
    "DeliveryStatus",
    "Evidence",
    "EvidenceSource",
    "GradePassback",
    "Gradebook",
    "ItemStatus",
    "Job",
    "JobDispatch",
    "JobFamily",
    "JobKind",
    "JobStatus",
    "Lms",
    "LmsConnection",
    "LmsCourseLink",
    "LmsIdentity",
    "LmsSyncRun",
    "LtiContext",
    "Mentor",
    "MentorBooking",
    "MentorUnavailableWeek",
    "Notification",
    "NotificationDelivery",
    "NotificationPreference",
    "PathKind",
    "Person",
    "Plan",
    "PlanEvent",
    "PlanItem",
    "PlanStatus",
    "PlatformDeployment",
    "PlatformRegistration",
    "RegistrationInvite",
    "Role",
    "RoleLevel",
    "RoleSkill",
    "Skill",
    "SkillCategory",
    "SkillLevel",
    "SkillRelation",
    "SyncStatus",
    "TeamBudget",
    "Tenant",
    "ToolKey",
    "Track",
    "UnmatchedLaunch",
]
