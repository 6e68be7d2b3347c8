from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "supportdesk.routing"
    label = "routing"
    verbose_name = _("Routing and escalation")

    def ready(self) -> None:
        from supportdesk.routing import receivers  # noqa: F401  (connects the signal handlers)
