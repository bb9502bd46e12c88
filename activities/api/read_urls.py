"""The read API: supporters, activities, entities and saved searches.

``GET /api/activity`` shares its URL with ``POST /api/activity`` and lives in ``urls.py``.
"""

from django.urls import path

from activities.api import read_views as views

urlpatterns = [
    path("supporters/", views.SupporterListView.as_view(), name="api-supporter-list"),
    # External ids may contain "/", so they match as paths; the longer route goes first.
    path(
        "supporters/<path:external_id>/activities/",
        views.SupporterActivityListView.as_view(),
        name="api-supporter-activities",
    ),
    path(
        "supporters/<path:external_id>/",
        views.SupporterDetailView.as_view(),
        name="api-supporter-detail",
    ),
    path("entities/", views.EntityListView.as_view(), name="api-entity-list"),
    path("entities/<int:pk>/", views.EntityDetailView.as_view(), name="api-entity-detail"),
    path(
        "entities/<int:pk>/supporters/",
        views.EntitySupporterListView.as_view(),
        name="api-entity-supporters",
    ),
    path("saved-searches/", views.SavedSearchListView.as_view(), name="api-saved-search-list"),
    path(
        "saved-searches/<int:pk>/",
        views.SavedSearchDetailView.as_view(),
        name="api-saved-search-detail",
    ),
    path(
        "saved-searches/<int:pk>/supporters/",
        views.SavedSearchSupporterListView.as_view(),
        name="api-saved-search-supporters",
    ),
]
