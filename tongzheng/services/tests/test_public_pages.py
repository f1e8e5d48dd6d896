"""The public 政务服务 pages: guides, applying online, the receipt, status lookup, 补正,
my applications, the result and 好差评."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import confirmed_totp_device
from tongzheng.services import actions, public
from tongzheng.services.models import (
    Application,
    ApplicationStatus,
    MaterialForm,
    MaterialRequirement,
    TaskKind,
)
from tongzheng.services.tests.factories import (
    applicant,
    handler,
    item_admin,
    material,
    published_item,
)
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.django_db
S = ApplicationStatus
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def online_item(**kwargs):
    """An item with one required electronic material and one optional one."""
    return published_item(
        materials=[
            material("建设工程规划许可申请表", form=MaterialForm.ELECTRONIC),
            material(
                "建设工程设计方案",
                requirement=MaterialRequirement.OPTIONAL,
                form=MaterialForm.ELECTRONIC,
            ),
            material(
                "授权委托书", requirement=MaterialRequirement.DEFERRABLE, form=MaterialForm.PAPER
            ),
        ],
        **kwargs,
    )


def citizen_client(user=None):
    user = user or applicant()
    client = Client()
    client.force_login(user)
    return client, user


ANSWERS = {
    "applicant_name": "成都市某某建设有限公司",
    "contact_name": "张三",
    "contact_phone": "13912345678",
    "address": "成都市锦江区红星路一段1号",
    "description": "新建厂房一栋，建筑面积 5000 平方米。",
}


def apply_online(client, item):
    """Draft → answers → upload → check → submit; (application, receipt response)."""
    response = client.post(reverse("services:public_apply", args=[item.pk]))
    assert response.status_code == 302
    number = response["Location"].rstrip("/").split("/")[-1]
    for part in ("applicant", "content"):
        client.post(reverse("services:public_details", args=[number, part]), ANSWERS)
    required = item.current_version.materials.get(name="建设工程规划许可申请表")
    client.post(
        reverse("services:public_materials", args=[number]),
        {f"material_{required.pk}": SimpleUploadedFile("申请表.pdf", PDF)},
    )
    receipt = client.post(
        reverse("services:public_check", args=[number]), {"submission_key": "k-" + number}
    )
    return Application.objects.get(number=number), receipt


def code_of(receipt) -> str:
    return re.search(rb'data-testid="query-code">([A-Z0-9]+)<', receipt.content).group(1).decode()


def run_to_close(application, *, document=None):
    item = application.item
    window = handler(item.organisation)
    actions.accept(actor=window, application=application)
    for task in application.tasks.filter(kind=TaskKind.REVIEW).select_related("organisation"):
        actions.decide_task(actor=handler(task.organisation), task=task, approve=True)
    application.refresh_from_db()
    actions.decide(actor=window, application=application, approve=True)
    actions.issue_result(
        actor=window, application=application, licence_number="建字第001号", document=document
    )
    actions.close(actor=window, application=application)
    application.refresh_from_db()
    return window


# --- guides ----------------------------------------------------------------------------------


def test_guide_list_filters_by_department_type_and_chinese_words():
    planning = published_item(code="PLAN01")
    other = published_item(
        code="SOC01",
        name="社会保障卡申领",
        item_type="21",
        legal_basis="《社会保险法》",
        acceptance_conditions="参保人员",
        result_name="社会保障卡",
    )
    url = reverse("services:public_guides")
    client = Client()
    page = client.get(url).content.decode()
    assert "建设工程规划许可" in page and "社会保障卡申领" in page
    # Two words that are not adjacent in the name both match (AND over jieba terms).
    page = client.get(url, {"q": "建设工程许可"}).content.decode()
    assert "建设工程规划许可" in page and "社会保障卡申领" not in page
    page = client.get(url, {"q": "社保卡 规划"}).content.decode()
    assert "共 0 项" in page
    page = client.get(url, {"type": "21"}).content.decode()
    assert "社会保障卡申领" in page and "建设工程规划许可" not in page
    page = client.get(url, {"department": str(other.organisation_id)}).content.decode()
    assert "社会保障卡申领" in page and "建设工程规划许可" not in page
    assert planning.organisation.name in client.get(url).content.decode()
    for odd in ("9" * 40, "١", "-1", "1 OR 1=1"):  # ignored, never a 500
        assert client.get(url, {"department": odd, "page": odd}).status_code == 200


def test_guide_page_in_plain_language_with_checklist_and_downloads(media):
    item = online_item(
        fee_charged=True, fee_description="每件 10 元", fee_basis="川价费〔2020〕1号"
    )
    form = item.current_version.materials.get(name="建设工程规划许可申请表")
    form.blank_form.save("空白表.pdf", SimpleUploadedFile("空白表.pdf", PDF), save=False)
    type(form).objects.filter(pk=form.pk).update(blank_form=form.blank_form.name)
    response = Client().get(reverse("services:public_guide", args=[item.pk]))
    page = response.content.decode()
    for text in (
        "谁可以申请",
        "建设单位已取得用地批准文件",
        "必要",
        "非必要",
        "容缺后补",
        "纸质",
        "申请人自备",
        "每件 10 元",
        "川价费〔2020〕1号",
        "承诺 10 个工作日",
        "全程网上办理",
        "028-12345",
        "在线申请",
        "联合审查",
    ):
        assert text in page, text
    download = reverse("services:public_material_file", args=[item.pk, form.pk, "blank"])
    assert download in page
    response = Client().get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert Client().get(download.replace("blank", "sample")).status_code == 404
    other = online_item(code="OTHER1")
    wrong = reverse("services:public_material_file", args=[other.pk, form.pk, "blank"])
    assert Client().get(wrong).status_code == 404


def test_withdrawn_or_unknown_item_has_no_guide():
    item = published_item()
    actions.withdraw_item(actor=item_admin(item.organisation), item=item)
    assert Client().get(reverse("services:public_guide", args=[item.pk])).status_code == 404
    huge = "9" * 30
    assert Client().get(reverse("services:public_guide", args=[huge])).status_code == 404


# --- applying ---------------------------------------------------------------------------------


def test_citizen_applies_draft_upload_check_and_receipt():
    item = online_item()
    client, citizen = citizen_client()
    start = client.get(reverse("services:public_apply", args=[item.pk]))
    assert "开始申请" in start.content.decode()
    response = client.post(reverse("services:public_apply", args=[item.pk]))
    draft = Application.objects.get(applicant=citizen)
    assert response["Location"] == reverse("services:public_application", args=[draft.number])
    # Starting again resumes the same draft.
    client.post(reverse("services:public_apply", args=[item.pk]))
    assert Application.objects.filter(applicant=citizen).count() == 1
    tasks = client.get(response["Location"]).content.decode()
    assert "申请人信息" in tasks and "申请内容" in tasks and "暂不能开始" in tasks

    # One thing per page: 申请人信息, then 申请内容.
    details = reverse("services:public_details", args=[draft.number, "applicant"])
    bad = client.post(details, {**ANSWERS, "contact_phone": "12345", "address": ""})
    assert bad.status_code == 400
    assert "请填写正确的手机号码或固定电话。" in bad.content.decode()
    assert "请填写通讯地址。" in bad.content.decode()
    draft.refresh_from_db()
    assert draft.form_data == {}
    content = reverse("services:public_details", args=[draft.number, "content"])
    saved = client.post(details, ANSWERS)
    assert saved.status_code == 302 and saved["Location"] == content
    draft.refresh_from_db()
    assert draft.form_data["联系电话"] == "13912345678" and "申请内容" not in draft.form_data
    assert client.get(details).content.decode().count("13912345678") == 1  # kept between visits
    assert client.post(content, {"description": ""}).status_code == 400
    assert client.post(content, ANSWERS)["Location"] == response["Location"]
    draft.refresh_from_db()
    assert draft.form_data["申请内容"] == ANSWERS["description"]
    assert draft.form_data["联系人"] == "张三"  # the first page's answers are kept
    assert (
        client.get(reverse("services:public_details", args=[draft.number, "x"])).status_code == 404
    )

    materials = reverse("services:public_materials", args=[draft.number])
    required = item.current_version.materials.get(name="建设工程规划许可申请表")
    optional = item.current_version.materials.get(name="建设工程设计方案")
    fake = SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00 an executable")
    refused = client.post(materials, {f"material_{required.pk}": fake})
    assert refused.status_code == 400 and "文件内容与扩展名不符" in refused.content.decode()
    check = reverse("services:public_check", args=[draft.number])
    early = client.post(check, {"submission_key": "x"})
    assert early.status_code == 400 and "请上传必要材料" in early.content.decode()
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT
    ok = client.post(
        materials,
        {
            f"material_{required.pk}": SimpleUploadedFile("申请表.pdf", PDF),
            f"material_{optional.pk}": SimpleUploadedFile("方案.png", PNG),
        },
    )
    assert ok.status_code == 302
    answers = client.get(check).content.decode()
    assert "申请表.pdf" in answers and "方案.png" in answers and "张三" in answers
    # 修改 from check your answers comes back to it.
    assert f"{content}?from=check" in answers
    back = client.post(content, {**ANSWERS, "back_to_check": "1"})
    assert back["Location"] == check

    receipt = client.post(check, {"submission_key": "once"})
    assert receipt.status_code == 200
    assert receipt["Cache-Control"] == "no-store"
    page = receipt.content.decode()
    assert draft.number in page and "接下来会发生什么" in page and "5 个工作日" in page
    assert "最迟" in page  # the acceptance task's deadline
    code = code_of(receipt)
    application = Application.objects.get(pk=draft.pk)
    assert application.status == S.SUBMITTED
    assert sorted(application.files.values_list("original_name", flat=True)) == [
        "方案.png",
        "申请表.pdf",
    ]
    assert public.find_application(application.number, code).pk == application.pk
    assert (
        code
        not in client.get(
            reverse("services:public_application", args=[draft.number])
        ).content.decode()
    )
    # A second click on 提交 finds it submitted: back to the application, nothing new.
    again = client.post(check, {"submission_key": "once"})
    assert again.status_code == 302
    assert Application.objects.filter(applicant=citizen).count() == 1


def test_staff_cannot_apply_and_nobody_sees_another_persons_application():
    item = online_item()
    application, _receipt = apply_online(citizen_client()[0], item)
    staff = handler(item.organisation)
    staff_client = logged_in_client(staff, confirmed_totp_device(staff))
    assert staff_client.post(reverse("services:public_apply", args=[item.pk])).status_code == 403
    stranger, _user = citizen_client()
    for name, extra in (
        ("public_application", []),
        ("public_details", ["applicant"]),
        ("public_check", []),
        ("public_result", []),
    ):
        url = reverse(f"services:{name}", args=[application.number, *extra])
        assert stranger.get(url).status_code == 404, name
        assert staff_client.get(url).status_code == 403, name
    assert application.number not in stranger.get(reverse("services:public_mine")).content.decode()


def test_my_applications_lists_drafts_and_submitted():
    item = online_item()
    client, _citizen = citizen_client()
    submitted, _receipt = apply_online(client, item)
    client.post(reverse("services:public_apply", args=[online_item(code="SECOND").pk]))
    page = client.get(reverse("services:public_mine")).content.decode()
    assert submitted.number in page and "待受理" in page and "草稿" in page


# --- status lookup ---------------------------------------------------------------------------


def test_status_lookup_by_number_and_code_with_one_generic_404():
    item = online_item()
    application, receipt = apply_online(citizen_client()[0], item)
    code = code_of(receipt)
    actions.accept(actor=handler(item.organisation), application=application)
    url = reverse("services:public_status")
    anyone = Client()
    found = anyone.post(url, {"number": application.number, "code": code.lower()})
    assert found.status_code == 200 and found["Cache-Control"] == "no-store"
    page = found.content.decode()
    assert "审查中" in page and "剩余" in page and "联合审查" in page
    wrong_code = anyone.post(url, {"number": application.number, "code": "WRONG234"})
    no_number = anyone.post(url, {"number": "SQ20990101000", "code": code})
    assert wrong_code.status_code == no_number.status_code == 404
    message = "没有找到该办件。请核对申请编号和查询码后重试。"
    assert message in wrong_code.content.decode() and message in no_number.content.decode()
    assert "审查中" not in wrong_code.content.decode()
    empty = anyone.post(url, {"number": "", "code": ""})
    assert empty.status_code == 400 and "请填写申请编号。" in empty.content.decode()


def test_status_lookup_is_rate_limited_per_address(settings):
    settings.SERVICES_RATE_LOOKUP_FAILURES = (3, 900)
    item = online_item()
    application, receipt = apply_online(citizen_client()[0], item)
    url = reverse("services:public_status")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for guess in ("AAAA2222", "BBBB3333", "CCCC4444"):
        assert guesser.post(url, {"number": f"SQ{guess}", "code": guess}).status_code == 404
    blocked = guesser.post(url, {"number": application.number, "code": code_of(receipt)})
    assert blocked.status_code == 429 and "15 分钟" in blocked.content.decode()
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert (
        other.post(url, {"number": application.number, "code": code_of(receipt)}).status_code == 200
    )


def test_result_document_for_the_owner_and_for_number_plus_code():
    item = online_item()
    client, _citizen = citizen_client()
    application, receipt = apply_online(client, item)
    run_to_close(application, document=SimpleUploadedFile("许可证.pdf", PDF))
    owner = client.get(reverse("services:public_result", args=[application.number]))
    assert owner.status_code == 200 and b"".join(owner.streaming_content) == PDF
    data = {"number": application.number, "code": code_of(receipt)}
    status = Client().post(reverse("services:public_status"), data).content.decode()
    assert "下载结果文书" in status and "建字第001号" in status
    download = Client().post(reverse("services:public_status_result"), data)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    wrong = Client().post(reverse("services:public_status_result"), {**data, "code": "NOPE2345"})
    assert wrong.status_code == 404


# --- 补正 --------------------------------------------------------------------------------------


def test_supplement_notice_lists_everything_and_resubmission_restarts():
    item = online_item()
    client, _citizen = citizen_client()
    application, _receipt = apply_online(client, item)
    wanted = item.current_version.materials.get(name="建设工程设计方案")
    actions.request_supplement(
        actor=handler(item.organisation),
        application=application,
        materials=[wanted],
        other_items="法定代表人身份证明",
    )
    page = client.get(reverse("services:public_application", args=[application.number]))
    text = page.content.decode()
    assert "待补正" in text and "建设工程设计方案" in text and "法定代表人身份证明" in text
    url = reverse("services:public_supplement", args=[application.number])
    missing = client.post(url, {"token": "t1"})
    assert missing.status_code == 400 and "请上传需补正的材料" in missing.content.decode()
    done = client.post(
        url, {"token": "t1", f"material_{wanted.pk}": SimpleUploadedFile("方案.pdf", PDF)}
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.files.filter(material=wanted).exists()
    assert client.get(url).status_code == 404  # nothing more to supplement


# --- 好差评 ------------------------------------------------------------------------------------


def rating_data(level, score=None):
    from tongzheng.supervision.public import rating_indicators

    score = score or level
    return {
        "level": str(level),
        "comment": "办理很快" if level > 2 else "等待太久",
        **{f"indicator_{key}": str(score) for key, _label in rating_indicators()},
    }


def test_rating_after_completion_and_rerating_after_rectification():
    from tongzheng.supervision.actions import answer_rectification
    from tongzheng.supervision.public import ratings_for
    from tongzheng.supervision.tests.factories import department_user

    item = online_item()
    client, citizen = citizen_client()
    application, _receipt = apply_online(client, item)
    page_url = reverse("services:public_application", args=[application.number])
    rate_url = reverse("services:public_rate", args=[application.number])
    assert "好差评" not in client.get(page_url).content.decode()
    assert client.post(rate_url, rating_data(5)).status_code == 404  # not finished yet
    run_to_close(application)
    assert "提交评价" in client.get(page_url).content.decode()
    incomplete = client.post(rate_url, {"level": "1"})
    assert incomplete.status_code == 400 and "打分" in incomplete.content.decode()
    assert client.post(rate_url, rating_data(1)).status_code == 302
    (first,) = ratings_for(application)
    assert first.level == 1 and first.rater_id == citizen.pk
    assert first.organisation_id == item.organisation_id
    twice = client.post(rate_url, rating_data(5))
    assert twice.status_code == 400 and "复评" in twice.content.decode()
    assert "正在整改" in client.get(page_url).content.decode()
    answer_rectification(
        actor=department_user(item.organisation), pk=first.rectification.pk, answer="已整改"
    )
    assert "提交复评" in client.get(page_url).content.decode()
    assert client.post(rate_url, rating_data(5)).status_code == 302
    assert [r.level for r in ratings_for(application)] == [1, 5]
    assert "提交复评" not in client.get(page_url).content.decode()
    stranger, _user = citizen_client()
    assert stranger.post(rate_url, rating_data(5)).status_code == 404


def test_odd_file_names_are_stored_safely(media):
    item = online_item()
    client, _citizen = citizen_client()
    client.post(reverse("services:public_apply", args=[item.pk]))
    draft = Application.objects.get(item=item)
    required = item.current_version.materials.get(name="建设工程规划许可申请表")
    url = reverse("services:public_materials", args=[draft.number])
    for name in ("../../evil.pdf", "申请 表(1).pdf"):
        upload = SimpleUploadedFile(name, PDF)
        assert client.post(url, {f"material_{required.pk}": upload}).status_code == 302
    stored = [p for p in media.rglob("*") if p.is_file()]
    assert len(stored) == 1  # the second choice replaced the first
    assert stored[0].name == "申请_表1.pdf"
    assert stored[0].is_relative_to(media / "services" / "pending" / draft.number)


def test_an_enterprise_applies_too_and_a_draft_is_never_found_by_lookup():
    item = online_item()
    client, company = citizen_client(applicant(kind="enterprise"))
    application, receipt = apply_online(client, item)
    assert application.applicant == company and application.status == S.SUBMITTED
    client.post(reverse("services:public_apply", args=[online_item(code="DRAFT1").pk]))
    draft = Application.objects.get(applicant=company, status=S.DRAFT)
    lookup = Client().post(
        reverse("services:public_status"), {"number": draft.number, "code": code_of(receipt)}
    )
    assert lookup.status_code == 404


def test_the_portal_tile_leads_to_the_guides():
    page = Client().get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("services:public_guides")}"' in page
