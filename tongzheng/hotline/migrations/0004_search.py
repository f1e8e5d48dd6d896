"""全文检索 and 派单建议: the ticket full-text index and the trained dispatch classifier.

SQLite: an FTS5 table with external content (the ticket table) over ``search_tokens``,
kept current by triggers and filled once from the existing rows. PostgreSQL: a GIN index
on ``to_tsvector('simple', search_tokens)``. The SQL lives in ``hotline.search`` so that
``search.install_index`` can restore it (a SQLite table rebuild drops triggers).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from tongzheng.hotline.search import install_index

    install_index(schema_editor.connection)


def uninstall(apps, schema_editor):
    from tongzheng.hotline.search import uninstall_index

    uninstall_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0003_subjects"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DispatchClassifier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("trained_at", models.DateTimeField(auto_now_add=True, verbose_name="训练时间")),
                ("examples", models.PositiveIntegerField(verbose_name="训练工单数")),
                ("organisations", models.PositiveIntegerField(verbose_name="承办单位数")),
                ("vocabulary", models.PositiveIntegerField(verbose_name="词表大小")),
                ("parameters", models.JSONField(verbose_name="模型参数")),
                (
                    "trained_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="训练人",
                    ),
                ),
            ],
            options={
                "verbose_name": "派单建议模型",
                "verbose_name_plural": "派单建议模型",
                "ordering": ["-trained_at", "-id"],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
