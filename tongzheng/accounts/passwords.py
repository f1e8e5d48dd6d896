"""Password complexity (等保 level 3): minimum length and character classes."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    return sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class ComplexityValidator:
    def validate(self, password, user=None):
        length, classes = settings.PASSWORD_MIN_LENGTH, settings.PASSWORD_MIN_CLASSES
        if len(password) < length or character_classes(password) < classes:
            raise ValidationError(
                _(
                    "密码至少%(length)d位，并包含大写字母、小写字母、数字、符号中的至少%(classes)d类。"
                )
                % {"length": length, "classes": classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "密码至少%(length)d位，并包含大写字母、小写字母、数字、符号中的至少%(classes)d类。"
        ) % {
            "length": settings.PASSWORD_MIN_LENGTH,
            "classes": settings.PASSWORD_MIN_CLASSES,
        }


TEMPORARY_PASSWORD_ALPHABETS = (
    "ABCDEFGHJKLMNPQRSTUVWXYZ",
    "abcdefghijkmnpqrstuvwxyz",
    "23456789",
    "#%+-=@",
)


def generate_temporary_password(length: int = 14) -> str:
    """A random password with every character class, for a reset or a new account."""
    length = max(length, settings.PASSWORD_MIN_LENGTH, len(TEMPORARY_PASSWORD_ALPHABETS))
    chars = [secrets.choice(alphabet) for alphabet in TEMPORARY_PASSWORD_ALPHABETS]
    everything = "".join(TEMPORARY_PASSWORD_ALPHABETS)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
