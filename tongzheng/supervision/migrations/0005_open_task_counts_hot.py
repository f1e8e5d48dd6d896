"""在办计数 on PostgreSQL: counts updated in place (HOT).

The partial index on ``tasks = 0`` (0004) put ``tasks`` in an index, so every count the
triggers changed was a new row version with an entry in each index, and with autovacuum
late (or off) the dead versions piled up: after ~7,500 ticket intakes the trigger's
upsert read 2,436 buffers instead of 14. PostgreSQL's trigger now deletes the rows that
reach zero by the ids its upsert returns (``open_counts._pg_upsert_dropping_zeros``), so
the index goes, and the table keeps 30 % of each page free for updated versions.
SQLite's row triggers still delete through that index, so SQLite keeps it.
"""

from django.db import migrations

TABLE = "supervision_opentaskcount"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS supervision_otc_zero")
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 70)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS supervision_otc_zero ON {TABLE} (tasks) WHERE tasks = 0"
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_open_task_counts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="opentaskcount", name="supervision_otc_zero")
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
