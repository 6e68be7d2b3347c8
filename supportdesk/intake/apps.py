from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "supportdesk.intake"
    label = "intake"
    verbose_name = _("Mail intake")

    def ready(self) -> None:
        from supportdesk.tickets.signals import ticket_event_recorded

        from .email import outbound

        ticket_event_recorded.connect(
            outbound.on_ticket_event, dispatch_uid="intake.outbound.on_ticket_event"
        )
