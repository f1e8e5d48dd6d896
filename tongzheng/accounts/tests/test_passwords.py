import pytest
from django.core.exceptions import ValidationError

from tongzheng.accounts.passwords import (
    ComplexityValidator,
    character_classes,
    generate_temporary_password,
)


@pytest.mark.parametrize(
    "password",
    ["Abcdefg1", "abcdefg1!", "ABCDEFG1!", "Tongzheng#2026", "密码Abc12345"],
)
def test_accepts_long_enough_passwords_with_three_classes(password):
    ComplexityValidator().validate(password)


@pytest.mark.parametrize(
    "password",
    [
        "Abcde1!",  # seven characters
        "abcdefgh1",  # two classes
        "ABCDEFGHIJ",  # one class
        "12345678",
        "",
    ],
)
def test_rejects_short_or_simple_passwords_in_chinese(password):
    with pytest.raises(ValidationError) as exc:
        ComplexityValidator().validate(password)
    assert exc.value.code == "password_too_simple"
    assert "密码至少8位" in exc.value.messages[0]


def test_settings_change_the_rule(settings):
    settings.PASSWORD_MIN_LENGTH = 12
    settings.PASSWORD_MIN_CLASSES = 4
    with pytest.raises(ValidationError):
        ComplexityValidator().validate("Abcdefgh12!")  # 11 characters
    with pytest.raises(ValidationError):
        ComplexityValidator().validate("Abcdefgh1234")  # no symbol
    ComplexityValidator().validate("Abcdefgh123!")


def test_character_classes():
    assert character_classes("aA1!") == 4
    assert character_classes("aaaa") == 1


def test_temporary_passwords_pass_the_validator_and_differ():
    passwords = {generate_temporary_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        assert character_classes(password) == 4
        ComplexityValidator().validate(password)
