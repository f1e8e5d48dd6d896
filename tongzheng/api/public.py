"""What other apps use of the API package: authentication and idempotent writes.

Apps mount their ``router`` through ``tongzheng.api.api.ROUTERS`` and import only from
this module, so the API's internals can change without touching them.
"""

from tongzheng.api.auth import api_auth
from tongzheng.api.idempotency import OPENAPI_HEADER, idempotent

__all__ = ["OPENAPI_HEADER", "api_auth", "idempotent"]
