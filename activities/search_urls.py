"""Staff search pages: the supporter search, saved searches and CSV exports."""

from django.urls import path

from activities import search_views

urlpatterns = [
    path("supporters/", search_views.supporter_list, name="supporter-list"),
    path("supporters/export.csv", search_views.supporter_export, name="supporter-export"),
    path("searches/", search_views.saved_search_list, name="saved-search-list"),
    path("searches/new", search_views.saved_search_create, name="saved-search-create"),
    path("searches/<int:pk>/", search_views.saved_search_detail, name="saved-search-detail"),
    path("searches/<int:pk>/edit", search_views.saved_search_update, name="saved-search-update"),
    path("searches/<int:pk>/delete", search_views.saved_search_delete, name="saved-search-delete"),
    path(
        "searches/<int:pk>/export.csv",
        search_views.saved_search_export,
        name="saved-search-export",
    ),
]
