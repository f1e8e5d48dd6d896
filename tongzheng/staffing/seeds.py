"""The establishment types (编制类型) every staffing office uses, kept present after migrate."""

from django.db import transaction

ESTABLISHMENT_TYPES = [
    # (code, name, order)
    ("administrative", "行政编制", 10),
    ("political_legal", "政法专项编制", 20),
    ("institution_full", "事业编制-全额拨款", 30),
    ("institution_partial", "事业编制-差额补贴", 40),
    ("institution_self", "事业编制-自收自支", 50),
    ("worker", "工勤编制", 60),
]


def ensure_establishment_types(sender=None, **kwargs) -> None:
    """post_migrate receiver: create missing types; never rename what an office configured."""
    from tongzheng.staffing.models import EstablishmentType

    with transaction.atomic():
        for code, name, order in ESTABLISHMENT_TYPES:
            EstablishmentType.objects.get_or_create(
                code=code, defaults={"name": name, "order": order}
            )
