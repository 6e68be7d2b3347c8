from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("<str:number>/<int:pk>/", views.inbound_mail, name="inbound_mail"),
]
