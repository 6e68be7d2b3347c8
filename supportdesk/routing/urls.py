from django.urls import path

from supportdesk.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("availability/", views.availability, name="availability"),
    path("tickets/<str:number>/", views.panel, name="panel"),
    path("tickets/<str:number>/escalate/", views.escalate, name="escalate"),
    path("tickets/<str:number>/threads/", views.open_thread, name="open_thread"),
    path("escalations/<int:pk>/accept/", views.accept, name="accept"),
    path("escalations/<int:pk>/return/", views.return_request, name="return"),
    path("threads/<int:pk>/messages/", views.thread_message, name="thread_message"),
    path("threads/<int:pk>/close/", views.close_thread, name="close_thread"),
]
