from django.urls import path

from supportdesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.new_ticket, name="new_ticket"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reply/", views.reply, name="reply"),
    path("tickets/<str:number>/files/", views.add_files, name="add_files"),
    path("tickets/<str:number>/confirm/", views.confirm, name="confirm"),
    path("tickets/<str:number>/reopen/", views.reopen, name="reopen"),
]
