from django.urls import path

from supportdesk.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.queue, name="queue"),
    # Fixed paths come before tickets/<number>/ so "new" is never read as a number.
    path("tickets/new/", views.new_ticket, name="new_ticket"),
    path("calls/new/", views.new_call, name="new_call"),
    path("tickets/new/organization-fields/", views.organization_fields, name="organization_fields"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<str:number>/note/", views.ticket_note, name="ticket_note"),
    path("tickets/<str:number>/step/", views.ticket_step, name="ticket_step"),
    path("tickets/<str:number>/call/", views.ticket_call, name="ticket_call"),
    path("tickets/<str:number>/fields/", views.ticket_fields, name="ticket_fields"),
    path("tickets/<str:number>/forms/<slug:name>/", views.ticket_form, name="ticket_form"),
    path(
        "tickets/<str:number>/transition/<slug:target>/form/",
        views.ticket_transition_form,
        name="ticket_transition_form",
    ),
    path("tickets/<str:number>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/transition/", views.ticket_transition, name="ticket_transition"),
    path("tickets/<str:number>/link/", views.ticket_link, name="ticket_link"),
    path("tickets/<str:number>/merge/", views.ticket_merge, name="ticket_merge"),
    path("customers/", views.organization_list, name="organization_list"),
    path(
        "customers/suggestions/",
        views.organization_suggestions,
        name="organization_suggestions",
    ),
    path("customers/<int:pk>/", views.organization_detail, name="organization"),
]
