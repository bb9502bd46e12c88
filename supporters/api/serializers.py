"""Request shapes for supporter imports; supporters.services owns the matching rules."""

from rest_framework import serializers

from movement.fields import IdField, MetadataField, StrictCharField, limit


class SupporterRecordSerializer(serializers.Serializer):
    """One supporter. Keys other than the named fields are stored as custom fields."""

    external_id = IdField()
    first_name = StrictCharField(required=False, allow_blank=True, max_length=255)
    last_name = StrictCharField(required=False, allow_blank=True, max_length=255)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    phone_number = StrictCharField(required=False, allow_blank=True, max_length=64)
    custom_fields = MetadataField(required=False)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Each record must be a JSON object."]}, code="invalid"
            )
        extras = {key: value for key, value in data.items() if key not in self.fields}
        attrs = super().to_internal_value(data)
        if extras:
            merged = {**attrs.get("custom_fields", {}), **extras}
            try:
                attrs["custom_fields"] = self.fields["custom_fields"].run_validation(merged)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"custom_fields": error.detail}) from None
        return attrs


class SupporterUpsertSerializer(serializers.Serializer):
    """The body of ``POST /api/targets/bulk_upsert``."""

    records = serializers.ListField(
        child=SupporterRecordSerializer(),
        allow_empty=False,
        max_length=limit("MAX_SUPPORTERS_PER_UPSERT"),
        error_messages={
            "max_length": (
                f"A request may carry at most {limit('MAX_SUPPORTERS_PER_UPSERT'):,} records. "
                "Split it into several requests."
            )
        },
    )
    conflict_strategy = serializers.ChoiceField(choices=["reject", "ignore"], default="reject")

    def validate_records(self, records):
        seen = {}
        for index, record in enumerate(records):
            external_id = record["external_id"]
            if external_id in seen:
                raise serializers.ValidationError(
                    {
                        index: {
                            "external_id": [
                                serializers.ErrorDetail(
                                    f"The external_id '{external_id}' also appears at "
                                    f"records[{seen[external_id]}]; send each supporter once.",
                                    code="duplicate",
                                )
                            ]
                        }
                    }
                )
            seen[external_id] = index
        return records


class SupporterResultSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged", "rejected"])
    reason = serializers.CharField(allow_null=True)


class SupporterUpsertResponseSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = SupporterResultSerializer(many=True)


class ErasureResultSerializer(serializers.Serializer):
    supporter_id = serializers.IntegerField(help_text="The database id the supporter had.")
    activities = serializers.IntegerField(help_text="Activities deleted with the supporter.")
    entity_links = serializers.IntegerField(help_text="Links from those activities to entities.")
    dry_run = serializers.BooleanField(help_text="True when nothing was deleted.")
