"""The route-permission matrix: every page and API operation, for every persona of the cast.

Rows come from every ``tongzheng/<app>/tests/permission_rows*.py`` (``ROWS = [...]``):

    {"name": "organisations:detail", "kwargs": {"pk": "org_a.pk"}, "method": "get",
     "expect": {"anonymous": 302, "citizen": 403, "staff_other_org": 404, ...}}

Optional keys: "query" (GET parameters), "data" (the POST/PATCH body; empty by default).
String values like "org_a.pk" in kwargs, query and data name cast members
(``tongzheng.tests_matrix.cast``). API operations are keyed by URL name *and* method.
Each request runs in a savepoint that is rolled back, so rows cannot disturb each other.
Every 4xx answer of an API operation must also be JSON with a Chinese "detail" string.
"""

import json
from importlib import import_module
from pathlib import Path

from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

import tongzheng
from tongzheng.api.api import api
from tongzheng.tests_matrix.cast import PERSONAS

API_NAMESPACE = "api"
METHODS = {"get", "post", "put", "patch", "delete"}

# Routes that carry no platform logic of their own, and why they need no row.
SKIPPED_NAMES = {
    "set_language",  # Django's i18n view (django.views.i18n.set_language)
}
SKIPPED_PREFIXES = (
    "static/",  # static files (django.conf.urls.static / whitenoise)
    "media/",  # uploaded files
    "__debug__/",  # debug toolbar, development only
)


def collect_rows() -> list[tuple[str, dict]]:
    """(source module, row) for every row of every app's permission_rows*.py."""
    rows = []
    root = Path(tongzheng.__file__).parent
    for path in sorted(root.glob("*/tests/permission_rows*.py")):
        module_name = f"tongzheng.{path.parent.parent.name}.tests.{path.stem}"
        module = import_module(module_name)
        rows.extend((module_name, row) for row in module.ROWS)
    return rows


def walk_patterns(patterns, prefix="", namespace=""):
    """(route, URL name or None) of every pattern, through includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from walk_patterns(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            yield route, (f"{namespace}{pattern.name}" if pattern.name else None)


def api_operations() -> dict[str, set[str]]:
    """URL name (api:...) → the HTTP methods of that ninja operation."""
    operations: dict[str, set[str]] = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", "")
                if not name:
                    name = api.get_operation_url_name(operation, router=bound.template)
                    if bound.url_name_prefix:
                        name = f"{bound.url_name_prefix}_{name}"
                key = f"{API_NAMESPACE}:{name}"
                operations.setdefault(key, set()).update(m.lower() for m in operation.methods)
    return operations


def routes(*, skipped: bool = False) -> dict[str, set[str] | None]:
    """Every route needing rows: URL name → methods (None: any method, for pages).

    With ``skipped``, the routes that need no row are included (a row for them is allowed).
    """
    found: dict[str, set[str] | None] = {}
    for route, name in walk_patterns(get_resolver().url_patterns):
        if not skipped and (route.startswith(SKIPPED_PREFIXES) or name in SKIPPED_NAMES):
            continue
        found[name or f"<unnamed route {route!r}>"] = None
    for name, methods in api_operations().items():
        found[name] = methods
    return found


def _row_key(row) -> tuple[str, str]:
    return row["name"], row.get("method", "get").lower()


def test_the_api_walk_sees_every_operation_of_the_schema():
    schema = api.get_openapi_schema(path_prefix="/api/")
    in_schema = sum(
        1 for operations in schema["paths"].values() for method in operations if method in METHODS
    )
    assert sum(len(m) for m in api_operations().values()) == in_schema


def test_every_route_has_a_row():
    covered = {_row_key(row) for _source, row in collect_rows()}
    covered_names = {name for name, _method in covered}
    missing = []
    for name, methods in sorted(routes().items()):
        if methods is None:
            if name not in covered_names:
                missing.append(name)
        else:
            missing.extend(
                f"{name} [{method.upper()}]"
                for method in sorted(methods)
                if (name, method) not in covered
            )
    assert not missing, "Routes without a permission row:\n" + "\n".join(missing)


def test_every_row_names_a_route_and_every_persona():
    known = routes(skipped=True)
    problems = []
    for source, row in collect_rows():
        name, method = _row_key(row)
        label = f"{source}: {name} [{method.upper()}]"
        if name not in known:
            problems.append(f"{label}: no such route")
        elif method not in METHODS:
            problems.append(f"{label}: unknown method")
        elif known[name] is not None and method not in known[name]:
            problems.append(f"{label}: the API operation answers {sorted(known[name])}")
        absent = set(PERSONAS) - set(row.get("expect", {}))
        extra = set(row.get("expect", {})) - set(PERSONAS)
        if absent or extra:
            problems.append(f"{label}: expect lacks {sorted(absent)} / has unknown {sorted(extra)}")
    assert not problems, "Bad permission rows:\n" + "\n".join(problems)


def _request(client, url: str, method: str, is_api: bool, query: dict, data: dict):
    if method == "get":
        return client.get(url, query)
    if is_api:
        return client.generic(method.upper(), url, json.dumps(data), "application/json")
    if method == "post":
        return client.post(url, data)
    return client.generic(method.upper(), url, "")


def _is_json_error(response) -> bool:
    try:
        return isinstance(json.loads(response.content).get("detail"), str)
    except (ValueError, AttributeError):
        return False


def test_every_persona_gets_the_expected_status(cast):
    known = routes(skipped=True)
    clients = {persona: cast.client(persona) for persona in PERSONAS}  # logged in, committed
    mismatches = []
    for source, row in collect_rows():
        name, method = _row_key(row)
        if name not in known or method not in METHODS:
            continue  # reported by test_every_row_names_a_route_and_every_persona
        try:
            url = reverse(name, kwargs=cast.resolve(row.get("kwargs") or {}))
        except (NoReverseMatch, AttributeError) as exc:
            mismatches.append(f"{name}: kwargs {row.get('kwargs')} do not resolve: {exc}")
            continue
        is_api = known[name] is not None and name.startswith(f"{API_NAMESPACE}:")
        query = cast.resolve(row.get("query") or {})
        data = cast.resolve(row.get("data") or {})
        for persona in PERSONAS:
            expected = row.get("expect", {}).get(persona)
            try:
                with transaction.atomic():
                    response = _request(
                        clients[persona], url, method, known[name] is not None, query, data
                    )
                    transaction.set_rollback(True)
            except Exception as exc:  # a 500: report it with the others
                mismatches.append(f"{name} [{method.upper()} {url}] as {persona}: raised {exc!r}")
                continue
            if response.status_code != expected or response.status_code >= 500:
                mismatches.append(
                    f"{name} [{method.upper()} {url}] as {persona}: "
                    f"expected {expected}, got {response.status_code}  ({source})"
                )
            elif is_api and response.status_code >= 400 and not _is_json_error(response):
                mismatches.append(
                    f"{name} [{method.upper()} {url}] as {persona}: "
                    f"{response.status_code} without a JSON {{'detail': ...}} body  ({source})"
                )
    assert not mismatches, f"{len(mismatches)} status mismatches:\n" + "\n".join(mismatches)
