"""全文检索 on PostgreSQL: a stored ``search_vector`` column with its GIN index, replacing
the expression index of 0004 (``hotline.search`` explains why). SQLite: nothing changes.

A later migration that alters ``search_tokens`` on PostgreSQL must drop the generated
column first (``search.uninstall_index``) and reinstall it after.
"""

from django.db import migrations


def install(apps, schema_editor):
    from tongzheng.hotline.search import install_index

    install_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0006_supervision_open_tasks")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
