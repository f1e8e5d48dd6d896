"""A queryset compiled to SQL once per database connection, then run with a new value.

Building and compiling a Django queryset costs more CPU than running a small indexed
query: on the hot paths (the session's user on every signed-in request, the public
status lookup) the compiling was most of the request's ORM work. ``build(value)`` returns
the queryset (a ``values_list``); it is compiled with ``placeholder`` as the value, whose
parameter is then swapped for the real one on each call. The field converters the ORM
would apply (e.g. datetimes on SQLite) are applied the same way.
"""

import weakref

from django.db import DEFAULT_DB_ALIAS, connections


class PreparedQuery:
    def __init__(self, build, placeholder):
        self._build = build
        self._placeholder = placeholder
        self._compiled = weakref.WeakKeyDictionary()  # per connection (one per thread)

    def _compile(self, connection):
        compiler = self._build(self._placeholder).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        if params.count(self._placeholder) != 1:
            raise ValueError("the value must be exactly one parameter of the query")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        return sql, params, params.index(self._placeholder), converters

    def rows(self, value, using: str = DEFAULT_DB_ALIAS) -> list[list]:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        sql, params, slot, converters = compiled
        params = params.copy()
        params[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows if converters else ():
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        return rows
