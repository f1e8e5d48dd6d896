"""A queryset compiled to SQL once per database connection, then run with a new value.

Building and compiling a Django queryset costs more CPU than running a small indexed
query: on the hot paths (the session's user on every signed-in request, the public
status lookup, the hotline ticket page) the compiling was most of the request's ORM
work. ``build(value)`` returns the queryset (a ``values_list``); it is compiled with
``placeholder`` as the value, whose parameter is then swapped for the real one on each
call. The field converters the ORM would apply (e.g. datetimes on SQLite) are applied
the same way.

With ``prepare=True`` the query is also a server-side prepared statement on PostgreSQL:
Django's psycopg cursors bind client-side, so PostgreSQL parses and plans the query on
every run — for the status lookup's six-table join ~1.2 ms of its CPU, far more than
running it. See ``_cursor_class`` for why that holds across reconnects and transactions.
"""

import weakref
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections


class PreparedQuery:
    def __init__(self, build, placeholder, *, prepare: bool = False):
        self._build = build
        self._placeholder = placeholder
        self.prepare = prepare
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
        prepared = self.prepare and connection.vendor == "postgresql"
        with preparing_cursor(connection) if prepared else connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows if converters else ():
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        return rows


def preparing_cursor(connection):
    """A cursor on Django's PostgreSQL connection that runs its queries as prepared
    statements, wrapped as ``connection.cursor()`` wraps its own (errors translated, query
    logging and execute wrappers as usual)."""
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import adapters
    from psycopg.pq import Format

    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _cursor_class()(connection.connection)
    # As Django's create_cursor: the connection's time zone for timestamptz columns.
    loader = cursor.adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@cache
def _cursor_class():
    import psycopg  # only on PostgreSQL

    class PreparingCursor(psycopg.Cursor):
        """Binds server-side and prepares every query it runs.

        psycopg keeps a connection's prepared statements in that connection object: a
        reconnect (CONN_MAX_AGE, a dropped connection) starts with none and prepares
        again; a rollback makes psycopg deallocate them and they are prepared again at the
        next run. Statements are not transactional, so one prepared inside a transaction
        (or a test's) stays valid after it. Django opens its connections with
        ``prepare_threshold=None`` (nothing is prepared, for transaction-pooling
        PgBouncer); that switch is lifted only while this cursor runs its query, so no
        other query of the platform is prepared or counted. Behind a pooler in transaction
        mode, PgBouncer must be >= 1.21 with ``max_prepared_statements`` set.
        """

        def execute(self, query, params=None, *, prepare=None, binary=None):
            connection = self.connection
            threshold = connection.prepare_threshold
            connection.prepare_threshold = 0
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                connection.prepare_threshold = threshold

    return PreparingCursor
