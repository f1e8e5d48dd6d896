"""派单建议: which department should lead a ticket, learned from the platform's own dispatches.

A multinomial naive Bayes model over the jieba tokens of a ticket (``search_tokens``).
Each training example is a ticket with an active lead assignment (主办; a withdrawn lead
was a wrong dispatch and teaches nothing) and its label is that assignment's organisation.
The model is a table of token counts per organisation, stored in ``DispatchClassifier``;
``suggest`` ranks organisations by posterior probability. It only suggests: the operator
dispatches (issue 5: never dispatch by itself).

For a ticket with tokens t₁…tₘ (those in the vocabulary) and an organisation c:

    log P(c | t) ∝ log P(c) + Σᵢ log((n(c, tᵢ) + α) / (N(c) + α·|V|))

with n(c, t) the count of t in c's tickets, N(c) all of c's token occurrences and α the
additive smoothing. Only the organisations that saw a token need work per token; the
others share a constant, so prediction costs O(m · organisations per token).
"""

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import require_permission
from tongzheng.core.models import Organisation
from tongzheng.hotline.models import Assignment, AssignmentRole, AssignmentStatus
from tongzheng.hotline.models_classifier import DispatchClassifier
from tongzheng.hotline.text import tokens as text_tokens

ALPHA = 0.1
MIN_DOCUMENTS = 2  # a token seen in one ticket only is noise (a name, a house number)
MAX_VOCABULARY = 50_000  # the most frequent tokens; keeps the stored model a few MB
KEEP_MODELS = 3  # training keeps the newest few models for comparison


@dataclass(frozen=True)
class Suggestion:
    """One suggested lead department (建议承办单位) with its score.

    ``score`` is between 0 and 1 and the scores of all organisations sum to 1: the naive
    Bayes posterior tempered per word (see ``rank``).
    """

    organisation_id: int
    name: str
    score: float


@dataclass(frozen=True)
class Example:
    created_at: object
    organisation_id: int
    tokens: list[str]


@dataclass(frozen=True)
class Evaluation:
    """Hold-out accuracy: trained on the older tickets, tested on the newer ones."""

    train_size: int
    test_size: int
    top1: float
    top3: float
    baseline_top1: float  # always answering the most frequent organisation


def training_examples(since=None) -> Iterator[Example]:
    """Tickets with an active lead assignment, oldest first (one query, streamed)."""
    rows = Assignment.objects.filter(role=AssignmentRole.LEAD).exclude(
        status=AssignmentStatus.WITHDRAWN
    )
    if since is not None:
        rows = rows.filter(ticket__created_at__gte=since)
    rows = rows.order_by("ticket__created_at", "ticket_id").values_list(
        "ticket__created_at", "organisation_id", "ticket__search_tokens"
    )
    for created_at, organisation_id, search_tokens in rows.iterator(chunk_size=5000):
        words = (search_tokens or "").split()
        if words:
            yield Example(created_at, organisation_id, words)


def fit(
    examples: Iterable[Example],
    *,
    alpha: float = ALPHA,
    min_documents: int = MIN_DOCUMENTS,
    max_vocabulary: int = MAX_VOCABULARY,
) -> dict:
    """The model parameters (JSON-ready) learned from ``examples``."""
    docs: Counter = Counter()
    counts: dict[str, Counter] = defaultdict(Counter)
    document_frequency: Counter = Counter()
    for example in examples:
        label = str(example.organisation_id)
        docs[label] += 1
        for word, n in Counter(example.tokens).items():
            counts[word][label] += n
            document_frequency[word] += 1
    vocabulary = [
        word for word, df in document_frequency.most_common(max_vocabulary) if df >= min_documents
    ]
    kept = {word: dict(counts[word]) for word in vocabulary}
    totals: Counter = Counter()
    for per_organisation in kept.values():
        totals.update(per_organisation)
    return {"alpha": alpha, "docs": dict(docs), "totals": dict(totals), "counts": kept}


def rank(parameters: dict, words: list[str]) -> list[tuple[int, float]]:
    """(organisation id, score) best first; [] when no word is in the vocabulary."""
    counts = parameters["counts"]
    known = [word for word in words if word in counts]
    if not known or not parameters["docs"]:
        return []
    alpha = parameters["alpha"]
    size = len(counts)
    total_docs = sum(parameters["docs"].values())
    m = len(known)
    log_alpha = math.log(alpha)
    scores = {}
    for label, n_docs in parameters["docs"].items():
        denominator = parameters["totals"].get(label, 0) + alpha * size
        scores[label] = math.log(n_docs / total_docs) + m * log_alpha - m * math.log(denominator)
    for word in known:
        for label, n in counts[word].items():
            scores[label] += math.log(n + alpha) - log_alpha
    # Naive Bayes multiplies the words' probabilities as if they were independent, which
    # drives the posterior to 0.999… for nearly every ticket; dividing the log score by the
    # number of words (a geometric mean per word) keeps the ranking and gives the operator
    # scores that still say how close the second choice is.
    top = max(scores.values())
    weights = {label: math.exp((score - top) / m) for label, score in scores.items()}
    norm = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], int(item[0])))
    return [(int(label), weight / norm) for label, weight in ranked]


