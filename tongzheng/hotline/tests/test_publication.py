"""信件公开: published letters on the public pages, never personal data; the public totals."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tongzheng.hotline.models import (
    Channel,
    Satisfaction,
    TicketStatus,
    TicketType,
)
from tongzheng.hotline.tests.factories import MailBoxFactory, TicketFactory
from tongzheng.hotline.views import publication

pytestmark = pytest.mark.django_db

PRIVATE_NAME = "李四海"
PRIVATE_PHONE = "13812345678"
PRIVATE_ADDRESS = "幸福小区8栋"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def letter(heading="关于小区噪音的来信", *, published=True, when=None, **fields):
    defaults = {
        "channel": Channel.MAILBOX,
        "mailbox": MailBoxFactory(title="市长信箱"),
        "status": TicketStatus.ANSWERED,
        "title": f"{PRIVATE_NAME}反映噪音",
        "content": f"我是{PRIVATE_NAME}，住在{PRIVATE_ADDRESS}，夜间施工噪音扰民。",
        "address": PRIVATE_ADDRESS,
        "reporter_name": PRIVATE_NAME,
        "phone": PRIVATE_PHONE,
    }
    defaults.update(fields)
    if published:
        defaults.update(
            published_at=when or timezone.now(),
            published_title=heading,
            published_content="某小区夜间施工噪音扰民，影响居民休息。",
            published_reply="经核查，已责令施工单位停止夜间施工。",
        )
    return TicketFactory(**defaults)


def test_the_list_shows_published_letters_newest_first(client):
    old = letter("旧的来信", when=timezone.now() - datetime.timedelta(days=3))
    new = letter("新的来信")
    letter("未公开的来信", published=False)
    TicketFactory(channel=Channel.WEB, published_at=timezone.now(), published_title="网上工单")
    page = client.get(reverse("hotline:letters"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(new.published_title) < html.index(old.published_title)
    assert "未公开的来信" not in html and "网上工单" not in html


def test_no_personal_data_on_either_page(client):
    row = letter()
    for url in (reverse("hotline:letters"), reverse("hotline:letter", args=[row.number])):
        html = client.get(url).content.decode()
        assert row.published_title in html
        for private in (PRIVATE_NAME, PRIVATE_PHONE, PRIVATE_ADDRESS, "138"):
            assert private not in html
    detail = client.get(reverse("hotline:letter", args=[row.number])).content.decode()
    assert "已责令施工单位停止夜间施工" in detail and "影响居民休息" in detail


def test_the_public_queryset_reads_the_published_columns_only():
    row = letter()
    loaded = publication.published_letters().get(pk=row.pk)
    deferred = loaded.get_deferred_fields()
    for private in ("reporter_name", "reporter_phone_sealed", "content", "address", "title"):
        assert private in deferred


def test_an_unpublished_or_unknown_letter_is_a_404(client):
    row = letter(published=False)
    assert client.get(reverse("hotline:letter", args=[row.number])).status_code == 404
    assert client.get(reverse("hotline:letter", args=["nope"])).status_code == 404


def test_search_finds_by_the_published_words(client):
    noise = letter("关于噪音的来信")
    lamp = letter("关于路灯的来信", content="小区路灯损坏", title="路灯损坏")
    lamp.published_content = "某小区路灯损坏，晚上出行不便。"
    lamp.save()
    html = client.get(reverse("hotline:letters"), {"q": "路灯损坏"}).content.decode()
    assert lamp.published_title in html and noise.published_title not in html
    html = client.get(reverse("hotline:letters"), {"q": "噪音"}).content.decode()
    assert noise.published_title in html and lamp.published_title not in html


def test_search_never_reveals_words_edited_out_of_the_published_text(client):
    row = letter("关于噪音的来信")
    html = client.get(reverse("hotline:letters"), {"q": PRIVATE_NAME}).content.decode()
    assert row.published_title not in html
    assert "没有找到相关来信" in html


def test_search_syntax_is_harmless_and_echoed_escaped(client):
    letter()
    response = client.get(reverse("hotline:letters"), {"q": '<script>噪音" OR "x'})
    assert response.status_code == 200
    assert "<script>噪音" not in response.content.decode()


def test_pagination(client, monkeypatch):
    monkeypatch.setattr(publication, "PER_PAGE", 2)
    for i in range(5):
        letter(f"来信{i}号", when=timezone.now() - datetime.timedelta(minutes=i))
    first = client.get(reverse("hotline:letters")).content.decode()
    third = client.get(reverse("hotline:letters"), {"page": "3"}).content.decode()
    assert "来信0号" in first and "来信2号" not in first
    assert "来信4号" in third
    assert client.get(reverse("hotline:letters"), {"page": "abc"}).status_code == 200


def test_the_public_aggregate_counts_types_and_revisits(client):
    TicketFactory(type=TicketType.COMPLAINT, satisfaction=Satisfaction.SATISFIED)
    TicketFactory(type=TicketType.COMPLAINT, satisfaction=Satisfaction.UNSATISFIED)
    TicketFactory(type=TicketType.HELP)
    html = client.get(reverse("hotline:letters")).content.decode()
    assert "共受理 3 件" in html
    assert "满意率 50.0%" in html


def test_the_letters_list_counts_no_further_than_its_cap(monkeypatch):
    from tongzheng.hotline.models import Subject
    from tongzheng.hotline.views.publication import CappedPaginator

    assert Subject.objects.count() > 3  # the subjects of migration 0003
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    paginator = CappedPaginator(Subject.objects.order_by("pk"), 2)
    assert paginator.count == 3
    assert paginator.num_pages == 2
