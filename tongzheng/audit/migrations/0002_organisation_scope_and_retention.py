# The event's organisation becomes a constraint-free foreign key so that the viewer can be
# scoped with ScopedQuerySet; the column (organisation_id, bigint) is unchanged, so the
# database step is only an index. The one-row retention table is created and filled.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_retention(apps, schema_editor):
    Retention = apps.get_model("audit", "Retention")
    days = max(184, int(getattr(settings, "AUDIT_RETENTION_DAYS", 184)))
    Retention.objects.using(schema_editor.connection.alias).get_or_create(
        id=1, defaults={"days": days}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="auditevent", name="organisation_id"),
                migrations.AddField(
                    model_name="auditevent",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(max_length=64, unique=True, verbose_name="摘要"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_digest",
            field=models.CharField(max_length=64, verbose_name="前一摘要"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["organisation"], name="audit_event_organisation_idx"),
        ),
        migrations.CreateModel(
            name="Retention",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("days", models.PositiveIntegerField(verbose_name="保存天数")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
            ],
            options={
                "verbose_name": "审计保存期限",
                "verbose_name_plural": "审计保存期限",
                "db_table": "audit_retention",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_retention_single_row"),
                    models.CheckConstraint(condition=models.Q(("days__gte", 184)), name="audit_retention_minimum"),
                ],
            },
        ),
        migrations.RunPython(fill_retention, migrations.RunPython.noop),
    ]
