"""The read API: supporters, activities, entities and saved searches, filtered by the
FilterSets in ``activities.filters``. Invalid filter parameters give a 400 problem response."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination

from activities import search
from activities.api import read_serializers as serializers
from activities.filters import (
    MAX_CONDITIONS,
    NON_FILTER_PARAMS,
    ActivityFilterSet,
    EntityFilterSet,
    SupporterFilterSet,
)
from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter

MORE_CONDITIONS = (
    "The activity parameters describe one condition met by a single activity. Add more "
    f"conditions by repeating them with a prefix, c2. up to c{MAX_CONDITIONS}. (such as "
    "c2.topic=event_attendance&c2.negate=true). All conditions must hold."
)


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class SafeCursorPagination(CursorPagination):
    """Cursor pagination that returns 404 for a tampered cursor instead of a 500.

    DRF checks a cursor's encoding but not its position value, which reaches the database as a
    time; an invalid one fails only when the query runs.
    """

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            raise NotFound(self.invalid_cursor_message) from None


class ActivitySyncPagination(SafeCursorPagination):
    """Activities in change order, for incremental sync with ``updated_since``."""

    ordering = ("updated_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class TimelinePagination(SafeCursorPagination):
    """One supporter's activities, newest first."""

    ordering = ("-happened_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def activity_queryset():
    return Activity.objects.select_related("supporter").prefetch_related("entities")


@extend_schema_view(
    get=extend_schema(
        summary="List and search supporters", description=MORE_CONDITIONS, tags=["supporters"]
    )
)
class SupporterListView(generics.ListAPIView):
    """``GET /api/supporters/``: supporters matching every filter, each listed once."""

    queryset = Supporter.objects.all()
    serializer_class = serializers.SupporterSerializer
    filterset_class = SupporterFilterSet
    pagination_class = PagePagination


@extend_schema_view(get=extend_schema(summary="Get one supporter", tags=["supporters"]))
class SupporterDetailView(generics.RetrieveAPIView):
    queryset = Supporter.objects.all()
    serializer_class = serializers.SupporterSerializer
    lookup_field = "external_id"
    filter_backends = []


@extend_schema_view(
    get=extend_schema(summary="List one supporter's activities, newest first", tags=["supporters"])
)
class SupporterActivityListView(generics.ListAPIView):
    serializer_class = serializers.ActivitySerializer
    filterset_class = ActivityFilterSet
    pagination_class = TimelinePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        supporter = get_object_or_404(Supporter, external_id=self.kwargs["external_id"])
        return activity_queryset().filter(supporter=supporter)


class ActivityListMixin(mixins.ListModelMixin):
    """``GET /api/activity``: list activities in change order, with cursor pagination.

    Mixed into the view that also takes ``POST /api/activity``.
    """

    serializer_class = serializers.ActivitySerializer
    filterset_class = ActivityFilterSet
    pagination_class = ActivitySyncPagination

    def get_queryset(self):
        return activity_queryset()

    @extend_schema(
        summary="List activities",
        description=(
            "Activities ordered by updated_at, then id. For incremental sync, pass the time of "
            "the last sync as updated_since and follow the next links to the end."
        ),
        responses=serializers.ActivitySerializer(many=True),
        tags=["activities"],
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(get=extend_schema(summary="List entities", tags=["entities"]))
class EntityListView(generics.ListAPIView):
    queryset = ActivityEntity.objects.all()
    serializer_class = serializers.EntitySerializer
    filterset_class = EntityFilterSet
    pagination_class = PagePagination


@extend_schema_view(get=extend_schema(summary="Get one entity", tags=["entities"]))
class EntityDetailView(generics.RetrieveAPIView):
    queryset = ActivityEntity.objects.all()
    serializer_class = serializers.EntitySerializer
    filter_backends = []


@extend_schema_view(
    get=extend_schema(
        summary="List the supporters linked to an entity",
        description="Supporters with at least one activity linked to the entity. The supporter "
        "search parameters narrow the list further. " + MORE_CONDITIONS,
        tags=["entities"],
    )
)
class EntitySupporterListView(generics.ListAPIView):
    serializer_class = serializers.SupporterSerializer
    filterset_class = SupporterFilterSet
    pagination_class = PagePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Supporter.objects.none()
        entity = get_object_or_404(ActivityEntity, pk=self.kwargs["pk"])
        links = ActivityEntityLink.objects.filter(entity=entity, activity__supporter=OuterRef("pk"))
        return Supporter.objects.filter(Exists(links))


class SavedSearchMixin:
    def get_queryset(self):
        token = self.request.auth
        return search.visible_saved_searches(getattr(token, "created_by", None))


@extend_schema_view(
    get=extend_schema(
        summary="List saved searches",
        description="Shared searches, and the private searches of the user who created the token.",
        tags=["saved searches"],
    )
)
class SavedSearchListView(SavedSearchMixin, generics.ListAPIView):
    serializer_class = serializers.SavedSearchSerializer
    pagination_class = PagePagination
    filter_backends = []


@extend_schema_view(get=extend_schema(summary="Get one saved search", tags=["saved searches"]))
class SavedSearchDetailView(SavedSearchMixin, generics.RetrieveAPIView):
    serializer_class = serializers.SavedSearchSerializer
    filter_backends = []


@extend_schema_view(
    get=extend_schema(
        summary="Run a saved search",
        description="The supporters the saved search selects now. Responds 409 when the "
        "stored parameters are no longer valid.",
        tags=["saved searches"],
    )
)
class SavedSearchSupporterListView(SavedSearchMixin, generics.ListAPIView):
    serializer_class = serializers.SupporterSerializer
    pagination_class = PagePagination
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Supporter.objects.none()
        self.saved = get_object_or_404(super().get_queryset(), pk=self.kwargs["pk"])
        return search.run_saved_search(self.saved)

    def list(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - NON_FILTER_PARAMS)
        if unknown:
            raise exceptions.ValidationError(
                {name: ["A saved search takes only paging parameters."] for name in unknown}
            )
        response = super().list(request, *args, **kwargs)
        search.record_run(self.saved, self.paginator.page.paginator.count)
        return response


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describe the Bearer token in the OpenAPI schema, so the docs page offers to send it.

    Registered on import; this module is loaded with the URL configuration.
    """

    target_class = "movement.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Bearer"
        )
