"""Production mode fails closed: every insecure default stops the start."""

import os
import subprocess
import sys

SAFE = {
    "TONGZHENG_MODE": "production",
    "SECRET_KEY": "x" * 50,
    "TONGZHENG_DATA_KEY": "0f" * 16,
    "TONGZHENG_INDEX_KEY": "1e" * 16,
    "ALLOWED_HOSTS": "gov.example.cn",
    "DEBUG": "false",
}


def start(**overrides):
    env = {**os.environ, **SAFE, **overrides}
    env.pop("DATABASE_URL", None)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tongzheng.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_production_starts_with_safe_configuration():
    assert start().returncode == 0


def test_production_refuses_the_development_secret_key():
    result = start(SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_public_data_keys():
    result = start(TONGZHENG_DATA_KEY="00112233445566778899aabbccddeeff")
    assert result.returncode != 0
    assert "TONGZHENG_DATA_KEY" in result.stderr


def test_production_refuses_debug():
    assert "DEBUG" in start(DEBUG="true").stderr


def test_a_malformed_boolean_is_an_error_not_a_default():
    result = start(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
