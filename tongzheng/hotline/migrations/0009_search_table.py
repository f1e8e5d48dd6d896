"""全文检索 on PostgreSQL: the narrow table ``hotline_ticket_search`` (ticket id, created_at,
stripped vector) with its GIN and created_at indexes, kept by triggers on the ticket table,
filled from the tickets already stored; the GIN index of the ticket column (0007) is dropped
(``hotline.search`` explains why). SQLite: nothing changes.

The fill reads every ticket once and builds both indexes: minutes for millions of tickets,
with the ticket table locked against writes meanwhile (the triggers are created first, in
the same transaction, so no ticket written during the migration is missed).
"""

from django.db import migrations


def install(apps, schema_editor):
    from tongzheng.hotline.search import install_index

    install_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0008_emergency_dispatch_due")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
