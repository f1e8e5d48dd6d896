"""Where and when (办理地点、办理时间) and item-specific application questions
(``ItemVersion.form_fields``): validation, the catalogue form, JSON import/export, the
guide and the public 申请内容 page."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.services import actions
from tongzheng.services.formdefs import validate_form_fields
from tongzheng.services.models import Application, ItemVersion, ServiceItem
from tongzheng.services.tests.factories import (
    applicant,
    elements,
    item_admin,
    material,
    published_item,
)

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "project", "label": "项目名称", "type": "text", "required": True},
    {"name": "area", "label": "建筑面积（平方米）", "type": "number", "required": True},
    {"name": "start", "label": "计划开工日期", "type": "date", "required": False},
    {
        "name": "kind",
        "label": "建设性质",
        "type": "choice",
        "required": True,
        "choices": ["新建", "改建", "扩建"],
    },
    {"name": "owner_id", "label": "法定代表人身份证号码", "type": "id_number", "required": True},
    {"name": "site_phone", "label": "现场联系电话", "type": "phone", "required": False},
    {"name": "note", "label": "其他说明", "type": "textarea", "help": "可不填。"},
]
GOOD = {
    "item_project": "某某厂房",
    "item_area": "5000.50",
    "item_start": "2026-03-02",
    "item_kind": "新建",
    "item_owner_id": "11010519491231002x",
    "item_site_phone": "028-12345678",
    "item_note": "",
}
APPLICANT = {
    "applicant_name": "成都市某某建设有限公司",
    "contact_name": "张三",
    "contact_phone": "13912345678",
    "address": "成都市锦江区红星路一段1号",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_good_definitions_pass():
    validate_form_fields(FIELDS)
    validate_form_fields([])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "x"}, "必须是一个列表"),
        (["x"], "第 1 个字段必须是一个对象"),
        ([{"name": "Bad-Name", "label": "甲", "type": "text"}], "name 必须以小写字母开头"),
        ([{"name": "a", "label": "", "type": "text"}], "字段 a缺少 label"),
        ([{"name": "a", "label": "甲", "type": "email"}], "type 必须是以下之一"),
        ([{"name": "a", "label": "甲", "type": "text", "required": "yes"}], "required 必须是"),
        ([{"name": "a", "label": "甲", "type": "choice"}], "choices 必须是不重复的非空文字列表"),
        ([{"name": "a", "label": "甲", "type": "text", "choices": ["x"]}], "不是选择题"),
        ([{"name": "a", "label": "甲", "type": "text", "size": 3}], "未知属性：size"),
        ([{"name": "a", "label": "联系电话", "type": "phone"}], "与申请人信息重名"),
        (
            [
                {"name": "a", "label": "甲", "type": "text"},
                {"name": "a", "label": "乙", "type": "text"},
            ],
            "字段名 a 重复",
        ),
    ],
)
def test_bad_definitions_are_refused_in_chinese(value, message):
    with pytest.raises(ValidationError) as caught:
        validate_form_fields(value)
    assert message in " ".join(caught.value.messages)


def test_publishing_bad_definitions_writes_nothing():
    item = published_item()
    admin = item_admin(item.organisation)
    bad = [{"name": "a", "label": "甲", "type": "choice", "choices": []}]
    with pytest.raises(ValidationError) as caught:
        actions.publish_item_version(
            actor=admin,
            organisation=item.organisation,
            implementation_code=item.implementation_code,
            elements=elements(form_fields=bad),
            materials=[],
            stages=[],
        )
    assert "form_fields" in caught.value.message_dict
    assert ItemVersion.objects.filter(item=item).count() == 1


def _import(client, payload):
    upload = SimpleUploadedFile(
        "items.json", json.dumps(payload, ensure_ascii=False).encode(), "application/json"
    )
    return client.post(reverse("services:item_import"), {"file": upload})


def test_export_carries_the_new_elements_and_old_json_still_imports(client):
    item = published_item(service_location="锦江区政务服务中心二楼12号窗口", form_fields=FIELDS)
    verified_login(client, item_admin(item.organisation))
    payload = json.loads(client.get(reverse("services:item_export")).content)
    exported = payload["items"][0]["elements"]
    assert exported["service_location"] == "锦江区政务服务中心二楼12号窗口"
    assert exported["form_fields"] == FIELDS
    assert _import(client, payload).status_code == 302
    version = ServiceItem.objects.get(pk=item.pk).current_version
    assert version.number == 2 and version.form_fields == FIELDS

    # A file written before these fields existed: no location, hours or questions.
    for key in ("service_location", "service_hours", "form_fields"):
        del exported[key]
    assert _import(client, payload).status_code == 302
    version = ServiceItem.objects.get(pk=item.pk).current_version
    assert version.number == 3
    assert (version.service_location, version.service_hours, version.form_fields) == ("", "", [])

    exported["form_fields"] = [{"name": "a", "label": "甲", "type": "date", "choices": ["x"]}]
    refused = _import(client, payload)
    assert refused.status_code == 400 and "不是选择题" in refused.content.decode()
    assert ServiceItem.objects.get(pk=item.pk).current_version.number == 3


def _edit_data(client, item, **changes):
    page = client.get(reverse("services:item_edit", args=[item.pk]))
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, [])}
    data["fee_charged"] = ""
    data["online_required"] = "on"
    data.update(
        {
            "materials-TOTAL_FORMS": "0",
            "materials-INITIAL_FORMS": "0",
            "stages-TOTAL_FORMS": "0",
            "stages-INITIAL_FORMS": "0",
        }
    )
    data.update(changes)
    return data


def test_catalogue_form_edits_location_hours_and_questions(client):
    item = published_item()
    verified_login(client, item_admin(item.organisation))
    url = reverse("services:item_edit", args=[item.pk])
    page = client.get(url).content.decode()
    assert "办理地点" in page and "办理时间" in page and "申请表单字段" in page

    broken = client.post(url, _edit_data(client, item, form_fields="[{"))
    assert broken.status_code == 400 and "申请表单字段不是有效的 JSON。" in broken.content.decode()
    wrong = client.post(url, _edit_data(client, item, form_fields='[{"name": "a"}]'))
    assert wrong.status_code == 400 and "字段 a缺少 label" in wrong.content.decode()
    assert ServiceItem.objects.get(pk=item.pk).current_version.number == 1

    data = _edit_data(
        client,
        item,
        service_location="锦江区政务服务中心二楼12号窗口",
        service_hours="法定工作日 9:00—12:00、13:30—17:00",
        form_fields=json.dumps(FIELDS, ensure_ascii=False),
    )
    assert client.post(url, data).status_code == 302
    version = ServiceItem.objects.get(pk=item.pk).current_version
    assert version.number == 2 and version.form_fields == FIELDS
    assert version.service_hours == "法定工作日 9:00—12:00、13:30—17:00"
    detail = client.get(reverse("services:item_detail", args=[item.pk])).content.decode()
    assert (
        "锦江区政务服务中心二楼12号窗口" in detail
        and "法定代表人身份证号码（id_number，必填）" in detail
    )
    # The next edit starts from the stored questions, as JSON in the box.
    again = client.get(url).content.decode()
    assert "法定代表人身份证号码" in again


def test_guide_shows_where_and_when_or_where_to_ask():
    with_place = published_item(
        service_location="锦江区政务服务中心二楼12号窗口", service_hours="工作日 9:00—17:00"
    )
    without = published_item()
    page = Client().get(reverse("services:public_guide", args=[with_place.pk])).content.decode()
    assert "锦江区政务服务中心二楼12号窗口" in page and "工作日 9:00—17:00" in page
    page = Client().get(reverse("services:public_guide", args=[without.pk])).content.decode()
    assert "详细地址请通过下方咨询方式确认" in page and "具体时间请通过下方咨询方式确认" in page


def _draft(client, item) -> str:
    response = client.post(reverse("services:public_apply", args=[item.pk]))
    assert response.status_code == 302
    return response["Location"].rstrip("/").split("/")[-1]


def test_item_questions_replace_the_generic_content_and_are_checked_per_type():
    item = published_item(materials=[material(form="paper")], form_fields=FIELDS)
    client = Client()
    client.force_login(applicant())
    number = _draft(client, item)
    content = reverse("services:public_details", args=[number, "content"])
    page = client.get(content).content.decode()
    assert "法定代表人身份证号码" in page and "新建" in page and 'name="description"' not in page

    bad = {
        **GOOD,
        "item_project": "",
        "item_area": "五千",
        "item_start": "2026-02-30",
        "item_kind": "拆除",
        "item_owner_id": "110105194912310021",
        "item_site_phone": "12345",
    }
    refused = client.post(content, bad)
    body = refused.content.decode()
    assert refused.status_code == 400
    for message in (
        "请填写项目名称。",
        "建筑面积（平方米）请填写数字。",
        "计划开工日期请按 2026-01-31 的格式填写日期。",
        "请从列表中选择建设性质。",
        "身份证号码校验码错误。",
        "请填写正确的手机号码或固定电话。",
    ):
        assert message in body, message
    assert Application.objects.get(number=number).form_data == {}

    client.post(reverse("services:public_details", args=[number, "applicant"]), APPLICANT)
    assert client.post(content, GOOD).status_code == 302
    draft = Application.objects.get(number=number)
    assert draft.form_data["建筑面积（平方米）"] == "5000.5"
    assert draft.form_data["计划开工日期"] == "2026-03-02"
    assert draft.form_data["法定代表人身份证号码"] == "11010519491231002X"
    assert "申请内容" not in draft.form_data
    check = client.get(reverse("services:public_check", args=[number])).content.decode()
    assert "请先填写完整的申请信息" not in check and "某某厂房" in check

    # The item moves on to other questions; this draft keeps the ones it was started under.
    admin = item_admin(item.organisation)
    actions.publish_item_version(
        actor=admin,
        organisation=item.organisation,
        implementation_code=item.implementation_code,
        elements=elements(form_fields=[{"name": "x", "label": "新问题", "type": "text"}]),
        materials=[],
        stages=[],
    )
    page = client.get(content).content.decode()
    assert "法定代表人身份证号码" in page and "新问题" not in page
    receipt = client.post(reverse("services:public_check", args=[number]), {"submission_key": "k"})
    assert receipt.status_code == 200
    filed = Application.objects.get(number=number)
    assert filed.status == "submitted" and filed.version.number == 1
    assert filed.form_data["项目名称"] == "某某厂房"


def test_item_without_questions_keeps_the_generic_content():
    item = published_item(materials=[material(form="paper")])
    client = Client()
    client.force_login(applicant())
    number = _draft(client, item)
    content = reverse("services:public_details", args=[number, "content"])
    assert 'name="description"' in client.get(content).content.decode()
    assert client.post(content, {"description": "新建厂房。"}).status_code == 302
    assert Application.objects.get(number=number).form_data == {"申请内容": "新建厂房。"}
