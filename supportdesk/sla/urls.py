from django.urls import path

from supportdesk.sla import views

app_name = "sla"

urlpatterns = [
    path("tickets/<str:number>/clocks/", views.ticket_clocks, name="ticket_clocks"),
    path("tickets/<str:number>/emergency/", views.declare_emergency, name="declare_emergency"),
    path("tickets/<str:number>/emergency/panel/", views.emergency_panel, name="emergency_panel"),
    path(
        "tickets/<str:number>/emergency/checklist/",
        views.check_contingency_item,
        name="check_contingency_item",
    ),
    path(
        "tickets/<str:number>/emergency/reports/",
        views.emergency_report,
        name="emergency_report",
    ),
]
