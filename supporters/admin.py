from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from movement.tokens import client_ip
from supporters.models import Supporter
from supporters.services import erase_supporter

RECENT_ACTIVITY_COUNT = 10


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    # NOTE: edits here save the model directly, so the import's contact-conflict rule (an email
    # or phone number already used by another supporter) is not checked for supporters added
    # in the admin.
    list_display = ("external_id", "full_name", "email", "phone_number", "updated_at")
    list_display_links = ("external_id", "full_name")
    search_fields = ("external_id", "first_name", "last_name", "email")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["erase"]
    readonly_fields = ("staff_profile", "recent_activities", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("external_id", "first_name", "last_name", "email", "phone_number")}),
        ("Custom fields", {"fields": ("custom_fields",)}),
        ("Activity", {"fields": ("staff_profile", "recent_activities")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="name", ordering="last_name")
    def full_name(self, supporter):
        return supporter.full_name

    @admin.display(description="staff profile")
    def staff_profile(self, supporter):
        if supporter.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Open the profile and activity timeline</a>',
            reverse("supporter-detail", args=[supporter.pk]),
        )

    @admin.display(description=f"latest {RECENT_ACTIVITY_COUNT} activities")
    def recent_activities(self, supporter):
        if supporter.pk is None:
            return "-"
        activities = supporter.activities.order_by("-happened_at", "-id").only(
            "id", "topic", "title", "happened_at"
        )[:RECENT_ACTIVITY_COUNT]
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({}, {})</li>',
            (
                (
                    reverse("admin:activities_activity_change", args=[activity.pk]),
                    activity.title,
                    activity.topic,
                    activity.happened_at.strftime("%Y-%m-%d %H:%M UTC"),
                )
                for activity in activities
            ),
        )
        if not rows:
            return "No activities."
        return format_html('<ul class="recent-activities">{}</ul>', rows)

    @admin.action(
        description="Erase the selected supporters with their activity history",
        permissions=["delete"],
    )
    def erase(self, request, queryset):
        """Erase each selected supporter in its own transaction, leaving an audit event each."""
        supporters = activities = 0
        for supporter in queryset:
            result = erase_supporter(supporter, actor=request.user, ip_address=client_ip(request))
            supporters += 1
            activities += result.activities
        self.message_user(request, f"Erased {supporters} supporter(s) and {activities} activities.")

    def delete_model(self, request, obj):
        """Erase through the supporter service so the deletion is audited."""
        erase_supporter(obj, actor=request.user, ip_address=client_ip(request))

    def delete_queryset(self, request, queryset):
        for supporter in queryset:
            erase_supporter(supporter, actor=request.user, ip_address=client_ip(request))
