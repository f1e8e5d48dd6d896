"""Permission-matrix rows of the staffing registry's pages and /api/staffing/ (engineer A).

The cast's working role holds every staffing permission with the scope OWN_ORGANISATION:
``staff_same_org`` works on org A, ``staff_other_org`` (org B) gets 404 for org A's unit.
The 三员 hold no staffing permission (403). Person, application and notice rows name an
id that does not exist: 404 for whoever holds the permission, as another unit's would be.
"""

PAGE = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
ORG_A_PAGE = {**PAGE, "staff_other_org": 404}
ORG_A_BAD_POST = {**PAGE, "staff_other_org": 404, "staff_same_org": 400}
MISSING = {**PAGE, "staff_other_org": 404, "staff_same_org": 404}
BAD_POST = {**PAGE, "staff_other_org": 400, "staff_same_org": 400}

API = {
    "anonymous": 401,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
API_ORG_A = {**API, "staff_other_org": 404}
API_MISSING = {**API, "staff_other_org": 404, "staff_same_org": 404}
API_INVALID = {**API, "staff_other_org": 422, "staff_same_org": 422}

UNIT = {"pk": "org_a.pk"}
NOPE = {"pk": 999999}

ROWS = [
    # pages: units and ledgers
    {"name": "staffing:unit_list", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "staffing:unit_detail", "kwargs": UNIT, "method": "get", "expect": ORG_A_PAGE},
    {"name": "staffing:quota_change", "kwargs": UNIT, "method": "get", "expect": ORG_A_PAGE},
    {"name": "staffing:quota_change", "kwargs": UNIT, "method": "post", "expect": ORG_A_BAD_POST},
    {"name": "staffing:post_change", "kwargs": UNIT, "method": "get", "expect": ORG_A_PAGE},
    {"name": "staffing:post_change", "kwargs": UNIT, "method": "post", "expect": ORG_A_BAD_POST},
    {"name": "staffing:profile_edit", "kwargs": UNIT, "method": "get", "expect": ORG_A_PAGE},
    {"name": "staffing:history_add", "kwargs": UNIT, "method": "get", "expect": ORG_A_PAGE},
    {"name": "staffing:history_add", "kwargs": UNIT, "method": "post", "expect": ORG_A_BAD_POST},
    # pages: personnel and movements
    {"name": "staffing:person_list", "kwargs": {}, "method": "get", "expect": PAGE},
    {
        "name": "staffing:person_list",
        "kwargs": {},
        "method": "post",
        "data": {"id_number": "510121198506120011"},
        "expect": PAGE,
    },
    {"name": "staffing:person_enter", "kwargs": UNIT, "method": "get", "expect": ORG_A_PAGE},
    {"name": "staffing:person_enter", "kwargs": UNIT, "method": "post", "expect": ORG_A_BAD_POST},
    {"name": "staffing:person_detail", "kwargs": NOPE, "method": "get", "expect": MISSING},
    {"name": "staffing:person_reveal", "kwargs": NOPE, "method": "post", "expect": MISSING},
    {"name": "staffing:person_edit", "kwargs": NOPE, "method": "get", "expect": MISSING},
    {"name": "staffing:person_leave", "kwargs": NOPE, "method": "get", "expect": MISSING},
    {"name": "staffing:person_transfer", "kwargs": NOPE, "method": "get", "expect": MISSING},
    {"name": "staffing:person_promote", "kwargs": NOPE, "method": "get", "expect": MISSING},
    # pages: quota-use approval
    {"name": "staffing:application_list", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "staffing:application_create", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "staffing:application_create", "kwargs": {}, "method": "post", "expect": BAD_POST},
    {"name": "staffing:application_detail", "kwargs": NOPE, "method": "get", "expect": MISSING},
    {"name": "staffing:application_approve", "kwargs": NOPE, "method": "post", "expect": MISSING},
    {"name": "staffing:application_refuse", "kwargs": NOPE, "method": "post", "expect": MISSING},
    {"name": "staffing:notice_detail", "kwargs": NOPE, "method": "get", "expect": MISSING},
    # API
    {"name": "api:staffing_list_units", "kwargs": {}, "method": "get", "expect": API},
    {
        "name": "api:staffing_get_unit",
        "kwargs": {"unit_id": "org_a.pk"},
        "method": "get",
        "expect": API_ORG_A,
    },
    {
        "name": "api:staffing_get_unit_quotas",
        "kwargs": {"unit_id": "org_a.pk"},
        "method": "get",
        "expect": API_ORG_A,
    },
    {
        "name": "api:staffing_create_quota_change",
        "kwargs": {"unit_id": "org_a.pk"},
        "method": "post",
        "data": {
            "establishment_type": "administrative",
            "increase": 1,
            "reason": "矩阵测试",
            "date": "2026-03-02",
        },
        "expect": {**API_ORG_A, "staff_same_org": 201},
    },
    {
        "name": "api:staffing_create_post_change",
        "kwargs": {"unit_id": "org_a.pk"},
        "method": "post",
        "data": {"post": "unit_head", "increase": 1, "reason": "矩阵测试", "date": "2026-03-02"},
        "expect": {**API_ORG_A, "staff_same_org": 201},
    },
    {
        "name": "api:staffing_update_unit_profile",
        "kwargs": {"unit_id": "org_a.pk"},
        "method": "patch",
        "data": {"main_duties": "矩阵测试职责"},
        "expect": API_ORG_A,
    },
    {"name": "api:staffing_list_personnel", "kwargs": {}, "method": "get", "expect": API},
    {
        "name": "api:staffing_get_person",
        "kwargs": {"person_id": 999999},
        "method": "get",
        "expect": API_MISSING,
    },
    {
        "name": "api:staffing_movement_enter",
        "kwargs": {},
        "method": "post",
        "data": {
            "organisation_id": "org_a.pk",
            "establishment_type": "administrative",
            "entry_method": "transfer_in",
            "name": "矩阵",
            "gender": "1",
            "birth_date": "1985-06-12",
            "id_number": "510121198506120011",
            "date": "2026-03-02",
        },
        # org A has no quota: refused (422) naming the numbers; org B's user: not in scope
        "expect": API_INVALID,
    },
    {
        "name": "api:staffing_movement_leave",
        "kwargs": {},
        "method": "post",
        "data": {"person_id": 999999, "leave_method": "retirement", "date": "2026-03-02"},
        "expect": API_INVALID,
    },
    {
        "name": "api:staffing_movement_transfer",
        "kwargs": {},
        "method": "post",
        "data": {"person_id": 999999, "to_organisation_id": "org_a.pk", "date": "2026-03-02"},
        "expect": API_INVALID,
    },
    {
        "name": "api:staffing_movement_promote",
        "kwargs": {},
        "method": "post",
        "data": {"person_id": 999999, "post": "unit_head", "date": "2026-03-02"},
        "expect": API_INVALID,
    },
    {"name": "api:staffing_list_applications", "kwargs": {}, "method": "get", "expect": API},
    {
        "name": "api:staffing_get_application",
        "kwargs": {"application_id": 999999},
        "method": "get",
        "expect": API_MISSING,
    },
    {
        "name": "api:staffing_create_application",
        "kwargs": {},
        "method": "post",
        "data": {
            "organisation_id": "org_a.pk",
            "establishment_type": "administrative",
            "slots": 1,
            "reason": "矩阵测试",
        },
        "expect": {**API_INVALID, "staff_same_org": 201},
    },
    {
        "name": "api:staffing_approve_application",
        "kwargs": {"application_id": 999999},
        "method": "post",
        "data": {},
        "expect": API_MISSING,
    },
    {
        "name": "api:staffing_refuse_application",
        "kwargs": {"application_id": 999999},
        "method": "post",
        "data": {"reasons": "矩阵测试"},
        "expect": API_MISSING,
    },
    {"name": "api:staffing_list_notices", "kwargs": {}, "method": "get", "expect": API},
    {
        "name": "api:staffing_get_notice",
        "kwargs": {"notice_id": 999999},
        "method": "get",
        "expect": API_MISSING,
    },
]
