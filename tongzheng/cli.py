"""The ``tongzheng`` console command: Django's manage.py plus the operators' tools.

``tongzheng demo``, ``tongzheng audit verify``, ``tongzheng check id VALUE`` and the
rest are management commands of the platform's apps; this wrapper only sets the
settings module so operators never type ``python manage.py``.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tongzheng", *(sys.argv[1:] if argv is None else argv)])
    return 0
