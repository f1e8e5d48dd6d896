"""On PostgreSQL the status lookup is a server-side prepared statement
(``core.prepared.PreparedQuery`` with ``prepare=True``): the same rows as plain SQL, counted and logged like any query,
and still right after a reconnect, a rollback and inside transactions."""

import pytest
from django.db import connection, transaction

from tongzheng.services import actions, public
from tongzheng.services.tests.factories import handler, published_item, submitted_application

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def lookup_statements() -> list[str]:
    return [s for s in prepared_statements() if '"services_applicationevent"."note"' in s]


def test_the_lookup_is_prepared_once_and_gives_the_plain_rows(django_assert_num_queries):
    item = published_item()
    application, _code = submitted_application(item)
    actions.accept(actor=handler(item.organisation), application=application)
    assert lookup_statements() == []
    with django_assert_num_queries(1):  # logged like any query
        prepared = public._STATUS_QUERY.rows(application.number)
    assert len(lookup_statements()) == 1
    public._STATUS_QUERY.prepare = False
    try:
        plain = public._STATUS_QUERY.rows(application.number)
    finally:
        public._STATUS_QUERY.prepare = True
    assert prepared == plain and len(plain) >= 2
    last = application.events.order_by("sequence").last()
    assert prepared[0][0] == application.pk and prepared[-1][-3] == last.to_status
    public.status_lookup(application.number)
    assert len(lookup_statements()) == 1, "prepared once per connection"
    # No other query of the platform is prepared.
    assert prepared_statements() == lookup_statements()


def test_rollbacks_savepoints_and_reconnects_keep_it_working():
    item = published_item()
    application, _code = submitted_application(item)
    number = application.number
    with pytest.raises(RuntimeError), transaction.atomic():
        assert public.status_lookup(number).pk == application.pk
        raise RuntimeError
    assert public.status_lookup(number).pk == application.pk
    with transaction.atomic():
        with transaction.atomic():
            public.status_lookup(number)
        assert public.status_lookup(number).pk == application.pk
    assert connection.connection.prepare_threshold is None, "Django's setting is kept"
    assert public.status_lookup("SQ0") is None


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    item = published_item()
    application, _code = submitted_application(item)
    assert public.status_lookup(application.number).pk == application.pk
    assert len(lookup_statements()) == 1
    connection.close()  # CONN_MAX_AGE or a dropped connection: a new session, no statements
    assert lookup_statements() == []
    assert public.status_lookup(application.number).pk == application.pk
    assert len(lookup_statements()) == 1
