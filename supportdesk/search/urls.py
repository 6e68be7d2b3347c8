from django.urls import path

from supportdesk.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("similar/<str:number>/", views.similar, name="similar"),
]
