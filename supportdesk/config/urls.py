from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from supportdesk.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("supportdesk.core.urls")),
    path("", include("supportdesk.tickets.urls")),
    path("portal/", include("supportdesk.portal.urls")),
    path("desk/", include("supportdesk.workspace.urls")),
    path("api/v1/", include("supportdesk.api.urls")),
    path("search/", include("supportdesk.search.urls")),
    path("kb/", include("supportdesk.knowledge.urls")),
    path("playbooks/", include("supportdesk.playbooks.urls")),
    path("notifications/", include("supportdesk.notifications.urls")),
    path("sla/", include("supportdesk.sla.urls")),
    path("mail/", include("supportdesk.intake.urls")),
    path("routing/", include("supportdesk.routing.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "supportdesk.core.views.server_error"
