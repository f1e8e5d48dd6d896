"""派单建议: the naive Bayes classifier learns from a synthetic dispatch history."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from tongzheng.accounts.tests.factories import UserFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.hotline import classifier
from tongzheng.hotline.models import Assignment, AssignmentRole, AssignmentStatus, Ticket
from tongzheng.hotline.models_classifier import DispatchClassifier
from tongzheng.hotline.tests.factories import TicketFactory
from tongzheng.hotline.text import token_string

pytestmark = pytest.mark.django_db

# What each department's tickets talk about; every ticket also carries shared words.
TOPICS = {
    "城管": ["占道经营", "乱搭乱建", "垃圾清运", "违章建筑", "广告牌", "摊贩"],
    "交通": ["公交线路", "红绿灯", "停车位", "出租车", "拥堵", "地铁站"],
    "环保": ["油烟", "噪音", "污水", "异味", "粉尘", "排放"],
    "教育": ["学校", "学位", "招生", "教师", "校车", "课外辅导"],
}
SHARED = ["小区", "附近", "居民", "每天", "严重", "处理"]


def synthetic_history(count, *, seed=1, wrong=0.1):
    """``count`` dispatched tickets over 100 days; ``wrong`` of them led by a random org."""
    rng = random.Random(seed)
    organisations = {topic: OrganisationFactory(name=f"测试{topic}局") for topic in TOPICS}
    operator = UserFactory()
    start = timezone.now() - datetime.timedelta(days=100)
    for i in range(count):
        topic = rng.choice(list(TOPICS))
        words = rng.sample(TOPICS[topic], 2) + rng.sample(SHARED, 3)
        content = "，".join(words)
        ticket = TicketFactory(content=content, search_tokens=token_string(content))
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=start + datetime.timedelta(days=100 * i / count)
        )
        lead = (
            organisations[topic]
            if rng.random() > wrong
            else rng.choice(list(organisations.values()))
        )
        Assignment.objects.create(
            ticket=ticket, organisation=lead, role=AssignmentRole.LEAD, dispatched_by=operator
        )
    return organisations


def test_untrained_suggests_nothing():
    assert DispatchClassifier.objects.count() == 0
    assert classifier.suggest("油烟扰民") == []


def test_it_learns_the_departments_from_past_dispatches():
    organisations = synthetic_history(200)
    model = classifier.train()
    assert model.examples == 200 and model.organisations == 4
    suggestions = classifier.suggest("楼下饭店油烟很大，还有异味")
    assert len(suggestions) == 3
    assert suggestions[0].organisation_id == organisations["环保"].pk
    assert suggestions[0].name == "测试环保局"
    assert suggestions[0].score > 0.8
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert classifier.suggest("学校招生学位不够", k=1)[0].organisation_id == (
        organisations["教育"].pk
    )
    # Words the model never saw give no suggestion rather than the prior's guess.
    assert classifier.suggest("甲乙丙丁") == []


def test_an_ambiguous_text_shows_two_close_scores():
    organisations = synthetic_history(200, wrong=0)
    classifier.train()
    top = classifier.suggest("学校门口油烟")[:2]
    assert {s.organisation_id for s in top} == {
        organisations["环保"].pk,
        organisations["教育"].pk,
    }
    assert min(s.score for s in top) > 0.2  # not the 1.0 / 0.0 of the raw posterior


def test_training_is_audited_and_keeps_the_newest_models():
    synthetic_history(20)
    for _ in range(classifier.KEEP_MODELS + 1):
        classifier.train()
    assert DispatchClassifier.objects.count() == classifier.KEEP_MODELS
    assert AuditEvent.objects.filter(action="hotline.classifier_trained").count() == 4


def test_a_staff_actor_needs_the_manage_permission():
    synthetic_history(5)
    with pytest.raises(PermissionDenied):
        classifier.train(actor=UserFactory())
    assert DispatchClassifier.objects.count() == 0


def test_withdrawn_leads_are_not_learnt():
    organisations = synthetic_history(40, wrong=0)
    # Every 环保 ticket was first sent to 教育 by mistake, then withdrawn.
    education = organisations["教育"]
    operator = UserFactory()
    for assignment in Assignment.objects.filter(organisation=organisations["环保"]):
        assignment.status = AssignmentStatus.WITHDRAWN
        assignment.save()
        Assignment.objects.create(
            ticket=assignment.ticket,
            organisation=education,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.WITHDRAWN,
            dispatched_by=operator,
        )
        Assignment.objects.create(
            ticket=assignment.ticket,
            organisation=organisations["环保"],
            role=AssignmentRole.LEAD,
            dispatched_by=operator,
        )
    classifier.train()
    assert classifier.suggest("污水排放")[0].organisation_id == organisations["环保"].pk


def test_a_dissolved_organisation_is_not_suggested():
    organisations = synthetic_history(60, wrong=0)
    classifier.train()
    organisations["环保"].is_active = False
    organisations["环保"].save()
    assert organisations["环保"].pk not in {
        s.organisation_id for s in classifier.suggest("油烟异味")
    }


def test_hold_out_evaluation_by_time_beats_the_majority_baseline():
    synthetic_history(300, wrong=0.1)
    result = classifier.evaluate(list(classifier.training_examples()))
    assert result.train_size == 240 and result.test_size == 60
    assert result.top1 >= 0.8 > result.baseline_top1
    assert result.top3 >= result.top1


def test_evaluation_needs_both_sides():
    assert classifier.evaluate([]) is None


def test_the_command_trains_and_evaluates(capsys):
    synthetic_history(100)
    call_command("hotline_classifier", "evaluate")
    out = capsys.readouterr().out
    assert "top-1" in out and "top-3" in out
    assert DispatchClassifier.objects.count() == 0  # evaluation stores nothing
    call_command("hotline_classifier", "train")
    assert DispatchClassifier.objects.count() == 1
    assert "100" in capsys.readouterr().out


def test_the_command_says_so_when_there_is_no_history(capsys):
    call_command("hotline_classifier", "train")
    assert DispatchClassifier.objects.count() == 0
    assert capsys.readouterr().out.strip()


def test_rank_is_a_probability_distribution():
    parameters = classifier.fit(
        [
            classifier.Example(None, 1, ["a", "b"]),
            classifier.Example(None, 1, ["a"]),
            classifier.Example(None, 2, ["b", "c"]),
            classifier.Example(None, 2, ["c"]),
        ],
        min_documents=1,
    )
    ranked = classifier.rank(parameters, ["c", "unknown"])
    assert ranked[0][0] == 2
    assert abs(sum(score for _pk, score in ranked) - 1) < 1e-9
