from django.urls import path

from supportdesk.playbooks import views

app_name = "playbooks"

urlpatterns = [
    path("tickets/<str:number>/", views.panel, name="panel"),
    path("tickets/<str:number>/steps/", views.record_step, name="record_step"),
    path("tickets/<str:number>/reproductions/", views.record_reproduction, name="reproduction"),
    path("tickets/<str:number>/data-requests/", views.send_data_request, name="data_request"),
]
