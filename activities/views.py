"""Staff pages: the supporter profile and the entity pages.

Every view requires a logged-in staff account (``movement.staff.staff_required``). The queries
live in ``activities.staff_queries``.
"""

import logging

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from activities import staff_queries
from activities.export import csv_response
from activities.models import ActivityEntity
from activities.staff_forms import EntityFilterForm, TimelineFilterForm
from movement.models import AuditEvent
from movement.staff import staff_required
from movement.tokens import client_ip, record_event
from supporters.models import Supporter

logger = logging.getLogger(__name__)

TIMELINE_PAGE_SIZE = 25
ENTITY_PAGE_SIZE = 50
LINKED_PAGE_SIZE = 50


def paginate(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """Return the current query string minus ``page``, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def entity_search_url(entity: ActivityEntity) -> str:
    """Return the supporter search that lists everyone linked to ``entity``."""
    return f"{reverse('supporter-list')}?{urlencode({'entity': entity.pk})}"


@staff_required
def home(request):
    return redirect("supporter-list")


@staff_required
def supporter_detail(request, pk):
    supporter = get_object_or_404(Supporter, pk=pk)
    summary = staff_queries.supporter_summary(supporter)
    form = TimelineFilterForm(
        request.GET,
        topics=[row["topic"] for row in summary.by_topic],
        sources=staff_queries.supporter_sources(supporter),
        kinds=staff_queries.supporter_entity_kinds(supporter),
    )
    page = None
    if form.is_valid():
        timeline = staff_queries.supporter_timeline(supporter, **form.cleaned_data)
        page = paginate(request, timeline, TIMELINE_PAGE_SIZE)
    return render(
        request,
        "activities/supporter_detail.html",
        {
            "supporter": supporter,
            "summary": summary,
            "form": form,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "page": page,
            "page_query": query_without_page(request),
        },
    )


@staff_required
def entity_list(request):
    form = EntityFilterForm(
        request.GET, kinds=staff_queries.entity_kinds(), sources=staff_queries.entity_sources()
    )
    page = None
    if form.is_valid():
        entities = staff_queries.entity_list(
            query=form.cleaned_data["q"].strip(),
            kind=form.cleaned_data["kind"],
            source=form.cleaned_data["source"],
        )
        page = paginate(request, entities, ENTITY_PAGE_SIZE)
    return render(
        request,
        "activities/entity_list.html",
        {"form": form, "page": page, "page_query": query_without_page(request)},
    )


def status_filter(request) -> str | None:
    """Return the ``status`` query parameter, or None when it is absent.

    An empty ``?status=`` is a real filter: activities sent without a status.
    """
    return request.GET.get("status")


@staff_required
def entity_detail(request, pk):
    entity = get_object_or_404(ActivityEntity, pk=pk)
    status = status_filter(request)
    linked = staff_queries.entity_activities(entity, status=status)
    export_url = reverse("entity-export", args=[entity.pk])
    if status is not None:
        export_url += "?" + urlencode({"status": status})
    return render(
        request,
        "activities/entity_detail.html",
        {
            "entity": entity,
            "summary": staff_queries.entity_summary(entity),
            "status": status,
            "page": paginate(request, linked, LINKED_PAGE_SIZE),
            "page_query": query_without_page(request),
            "export_url": export_url,
            "search_url": entity_search_url(entity),
        },
    )


@staff_required
def entity_export(request, pk):
    """Stream everyone linked to an entity as CSV, one row per linked activity."""
    entity = get_object_or_404(ActivityEntity, pk=pk)
    status = status_filter(request)
    rows = staff_queries.entity_activities(entity, status=status).count()
    record_event(
        AuditEvent.Action.EXPORT,
        actor=request.user,
        ip_address=client_ip(request),
        rows=rows,
        entity=entity.pk,
    )
    logger.info("Exporting %d rows linked to entity %s", rows, entity.pk)
    return csv_response(
        f"entity-{entity.pk}-activities.csv",
        staff_queries.ENTITY_EXPORT_HEADER,
        staff_queries.entity_export_rows(entity, status=status),
    )
