"""Settings for ``bench/services_status.py``: the project's settings with one more URL.

The only change is ``ROOT_URLCONF``: ``bench/services_status_urls.py`` adds the bare
view the real status lookup is compared with. Middleware, database, cache and templates
are the product's. Used as ``DJANGO_SETTINGS_MODULE=services_status_settings`` with
``bench/`` on ``PYTHONPATH``; nothing in the product imports it.
"""

from tongzheng.settings import *  # noqa: F403

ROOT_URLCONF = "services_status_urls"
