"""ModelToolset: CRUD tools for a Django model, shaped like DRF's ModelViewSet.

    @toolset
    class BookTools(ModelToolset):
        model = Book
        fields = ["id", "title", "author", "genre", "published"]
        actions = ["list", "retrieve", "create", "update"]
        filters = {"genre": ["exact", "in"], "published": ["gte", "lte"],
                   "author__name": ["icontains"]}
        ordering_fields = ["title", "published"]

        def get_queryset(self, ctx):
            return super().get_queryset(ctx).filter(archived=False)
"""

from __future__ import annotations

import base64
import re
from typing import Any, ClassVar, Literal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from ..core.context import Context
from ..core.errors import ConfigError, ToolError
from ..registry import Registry
from ..registry.base import named
from ..registry.signature import Signature
from ..registry.tools import ToolSpec
from .fields import field_info, field_type, resolve, to_json

ACTIONS = ("list", "retrieve", "create", "update", "delete")
PERMS = {"list": "view", "retrieve": "view", "create": "add", "update": "change",
         "delete": "delete"}
RANGE_LOOKUPS = ("gt", "gte", "lt", "lte")
NOT_FOUND = "Not found"
OFFSET = re.compile(r"[0-9]{1,18}")
MAX_OFFSET = 2**62  # far past any page; an SQL OFFSET must stay a 64-bit integer
CHECK_HINT = ("Name the model's concrete fields (related ones with '__'), actions among "
              f"{', '.join(ACTIONS)}, and lookups each filter field has (Field.get_lookup).")


