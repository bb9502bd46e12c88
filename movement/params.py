from rest_framework import serializers

TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no", ""}


def bool_param(request, name: str) -> bool:
    """Read a boolean query parameter, rejecting anything but true/false, 1/0 or yes/no."""
    raw = request.query_params.get(name, "").strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise serializers.ValidationError(
        {name: [serializers.ErrorDetail(f"Send {name}=true or {name}=false.", code="invalid")]}
    )
