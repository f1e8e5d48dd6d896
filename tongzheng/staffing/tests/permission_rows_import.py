"""Permission-matrix rows of the Excel import and export pages (staffing_import:*).

The cast's working role holds staffing.import_personnel and staffing.view_person (every
working permission, scope OWN_ORGANISATION); the 三员 hold neither.
"""

IMPORTERS = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
NO_DIGEST = {**IMPORTERS, "staff_other_org": 400, "staff_same_org": 400}
UNKNOWN_UPLOAD = {**IMPORTERS, "staff_other_org": 404, "staff_same_org": 404}

ROWS = [
    {"name": "staffing_import:upload", "kwargs": {}, "method": "get", "expect": IMPORTERS},
    # A POST without a file: the form's error, 400.
    {"name": "staffing_import:upload", "kwargs": {}, "method": "post", "expect": NO_DIGEST},
    {"name": "staffing_import:template", "kwargs": {}, "method": "get", "expect": IMPORTERS},
    {"name": "staffing_import:confirm", "kwargs": {}, "method": "post", "expect": NO_DIGEST},
    {
        "name": "staffing_import:confirm",
        "kwargs": {},
        "method": "post",
        "data": {"digest": "0" * 64},
        "expect": UNKNOWN_UPLOAD,
    },
    {
        "name": "staffing_import:errors",
        "kwargs": {"digest": "0" * 64},
        "method": "get",
        "expect": UNKNOWN_UPLOAD,
    },
    {"name": "staffing_import:export", "kwargs": {}, "method": "get", "expect": IMPORTERS},
]
