"""The rules of every op family, one module each, registered on import into the tables the
passes own (`transforms/jvp.py` jvp_rules, `transforms/transpose.py` transpose_rules,
`transforms/batch.py` batch_rules, `transforms/shard_propagate.py` forward, backward and region
rules, `transforms/simplify.py` folds, `lowering/stablehlo.py` lowerings).

Everything about an op is in two places: its declaration in `dialect/<family>.py` (attributes,
traits, type rule, StableHLO counterpart) and its rules in `rules/<family>.py`. What follows
from a trait (the elementwise batching rule, ...) is derived by the pass that applies it.
`plait.pipeline` imports this package, so whatever runs passes has the rules.
"""

from plait.dialect import OPS
from plait.lowering.stablehlo import lowerings
from plait.rules import (  # noqa: F401  (register the rules)
    bits,
    callback,
    collective,
    control,
    conv,
    elementwise,
    linalg,
    prng,
    reduce,
    sharding,
    sort,
    special,
    structural,
    transform,
    windows,
)
from plait.transforms.batch import batch_rules
from plait.transforms.jvp import jvp_rules
from plait.transforms.shard_propagate import backward_rules, forward_rules, region_rules
from plait.transforms.simplify import folds
from plait.transforms.transpose import transpose_rules

TABLES = (jvp_rules, transpose_rules, batch_rules, forward_rules, backward_rules, region_rules,
          folds, lowerings)


def unregister(op) -> None:
    """Forget an op and its rules (a test that declares an op of its own cleans up so)."""
    OPS.pop(op.name, None)
    for table in TABLES:
        table.pop(op.name, None)
