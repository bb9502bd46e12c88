"""FilterSets for supporters, activities and entities.

The same FilterSets serve the staff search page, the read API and CSV exports, so a query
string means the same thing everywhere. ``docs/search.md`` describes the parameters.

Each FilterSet rejects parameters it does not know: a misspelt filter must not return an
unfiltered list.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from activities import search
from activities.models import Activity, ActivityEntity
from supporters.models import Supporter

# The search page and the API accept at most this many activity conditions: the first
# without a prefix, then "c2." up to "c10.".
MAX_CONDITIONS = 10
CONDITION_PREFIX = re.compile(r"c([0-9]+)\.")
MAX_TEXT_LENGTH = 255
MAX_VALUES = 50
MAX_WITHIN_DAYS = 36_500
MAX_MIN_COUNT = 100_000
# Pagination and format parameters that travel with filters but are not filters.
NON_FILTER_PARAMS = frozenset({"page", "page_size", "cursor", "format"})
TRUE_VALUES = frozenset({"true", "1", "yes", "on"})
FALSE_VALUES = frozenset({"false", "0", "no", "off", ""})
# A "+" in a query string decodes to a space, so "…T10:00:00+10:00" sent unescaped arrives
# as "…T10:00:00 10:00". The offset is restored before parsing.
UNESCAPED_OFFSET = re.compile(r" ([0-9]{2}(:?[0-9]{2})?)$")


def check_text(value: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Return ``value`` trimmed, or raise ValidationError for NUL characters or excess length."""
    if "\x00" in value:
        raise forms.ValidationError("Remove the NUL character from this value.", code="invalid")
    value = value.strip()
    if len(value) > max_length:
        raise forms.ValidationError(
            f"Enter at most {max_length} characters (this value has {len(value)}).",
            code="max_length",
        )
    return value


