"""Synthetic demo data: ``tongzheng demo --scale test|county|city|province``.

See docs/demo.md. ``generate`` loads divisions, organisations, the quota ledger,
personnel and one user per built-in role into an empty database, in bulk.
"""

from tongzheng.core.demo.generator import (
    SCALES,
    DemoDataExists,
    DivisionNotFound,
    generate,
    organisations_exist,
)
from tongzheng.core.demo.logins import DEMO_PASSWORD, demo_logins, format_logins

__all__ = [
    "DEMO_PASSWORD",
    "DemoDataExists",
    "DivisionNotFound",
    "SCALES",
    "demo_logins",
    "format_logins",
    "generate",
    "organisations_exist",
]
