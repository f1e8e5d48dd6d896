from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """接口 — the JSON API: tokens for machine clients and idempotent writes."""

    name = "tongzheng.api"
    label = "api"
    verbose_name = _("数据接口")
