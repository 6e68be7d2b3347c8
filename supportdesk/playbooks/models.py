from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from supportdesk.playbooks.choices import PlaybookKind


class Playbook(models.Model):
    """A basic checklist (R-DX-1) or a troubleshooting path by category and symptom
    (R-DX-2): an ordered list of steps an agent runs on a ticket, edited by admins."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PlaybookKind.choices)
    category = models.CharField(_("problem category"), max_length=100, blank=True)
    symptom = models.CharField(_("symptom"), max_length=200, blank=True)
    steps = models.TextField(_("steps"), help_text=_("One step per line, in order."))
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.name

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class DataRequestTemplate(models.Model):
    """What to ask a customer for (R-DX-3): logs with their paths, screenshots,
    configuration, environment details; optionally for one product."""

    name = models.CharField(_("name"), max_length=100)
    product = models.ForeignKey(
        "crm.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    items = models.TextField(_("items"), help_text=_("One item per line, with paths."))
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("data-collection template")
        verbose_name_plural = _("data-collection templates")
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.name

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]
