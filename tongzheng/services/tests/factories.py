"""Factories for 政务服务: a published item with two parallel departments, staff, applicants.

Other apps may import these (supervision's tests build applications with them).
"""

from tongzheng.accounts.models import Role
from tongzheng.accounts.tests.factories import CitizenFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.services import actions
from tongzheng.services.models import (
    HandlingKind,
    ItemLevel,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialRequirement,
    MaterialSource,
    ResultType,
)

HANDLER_PERMISSIONS = [
    "services.view_application",
    "services.handle_application",
]


def role(code: str, permissions, scope=DataScope.OWN_ORGANISATION) -> Role:
    return Role.objects.update_or_create(
        code=code, defaults={"name": code, "scope": scope, "permissions": list(permissions)}
    )[0]


def handler(organisation, **kwargs):
    """A 窗口/审批 staff member of ``organisation`` (own organisation scope)."""
    return UserFactory(
        organisation=organisation,
        roles=[role("test_service_staff", HANDLER_PERMISSIONS)],
        **kwargs,
    )


def item_admin(organisation, **kwargs):
    return UserFactory(
        organisation=organisation,
        roles=[
            role(
                "test_services_admin",
                ["services.manage_item", "services.view_application"],
                DataScope.DIVISION_AND_BELOW,
            )
        ],
        **kwargs,
    )


def elements(**overrides) -> dict:
    data = {
        "basic_code": "000101001000",
        "name": "建设工程规划许可",
        "item_type": ItemType.LICENSING,
        "level": ItemLevel.CITY,
        "legal_basis": "《中华人民共和国城乡规划法》第四十条",
        "legal_limit": 20,
        "promised_limit": 10,
        "limit_unit": LimitUnit.WORKING_DAYS,
        "handling_kind": HandlingKind.PROMISED,
        "acceptance_conditions": "建设单位已取得用地批准文件。",
        "fee_charged": False,
        "visits_required": 0,
        "result_type": ResultType.LICENCE,
        "result_name": "建设工程规划许可证",
        "enquiry_channel": "028-12345",
        "complaint_channel": "028-12345",
        "online_required": True,
    }
    data.update(overrides)
    return data


def material(name="申请表", requirement=MaterialRequirement.REQUIRED, form=MaterialForm.ELECTRONIC):
    return {
        "name": name,
        "requirement": requirement,
        "form": form,
        "source": MaterialSource.APPLICANT,
    }


def published_item(
    *,
    organisation=None,
    departments=None,
    refusal_ends_stage=True,
    stage_limit=3,
    code=None,
    materials=None,
    second_stage=False,
    **overrides,
):
    """A published item whose first stage runs ``departments`` in parallel."""
    organisation = organisation or OrganisationFactory()
    if departments is None:
        departments = [
            OrganisationFactory(division=organisation.division, name="住房和城乡建设局"),
            OrganisationFactory(division=organisation.division, name="生态环境局"),
        ]
    admin = item_admin(organisation)
    stages = [
        {
            "name": "联合审查",
            "limit_working_days": stage_limit,
            "refusal_ends_stage": refusal_ends_stage,
            "departments": departments,
        }
    ]
    if second_stage:
        stages.append({"name": "复核", "limit_working_days": 2, "departments": [organisation]})
    version = actions.publish_item_version(
        actor=admin,
        organisation=organisation,
        implementation_code=code or f"11510100MB{organisation.pk:06d}0001",
        elements=elements(**overrides),
        materials=materials if materials is not None else [material(form=MaterialForm.PAPER)],
        stages=stages,
    )
    return version.item


def applicant(**kwargs):
    return CitizenFactory(**kwargs)


def submitted_application(item, user=None, **kwargs):
    user = user or applicant()
    application, code = actions.submit(
        actor=user, item=item, form_data={"项目名称": "测试"}, **kwargs
    )
    return application, code


__all__ = [
    "DivisionFactory",
    "OrganisationFactory",
    "applicant",
    "handler",
    "item_admin",
    "published_item",
    "submitted_application",
]
