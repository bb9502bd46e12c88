"""Staff search pages: the supporter search, saved searches and CSV exports.

The search page reads the same query parameters as ``GET /api/supporters/`` through
``SupporterFilterSet``, so a search URL and an API call with the same query string list the
same supporters. The page works without JavaScript: a blank condition row is always offered,
and each condition has a link that removes it.
"""

import logging
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities import search
from activities.export import csv_response
from activities.filters import (
    CONDITION_NAMES,
    CONDITION_PREFIX,
    MAX_CONDITIONS,
    SupporterFilterSet,
)
from movement.models import AuditEvent
from movement.staff import staff_required
from movement.tokens import client_ip, record_event
from supporters.models import Supporter

logger = logging.getLogger(__name__)

PAGE_SIZE = 50

# Labels and placeholders of one condition row, in display order.
CONDITION_INPUTS = (
    ("topic", "Topic", "event_attendance, event_rsvp"),
    ("source", "Source", "mobilize"),
    ("status", "Status", "attended"),
    ("entity", "Entity id", "12"),
    ("entity_kind", "Entity kind", "event"),
    ("entity_source", "Entity source", "mobilize"),
    ("entity_external_id", "Entity external id", "EVT_456"),
    ("entity_name", "Entity name contains", "Town Hall"),
    ("happened_from", "From", "2024-03-01"),
    ("happened_to", "To", "2024-03-31"),
    ("within_days", "Within last days", "90"),
    ("min_count", "At least (times)", "1"),
)


@dataclass
class Input:
    name: str
    label: str
    value: str
    placeholder: str
    errors: list[str]


@dataclass
class ConditionRow:
    number: int
    prefix: str
    inputs: list[Input]
    negate: bool
    negate_errors: list[str]
    remove_query: str | None


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=200)
    shared = forms.BooleanField(required=False, help_text="Visible to all staff.")


