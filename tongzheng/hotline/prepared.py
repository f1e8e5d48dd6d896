"""Fixed-shape reads of one ticket's own rows, compiled to SQL once per database connection.

The ticket page reads the ticket's history, assignments, disputes, extensions, files and
merged duplicates: six small indexed queries whose building and compiling by the ORM cost
more CPU than running them (about 2,000 Python calls each, most of the page's work). The
ticket is found, in scope, by ``queries.ticket_for`` first; these read only rows of that
ticket, so their SQL differs by the ticket's id alone.
"""

from django.db import DEFAULT_DB_ALIAS

from tongzheng.core.prepared import PreparedQuery

#: Stands for the ticket's id while the SQL is compiled (never sent; no id is negative).
_TICKET_ID = -7_340_032_001


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
        )

    def __call__(self, ticket_id: int, using: str = DEFAULT_DB_ALIAS) -> list:
        own = len(self._fields)
        objects = []
        for row in self._query.rows(ticket_id, using):
            instance = self._model.from_db(using, self._fields, row[:own])
            for name, value in zip(self._names, row[own:], strict=True):
                setattr(instance, name, value)
            objects.append(instance)
        return objects
