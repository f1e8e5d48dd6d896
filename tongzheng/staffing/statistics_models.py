"""Database-maintained aggregates behind the real-time statistics (编制统计汇总表).

Two tables, written only by database triggers (created in migration
``staffing.0004_statistics_aggregates``), never by Python:

- ``UnitFigures``: per unit and dimension, approved (ledger sum) and occupied (serving
  personnel). A dimension is ``t<establishment type id>`` or ``p<leadership post kind>``.
- ``DivisionFigures``: per division down to county level (its own units, and for a county
  also the units of its townships) and dimension,
  the sums of approved and occupied and of each unit's vacancy (空编) and excess (超编),
  so that one unit's vacancy never offsets another's excess.

A roll-up of any division's subtree is then one prefix query over at most a few thousand
``DivisionFigures`` rows. ``tongzheng.staffing.statistics.recount_matches`` compares
both tables with a full recount from the ledgers and personnel; ``rebuild_aggregates``
recomputes them.
"""

from django.db import models

__all__ = ["DivisionFigures", "UnitFigures"]


class UnitFigures(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    division_path = models.CharField(max_length=64)
    dimension = models.CharField(max_length=24)
    approved = models.BigIntegerField(default=0)
    occupied = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dimension"], name="staffing_unitfigures_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["division_path"],
                name="staffing_unitfig_division",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.dimension} {self.approved}/{self.occupied}"


class DivisionFigures(models.Model):
    division_path = models.CharField(max_length=64)
    dimension = models.CharField(max_length=24)
    approved = models.BigIntegerField(default=0)
    occupied = models.BigIntegerField(default=0)
    vacant = models.BigIntegerField(default=0)
    excess = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division_path", "dimension"], name="staffing_divisionfigures_unique"
            )
        ]
        indexes = [
            # Prefix (LIKE 'x%') scans on PostgreSQL under any collation.
            models.Index(
                fields=["division_path"],
                name="staffing_divfig_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.division_path} {self.dimension} {self.approved}/{self.occupied}"
