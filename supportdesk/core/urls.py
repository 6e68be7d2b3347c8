from django.urls import include, path

from supportdesk.core import views

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("i18n/", include("django.conf.urls.i18n")),
]
