from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from activities import search
from activities.models import Activity, ActivityEntity, ActivityEntityLink, SavedSearch


class ActivityEntityLinkInline(admin.TabularInline):
    """An activity's entity links. The entity is picked by search, never from a full list."""

    model = ActivityEntityLink
    autocomplete_fields = ("entity",)
    fields = ("entity", "created_at")
    readonly_fields = ("created_at",)
    extra = 0


class CachedValuesFilter(admin.SimpleListFilter):
    """Filter on the values of one text field, listing the values from a cache.

    Listing a column's distinct values scans the whole table: 100 to 200 ms per column over a
    million activities on PostgreSQL. A value that first appears shows up in the list once the
    cache entry expires, after ``cache_seconds``.
    """

    cache_seconds = 600

    def lookups(self, request, model_admin):
        key = f"admin-filter-values:{model_admin.model._meta.label_lower}.{self.parameter_name}"
        values = cache.get(key)
        if values is None:
            values = list(
                model_admin.model.objects.order_by(self.parameter_name)
                .values_list(self.parameter_name, flat=True)
                .distinct()
            )
            cache.set(key, values, self.cache_seconds)
        return [(value, value or "(blank)") for value in values]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.parameter_name: self.value()})


def cached_values_filter(field_name: str) -> type[CachedValuesFilter]:
    return type(
        f"{field_name.title()}ValuesFilter",
        (CachedValuesFilter,),
        {"title": field_name, "parameter_name": field_name},
    )


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "supporter_link", "topic", "source", "status", "happened_at")
    list_select_related = ("supporter",)
    search_fields = ("=external_id", "title", "=supporter__external_id")
    # A date hierarchy lists the years present with SELECT DISTINCT over every activity (about
    # half a second at a million rows), so the date filter offers fixed ranges instead.
    list_filter = (
        cached_values_filter("topic"),
        cached_values_filter("source"),
        cached_values_filter("status"),
        "happened_at",
    )
    autocomplete_fields = ("supporter",)
    inlines = (ActivityEntityLinkInline,)
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("supporter", "external_id", "happened_at")}),
        ("Content", {"fields": ("topic", "title", "source", "status", "body", "metadata")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="supporter", ordering="supporter__last_name")
    def supporter_link(self, activity):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:supporters_supporter_change", args=[activity.supporter_id]),
            activity.supporter,
        )


@admin.register(ActivityEntity)
class ActivityEntityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "source", "external_id", "updated_at", "staff_page")
    search_fields = ("name", "=external_id")
    list_filter = ("kind", "source")
    date_hierarchy = "created_at"
    readonly_fields = ("staff_page", "created_at", "updated_at")
    show_full_result_count = False
    # Entity links must be absolute web addresses, and a bare host gets "https".
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = (
        "kind",
        "source",
        "external_id",
        "name",
        "external_url",
        "metadata",
        "staff_page",
        "created_at",
        "updated_at",
    )

    @admin.display(description="staff page")
    def staff_page(self, entity):
        if entity.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Everyone linked</a>', reverse("entity-detail", args=[entity.pk])
        )


class SavedSearchForm(forms.ModelForm):
    """Check the parameters through the supporter FilterSet, as the search pages do."""

    class Meta:
        model = SavedSearch
        fields = ("name", "owner", "shared", "params")

    def clean_params(self):
        params = self.cleaned_data["params"]
        if not isinstance(params, dict) or not all(
            isinstance(values, list) and all(isinstance(value, str) for value in values)
            for values in params.values()
        ):
            raise forms.ValidationError(
                "Enter an object mapping each parameter to a list of strings, such as "
                '{"topic": ["event_attendance"]}.'
            )
        try:
            search.validate_params(params)
        except search.InvalidSearch as error:
            raise forms.ValidationError(error.detail) from None
        return params


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    form = SavedSearchForm
    list_display = ("name", "owner", "shared", "last_count", "last_run_at", "updated_at")
    list_filter = ("shared",)
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("search_page", "last_count", "last_run_at", "created_at", "updated_at")
    fields = ("name", "owner", "shared", "params", *readonly_fields)

    @admin.display(description="search page")
    def search_page(self, saved):
        if saved.pk is None:
            return "-"
        return format_html('<a href="{}">Run it</a>', saved.get_absolute_url())