class ListInput(forms.TextInput):
    """A text input whose parameter may repeat; the values arrive as a list."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = data.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return list(value)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value) or None
        return super().format_value(value)


class TextListField(forms.Field):
    """One or several text values: the parameter repeated, or values separated by commas."""

    widget = ListInput

    def to_python(self, value):
        if value in (None, ""):
            return ()
        items = [value] if isinstance(value, str) else value
        values = []
        for item in items:
            for part in check_text(str(item)).split(","):
                part = part.strip()
                if part and part not in values:
                    values.append(part)
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(f"Send at most {MAX_VALUES} values.", code="max_values")
        return tuple(values)


# Messages take the request's value through params, never an f-string: django-filter formats
# every message with ``%``, so a "%" in the value would otherwise raise a TypeError (a 500).


class IdListField(TextListField):
    """One or several positive integer ids."""

    def to_python(self, value):
        ids = []
        for item in super().to_python(value):
            if not item.isdigit() or int(item) < 1 or len(item) > 18:
                raise forms.ValidationError(
                    "'%(value)s' is not an id. Send a positive whole number, such as 12.",
                    code="invalid",
                    params={"value": item},
                )
            ids.append(int(item))
        return tuple(ids)


class CustomFieldListField(forms.Field):
    """Custom field conditions written ``key:value``; the parameter may repeat."""

    widget = ListInput

    def to_python(self, value):
        if value in (None, ""):
            return ()
        items = [value] if isinstance(value, str) else value
        pairs = []
        for item in items:
            item = check_text(str(item))
            if not item:
                continue
            key, separator, text = item.partition(":")
            if not separator or not key.strip():
                raise forms.ValidationError(
                    "'%(value)s' is not a custom field condition. Write key:value, such as "
                    "ward:Riverside.",
                    code="invalid",
                    params={"value": item},
                )
            key = key.strip()
            if key.isdigit():
                # Django's JSON key lookups read an all-digit key as an array index.
                raise forms.ValidationError(
                    "Custom fields named only with digits ('%(value)s') cannot be searched.",
                    code="invalid",
                    params={"value": key},
                )
            pairs.append((key, text.strip()))
        if len(pairs) > MAX_VALUES:
            raise forms.ValidationError(f"Send at most {MAX_VALUES} values.", code="max_values")
        return tuple(pairs)


class SearchTextField(forms.CharField):
    """A single text value, checked for NUL characters and length."""

    def to_python(self, value):
        return check_text(super().to_python(value))


class SearchDateTimeField(forms.Field):
    """A date (a day in the organisation's time zone) or an ISO 8601 time with a UTC offset.

    ``end_of_day`` makes a bare date mean the last microsecond of that day, so that a range
    "from 2024-03-01 to 2024-03-31" includes all of March 31.
    """

    widget = forms.DateInput
    example = "2024-03-15 or 2024-03-15T09:00:00+11:00"

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = UNESCAPED_OFFSET.sub(r"+\1", check_text(str(value)))
        try:
            day = parse_date(text)
            moment = None if day else parse_datetime(text)
        except ValueError:
            day = moment = None
        if day is not None:
            zone = ZoneInfo(settings.ORGANISATION_TIME_ZONE)
            if self.end_of_day:
                return datetime.combine(day + timedelta(days=1), time.min, zone) - timedelta(
                    microseconds=1
                )
            return datetime.combine(day, time.min, zone)
        if moment is None:
            raise forms.ValidationError(
                "'%(value)s' is not a date or a time. Enter one such as %(example)s.",
                code="invalid",
                params={"value": text, "example": self.example},
            )
        if moment.utcoffset() is None:
            raise forms.ValidationError(
                "'%(value)s' has no UTC offset. Add one, as in %(example)s.",
                code="naive",
                params={"value": text, "example": self.example},
            )
        return moment


class StrictBooleanField(forms.Field):
    """true or false (also 1/0, yes/no, on/off); anything else is an error, not "false"."""

    widget = forms.TextInput

    def to_python(self, value):
        text = check_text(str(value or "")).lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(
            "'%(value)s' is not a boolean. Send true or false.",
            code="invalid",
            params={"value": text},
        )


# The filters below hold the parameter's form field and its documentation. The FilterSets
# apply them together through activities.search, so their own filter() is never called.


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TextListFilter(django_filters.Filter):
    field_class = TextListField


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdListFilter(django_filters.Filter):
    field_class = IdListField


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CustomFieldFilter(django_filters.Filter):
    field_class = CustomFieldListField


@extend_schema_field(OpenApiTypes.STR)
class SearchTextFilter(django_filters.Filter):
    field_class = SearchTextField


@extend_schema_field(OpenApiTypes.STR)
class SearchDateTimeFilter(django_filters.Filter):
    field_class = SearchDateTimeField


@extend_schema_field(OpenApiTypes.INT)
class CountFilter(django_filters.Filter):
    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


def activity_filters() -> dict[str, django_filters.Filter]:
    """Return the filters that describe one activity."""
    return {
        "topic": TextListFilter(help_text="Activity topic; several values match any of them."),
        "source": TextListFilter(help_text="Activity source; several values match any."),
        "status": TextListFilter(help_text="Activity status; several values match any."),
        "entity": IdListFilter(help_text="Linked to the entity with this id; several match any."),
        "entity_kind": TextListFilter(help_text="Linked to an entity of this kind."),
        "entity_source": SearchTextFilter(help_text="Linked to an entity from this source."),
        "entity_external_id": SearchTextFilter(
            help_text="Linked to the entity with this external id (pair with entity_source)."
        ),
        "entity_name": SearchTextFilter(
            help_text="Linked to an entity whose name contains this text (any case)."
        ),
        "happened_from": SearchDateTimeFilter(
            help_text="Happened at or after this time, or on or after this date (a day in the "
            "organisation's time zone)."
        ),
        "happened_to": SearchDateTimeFilter(
            help_text="Happened at or before this time, or on or before this date.",
            end_of_day=True,
        ),
    }


def condition_filters() -> dict[str, django_filters.Filter]:
    """Return the filters of one supporter search condition: one activity, count, negation."""
    filters = activity_filters()
    filters["within_days"] = CountFilter(
        help_text="Happened within this many days before now.",
        min_value=1,
        max_value=MAX_WITHIN_DAYS,
    )
    filters["min_count"] = CountFilter(
        help_text="The supporter needs at least this many matching activities (default 1).",
        min_value=1,
        max_value=MAX_MIN_COUNT,
    )
    filters["negate"] = StrictBooleanFilter(
        help_text="true: keep supporters who do NOT meet this condition."
    )
    return filters


CONDITION_NAMES = tuple(condition_filters())


class StrictFormMixin:
    """Report every query parameter that is neither a field of the form nor a known extra."""

    def clean(self):
        cleaned = super().clean()
        for key in self.data:
            if key not in self.fields and key not in NON_FILTER_PARAMS:
                self._errors.setdefault(key, self.error_class()).append(
                    "This is not a filter parameter here. See /api/docs/ for the parameters."
                )
        return cleaned


class StrictForm(StrictFormMixin, forms.Form):
    pass


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet that rejects unknown parameters and applies its filters in one service call."""

    class Meta:
        form = StrictForm

    def cleaned(self, prefix: str = "") -> dict:
        data = self.form.cleaned_data
        return {name: data.get(prefix + name) for name in CONDITION_NAMES if prefix + name in data}


def activity_condition(values: dict) -> search.ActivityCondition:
    """Build an ActivityCondition from cleaned filter values keyed by unprefixed names."""
    return search.ActivityCondition(
        topics=values.get("topic") or (),
        sources=values.get("source") or (),
        statuses=values.get("status") or (),
        entity_ids=values.get("entity") or (),
        entity_kinds=values.get("entity_kind") or (),
        entity_source=values.get("entity_source") or "",
        entity_external_id=values.get("entity_external_id") or "",
        entity_name=values.get("entity_name") or "",
        happened_from=values.get("happened_from"),
        happened_to=values.get("happened_to"),
        within_days=values.get("within_days"),
        min_count=values.get("min_count") or 1,
        negate=bool(values.get("negate")),
    )


def is_active(values: dict) -> bool:
    """Return whether a condition's values constrain anything (blank form rows do not)."""
    return any(value not in (None, "", (), False) for value in values.values())


class SupporterFilterSet(StrictFilterSet):
    """Supporter search: supporter fields plus activity conditions, all combined with AND.

    The first activity condition uses bare names (``topic``, ``entity``, ``min_count``...);
    further conditions repeat them with a prefix, ``c2.topic`` up to ``c10.topic``.
    """

    q = SearchTextFilter(
        help_text="Free text: every word must appear in the name, email or external id."
    )
    email = SearchTextFilter(help_text="Email address (exact, any case).")
    external_id = SearchTextFilter(help_text="External id (membership number), exact.")
    custom_field = CustomFieldFilter(
        help_text="key:value, such as ward:Riverside; repeat for several (all must match)."
    )

    class Meta(StrictFilterSet.Meta):
        model = Supporter
        fields = []

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        filters.update(condition_filters())
        return filters

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for prefix in self.extra_prefixes():
            for name, condition_filter in condition_filters().items():
                condition_filter.model = self._meta.model
                condition_filter.parent = self
                self.filters[prefix + name] = condition_filter

    def extra_prefixes(self) -> list[str]:
        """Return the condition prefixes (``c2.``...) the data uses, in order."""
        numbers = set()
        for key in self.data or {}:
            match = CONDITION_PREFIX.match(key)
            if match and 2 <= int(match.group(1)) <= MAX_CONDITIONS:
                numbers.add(int(match.group(1)))
        return [f"c{number}." for number in sorted(numbers)]

    def condition_prefixes(self) -> list[str]:
        return ["", *self.extra_prefixes()]

    def to_search(self) -> search.SupporterSearch:
        """Return the search the valid form describes; call ``is_valid()`` first."""
        data = self.form.cleaned_data
        conditions = []
        for prefix in self.condition_prefixes():
            values = self.cleaned(prefix)
            if is_active(values):
                conditions.append(activity_condition(values))
        return search.SupporterSearch(
            text=data.get("q") or "",
            email=data.get("email") or "",
            external_id=data.get("external_id") or "",
            custom_fields=data.get("custom_field") or (),
            conditions=tuple(conditions),
        )

    def filter_queryset(self, queryset):
        return search.search_supporters(self.to_search(), queryset)


class ActivityFilterSet(StrictFilterSet):
    """Activity list filters: one activity's attributes, its supporter and a change time."""

    supporter = SearchTextFilter(help_text="The supporter's external id.")
    updated_since = SearchDateTimeFilter(
        help_text="Changed at or after this time, for incremental sync."
    )

    class Meta(StrictFilterSet.Meta):
        model = Activity
        fields = []

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        filters.update(activity_filters())
        return filters

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        queryset = queryset.filter(search.activity_q(activity_condition(self.cleaned())))
        if data.get("supporter"):
            queryset = queryset.filter(supporter__external_id=data["supporter"])
        if data.get("updated_since") is not None:
            queryset = queryset.filter(updated_at__gte=data["updated_since"])
        return queryset


class EntityFilterSet(StrictFilterSet):
    """Entity list filters."""

    kind = TextListFilter(help_text="Entity kind, such as event; several values match any.")
    source = SearchTextFilter(help_text="Entity source, exact.")
    external_id = SearchTextFilter(help_text="External id within the source, exact.")
    name = SearchTextFilter(help_text="Name contains this text (any case).")
    updated_since = SearchDateTimeFilter(help_text="Changed at or after this time.")

    class Meta(StrictFilterSet.Meta):
        model = ActivityEntity
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind__in=data["kind"])
        if data.get("source"):
            queryset = queryset.filter(source=data["source"])
        if data.get("external_id"):
            queryset = queryset.filter(external_id=data["external_id"])
        if data.get("name"):
            queryset = queryset.filter(name__icontains=data["name"])
        if data.get("updated_since") is not None:
            queryset = queryset.filter(updated_at__gte=data["updated_since"])
        return queryset
