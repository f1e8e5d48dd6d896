"""Fixed-shape reads of one ticket's own rows, compiled to SQL once per database connection.

The ticket page reads the ticket's history, assignments, disputes, extensions, files and
merged duplicates: six small indexed queries whose building and compiling by the ORM cost
more CPU than running them (about 2,000 Python calls each, most of the page's work). The
ticket is found, in scope, by ``queries.ticket_for`` first; these read only rows of that
ticket, so their SQL differs by the ticket's id alone. (The same idea as
``services.public.PreparedQuery``, for an integer key and model instances.)
"""

import weakref

from django.db import DEFAULT_DB_ALIAS, connections

#: Stands for the ticket's id while the SQL is compiled (never sent; no id is negative).
_TICKET_ID = -7_340_032_001


class TicketRows:
    """``build(ticket_id)`` returns the queryset (filtered by the ticket, ordered); it is
    compiled once per connection as ``values_list(*fields, *names.values())`` and run with
    the real id. Calling it returns instances of the queryset's model with ``fields``
    loaded (the others deferred: a template must not read them) and each ``names`` value
    (a related column such as ``organisation__name``) set as the attribute of its key.
    """

    def __init__(self, build, fields, names=None):
        self._build = build
        self._fields = tuple(fields)
        self._names = dict(names or {})
        self._compiled = weakref.WeakKeyDictionary()  # per connection (one per thread)

    def _compile(self, connection):
        queryset = self._build(_TICKET_ID)
        model = queryset.model
        order = [field.attname for field in model._meta.concrete_fields]
        # ``Model.from_db`` takes a subset of the columns in the model's field order.
        attnames = {model._meta.get_field(name).attname for name in ("id", *self._fields)}
        fields = tuple(sorted(attnames, key=order.index))
        compiler = queryset.values_list(*fields, *self._names.values()).query.get_compiler(
            connection=connection
        )
        sql, params = compiler.as_sql()
        params = list(params)
        if params.count(_TICKET_ID) != 1:
            raise ValueError("the ticket's id must be exactly one parameter of the query")
        selected = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(selected).items())
        return model, fields, sql, params, params.index(_TICKET_ID), converters

    def __call__(self, ticket_id: int, using: str = DEFAULT_DB_ALIAS) -> list:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        model, fields, sql, params, slot, converters = compiled
        params = params.copy()
        params[slot] = ticket_id
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        own = len(fields)
        objects = []
        for row in rows:
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            instance = model.from_db(using, fields, row[:own])
            for name, value in zip(self._names, row[own:], strict=True):
                setattr(instance, name, value)
            objects.append(instance)
        return objects
