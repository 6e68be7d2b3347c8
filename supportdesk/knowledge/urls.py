from django.urls import path

from supportdesk.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_create, name="article_create"),
    path("from-ticket/<str:number>/", views.article_from_ticket, name="article_from_ticket"),
    path("typical-cases/<str:number>/", views.mark_typical_case, name="mark_typical_case"),
    path("<int:pk>/", views.article_detail, name="article"),
    path("<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("<int:pk>/versions/", views.article_versions, name="article_versions"),
    path("<int:pk>/versions/<int:number>/restore/", views.article_restore, name="article_restore"),
    path("<int:pk>/files/", views.article_files, name="article_files"),
    path("files/<int:pk>/", views.article_file, name="article_file"),
    path("<int:pk>/feedback/", views.article_feedback, name="article_feedback"),
    path("<int:pk>/review/", views.article_review, name="article_review"),
    path("canned/<str:number>/", views.canned_replies, name="canned_replies"),
    path("<int:pk>/solved/", views.article_solved, name="article_solved"),
]
