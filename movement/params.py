from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="Validate and report the results without storing anything."
)

TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}


def bool_param(request, name: str) -> bool:
    """Read a boolean query parameter; absent means false.

    Only true/false, 1/0 or yes/no are accepted, once. A bare ``?dry_run`` or a repeated one is
    rejected, because guessing wrong about a dry run would write data the client meant to test.
    """
    values = request.query_params.getlist(name)
    if not values:
        return False
    raw = values[0].strip().lower()
    if len(values) == 1 and raw in TRUE_VALUES:
        return True
    if len(values) == 1 and raw in FALSE_VALUES:
        return False
    raise serializers.ValidationError(
        {
            name: [
                serializers.ErrorDetail(f"Send {name}=true or {name}=false, once.", code="invalid")
            ]
        }
    )
