"""Serializer fields shared by every API that accepts data: strict text, ids, times, URLs, JSON.

They check shape only; the services own the rules about what the data means.
"""

import json
import re
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    URLValidator,
)
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator


def limit(name: str) -> int:
    return settings.MOVEMENT_LIMITS[name]


FORBIDDEN_CHARACTER = re.compile("[\x00\ud800-\udfff]")
SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``; strings and numbers are rejected."""

    default_error_messages = {"invalid": "Send true or false."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


class FlatSerializer(serializers.Serializer):
    """A serializer of plain fields, validated in one loop.

    It gives the same results and errors as ``Serializer`` for fields without ``source``
    paths, ``validate_<field>`` methods or HTML form input, at a fraction of the cost, which
    matters when one request carries a thousand activities.
    """

    @cached_property
    def _writable_field_list(self):
        # DRF's _writable_fields is a generator over all fields, rebuilt on every call; a list
        # child serializer validates a thousand items with the same fields.
        return list(self._writable_fields)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            message = self.error_messages["invalid"].format(datatype=type(data).__name__)
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="invalid"
            )
        attrs = {}
        errors = {}
        for field in self._writable_field_list:
            name = field.field_name
            value = data.get(name, serializers.empty)
            try:
                if value is serializers.empty:
                    if field.required:
                        field.fail("required")
                    if field.default is not serializers.empty:
                        attrs[name] = field.get_default()
                    continue
                attrs[name] = field.run_validation(value)
            except serializers.ValidationError as error:
                errors[name] = error.detail
            except DjangoValidationError as error:
                errors[name] = get_error_detail(error)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def find_forbidden_character(text: str) -> str | None:
    """Return a description of the first NUL or unpaired surrogate in ``text``, if any.

    JSON decoding joins a valid surrogate pair into one character, so any surrogate left in a
    Python string is unpaired and could not be stored as UTF-8.
    """
    match = FORBIDDEN_CHARACTER.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return f"a NUL character at position {match.start()}"
    return f"an unpaired surrogate (U+{ord(match.group()):04X}) at position {match.start()}"


class StrictCharField(serializers.CharField):
    """A string with no NUL characters or unpaired surrogates, within a length limit."""

    default_error_messages = {
        "forbidden_character": "This text contains {what}; remove it.",
        "max_length": "Ensure this field has no more than {max_length} characters.",
        "invalid": "Send this value as a JSON string.",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # DRF's own NUL and surrogate validators walk the string in Python; the regular
        # expression in to_internal_value does the same check far faster.
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(
                validator, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]

    def run_validation(self, data=serializers.empty):
        # The common case, a string and only the length validators, is checked here in one
        # step; anything else takes DRF's general path.
        if type(data) is not str or not self._only_length_validators:
            return super().run_validation(data)
        value = data.strip() if self.trim_whitespace else data
        if not value and not self.allow_blank:
            self.fail("blank")
        if self.max_length is not None and len(value) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if self.min_length is not None and len(value) < self.min_length:
            self.fail("min_length", min_length=self.min_length)
        what = find_forbidden_character(value)
        if what:
            self.fail("forbidden_character", what=what)
        return value

    @cached_property
    def _only_length_validators(self):
        return all(
            isinstance(validator, MaxLengthValidator | MinLengthValidator)
            for validator in self.validators
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        what = find_forbidden_character(value)
        if what:
            self.fail("forbidden_character", what=what)
        return value


class IdField(StrictCharField):
    """An identifier: a string, or a JSON integer taken as its decimal string."""

    default_error_messages = {"invalid": "Send this id as a string or an integer."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", limit("MAX_ID_LENGTH"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        return super().to_internal_value(str(data))


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeField(serializers.Field):
    """An ISO 8601 date and time with a UTC offset, returned in UTC."""

    example = '"2024-02-28T14:30:00Z" or "2024-02-28T14:30:00+10:00"'
    default_error_messages = {
        "invalid": "Enter a date and time in ISO 8601 form with a UTC offset, such as {example}.",
        "naive": "This time has no UTC offset. Add one, such as {example}.",
        "out_of_range": "This time is out of range. Send a year between 1 and 9999 in UTC.",
    }

    def to_internal_value(self, data):
        # Python 3.11's fromisoformat ignores a trailing NUL, so check for one before parsing.
        if not isinstance(data, str) or FORBIDDEN_CHARACTER.search(data):
            self.fail("invalid", example=self.example)
        try:
            value = parse_datetime(data.strip())
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid", example=self.example)
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail("naive", example=self.example)
        try:
            return value.astimezone(UTC)
        except OverflowError:
            self.fail("out_of_range")

    def to_representation(self, value):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@extend_schema_field(OpenApiTypes.URI)
class HttpUrlField(serializers.Field):
    """An absolute ``http`` or ``https`` URL with no spaces or control characters."""

    default_error_messages = {
        "invalid": (
            "Enter an absolute http or https URL, such as https://events.example.com/e/1; {reason}."
        ),
    }
    validator = URLValidator(schemes=["http", "https"])

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", reason="this value is not a string")
        max_length = limit("MAX_URL_LENGTH")
        if len(data) > max_length:
            self.fail("invalid", reason=f"this one is longer than {max_length} characters")
        if SPACE_OR_CONTROL.search(data):
            self.fail("invalid", reason="this one contains spaces or control characters")
        what = find_forbidden_character(data)
        if what:
            self.fail("invalid", reason=f"this one contains {what}")
        parts = urlsplit(data)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            self.fail("invalid", reason="only http and https links to a host are accepted")
        try:
            parts.port  # noqa: B018  (reading it validates the port)
        except ValueError:
            self.fail("invalid", reason="its port is not a number from 0 to 65535")
        try:
            self.validator(data)
        except DjangoValidationError:
            self.fail("invalid", reason="this one is not a valid URL")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "object", "additionalProperties": True})
class MetadataField(serializers.Field):
    """A JSON object of at most ``MAX_METADATA_BYTES`` with clean keys and strings."""

    default_error_messages = {
        "not_object": 'Send a JSON object here, such as {{"Location": "Town hall"}}.',
        "too_large": "This object is {size:,} bytes as JSON; the limit is {limit:,} bytes.",
        "too_deep": "This object nests more than {limit} levels of objects and arrays.",
        "forbidden_character": "The {where} contains {what}; remove it.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_object")
        self._check(data, depth=1, path="")
        size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        if size > limit("MAX_METADATA_BYTES"):
            self.fail("too_large", size=size, limit=limit("MAX_METADATA_BYTES"))
        return data

    def _check(self, value, depth, path):
        # Objects and arrays count as levels; the top-level object is level 1.
        if isinstance(value, dict | list) and depth > limit("MAX_METADATA_DEPTH"):
            self.fail("too_deep", limit=limit("MAX_METADATA_DEPTH"))
        if isinstance(value, dict):
            for key, item in value.items():
                what = find_forbidden_character(key)
                if what:
                    self.fail("forbidden_character", where=f"key {path}{key!a}", what=what)
                self._check(item, depth + 1, f"{path}{key}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._check(item, depth + 1, f"{path}{index}.")
        elif isinstance(value, str):
            what = find_forbidden_character(value)
            if what:
                self.fail(
                    "forbidden_character", where=f"value at {path.rstrip('.') or 'top'}", what=what
                )

    def to_representation(self, value):
        return value
