"""派单建议模型: ``tongzheng hotline_classifier train|evaluate``.

train: learn from every ticket with an active lead assignment and store the model (the
newest model is what operators see). evaluate: split the history by time (the newest
``--holdout`` share is the test set), train on the rest without storing anything, and
print top-1 and top-3 accuracy beside the majority-class baseline.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongzheng.hotline import classifier

# Evaluation holds its examples in memory (about 3.5 KB each): a uniform sample keeps a
# province's history to a few hundred MB.
DEFAULT_SAMPLE = 200_000


class Command(BaseCommand):
    help = "Train or evaluate the hotline dispatch classifier (派单建议)."

    def add_arguments(self, parser):
        parser.add_argument("mode", choices=["train", "evaluate"])
        parser.add_argument(
            "--days", type=int, default=None, help="only tickets of the last DAYS days"
        )
        parser.add_argument(
            "--holdout", type=float, default=0.2, help="evaluate: share of newest tickets"
        )
        parser.add_argument(
            "--sample",
            type=int,
            default=DEFAULT_SAMPLE,
            help="evaluate: a uniform sample of at most this many tickets (0: all)",
        )

    def handle(self, *args, mode, days, holdout, sample, **options):
        since = timezone.now() - datetime.timedelta(days=days) if days else None
        if mode == "train":
            model = classifier.train(since=since)
            if model is None:
                self.stdout.write("no dispatched tickets to learn from; nothing stored")
                return
            self.stdout.write(
                f"trained on {model.examples} tickets: {model.organisations} organisations, "
                f"{model.vocabulary} tokens (model {model.pk})"
            )
            return
        if not 0 < holdout < 1:
            raise CommandError("--holdout must be between 0 and 1")
        examples = classifier.training_examples(since)
        examples = classifier.sample(examples, sample) if sample else list(examples)
        result = classifier.evaluate(examples, holdout=holdout)
        if result is None:
            self.stdout.write("not enough dispatched tickets to evaluate")
            return
        self.stdout.write(
            f"train {result.train_size}, test {result.test_size} (newest {holdout:.0%})\n"
            f"top-1 accuracy {result.top1:.1%}\n"
            f"top-3 accuracy {result.top3:.1%}\n"
            f"baseline (most frequent department) top-1 {result.baseline_top1:.1%}"
        )
