# Triggers that make the audit trail append-only in the database (SQLite and PostgreSQL).
# See tongzheng/audit/guard.py for what they refuse.

from django.db import migrations


def install(apps, schema_editor):
    from tongzheng.audit import guard

    guard.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from tongzheng.audit import guard

    guard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_organisation_scope_and_retention"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
