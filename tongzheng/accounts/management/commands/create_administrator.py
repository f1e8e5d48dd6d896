"""``tongzheng create_administrator --role system_admin --username U --full-name N --organisation ID``

Creates one of the three administrators (三员) on a fresh installation, where no account
can do it yet, and prints a temporary password that must be changed at first login.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongzheng.accounts.actions import bootstrap_administrator
from tongzheng.accounts.roles import ADMINISTRATOR_ROLE_CODES
from tongzheng.core.models import Organisation


class Command(BaseCommand):
    help = "Create a system, security or audit administrator with a temporary password."

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=sorted(ADMINISTRATOR_ROLE_CODES))
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--organisation", required=True, type=int, help="organisation id")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(pk=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with id {options['organisation']}")
        try:
            user, password = bootstrap_administrator(
                role_code=options["role"],
                username=options["username"],
                full_name=options["full_name"],
                organisation=organisation,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username} ({options['role']}) temporary password: {password}")
        self.stdout.write("The password must be changed, and TOTP enrolled, at first login.")
