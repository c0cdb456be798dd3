"""Django model fields → pydantic types (for input schemas) and JSON values (for output)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Annotated, Any, Literal

from django.db import models
from pydantic import BeforeValidator, Field, StrictBool, StrictFloat, StrictInt

# JSON types are kept apart: `true` is not the integer 1 and `"1"` is not a number
SIMPLE_TYPES: list[tuple[type[models.Field], Any]] = [
    (models.BooleanField, StrictBool),
    (models.AutoField, StrictInt),
    (models.BigAutoField, StrictInt),
    (models.IntegerField, StrictInt),
    (models.FloatField, StrictFloat),
    (models.DecimalField, decimal.Decimal),
    (models.DateTimeField, datetime.datetime),
    (models.DateField, datetime.date),
    (models.TimeField, datetime.time),
    (models.DurationField, datetime.timedelta),
    (models.UUIDField, uuid.UUID),
    (models.JSONField, Any),
    (models.CharField, str),
    (models.TextField, str),
]


def field_type(field: models.Field) -> Any:
    """The pydantic type of a concrete field (a relation is its target's primary key)."""
    if field.is_relation:
        return field_type(field.target_field)  # type: ignore[attr-defined]
    if field.choices:
        return _choices([value for value, _label in field.flatchoices])
    for django_type, python_type in SIMPLE_TYPES:
        if isinstance(field, django_type):
            return python_type
    return str


def _choices(values: list[Any]) -> Any:
    """A Literal of the choices; `true` is not the choice 1 (Literal compares with ==)."""
    kind: Any = Literal[tuple(values)]  # type: ignore[misc]
    if any(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return Annotated[kind, BeforeValidator(_not_bool)]
    return kind


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("Input should be one of the choices, not a boolean")
    return value


def field_info(field: models.Field, *, required: bool) -> tuple[Any, Any]:
    """`(type, FieldInfo)` for `create_model`: constraints, help text, nullability, default."""
    kind = field_type(field)
    constraints: dict[str, Any] = {"description": str(field.help_text or field.verbose_name)}
    max_length = getattr(field, "max_length", None)
    if max_length and kind is str:
        constraints["max_length"] = max_length
    if isinstance(field, models.PositiveIntegerField | models.PositiveSmallIntegerField |
                  models.PositiveBigIntegerField):
        constraints["ge"] = 0
    if field.null:
        kind = kind | None
    if required:
        return kind, Field(..., **constraints)
    return kind, Field(None, **constraints)


def resolve(model: type[models.Model], path: str) -> models.Field:
    """`author__name` → the `name` field of the author's model (for filters)."""
    current: Any = model
    field: Any = None
    for part in path.split("__"):
        field = current._meta.get_field(part)
        current = field.related_model if field.is_relation else current
    return field


def to_json(instance: models.Model, names: list[str]) -> dict[str, Any]:
    """Only the declared fields leave the server (the output boundary)."""
    data: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname)
        if isinstance(value, (datetime.date, datetime.time, uuid.UUID, decimal.Decimal)):
            value = str(value) if not isinstance(value, datetime.date) else value.isoformat()
        data[name] = value
    return data
