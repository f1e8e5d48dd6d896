# Re-creates the guard triggers: the SQLite DELETE trigger of 0003 let deletes through when
# the retention row was missing (it must refuse them). guard.install is idempotent.

from django.db import migrations


def install(apps, schema_editor):
    from tongzheng.audit import guard

    guard.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_append_only_guard"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
