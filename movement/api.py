"""API-wide parts: the one error shape, the JSON parser with its size limit, JSON 404/500 pages.

Every error from ``/api/`` is an RFC 9457 problem details object::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "code": "validation_error",
     "detail": "activities[0].happened_at: This field is required.",
     "errors": [{"field": "activities[0].happened_at", "code": "required",
                 "detail": "This field is required."}]}

``code`` is stable and meant for programs; ``detail`` is a sentence for people.
"""

import json
import logging
import math
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ServiceError(Exception):
    """A rule of the service rejected a request; the exception handler renders it."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def too_large_message() -> str:
    limit = settings.MOVEMENT_LIMITS["MAX_REQUEST_BYTES"]
    return f"The request body is larger than {limit:,} bytes. Split the data over several requests."


class LimitedJSONParser(JSONParser):
    """Parse JSON strictly (no ``NaN``, no infinite numbers) and turn every parse failure into a
    400 instead of a 500.

    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``, set to ``MAX_REQUEST_BYTES``, usually rejects an
    oversize body first (see ``exception_handler``). The parser checks the size again, because a
    body without a Content-Length header can reach it unchecked.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MOVEMENT_LIMITS["MAX_REQUEST_BYTES"]
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = too_large_message()
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(too_large)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(too_large)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                f"The request body is not valid UTF-8 (byte {error.start}). Send JSON encoded "
                "as UTF-8.",
                code="invalid_json",
            ) from None
        try:
            return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
        except ValueError as error:
            raise exceptions.ParseError(
                f"The request body is not valid JSON: {error}.", code="invalid_json"
            ) from None
        except RecursionError:
            raise exceptions.ParseError(
                "The request body nests JSON too deeply to parse.", code="invalid_json"
            ) from None


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number; send a finite number or a string")


def _finite_float(text):
    # A literal such as 1e999 is valid JSON but overflows to infinity, which no database
    # column can store.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range for a double; send a smaller number")
    return value


def flatten_errors(detail, path: str = "") -> list[dict]:
    """Turn DRF's nested error structure into a flat list of ``{field, code, detail}``.

    Paths read like the request: ``activities[2].entities[0].external_url``.
    """
    if isinstance(detail, dict):
        flat = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                child = path
            elif isinstance(key, int):
                child = f"{path}[{key}]"
            else:
                child = f"{path}.{key}" if path else str(key)
            flat.extend(flatten_errors(value, child))
        return flat
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [_one_error(item, path) for item in detail]
        flat = []
        for index, item in enumerate(detail):
            if isinstance(item, str):
                flat.append(_one_error(item, path))
            else:
                flat.extend(flatten_errors(item, f"{path}[{index}]"))
        return flat
    return [_one_error(detail, path)]


def _one_error(message, path):
    return {
        "field": path or None,
        # A ValidationError raised without a code carries code None; the schema promises a string.
        "code": getattr(message, "code", None) or "invalid",
        "detail": str(message),
    }


def problem(status: int, code: str, detail: str, errors: list[dict] | None = None, **extra) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def exception_handler(exc, context):
    """Render every exception raised in an API view as problem details."""
    headers = {}
    if isinstance(exc, RequestDataTooBig):
        # DRF reads request.body for JSON, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE check fires
        # before LimitedJSONParser reads the stream.
        exc = RequestTooLarge(too_large_message())
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ServiceError):
        errors = (
            [{"field": exc.field, "code": exc.code, "detail": exc.detail}] if exc.field else None
        )
        detail = f"{exc.field}: {exc.detail}" if exc.field else exc.detail
        body = problem(exc.status, exc.code, detail, errors)
        status = exc.status
    elif isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        summary = "; ".join(
            f"{error['field']}: {error['detail']}" if error["field"] else error["detail"]
            for error in errors[:5]
        )
        if len(errors) > 5:
            summary += f"; and {len(errors) - 5} more errors"
        body = problem(400, "validation_error", summary or "The request is invalid.", errors)
        status = 400
    elif isinstance(exc, exceptions.APIException):
        status = exc.status_code
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = problem(status, code, str(exc.detail))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = f"{int(exc.wait)}"
    else:
        return None

    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        view = context.get("view")
        request = context.get("request")
        if view is not None and request is not None:
            header = view.get_authenticate_header(request)
            if header:
                headers["WWW-Authenticate"] = header

    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def json_not_found(request, exception=None):
    body = problem(404, "not_found", f"No API endpoint at {request.path}. See /api/docs/.")
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def json_server_error(request):
    logger.error("Unhandled error on %s %s", request.method, request.path)
    body = problem(500, "server_error", "The server failed to handle the request. Try again.")
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "A stable code for programs."},
        "detail": {"type": "string", "description": "A sentence for people."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "detail"],
                "properties": {
                    "field": {
                        "type": "string",
                        "nullable": True,
                        "description": "The path of the field, such as activities[2].happened_at.",
                    },
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}
ERROR_RESPONSES = {
    "400": "The request is invalid; `errors` names each field that failed.",
    "401": "The token is missing, malformed, unknown, expired or revoked.",
    "403": "The token lacks the scope this operation needs.",
    "404": "The object, or the page of results, does not exist.",
    "405": "The operation does not allow this method.",
    "406": "The Accept header asks for a type other than JSON.",
    # gunicorn rejects a request line over 4,094 bytes before the application receives it.
    "414": "The URL is longer than the server accepts.",
}
WRITE_ERROR_RESPONSES = {
    "409": "The request conflicts with stored data.",
    "413": "The request body is larger than the limit.",
    "415": "The request body is not application/json.",
}


def document_problem_responses(result, generator, request, public):
    """Add the problem-details error responses to every operation of the OpenAPI schema.

    A drf-spectacular postprocessing hook: views document their success response, and every
    API view can also return the errors the exception handler renders.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            errors = dict(ERROR_RESPONSES)
            if method in ("post", "put", "patch"):
                errors.update(WRITE_ERROR_RESPONSES)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                response = {"description": description}
                if status != "414":
                    response["content"] = content
                responses.setdefault(status, response)
    return result
