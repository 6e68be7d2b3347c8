from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaybookKind(models.TextChoices):
    CHECKLIST = "checklist", _("Basic checklist")
    PATH = "path", _("Troubleshooting path")


class StepResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    PROBLEM = "problem", _("Problem found")
    SKIPPED = "skipped", _("Skipped")


class Reproduced(models.TextChoices):
    """Whether an engineer could make the problem happen again (R-DX-4)."""

    YES = "yes", _("Reproduced")
    PARTIALLY = "partially", _("Partially reproduced")
    NO = "no", _("Not reproduced")
