"""Fixed-shape reads of one ticket's own rows, compiled to SQL once per database connection
(and prepared statements on PostgreSQL: planning them cost it more than running them).

The ticket page reads the ticket's history, assignments, disputes, extensions, files and
merged duplicates: six small indexed queries whose building and compiling by the ORM cost
more CPU than running them (about 2,000 Python calls each, most of the page's work). The
ticket is found, in scope, by ``queries.ticket_for`` first; these read only rows of that
ticket, so their SQL differs by the ticket's id alone.
"""

import datetime
import weakref

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from tongzheng.core.prepared import PreparedQuery, preparing_cursor

#: Stands for the ticket's id while the SQL is compiled (never sent; no id is negative).
_TICKET_ID = -7_340_032_001


# The descriptors of a model's columns whose assignment only stores the value in the
# instance's __dict__ on a new instance (a foreign key's also forgets a cached related
# object, which a new instance has none of). ``FileDescriptor`` and the like wrap values:
# a model with one among the loaded columns is made by ``from_db``.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
_plain_models: dict[tuple, bool] = {}


def _plain(model, attnames) -> bool:
    key = (model, attnames)
    plain = _plain_models.get(key)
    if plain is None:
        descriptors = []
        for attname in attnames:
            found = next(
                (k.__dict__[attname] for k in model.__mro__ if attname in k.__dict__), None
            )
            descriptors.append(found)
        plain = _plain_models[key] = all(type(found) in _PLAIN_DESCRIPTORS for found in descriptors)
    # No receiver of pre_init / post_init at all (read on each row: one may connect later).
    return plain and not pre_init.receivers and not post_init.receivers


def from_db(model, using: str, attnames: tuple, values) -> object:
    """``model.from_db(using, attnames, values)`` (``attnames`` in the model's field order,
    as ``from_db`` takes them), made directly when that is the same:
    ``Model.__init__`` sets each given column (``setattr``: here a store in __dict__),
    skips the deferred ones and sends ``pre_init`` / ``post_init`` (made by ``from_db``
    whenever either signal has a receiver). About
    45 Python calls fewer a row (a list page makes 21)."""
    if not _plain(model, attnames) or len(values) != len(attnames):
        return model.from_db(using, attnames, values)
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding = False
    state.db = using
    instance.__dict__.update(zip(attnames, values, strict=True))
    return instance


class TicketRows:
    """``build(ticket_id)`` returns the queryset (filtered by the ticket, ordered); it is
    compiled once per connection as ``values_list(*fields, *names.values())``
    (``core.prepared.PreparedQuery``) and run with the real id. Calling it returns
    instances of the queryset's model with ``fields`` loaded (the others deferred: a
    template must not read them) and each ``names`` value (a related column such as
    ``organisation__name``) set as the attribute of its key.
    """

    def __init__(self, build, fields, names=None):
        self._build = build
        self._names = dict(names or {})
        model = build(_TICKET_ID).model
        order = [field.attname for field in model._meta.concrete_fields]
        attnames = {model._meta.get_field(name).attname for name in ("id", *fields)}
        # ``Model.from_db`` takes a subset of the columns in the model's field order.
        self._model = model
        self._fields = tuple(sorted(attnames, key=order.index))
        self._query = PreparedQuery(
            lambda ticket_id: build(ticket_id).values_list(*self._fields, *self._names.values()),
            _TICKET_ID,
            prepare=True,
        )

    def __call__(self, ticket_id: int, using: str = DEFAULT_DB_ALIAS) -> list:
        own = len(self._fields)
        objects = []
        for row in self._query.rows(ticket_id, using):
            instance = from_db(self._model, using, self._fields, row[:own])
            for name, value in zip(self._names, row[own:], strict=True):
                setattr(instance, name, value)
            objects.append(instance)
        return objects


class CompiledInstances:
    """A queryset of model instances (``select_related`` and annotations included)
    compiled to SQL once per connection and ``key``, then run with other values:
    ``queries.ticket_for``, whose five joined tables (~100 columns) cost Django ~7,000
    Python calls to compile on every ticket page and every centre action, several times
    what running it costs, and the centre's ticket list.

    A ``values_list`` queryset gives its rows as tuples instead.

    Called with ``key``, ``build`` and ``values``: ``build(*placeholders)`` returns the
    queryset, built and compiled with ``placeholders`` (one per value, each a value that
    nothing else in the query can equal) only when the key is new, so the key must stand
    for everything else the SQL depends on (for ``ticket_for``: the visibility filter's
    own compiled SQL and parameters). Each placeholder's parameters are then swapped for
    its value. The instances are made as Django's ``ModelIterable`` makes them (the same
    ``from_db`` and related populators, the same converters), so they are the
    queryset's own: complete or with the same deferred fields, saveable, with their
    related objects cached.
    """

    #: Keys kept per connection; more (many users with different scopes) start afresh.
    MAX_KEYS = 1000

    def __init__(self, *, prepare: bool = False):
        # ``prepare``: a server-side prepared statement on PostgreSQL, as
        # ``core.prepared.PreparedQuery(prepare=True)``: for a query whose plan does not
        # depend on the values (PostgreSQL may keep one generic plan after five runs).
        self.prepare = prepare
        self._compiled = weakref.WeakKeyDictionary()  # connection -> {key: compiled}

    @staticmethod
    def _compile(build, placeholders, connection):
        query = build(*placeholders).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()  # also fills select, klass_info and annotations
        params = list(params)
        slots = []
        for number, placeholder in enumerate(placeholders):
            sent = _adapted(placeholder, connection)
            found = [
                position
                for position, param in enumerate(params)
                if type(param) is type(sent) and param == sent
            ]
            if not found:
                raise ValueError(f"placeholder {placeholder!r} is not a parameter of the query")
            slots.extend((position, number) for position in found)
        select, klass_info = compiler.select, compiler.klass_info
        fields = [column[0] for column in select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        if query.values_select:  # a ``values_list``: the rows as tuples
            return (sql, params, slots, converters, None, 0, 0, [], [], [])
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = tuple(column[0].target.attname for column in select[start:end])
        populators = get_related_populators(klass_info, select, connection.alias)
        annotations = list(compiler.annotation_col_map.items())
        model = klass_info["model"]
        return (sql, params, slots, converters, model, start, end, init_list, populators,
                annotations)  # fmt: skip

    def __call__(self, key, build, placeholders, values, using: str = DEFAULT_DB_ALIAS) -> list:
        connection = connections[using]
        compiled_by_key = self._compiled.get(connection)
        if compiled_by_key is None:
            compiled_by_key = self._compiled[connection] = {}
        compiled = compiled_by_key.get(key)
        if compiled is None:
            if len(compiled_by_key) >= self.MAX_KEYS:
                compiled_by_key.clear()
            compiled = self._compile(build, placeholders, connection)
            compiled_by_key[key] = compiled
        sql, params, slots, converters, model, start, end, init_list, populators, annotations = (
            compiled
        )
        params = params.copy()
        for position, number in slots:
            params[position] = _adapted(values[number], connection)
        prepared = self.prepare and connection.vendor == "postgresql"
        with preparing_cursor(connection) if prepared else connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        instances = []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    for function in functions:
                        row[position] = function(row[position], expression, connection)
            if model is None:
                instances.append(tuple(row))
                continue
            instance = from_db(model, using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


def _adapted(value, connection):
    """``value`` as the ORM passes it to the database driver: datetimes through the
    backend's adapter (a string on SQLite), anything else as it is."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
