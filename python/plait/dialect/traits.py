"""Traits: what an op promises, declared beside it (`traits=(Pure(), Linear(0))`).

Passes decide by traits, never by lists of op names (MLIR's `Pure`, `Elementwise`, ...).
Each trait, what it promises, and who reads it:

- `Pure`: no side effects. plait-dce erases an unused one, plait-cse merges equal ones.
- `Elementwise`: result element i depends on operand elements i alone; implies the next.
  plait-batch derives the op's batching rule from it.
- `SameOperandsAndResultShape`: one shape for all operands and results, dimension by
  dimension. The verifier checks the operands; plait-shard-propagate derives the op's rules.
- `Commutative`: operands may be swapped. plait-simplify (identities on either side).
- `Linear(i, ...)`: linear in operands i, ... jointly, the others held constant.
  plait-transpose accepts only linear operands it covers; plait-jvp derives the JVP of an op
  without a rule (the op applied to the tangents); the rules registry demands a transpose rule.
- `Transformation`: transforms the function it names. plait-expand expands it innermost
  first; it has no lowering.
- `CustomRule`: a call with user-written derivative rules. plait-expand turns what is left into
  a plain call; it has no lowering.
- `HasRegions(n)`: n regions (None: any number). plait-verify, and plait.yield's verifier.
- `Collective`: communicates over the axis its `axis_name` names. plait-batch batches it under
  a vmap of that axis even when no operand is batched.
"""

from __future__ import annotations

from collections.abc import Sequence

from plait.core.errors import PlaitTypeError


class Trait:
    """A property of an op. `implies` lists the traits it brings along; `check` is the part of
    the op's verifier the trait provides (run on the operand avals before the type rule)."""

    implies: tuple[Trait, ...] = ()

    def check(self, opdef, avals) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Pure(Trait):
    """No side effects: an unused one may be erased, two equal ones merged."""


class SameOperandsAndResultShape(Trait):
    """Every operand and result has the same shape, and dimension d of each is dimension d of
    the others (so a sharding passes through unchanged)."""

    def check(self, opdef, avals) -> None:
        if any(a.shape != avals[0].shape for a in avals[1:]):
            raise PlaitTypeError(f"{opdef.name} operands must have equal shapes, got "
                                 + " and ".join(str(a.shape) for a in avals))


class Elementwise(Trait):
    """Result element i is a function of operand elements i alone: mapping the op over a new
    axis is the op on operands with that axis."""

    implies = (SameOperandsAndResultShape(),)


class Commutative(Trait):
    """op(x, y) == op(y, x), bit for bit."""


class Linear(Trait):
    """Linear in the listed operands jointly when the others are held constant: `Linear(0, 1)`
    (add), `Linear(0), Linear(1)` (mul: in each alone, not in both), `Linear(from_operand=1)`
    (every operand from 1 on; an attribute name reads the index from the op, as custom_lin's
    `num_res`). A region op is linear in its operands as far as its regions are; its rules check
    the rest."""

    def __init__(self, *operands: int, from_operand: int | str | None = None):
        self.operands = frozenset(operands)
        self.from_operand = from_operand

    def covers(self, indices, params: dict) -> bool:
        """Whether the operands `indices` may be linear together."""
        start = self.from_operand
        if isinstance(start, str):
            start = params[start]
        return all(i in self.operands or (start is not None and i >= start) for i in indices)

    def __repr__(self) -> str:
        args = [str(i) for i in sorted(self.operands)]
        if self.from_operand is not None:
            args.append(f"from_operand={self.from_operand!r}")
        return f"Linear({', '.join(args)})"


class Transformation(Trait):
    """Transforms the function its `callee` names (jvp, vjp, linear_transpose, vmap):
    plait-expand replaces it, innermost first, by a call of a generated function; it has no
    rules of its own."""


class CustomRule(Trait):
    """A call whose derivative rules the user wrote (custom_jvp_call, custom_vjp_call,
    custom_lin): the autodiff passes call the rules, plait-expand turns what is left into a
    plain call; never lowered."""


class HasRegions(Trait):
    """Holds `count` regions (None: any number); each ends with plait.yield."""

    def __init__(self, count: int | None):
        self.count = count

    def __repr__(self) -> str:
        return f"HasRegions({self.count})"


class Collective(Trait):
    """Communicates among the members of the axis named by its `axis_name`: under a vmap of
    that axis it is batched even when no operand is."""


def with_implied(traits: Sequence[Trait]) -> tuple[Trait, ...]:
    """The traits and those they imply, each kind once (the first declared wins)."""
    out, kinds = [], set()
    todo = list(traits)
    while todo:
        t = todo.pop(0)
        if type(t) in kinds and not isinstance(t, Linear):  # Linear(0), Linear(1): both
            continue
        kinds.add(type(t))
        out.append(t)
        todo.extend(t.implies)
    return tuple(out)
