"""``tongzheng check id|uscc VALUE``, and Django's system checks for anything else.

This command replaces Django's ``check`` (an app command wins over a core one), so it
subclasses it: ``tongzheng check`` and ``tongzheng check --deploy`` work as before.
"""

from django.core.management.base import CommandError
from django.core.management.commands import check as django_check

from tongzheng.core.validators import resident_id_problem, uscc_problem

IDENTIFIER_CHECKS = {
    "id": resident_id_problem,  # 居民身份证号码, GB 11643
    "uscc": uscc_problem,  # 统一社会信用代码, GB 32100
}


class Command(django_check.Command):
    help = (
        "Validate an identifier: 'check id VALUE' (resident ID number, GB 11643) or "
        "'check uscc VALUE' (unified social credit code, GB 32100); prints OK or the "
        "reason and exits non-zero. Without 'id'/'uscc', runs Django's system checks."
    )

    def handle(self, *app_labels, **options):
        if not app_labels or app_labels[0] not in IDENTIFIER_CHECKS:
            return super().handle(*app_labels, **options)
        kind, *values = app_labels
        if len(values) != 1:
            raise CommandError(f"usage: tongzheng check {kind} VALUE", returncode=2)
        problem = IDENTIFIER_CHECKS[kind](values[0])
        if problem:
            raise CommandError(problem, returncode=1)
        self.stdout.write("OK")
