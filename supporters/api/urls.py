from django.urls import path

from supporters.api import views

urlpatterns = [
    path(
        "targets/bulk_upsert",
        views.SupporterBulkUpsertView.as_view(),
        name="api-targets-bulk-upsert",
    ),
    path(
        "supporters/bulk_upsert",
        views.SupporterBulkUpsertView.as_view(),
        name="api-supporters-bulk-upsert",
    ),
    path(
        "supporters/<path:external_id>/erase",
        views.SupporterEraseView.as_view(),
        name="api-supporter-erase",
    ),
]