def query_without(data: QueryDict, prefix: str | None = None) -> str:
    """Return ``data`` as a query string without ``page``, blank values and, when given, the
    parameters of the condition with ``prefix``."""
    kept = QueryDict(mutable=True)
    for key, values in data.lists():
        if key == "page" or (prefix is not None and condition_prefix_of(key) == prefix):
            continue
        values = [value for value in values if value.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def condition_prefix_of(key: str) -> str | None:
    """Return the condition prefix of a parameter name: "" for the first, "c2." and so on."""
    match = CONDITION_PREFIX.match(key)
    if match:
        return match.group(0)
    return "" if key in CONDITION_NAMES else None


def condition_rows(filterset: SupporterFilterSet, data: QueryDict) -> list[ConditionRow]:
    """Return a row for each condition the query uses, then a blank row to add one more."""
    errors = filterset.errors if filterset.is_bound else {}
    used = []
    for key, values in data.lists():
        prefix = condition_prefix_of(key)
        if prefix is not None and prefix not in used and any(value.strip() for value in values):
            used.append(prefix)
    used.sort(key=lambda prefix: int(prefix[1:-1]) if prefix else 1)
    free = [""] + [f"c{number}." for number in range(2, MAX_CONDITIONS + 1)]
    blank = next((prefix for prefix in free if prefix not in used), None)
    prefixes = used + ([blank] if blank is not None else [])
    rows = []
    for number, prefix in enumerate(prefixes, start=1):
        inputs = [
            Input(
                name=prefix + name,
                label=label,
                value=", ".join(data.getlist(prefix + name)),
                placeholder=placeholder,
                errors=list(errors.get(prefix + name, [])),
            )
            for name, label, placeholder in CONDITION_INPUTS
        ]
        negate_value = data.get(prefix + "negate", "").strip().lower()
        rows.append(
            ConditionRow(
                number=number,
                prefix=prefix,
                inputs=inputs,
                negate=negate_value in {"true", "1", "yes", "on"},
                negate_errors=list(errors.get(prefix + "negate", [])),
                remove_query=query_without(data, prefix) if prefix in used else None,
            )
        )
    return rows


def run_search(request, queryset=None):
    """Return the bound FilterSet for the request and the matching supporters, or None when the
    parameters are invalid (the page then shows the errors and no list)."""
    filterset = SupporterFilterSet(request.GET, queryset=queryset or Supporter.objects.all())
    if not filterset.is_valid():
        return filterset, None
    return filterset, filterset.qs


@staff_required
def supporter_list(request):
    filterset, supporters = run_search(request)
    page = None
    if supporters is not None:
        page = Paginator(supporters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without(request.GET)
    context = {
        "filterset": filterset,
        "errors": filterset.errors if supporters is None else {},
        "rows": condition_rows(filterset, request.GET),
        "custom_fields": request.GET.getlist("custom_field"),
        "page": page,
        "query": query,
        "save_form": SavedSearchForm(),
    }
    status = 400 if supporters is None else 200
    return render(request, "activities/search.html", context, status=status)


@staff_required
def supporter_export(request):
    """Stream the supporters of the search in the query string as CSV."""
    filterset, supporters = run_search(request)
    if supporters is None:
        return invalid_export(filterset.errors)
    return export(request, supporters, "supporters.csv", saved=None)


def invalid_export(errors) -> HttpResponse:
    lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    body = "The search parameters are invalid, so nothing was exported.\n" + "\n".join(lines)
    return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")


def export(request, supporters, filename: str, saved):
    count = supporters.count()
    record_event(
        AuditEvent.Action.EXPORT,
        actor=request.user,
        ip_address=client_ip(request),
        rows=count,
        search=saved.pk if saved is not None else None,
    )
    logger.info(
        "User %s exporting %d supporters (saved search %s)",
        request.user.pk,
        count,
        saved.pk if saved is not None else None,
    )
    return csv_response(filename, search.EXPORT_HEADER, search.export_rows(supporters))


# Saved searches


def visible_or_404(request, pk):
    return get_object_or_404(search.visible_saved_searches(request.user), pk=pk)


@staff_required
def saved_search_list(request):
    searches = search.visible_saved_searches(request.user)
    page = Paginator(searches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/saved_search_list.html", {"page": page})


@staff_required
@require_POST
def saved_search_create(request):
    """Save the search in the posted ``query`` string under a name."""
    form = SavedSearchForm(request.POST)
    query = request.POST.get("query", "")
    back = f"{reverse('supporter-list')}?{query}"
    if not form.is_valid():
        messages.error(request, "Give the search a name of up to 200 characters to save it.")
        return redirect(back)
    params = search.clean_params(QueryDict(query))
    try:
        saved = search.create_saved_search(
            request.user, form.cleaned_data["name"], params, shared=form.cleaned_data["shared"]
        )
    except search.InvalidSearch as error:
        messages.error(request, error.detail)
        return redirect(back)
    messages.success(request, f"Saved the search “{saved.name}”.")
    return redirect(saved)


@staff_required
def saved_search_detail(request, pk):
    """Run a saved search live and list its supporters."""
    saved = visible_or_404(request, pk)
    try:
        supporters = search.run_saved_search(saved)
    except search.InvalidSearch as error:
        supporters, invalid = None, error.errors
    else:
        invalid = {}
    page = None
    if supporters is not None:
        page = Paginator(supporters, PAGE_SIZE).get_page(request.GET.get("page"))
        search.record_run(saved, page.paginator.count)
    context = {
        "saved": saved,
        "page": page,
        "invalid": invalid,
        "can_change": search.can_change(request.user, saved),
        "can_delete": search.can_delete(request.user, saved),
        "form": SavedSearchForm(initial={"name": saved.name, "shared": saved.shared}),
    }
    return render(request, "activities/saved_search_detail.html", context)


@staff_required
@require_POST
def saved_search_update(request, pk):
    saved = visible_or_404(request, pk)
    if not search.can_change(request.user, saved):
        raise PermissionDenied("Only the owner can rename this search.")
    form = SavedSearchForm(request.POST)
    if form.is_valid():
        search.update_saved_search(
            saved, name=form.cleaned_data["name"], shared=form.cleaned_data["shared"]
        )
        messages.success(request, "Saved the changes.")
    else:
        messages.error(request, "Give the search a name of up to 200 characters.")
    return redirect(saved)


@staff_required
@require_POST
def saved_search_delete(request, pk):
    saved = visible_or_404(request, pk)
    if not search.can_delete(request.user, saved):
        raise PermissionDenied("Only the owner can delete this search.")
    search.delete_saved_search(saved, actor=request.user)
    messages.success(request, f"Deleted the search “{saved.name}”.")
    return redirect("saved-search-list")


@staff_required
def saved_search_export(request, pk):
    saved = visible_or_404(request, pk)
    try:
        supporters = search.run_saved_search(saved)
    except search.InvalidSearch as error:
        return invalid_export(error.errors)
    return export(request, supporters, f"saved-search-{saved.pk}.csv", saved=saved)
