from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from movement.models import ApiToken, AuditEvent, Scope
from movement.tokens import client_ip, create_token, revoke_tokens


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ("name", "scopes", "expires_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = (
        "name",
        "key_prefix",
        "scope_list",
        "state",
        "expires_at",
        "last_used_at",
        "created_at",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "key_prefix")
    readonly_fields = (
        "key_prefix",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fields = ("name", "scopes", "expires_at", *readonly_fields)
    actions = ["revoke"]
    list_select_related = ("created_by",)

    @admin.display(description="scopes")
    def scope_list(self, token):
        return ", ".join(token.scopes)

    @admin.display(description="state")
    def state(self, token):
        if token.revoked_at:
            return "revoked"
        return "active" if token.is_active else "expired"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, plaintext = create_token(
            obj.name,
            obj.scopes,
            created_by=request.user,
            expires_at=obj.expires_at,
            ip_address=client_ip(request),
        )
        obj.pk = token.pk
        obj.key_hash = token.key_hash
        obj.key_prefix = token.key_prefix
        messages.warning(
            request,
            format_html(
                "Copy the new token now; it is not shown again: <code>{}</code>", plaintext
            ),
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = revoke_tokens(queryset, actor=request.user, ip_address=client_ip(request))
        self.message_user(request, f"Revoked {count} token(s).")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor_label", "ip_address", "detail")
    list_filter = ("action",)
    search_fields = ("actor_label", "ip_address")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
