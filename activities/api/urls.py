from django.urls import path

from activities.api import views

urlpatterns = [
    path("activity", views.ActivityView.as_view(), name="api-activity"),
    path("activity/bulk", views.BulkActivityView.as_view(), name="api-activity-bulk"),
]
