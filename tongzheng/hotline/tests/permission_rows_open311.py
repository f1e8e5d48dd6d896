"""Permission-matrix rows of the Open311 GeoReport v2 API: public, no login.

Every persona reads (200; 404 for a service, request or token that does not exist); a POST
without an api_key is refused with 403 whoever is signed in — a session is no key.
"""

PERSONAS = [
    "anonymous",
    "citizen",
    "staff_other_org",
    "staff_same_org",
    "system_admin",
    "security_admin",
    "audit_admin",
]
EVERYONE_200 = dict.fromkeys(PERSONAS, 200)
EVERYONE_403 = dict.fromkeys(PERSONAS, 403)
EVERYONE_404 = dict.fromkeys(PERSONAS, 404)

ROWS = [
    {"name": "hotline:open311_discovery", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    {
        "name": "hotline:open311_services",
        "kwargs": {"fmt": "json"},
        "method": "get",
        "expect": EVERYONE_200,
    },
    {
        "name": "hotline:open311_service",
        "kwargs": {"code": "NO-SUCH", "fmt": "xml"},
        "method": "get",
        "expect": EVERYONE_404,
    },
    {
        "name": "hotline:open311_requests",
        "kwargs": {"fmt": "json"},
        "method": "get",
        "expect": EVERYONE_200,
    },
    {
        "name": "hotline:open311_requests",
        "kwargs": {"fmt": "xml"},
        "method": "post",
        "data": {"service_code": "01", "lat": "30.5", "long": "104.0"},
        "expect": EVERYONE_403,
    },
    {
        "name": "hotline:open311_request",
        "kwargs": {"number": "12345-20260101-000001", "fmt": "json"},
        "method": "get",
        "expect": EVERYONE_404,
    },
    {
        "name": "hotline:open311_token",
        "kwargs": {"token": "no-such-token", "fmt": "json"},
        "method": "get",
        "expect": EVERYONE_404,
    },
]
