"""特急件派单时限: ``Ticket.dispatch_due_at`` and a partial index on the tickets waiting for it.

The field is set at intake for emergency tickets (``models.dispatch_deadline``); the data
step gives the emergency tickets already stored the same deadline (receipt + the minutes
of ``HOTLINE_EMERGENCY_DISPATCH_MINUTES``, default 60), so the late ones are found too.
"""

import datetime

from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Ticket = apps.get_model("hotline", "Ticket")
    minutes = int(getattr(settings, "HOTLINE_EMERGENCY_DISPATCH_MINUTES", 60))
    Ticket.objects.filter(urgency="emergency", dispatch_due_at__isnull=True).update(
        dispatch_due_at=models.F("created_at") + datetime.timedelta(minutes=minutes)
    )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0007_search_vector")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="dispatch_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="派单时限"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("dispatch_due_at__isnull", False),
                    ("dispatched_at__isnull", True),
                    ("status", "received"),
                ),
                fields=["dispatch_due_at"],
                name="hotline_ticket_dispatch_due",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