class ModelToolset:
    model: ClassVar[type[models.Model]]
    fields: ClassVar[list[str]]
    write_fields: ClassVar[list[str] | None] = None
    actions: ClassVar[tuple[str, ...] | list[str]] = ("list", "retrieve")
    filters: ClassVar[dict[str, list[str]]] = {}
    ordering_fields: ClassVar[list[str]] = []
    default_ordering: ClassVar[str] = "pk"
    page_size: ClassVar[int] = 20
    max_page_size: ClassVar[int] = 100
    prefix: ClassVar[str] = ""
    count: ClassVar[bool] = True
    resource: ClassVar[bool] = False  # also expose objects as django://<app>.<model>/{pk}

    # -- hooks (override like DRF) ----------------------------------------------------------
    def get_queryset(self, ctx: Context) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def has_object_permission(self, ctx: Context, action: str, obj: models.Model) -> bool:
        return True

    def get_permissions(self, action: str) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.{PERMS[action]}_{meta.model_name}"]

    def perform_create(self, ctx: Context, instance: models.Model) -> None:
        instance.save()

    def perform_update(self, ctx: Context, instance: models.Model) -> None:
        instance.save()

    def perform_destroy(self, ctx: Context, instance: models.Model) -> None:
        instance.delete()

    # -- the actions (run in a thread, with the ORM) -----------------------------------------
    def list(self, ctx: Context, filters: dict[str, Any], cursor: str | None, page_size: int,
             ordering: str | None = None) -> dict[str, Any]:
        queryset = self.get_queryset(ctx).filter(**filters)
        queryset = queryset.order_by(ordering or self.default_ordering, "pk")
        offset = _offset(cursor)
        rows = list(queryset[offset:offset + page_size + 1])
        more = len(rows) > page_size
        page = [to_json(row, self.fields) for row in rows[:page_size]]
        result: dict[str, Any] = {"items": page,
                                  "nextCursor": _cursor(offset + page_size) if more else None}
        if self.count:
            result["count"] = queryset.count()
        return result

    def retrieve(self, ctx: Context, id: Any) -> dict[str, Any]:
        return to_json(self.get_object(ctx, "retrieve", id), self.fields)

    def create(self, ctx: Context, **data: Any) -> dict[str, Any]:
        instance = self.model(**self._assignments(data))
        with transaction.atomic():
            _validate(instance)
            self.perform_create(ctx, instance)
        return to_json(instance, self.fields)

    def update(self, ctx: Context, id: Any, **data: Any) -> dict[str, Any]:
        with transaction.atomic():
            instance = self.get_object(ctx, "update", id, for_update=True)
            for name, value in self._assignments(data).items():
                setattr(instance, name, value)
            _validate(instance)
            self.perform_update(ctx, instance)
        return to_json(instance, self.fields)

    def delete(self, ctx: Context, id: Any) -> dict[str, Any]:
        with transaction.atomic():
            instance = self.get_object(ctx, "delete", id, for_update=True)
            self.perform_destroy(ctx, instance)
        return {"deleted": True}

    def get_object(self, ctx: Context, action: str, id: Any, for_update: bool = False
                   ) -> models.Model:
        """Scoped by `get_queryset`; an object the caller may not touch is simply not found."""
        queryset = self.get_queryset(ctx)
        if for_update:
            queryset = queryset.select_for_update()
        instance = queryset.filter(pk=id).first()
        if instance is None or not self.has_object_permission(ctx, action, instance):
            raise ToolError(NOT_FOUND)
        return instance

    def _assignments(self, data: dict[str, Any]) -> dict[str, Any]:
        assigned = {}
        for name, value in data.items():
            if value is None and name not in self._nullable:
                continue  # absent in a partial update
            field = self.model._meta.get_field(name)
            assigned[field.attname] = value
        return assigned

    # -- registration -------------------------------------------------------------------------
    @classmethod
    def register(cls, registry: Registry) -> None:
        """Add the toolset's tools; a misconfiguration is recorded for system check E004."""
        toolset, obj, known = cls(), f"{cls.__module__}.{cls.__qualname__}", len(registry.problems)
        registry.record(toolset._check, obj=obj, hint=CHECK_HINT)
        if len(registry.problems) > known:
            return  # no tools from a toolset that names what its model does not have
        for action in cls.actions:
            registry.record(lambda action=action: registry.add_tool(toolset._tool(action)),
                            obj=obj)
        if cls.resource:
            registry.record(lambda: registry.add_resource(toolset._resource()), obj=obj)

    def _check(self) -> None:
        meta = self.model._meta
        names = {field.name for field in meta.get_fields() if field.concrete}
        unknown = (set(self.fields) | set(self.write_fields or [])) - names
        unknown |= {a for a in self.actions if a not in ACTIONS}
        problems = [f"unknown fields or actions {sorted(unknown)}"] if unknown else []
        problems += self._filter_problems() + self._ordering_problems()
        if problems:
            raise ConfigError(f"{type(self).__name__}: {'; '.join(problems)}")
        self._nullable = {n for n in self._writable() if meta.get_field(n).null}

    def _filter_problems(self) -> list[str]:
        """Each filter path must resolve to a field that has each of its lookups."""
        paths, lookups = [], []
        for path, names in self.filters.items():
            try:
                field = resolve(self.model, path)
            except Exception:
                paths.append(path)
                continue
            lookups += [f"{path}__{name}" for name in names if field.get_lookup(name) is None]
        return ([f"unknown filter fields {paths}"] if paths else []) + (
            [f"unknown filter lookups {lookups}"] if lookups else [])

    def _ordering_problems(self) -> list[str]:
        """Each ordering path (and the default ordering) must resolve to a field."""
        unknown = []
        for path in [*self.ordering_fields, self.default_ordering.removeprefix("-")]:
            try:
                if path != "pk":
                    resolve(self.model, path)
            except Exception:
                unknown.append(path)
        return [f"unknown ordering fields {unknown}"] if unknown else []

    def _writable(self) -> list[str]:
        pk = self.model._meta.pk.name
        return [n for n in (self.write_fields or self.fields) if n != pk
                and getattr(self.model._meta.get_field(n), "editable", True)]

    def _tool(self, action: str) -> ToolSpec:
        meta = self.model._meta
        name = f"{self.prefix}{meta.model_name}_{action}"
        arguments = getattr(self, f"_{action}_arguments")()
        method = getattr(self, action)

        def run(ctx: Context, **kwargs: Any) -> dict[str, Any]:
            if action == "list":
                filters = kwargs.pop("filters", None)
                kwargs["filters"] = filters.model_dump(exclude_none=True, by_alias=True) \
                    if filters is not None else {}
            return method(ctx, **kwargs)

        run.__name__ = name
        named(run, type(self), action)
        schema = arguments.model_json_schema()
        schema.pop("title", None)
        signature = Signature(arguments, schema, "ctx", TypeAdapter(dict[str, Any]),
                              self._output_schema(action), False, False)
        verbose = meta.verbose_name_plural if action == "list" else meta.verbose_name
        return ToolSpec(name, run, signature, description=f"{action.title()} {verbose}.",
                        title=f"{action.title()} {verbose}",
                        permissions=self.get_permissions(action),
                        annotations={"readOnlyHint": action in ("list", "retrieve"),
                                     "destructiveHint": action == "delete"})

    def _resource(self) -> Any:
        """Objects as resources: the declared fields as JSON, with the `view` permission and
        `get_queryset` scoping; anything the caller may not see is an unknown resource."""
        from ..core.errors import ResourceNotFound
        from ..core.jsonrpc import dump
        from ..registry.resources import build_resource
        from .permissions import allowed

        meta = self.model._meta
        template = f"django://{meta.app_label}.{meta.model_name}/{{pk}}"

        def read(pk: str, ctx: Context) -> str:
            uri = template.replace("{pk}", pk)
            if not allowed(ctx.principal, self.get_permissions("retrieve")):
                raise ResourceNotFound(uri)
            try:
                instance = self.get_object(ctx, "retrieve", pk)
            except (ToolError, ValueError, ValidationError):
                raise ResourceNotFound(uri) from None
            return dump(to_json(instance, self.fields)).decode()

        named(read, type(self), "resource")
        return build_resource(read, template, name=f"{meta.app_label}.{meta.model_name}",
                              description=f"A {meta.verbose_name} as JSON.",
                              mime_type="application/json")

    # -- argument models -----------------------------------------------------------------------
    def _list_arguments(self) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        for path, lookups in self.filters.items():
            kind = field_type(resolve(self.model, path))
            for lookup in lookups:
                key = path if lookup == "exact" else f"{path}__{lookup}"
                value = list[kind] if lookup == "in" else bool if lookup == "isnull" else kind
                fields[key] = (value | None, Field(None))
        filters = create_model(f"{self.model.__name__}Filters",
                               __config__=ConfigDict(extra="forbid"), **fields)
        arguments: dict[str, Any] = {
            "filters": (filters | None, Field(None, description="Declared filters only")),
            "cursor": (str | None, Field(None, description="nextCursor of the previous page")),
            "page_size": (int, Field(self.page_size, ge=1, le=self.max_page_size)),
        }
        orderings = [*self.ordering_fields, *(f"-{f}" for f in self.ordering_fields)]
        if orderings:
            choices: Any = Literal[tuple(orderings)]  # type: ignore[misc]
            arguments["ordering"] = (choices | None, Field(None))
        return create_model(f"{self.model.__name__}ListArguments",
                            __config__=ConfigDict(extra="forbid"), **arguments)

    def _id_arguments(self, name: str) -> type[BaseModel]:
        pk = self.model._meta.pk
        return create_model(name, __config__=ConfigDict(extra="forbid"),
                            id=(field_type(pk), Field(..., description="Primary key")))

    def _retrieve_arguments(self) -> type[BaseModel]:
        return self._id_arguments(f"{self.model.__name__}RetrieveArguments")

    def _delete_arguments(self) -> type[BaseModel]:
        return self._id_arguments(f"{self.model.__name__}DeleteArguments")

    def _create_arguments(self) -> type[BaseModel]:
        fields = {name: field_info(self.model._meta.get_field(name),
                                   required=_required(self.model._meta.get_field(name)))
                  for name in self._writable()}
        return create_model(f"{self.model.__name__}CreateArguments",
                            __config__=ConfigDict(extra="forbid"), **fields)

    def _update_arguments(self) -> type[BaseModel]:
        pk = self.model._meta.pk
        fields = {name: field_info(self.model._meta.get_field(name), required=False)
                  for name in self._writable()}
        return create_model(f"{self.model.__name__}UpdateArguments",
                            __config__=ConfigDict(extra="forbid"),
                            id=(field_type(pk), Field(...)), **fields)

    def _output_schema(self, action: str) -> dict[str, Any]:
        properties = {name: TypeAdapter(field_type(self.model._meta.get_field(name))
                                        ).json_schema() for name in self.fields}
        item = {"type": "object", "properties": properties}
        if action == "list":
            return {"type": "object", "properties": {
                "items": {"type": "array", "items": item},
                "nextCursor": {"type": ["string", "null"]}, "count": {"type": "integer"}},
                "required": ["items"]}
        if action == "delete":
            return {"type": "object", "properties": {"deleted": {"type": "boolean"}}}
        return item


def toolset(cls: type[ModelToolset]) -> type[ModelToolset]:
    """Register a toolset's tools into the default server (use in an app's `mcp.py`)."""
    from ..registry import default_registry

    cls.register(default_registry)
    return cls


def _required(field: models.Field) -> bool:
    return not (field.null or field.blank or field.has_default())


def _validate(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ToolError("Invalid data: " + "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
        ) from None


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"m:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    """The offset in a cursor this toolset issued (`m:<digits>`, below MAX_OFFSET). Anything
    else is an input validation error, in band (2025-11-25 tools §Error Handling)."""
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeError):
        kind, value = "", ""
    if kind == "m" and OFFSET.fullmatch(value) and int(value) <= MAX_OFFSET:
        return int(value)
    raise ToolError("cursor: Invalid cursor (use the nextCursor of the previous page)")
