from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "supportdesk.intake"
    label = "intake"
    verbose_name = _("Mail intake")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from supportdesk.crm.models import Organization
        from supportdesk.tickets.signals import ticket_event_recorded

        from .email import ingest, outbound
        from .models import Mailbox

        ticket_event_recorded.connect(
            outbound.on_ticket_event, dispatch_uid="intake.outbound.on_ticket_event"
        )
        # Cached lookups of the mail intake (ingest.own_addresses, organization domains).
        for model in (Mailbox, Organization):
            for signal in (post_save, post_delete):
                signal.connect(
                    ingest.forget_cached,
                    sender=model,
                    dispatch_uid=f"intake.forget_cached.{model.__name__}.{signal is post_save}",
                )