# The newest model's parameters, kept per process: (model id, parameters).
_cache: dict[str, tuple[int, dict]] = {}


def current_parameters() -> dict | None:
    """The newest trained model (one small query per call; the JSON loaded once per id)."""
    newest = DispatchClassifier.objects.order_by("-trained_at", "-id").values_list("id", flat=True)[
        :1
    ]
    newest_id = next(iter(newest), None)
    if newest_id is None:
        return None
    cached = _cache.get("model")
    if cached is None or cached[0] != newest_id:
        parameters = DispatchClassifier.objects.values_list("parameters", flat=True).get(
            pk=newest_id
        )
        cached = (newest_id, parameters)
        _cache["model"] = cached
    return cached[1]


def suggest(text: str, *, k: int = 3) -> list[Suggestion]:
    """The ``k`` most likely lead departments for ``text``; [] when untrained or no clue.

    Organisations no longer active are skipped (a dissolved bureau's history stays in
    the model until the next training run).
    """
    parameters = current_parameters()
    if parameters is None:
        return []
    ranked = rank(parameters, text_tokens(text))
    if not ranked:
        return []
    candidates = ranked[: k * 3]
    names = dict(
        Organisation.objects.filter(
            pk__in=[pk for pk, _score in candidates], is_active=True
        ).values_list("pk", "name")
    )
    result = [Suggestion(pk, names[pk], round(score, 4)) for pk, score in candidates if pk in names]
    return result[:k]


def train(*, actor=None, since=None, request=None) -> DispatchClassifier | None:
    """Train on every dispatched ticket (or those since ``since``) and store the model.

    ``actor`` None is the system (the command line); a staff actor needs
    ``hotline.manage_hotline``. Returns None, storing nothing, when there is no history.
    """
    if actor is not None:
        require_permission(actor, "hotline.manage_hotline")
    parameters = fit(training_examples(since))
    if not parameters["docs"]:
        return None
    with transaction.atomic():
        model = DispatchClassifier.objects.create(
            trained_by=actor,
            examples=sum(parameters["docs"].values()),
            organisations=len(parameters["docs"]),
            vocabulary=len(parameters["counts"]),
            parameters=parameters,
        )
        old = DispatchClassifier.objects.order_by("-trained_at", "-id").values_list(
            "id", flat=True
        )[KEEP_MODELS:]
        DispatchClassifier.objects.filter(pk__in=list(old)).delete()
        record_event(
            actor=actor,
            action="hotline.classifier_trained",
            target=model,
            request=request,
            actor_name="" if actor is not None else str(_("系统")),
            detail={
                "examples": model.examples,
                "organisations": model.organisations,
                "vocabulary": model.vocabulary,
            },
        )
    return model


def evaluate(examples: list[Example], *, holdout: float = 0.2) -> Evaluation | None:
    """Train on the oldest (1 - holdout) of ``examples`` and test on the newest holdout.

    The split is by time, as the model is used: it has never seen the future. None when
    either side would be empty.
    """
    examples = sorted(examples, key=lambda e: e.created_at)
    cut = int(len(examples) * (1 - holdout))
    train_set, test_set = examples[:cut], examples[cut:]
    if not train_set or not test_set:
        return None
    parameters = fit(train_set)
    top1 = top3 = 0
    for example in test_set:
        ranked = [pk for pk, _score in rank(parameters, example.tokens)[:3]]
        top1 += bool(ranked) and ranked[0] == example.organisation_id
        top3 += example.organisation_id in ranked
    majority = Counter(e.organisation_id for e in train_set).most_common(1)[0][0]
    baseline = sum(e.organisation_id == majority for e in test_set)
    n = len(test_set)
    return Evaluation(len(train_set), n, top1 / n, top3 / n, baseline / n)


def sample(examples: Iterable[Example], size: int, *, seed: int = 0) -> list[Example]:
    """A uniform reservoir sample of ``size`` examples (evaluation on a large history)."""
    rng = random.Random(seed)
    reservoir: list[Example] = []
    for i, example in enumerate(examples):
        if i < size:
            reservoir.append(example)
        else:
            j = rng.randrange(i + 1)
            if j < size:
                reservoir[j] = example
    return reservoir
