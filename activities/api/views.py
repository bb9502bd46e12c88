from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from activities import ingest
from activities.api import serializers
from activities.api.read_views import ActivityListMixin
from movement.models import Scope
from movement.params import DRY_RUN, bool_param


class ActivityIngestMixin:
    required_scopes = {"POST": Scope.ACTIVITY_WRITE, "GET": Scope.READ, "HEAD": Scope.READ}

    def validated(self, serializer_class):
        dry_run = bool_param(self.request, "dry_run")
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data, dry_run


class ActivityView(ActivityListMixin, ActivityIngestMixin, generics.GenericAPIView):
    """``POST /api/activity``: store one supporter's activities. ``GET`` lists activities."""

    @extend_schema(
        request=serializers.ActivityRequestSerializer,
        responses=serializers.IngestResponseSerializer,
        parameters=[DRY_RUN],
        summary="Store activities for one supporter",
    )
    def post(self, request):
        data, dry_run = self.validated(serializers.ActivityRequestSerializer)
        result = ingest.ingest_activities(data["external_id"], data["activities"], dry_run=dry_run)
        return Response({**result.as_dict(), "dry_run": dry_run})


class BulkActivityView(ActivityIngestMixin, generics.GenericAPIView):
    """``POST /api/activity/bulk``: store the activities of many supporters at once."""

    # OPTIONS describes the request body from serializer_class; without it DRF raises a 500.
    serializer_class = serializers.BulkActivityRequestSerializer

    @extend_schema(
        request=serializers.BulkActivityRequestSerializer,
        responses=serializers.BulkIngestResponseSerializer,
        parameters=[DRY_RUN],
        summary="Store activities for many supporters",
    )
    def post(self, request):
        data, dry_run = self.validated(serializers.BulkActivityRequestSerializer)
        records = [
            ingest.SupporterActivities(
                record["external_id"], record["activities"], f"records[{index}]."
            )
            for index, record in enumerate(data["records"])
        ]
        results = ingest.ingest_records(records, dry_run=dry_run)
        return Response({"dry_run": dry_run, "records": [result.as_dict() for result in results]})
