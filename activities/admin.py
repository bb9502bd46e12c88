from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from activities.models import Activity, ActivityEntity, ActivityEntityLink


class ActivityEntityLinkInline(admin.TabularInline):
    """An activity's entity links; the entity is picked by search, never from a full list."""

    model = ActivityEntityLink
    autocomplete_fields = ("entity",)
    fields = ("entity", "created_at")
    readonly_fields = ("created_at",)
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "supporter_link", "topic", "source", "status", "happened_at")
    list_select_related = ("supporter",)
    search_fields = ("=external_id", "title", "=supporter__external_id")
    list_filter = ("topic", "source", "status")
    date_hierarchy = "happened_at"
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
    # Entity links must be absolute web addresses; "https" is what a bare host gets.
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
