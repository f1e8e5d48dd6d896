"""Unified social credit codes (GB 32100) for synthetic units registered by 编办.

Character 1 is the registering authority (1 = 机构编制), character 2 the entity type
(1 机关, 2 事业单位, 3 群众团体), 3-8 the registering division, 9-17 the organisation
code (GB 11714: eight characters and its own check character) and 18 the check
character computed by python-stdnum's ``cn.uscc.calc_check_digit``.
"""

import random

from stdnum.cn import uscc

ENTITY_TYPE = {
    "party_government": "1",
    "public_institution": "2",
    "mass_organisation": "3",
}
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code_check(body8: str) -> str:
    """GB 11714 check character of an all-digit organisation code body."""
    value = 11 - sum(int(c) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


class UsccFactory:
    """Hands out distinct valid codes."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, kind: str, division_code6: str) -> str:
        while True:
            body8 = f"{self.rng.randrange(10**7, 10**8)}"
            if body8 not in self.used:
                self.used.add(body8)
                break
        first17 = "1" + ENTITY_TYPE[kind] + division_code6 + body8 + organisation_code_check(body8)
        return first17 + uscc.calc_check_digit(first17)
