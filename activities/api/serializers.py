"""Request shapes for ingestion. They check types, lengths and limits; activities.ingest owns
what the data means (supporters, upserts, entities, conflicts)."""

from rest_framework import serializers

from movement.fields import (
    AwareDateTimeField,
    FlatSerializer,
    HttpUrlField,
    IdField,
    MetadataField,
    StrictBooleanField,
    StrictCharField,
    limit,
)


def short_text(**kwargs):
    return StrictCharField(max_length=limit("MAX_SHORT_TEXT_LENGTH"), **kwargs)


class EntityInputSerializer(FlatSerializer):
    kind = short_text()
    source = short_text()
    external_id = IdField()
    name = short_text()
    metadata = MetadataField(required=False, allow_null=True)
    external_url = HttpUrlField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("metadata") is None:
            attrs.pop("metadata", None)
        if attrs.get("external_url") is None:
            attrs.pop("external_url", None)
        return attrs


class ActivityInputSerializer(FlatSerializer):
    external_id = IdField(required=False)
    upsert = StrictBooleanField(required=False, default=False)
    topic = short_text()
    title = short_text()
    source = short_text()
    body = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        max_length=limit("MAX_BODY_LENGTH"),
    )
    status = short_text(required=False, allow_blank=True, allow_null=True)
    metadata = MetadataField(required=False, allow_null=True)
    happened_at = AwareDateTimeField()
    entities = serializers.ListField(
        child=EntityInputSerializer(),
        required=False,
        allow_null=True,
        max_length=limit("MAX_ENTITIES_PER_ACTIVITY"),
        error_messages={
            "max_length": (
                f"An activity may link at most {limit('MAX_ENTITIES_PER_ACTIVITY')} entities."
            )
        },
    )

    def validate(self, attrs):
        # null in an optional field means "empty", so a client can clear a value on upsert.
        for name, empty in (("body", ""), ("status", ""), ("metadata", {})):
            if name in attrs and attrs[name] is None:
                attrs[name] = empty
        if attrs.get("entities", []) is None:
            del attrs["entities"]
        if attrs.get("upsert") and not attrs.get("external_id"):
            raise serializers.ValidationError(
                {"external_id": ["external_id is required when upsert is true."]},
                code="required",
            )
        return attrs


def activity_list(**kwargs):
    maximum = limit("MAX_ACTIVITIES_PER_REQUEST")
    return serializers.ListField(
        child=ActivityInputSerializer(),
        allow_empty=False,
        max_length=maximum,
        error_messages={
            "max_length": (
                f"A request may carry at most {maximum:,} activities. Split it into several "
                "requests."
            ),
            "empty": "Send at least one activity.",
        },
        **kwargs,
    )


def reject_duplicate_ids(activities, path: str, seen: dict[str, str]):
    """Raise when an activity ``external_id`` repeats, naming the later one."""
    for index, activity in enumerate(activities):
        external_id = activity.get("external_id")
        if not external_id:
            continue
        here = f"{path}[{index}]"
        if external_id in seen:
            raise serializers.ValidationError(
                {
                    f"{here}.external_id": [
                        serializers.ErrorDetail(
                            f"The external_id '{external_id}' also appears at {seen[external_id]}; "
                            "each activity may appear once per request.",
                            code="duplicate",
                        )
                    ]
                }
            )
        seen[external_id] = here


class ActivityRequestSerializer(serializers.Serializer):
    """The body of ``POST /api/activity``: one supporter and their activities."""

    external_id = IdField(help_text="The supporter's external_id (membership number).")
    activities = activity_list()

    def validate(self, attrs):
        reject_duplicate_ids(attrs["activities"], "activities", {})
        return attrs


class BulkActivityRequestSerializer(serializers.Serializer):
    """The body of ``POST /api/activity/bulk``: many supporters, each shaped like one request."""

    records = serializers.ListField(
        child=ActivityRequestSerializer(),
        allow_empty=False,
        max_length=limit("MAX_RECORDS_PER_BULK_REQUEST"),
    )

    def validate(self, attrs):
        maximum = limit("MAX_ACTIVITIES_PER_REQUEST")
        total = sum(len(record["activities"]) for record in attrs["records"])
        if total > maximum:
            raise serializers.ValidationError(
                {
                    "records": [
                        serializers.ErrorDetail(
                            f"The records carry {total:,} activities in all; the limit is "
                            f"{maximum:,} per request. Split them into several requests.",
                            code="max_length",
                        )
                    ]
                }
            )
        seen: dict[str, str] = {}
        for index, record in enumerate(attrs["records"]):
            reject_duplicate_ids(record["activities"], f"records[{index}].activities", seen)
        return attrs


class EntityResultSerializer(serializers.Serializer):
    source = serializers.CharField()
    external_id = serializers.CharField()
    id = serializers.IntegerField(allow_null=True, help_text="null for a new entity in a dry run")
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class ActivityResultSerializer(serializers.Serializer):
    external_id = serializers.CharField(allow_null=True)
    id = serializers.IntegerField(allow_null=True, help_text="null for a new activity in a dry run")
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    entities = EntityResultSerializer(many=True)


class RecordResultSerializer(serializers.Serializer):
    external_id = serializers.CharField(help_text="The supporter's external_id.")
    supporter_id = serializers.IntegerField()
    activities = ActivityResultSerializer(many=True)


class IngestResponseSerializer(RecordResultSerializer):
    dry_run = serializers.BooleanField()


class BulkIngestResponseSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    records = RecordResultSerializer(many=True)
