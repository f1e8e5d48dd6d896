"""The PostgreSQL backend: Django's, with ``timestamptz`` values read in C.

Django registers its own loader for ``timestamptz`` (``psycopg_any.BaseTzLoader``, a
Python subclass of psycopg's pure-Python loader, so that every value gets the
connection's ``timezone`` as its tzinfo). psycopg swaps its C implementation in only for
its own classes, so with Django every timestamp of every row was parsed by a regular
expression in Python: ~5–8 µs a value against ~0.5–0.9 µs in C (in process, 2,003 values
a query). A hotline list page reads ~90 of them, the status lookup ~45.

``UtcTimestamptzLoader`` is Django's loader (same class, same ``timezone``, so Django's
per-cursor check finds nothing to change) whose ``load`` is psycopg's C loader when the
session's time zone is UTC — what Django sets on every connection with ``USE_TZ`` and no
``TIME_ZONE`` of the database's own. The C loader then returns exactly Django's value:
the same instant with ``datetime.timezone.utc``. For any other session time zone (the
first cursor before Django's ``SET TIME ZONE``, a database ``TIME_ZONE``) the loader is
Django's Python one, unchanged. ``settings.py`` names this backend for PostgreSQL.
"""

import datetime

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg._cmodule import _psycopg

UTC = datetime.UTC


class UtcTimestamptzLoader(BaseTzLoader):
    timezone = UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        connection = self.connection
        if (
            _psycopg is not None
            and connection is not None
            and connection.info.parameter_status("TimeZone") == "UTC"
        ):
            # An instance attribute: psycopg's row loader calls ``loader.load`` per value.
            self.load = _psycopg.TimestamptzLoader(oid, context).load


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if self.timezone is UTC and "context" in params:
            params["context"].register_loader("timestamptz", UtcTimestamptzLoader)
        return params
