from django.urls import path

from supportdesk.api.api import api

app_name = "api"
urlpatterns = [path("", api.urls)]
