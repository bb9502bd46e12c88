"""Response shapes of the read API: supporters, activities, entities and saved searches."""

from rest_framework import serializers

from activities.models import Activity, ActivityEntity, SavedSearch
from supporters.models import Supporter


class SupporterSerializer(serializers.ModelSerializer):
    # A plain string in the schema: a supporter without an email has "", which is no email.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Supporter
        fields = (
            "id",
            "external_id",
            "first_name",
            "last_name",
            "email",
            "phone_number",
            "custom_fields",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class EntitySerializer(serializers.ModelSerializer):
    # A plain string in the schema: an entity without a link has "", which is no URI.
    external_url = serializers.CharField(read_only=True)

    class Meta:
        model = ActivityEntity
        fields = (
            "id",
            "kind",
            "source",
            "external_id",
            "name",
            "metadata",
            "external_url",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class LinkedEntitySerializer(serializers.ModelSerializer):
    """An entity as listed inside an activity."""

    # A plain string in the schema, as in EntitySerializer: "" when the entity has no link.
    external_url = serializers.CharField(read_only=True)

    class Meta:
        model = ActivityEntity
        fields = ("id", "kind", "source", "external_id", "name", "external_url")
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    supporter = serializers.CharField(
        source="supporter.external_id", read_only=True, help_text="The supporter's external id."
    )
    entities = LinkedEntitySerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = (
            "id",
            "external_id",
            "supporter",
            "topic",
            "title",
            "source",
            "body",
            "status",
            "metadata",
            "happened_at",
            "entities",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class SavedSearchSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    query = serializers.CharField(
        source="query_string",
        read_only=True,
        help_text="The parameters as a query string for GET /api/supporters/.",
    )
    params = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), read_only=True
    )

    class Meta:
        model = SavedSearch
        fields = (
            "id",
            "name",
            "owner",
            "shared",
            "params",
            "query",
            "last_count",
            "last_run_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
