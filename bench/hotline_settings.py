"""Settings for the hotline load benchmark: the project's settings, intake rate limits lifted.

Every locust request comes from 127.0.0.1, where a real workload comes from thousands of
citizens' addresses; with the production limits (60 named submissions an hour per
address) the benchmark would measure the rate limiter's 429 answers. The limiter still
runs (its cache reads and writes stay in the measured path); only its ceilings change.
Used by ``bench/hotline_load.py`` as ``DJANGO_SETTINGS_MODULE=hotline_settings`` with
``bench/`` on ``PYTHONPATH``; nothing else imports it.
"""

from tongzheng.settings import *  # noqa: F403

_PLENTY = (10**9, 3600)
HOTLINE_RATE_ANONYMOUS = _PLENTY
HOTLINE_RATE_NAMED = _PLENTY
HOTLINE_RATE_NAMED_ADDRESS = _PLENTY
HOTLINE_RATE_ACCOUNT = _PLENTY

# One Redis may serve benchmarks of several demo databases (tz_city, tz_bench, …): the
# database's name in every key keeps one's cached pages and counters from another's.
CACHES["default"]["KEY_PREFIX"] = str(DATABASES["default"]["NAME"])  # noqa: F405
