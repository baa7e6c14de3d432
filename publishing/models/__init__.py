"""Models of the governed-publishing extension.

Dependency direction: the site's page app (``home``) imports from ``publishing``; ``publishing``
never imports from ``home``. Page types the extension must create (a site's home page, its
intranet index) are named in ``settings.PUBLISHING`` as model strings.
"""

from publishing.models.archive import ArchiveCapture, ArchiveChain, ArchiveEvent  # noqa: F401
from publishing.models.crisis import CrisisBanner, CrisisLevel  # noqa: F401
from publishing.models.default_pages import StaffIntranetPage, StaffNoticePage  # noqa: F401
from publishing.models.document_check import DocumentCheck  # noqa: F401
from publishing.models.external_links import ExternalLink, LinkError, LinkStatus  # noqa: F401
from publishing.models.fast_track import FastTrackReview  # noqa: F401
from publishing.models.feedback import PageFeedback  # noqa: F401
from publishing.models.image_consent import ImageConsent, ImagePeople  # noqa: F401
from publishing.models.live_findings import FindingsJudgement, LiveFinding  # noqa: F401
from publishing.models.live_text import LiveTextCheck  # noqa: F401
from publishing.models.mail_preference import DigestEvent, MailDigest, MailPreference  # noqa: F401
from publishing.models.municipality import Municipality  # noqa: F401
from publishing.models.organisation import (  # noqa: F401
    LEADER_ROLES,
    Audience,
    Deputyship,
    OrganisationUnit,
    PublisherCertificate,
    Role,
    RoleAssignment,
    UnitKind,
)
from publishing.models.organisation_version import OrganisationVersion  # noqa: F401
from publishing.models.pages import BaseInternalNoticePage, GovernedPage, Sensitivity  # noqa: F401
from publishing.models.plans import (  # noqa: F401
    Channel,
    CommunicationPlan,
    PlanActivity,
    PlanFollowUp,
    PlanGoal,
    PlanStatus,
)
from publishing.models.review import (  # noqa: F401
    ApprovalReminder,
    ChecklistConfirmation,
    ReviewReminder,
    SubmissionNote,
    WarningAcknowledgement,
)
from publishing.models.workflow import AutomaticChecksTask, InternalNoticeTask, LeaderApprovalTask  # noqa: F401
