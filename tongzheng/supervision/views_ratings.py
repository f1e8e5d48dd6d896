"""好差评 pages: the rectification worklist, answer and appeal, appeal review, public ratings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core.access import has_permission, require_permission
from tongzheng.supervision import actions, queries_ratings
from tongzheng.supervision.forms import AnswerForm, AppealForm, ReviewForm, add_errors
from tongzheng.supervision.models import (
    Appeal,
    AppealDecision,
    RatingLevel,
    Rectification,
    RectificationStatus,
)

PAGE_SIZE = 30


@require_GET
def rectification_list(request):
    status = request.GET.get("status", "")
    status = status if status in RectificationStatus.values else ""
    rows = queries_ratings.rectifications(request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": RectificationStatus.choices}
    return render(request, "supervision/rectification_list.html", context)


def _detail(
    request, rectification, *, answer_form=None, appeal_form=None, review_form=None, status=200
):
    can_rectify = (
        has_permission(request.user, actions.RECTIFY_RATING)
        and rectification.status == RectificationStatus.OPEN
        and Rectification.objects.for_user(request.user, actions.RECTIFY_RATING)
        .filter(pk=rectification.pk)
        .exists()
    )
    pending = rectification.appeals.filter(decision=AppealDecision.PENDING).first()
    can_review = pending is not None and has_permission(request.user, actions.REVIEW_RATING)
    context = {
        "rectification": rectification,
        "rating": rectification.rating,
        "appeals": rectification.appeals.select_related("filed_by", "reviewed_by"),
        "pending": pending,
        "can_rectify": can_rectify,
        "can_appeal": can_rectify and not rectification.appeals.exists(),
        "can_review": can_review,
        "answer_form": answer_form or AnswerForm(),
        "appeal_form": appeal_form or AppealForm(),
        "review_form": review_form or ReviewForm(),
    }
    return render(request, "supervision/rectification_detail.html", context, status=status)


@require_GET
def rectification_detail(request, pk):
    return _detail(request, queries_ratings.rectification_for(request.user, pk))


@require_POST
def rectification_answer(request, pk):
    require_permission(request.user, actions.RECTIFY_RATING)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            actions.answer_rectification(
                actor=request.user, pk=pk, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("整改情况已答复，等待评价人复评。"))
            return redirect("supervision:rectification_detail", pk=pk)
    rectification = queries_ratings.rectification_for(request.user, pk)
    return _detail(request, rectification, answer_form=form, status=400)


@require_POST
def rectification_appeal(request, pk):
    require_permission(request.user, actions.RECTIFY_RATING)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            actions.file_appeal(actor=request.user, pk=pk, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("申诉已提交，整改计时暂停，等待监察人员审核。"))
            return redirect("supervision:rectification_detail", pk=pk)
    rectification = queries_ratings.rectification_for(request.user, pk)
    return _detail(request, rectification, appeal_form=form, status=400)


@require_GET
def appeal_list(request):
    appeals = queries_ratings.pending_appeals(request.user)
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/appeal_list.html", {"page": page})


@require_POST
def appeal_review(request, pk):
    require_permission(request.user, actions.REVIEW_RATING)
    appeal = Appeal.objects.get_for_user(request.user, actions.REVIEW_RATING, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.review_appeal(
                actor=request.user,
                pk=pk,
                upheld=form.cleaned_data["decision"] == "upheld",
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("申诉已审核。"))
            return redirect("supervision:rectification_detail", pk=appeal.rectification_id)
    return _detail(request, appeal.rectification, review_form=form, status=400)


@login_not_required
@require_GET
def public_ratings(request):
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year = (
        int(year) if year.isdigit() and today.year - 10 <= int(year) <= today.year else today.year
    )
    context = {
        "year": year,
        "rows": queries_ratings.public_ratings(year=year),
        "levels": [label for _value, label in RatingLevel.choices],
        "years": range(today.year, today.year - 5, -1),
    }
    return render(request, "supervision/public_ratings.html", context)
