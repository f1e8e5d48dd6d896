"""The ticket's Meta index on ``reporter_phone_index`` duplicated the one the field
already has (``SealedValue`` indexes its blind index): every ticket written paid for two
identical btrees (51 MB each at 5,000,000 tickets)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hotline', '0009_search_table'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticket',
            name='hotline_ticket_phone',
        ),
    ]
