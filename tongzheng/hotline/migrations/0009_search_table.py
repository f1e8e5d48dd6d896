"""全文检索 on PostgreSQL: the narrow table ``hotline_ticket_search`` (ticket id, created_at,
stripped vector) with its GIN and created_at indexes, kept by triggers on the ticket table,
filled from the tickets already stored; the GIN index of the ticket column (0007) is dropped
(``hotline.search`` explains why). SQLite: nothing changes.

The fill reads every ticket once and builds both indexes: minutes for millions of tickets.
The migration is not atomic, so that searches and intake go on meanwhile (each statement
commits on its own; only the two index builds hold ticket writes back): the triggers come
first, the fill overwrites what they wrote, and a failed run is repaired by running it
again (``install_index`` rebuilds whenever a part is missing). A row of a ticket deleted
during the fill could stay behind; search joins to the ticket table, so it never shows.
"""

from django.db import migrations


def install(apps, schema_editor):
    from tongzheng.hotline.search import install_index

    install_index(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("hotline", "0008_emergency_dispatch_due")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
