from collections import Counter
from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from movement.api import NotFound
from movement.models import Scope
from movement.params import DRY_RUN, bool_param
from movement.tokens import client_ip
from supporters import services
from supporters.api import serializers
from supporters.models import Supporter


class SupporterBulkUpsertView(generics.GenericAPIView):
    """``POST /api/targets/bulk_upsert``: create or update up to 1,000 supporters."""

    required_scopes = {"POST": Scope.SUPPORTERS_WRITE}
    serializer_class = serializers.SupporterUpsertSerializer

    @extend_schema(
        responses=serializers.SupporterUpsertResponseSerializer,
        parameters=[DRY_RUN],
        summary="Upsert supporters",
    )
    def post(self, request):
        dry_run = bool_param(request, "dry_run")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.bulk_upsert_supporters(
            serializer.validated_data["records"],
            conflict_strategy=serializer.validated_data["conflict_strategy"],
            dry_run=dry_run,
        )
        counts = Counter(result.result for result in results)
        body = {
            name: counts.get(name, 0) for name in ("created", "updated", "unchanged", "rejected")
        }
        body["dry_run"] = dry_run
        body["results"] = [asdict(result) for result in results]
        return Response(body)


class SupporterEraseView(generics.GenericAPIView):
    """``POST /api/supporters/<external_id>/erase``: delete a supporter and their history."""

    required_scopes = {"POST": Scope.SUPPORTERS_WRITE}
    serializer_class = serializers.ErasureResultSerializer

    @extend_schema(
        request=None,
        responses=serializers.ErasureResultSerializer,
        parameters=[DRY_RUN],
        summary="Erase a supporter with their activities",
    )
    def post(self, request, external_id):
        dry_run = bool_param(request, "dry_run")
        supporter = Supporter.objects.filter(external_id=external_id).first()
        if supporter is None:
            raise NotFound(
                f"No supporter has external_id '{external_id}'.", code="supporter_not_found"
            )
        result = services.erase_supporter(
            supporter,
            actor_label=f"API token {request.auth.pk} ({request.auth.name})",
            ip_address=client_ip(request),
            dry_run=dry_run,
        )
        return Response({**asdict(result), "dry_run": dry_run})
