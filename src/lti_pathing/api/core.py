"""What every REST blueprint shares: bearer-token auth, runtime pagination, common fields.

The token alone decides the tenant: `before_request` turns `Authorization: Bearer <secret>` into
the token's tenant (or a 401), and views build their services with `service(...)`. Each call
needs one scope of the token: `read` for GET, `write` for any other method, unless the view
names another with `@needs_scope` (the import needs `import`); a missing scope is a 403.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

import marshmallow as ma
from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from webargs.flaskparser import FlaskParser

from lti_pathing import db
from lti_pathing.api.fields import Integer
from lti_pathing.errors import Unauthenticated
from lti_pathing.models import Tenant
from lti_pathing.services.api_tokens import authenticate
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery

S = TypeVar("S", bound=TenantService)
F = TypeVar("F", bound=Callable[..., Any])

PREFIX = "/api/v1"
REALM = 'Bearer realm="lti-pathing"'


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SCOPE_ATTRIBUTE = "_api_scope"


def needs_scope(scope: str) -> Callable[[F], F]:
    """Mark a view as needing `scope` rather than its method's (`read` or `write`)."""

    def mark(view: F) -> F:
        setattr(view, SCOPE_ATTRIBUTE, scope)
        return view

    return mark


def needed_scope() -> str:
    """The scope this request's call needs."""
    view = current_app.view_functions.get(request.endpoint or "")
    marked: str | None = getattr(view, SCOPE_ATTRIBUTE, None)
    if marked is not None:
        return marked
    return "read" if request.method in SAFE_METHODS else "write"


def authenticate_request() -> None:
    """Resolve the bearer token to its tenant (401), holding the call's scope (403)."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise Unauthenticated("missing Authorization header; send 'Authorization: Bearer <token>'")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("malformed Authorization header; expected 'Bearer <token>'")
    g.api_scope = needed_scope()
    g.api_tenant = authenticate(db.session(), secret.strip(), g.api_scope)


def _challenge(response: Response) -> Response:
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = REALM
    elif response.status_code == 403 and "api_scope" in g:  # RFC 6750, section 3.1
        response.headers["WWW-Authenticate"] = (
            f'{REALM}, error="insufficient_scope", scope="{g.api_scope}"'
        )
    return response


def current_tenant() -> Tenant:
    """The tenant the request's API token belongs to."""
    tenant: Tenant = g.api_tenant
    return tenant


def service(cls: type[S]) -> S:
    """A service of the token's tenant on the request's session."""
    return cls(db.session(), current_tenant())


class PaginationSchema(ma.Schema):
    """`page` and `page_size`; the default and the cap come from PAGE_SIZE / MAX_PAGE_SIZE."""

    class Meta:
        unknown = ma.EXCLUDE

    page = Integer(
        load_default=1, validate=ma.validate.Range(min=1), metadata={"description": "from 1"}
    )
    page_size = Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "rows per page; default PAGE_SIZE, at most MAX_PAGE_SIZE"},
    )

    @ma.post_load
    def make_parameters(self, data: dict[str, Any], **kwargs: Any) -> PaginationParameters:
        """Fill the default page size and enforce the maximum (settings read per request)."""
        size = data.get("page_size") or current_app.config["PAGE_SIZE"]
        largest = current_app.config["MAX_PAGE_SIZE"]
        if size > largest:
            raise ma.ValidationError(f"must be at most {largest}", "page_size")
        return PaginationParameters(data["page"], size)


class ApiBlueprint(Blueprint):  # type: ignore[misc]
    """A flask-smorest blueprint behind token auth, with pagination sized by the settings."""

    def __init__(self, name: str, import_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(name, import_name, *args, **kwargs)
        self.before_request(authenticate_request)
        self.after_request(_challenge)

    def paginated(self) -> Callable[[F], F]:
        """Like `paginate()` (X-Pagination header), but page size defaults come from settings."""
        parser = FlaskParser()
        schema = PaginationSchema()
        parameters = {"in": "query", "schema": PaginationSchema}

        def decorator(func: F) -> F:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                params = parser.parse(schema, request, location="query")
                kwargs["pagination_parameters"] = params
                result, status, headers = unpack_tuple_response(func(*args, **kwargs))
                result, headers = self._set_pagination_metadata(params, result, headers)
                return result, status, headers

            apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            apidoc["pagination"] = {
                "parameters": parameters,
                "response": {422: http.HTTPStatus(422).name},
            }
            wrapper._apidoc = apidoc  # type: ignore[attr-defined]
            return wrapper  # type: ignore[return-value]

        return decorator


def list_query(args: dict[str, Any], pages: PaginationParameters) -> ListQuery:
    """The services' list query from the parsed `q`/`active` and page arguments."""
    return ListQuery(
        search=args.get("q") or None,
        active=args.get("active"),
        page=pages.page,
        per_page=pages.page_size,
    )


def counted(pages: PaginationParameters, found: Any) -> Any:
    """Record a service page's total for the X-Pagination header; return its rows."""
    pages.item_count = found.total
    return found.items


class ListArgs(ma.Schema):
    """Filters every list takes: a text search and the active flag."""

    class Meta:
        unknown = ma.EXCLUDE

    q = ma.fields.String(metadata={"description": "case-insensitive search in names and ids"})
    active = ma.fields.Boolean(metadata={"description": "only active (true) or retired (false)"})


class VersionArgs(ma.Schema):
    """The version the client read; a newer stored one makes the change a 409 `stale_edit`."""

    version = Integer(
        required=True, validate=ma.validate.Range(min=1), metadata={"description": "as read"}
    )


class Record(ma.Schema):
    """Fields every editable record shows."""

    id = Integer(dump_only=True)
    version = Integer(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


def patch_schema(cls: type[ma.Schema]) -> ma.Schema:
    """An update schema: every field optional except `version`."""
    optional = tuple(
        name for name, f in cls._declared_fields.items() if f.required and name != "version"
    )
    return cls(partial=optional)


SetActive = Callable[[int, int, bool], Any]


def lifecycle_routes(
    blp: Blueprint,
    schema: type[ma.Schema],
    id_name: str,
    set_active: SetActive,
    docs: tuple[str, str],
) -> None:
    """Add `POST /<id>/retire` and `/<id>/restore` to a resource blueprint.

    `set_active(record_id, version, active)` calls the service; `docs` are the two routes'
    one-line descriptions for the OpenAPI document.
    """
    for endpoint, active, doc in (("retire", False, docs[0]), ("restore", True, docs[1])):

        def view(data: dict[str, Any], _active: bool = active, **path: int) -> Any:
            return set_active(path[id_name], data["version"], _active)

        view.__doc__ = doc
        view.__name__ = f"{endpoint}_{blp.name}"
        decorated = blp.arguments(VersionArgs)(blp.response(200, schema)(view))
        blp.route(f"/<int:{id_name}>/{endpoint}", methods=["POST"], endpoint=endpoint)(decorated)
