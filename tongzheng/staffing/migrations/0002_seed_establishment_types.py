"""Seed the establishment types (编制类型) every staffing office uses."""

from django.db import migrations

ESTABLISHMENT_TYPES = [
    # (code, name, order)
    ("administrative", "行政编制", 10),
    ("political_legal", "政法专项编制", 20),
    ("institution_full", "事业编制-全额拨款", 30),
    ("institution_partial", "事业编制-差额补贴", 40),
    ("institution_self", "事业编制-自收自支", 50),
    ("worker", "工勤编制", 60),
]


def seed(apps, schema_editor):
    EstablishmentType = apps.get_model("staffing", "EstablishmentType")
    for code, name, order in ESTABLISHMENT_TYPES:
        EstablishmentType.objects.update_or_create(
            code=code, defaults={"name": name, "order": order}
        )


def unseed(apps, schema_editor):
    EstablishmentType = apps.get_model("staffing", "EstablishmentType")
    EstablishmentType.objects.filter(code__in=[c for c, _, _ in ESTABLISHMENT_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("staffing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
