"""Staff search pages: the supporter search, saved searches and CSV exports."""

from django.urls import path

from activities import search_views

urlpatterns = [
    path("supporters/", search_views.supporter_list, name="supporter-list"),
]
