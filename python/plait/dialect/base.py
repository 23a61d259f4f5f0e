"""How a plait op is declared: name, attributes, result-type rule, verifier, builder.

The `plait` dialect is made of unregistered MLIR operations (jaxlib's bindings have no IRDL),
so an op's semantics live here. Each op is one `OpDef` instance: its `infer` is the
result-type rule used when building *and* the verifier (`plait-verify` re-infers every op's
result types from its operands and attributes and compares). Calling an OpDef with
`ir.Value`s emits the op at the current insertion point and location:

    y = P.add(x, x)                     # %1 = "plait.add"(%0, %0) : (...) -> ...
    z = P.reduce_sum(y, axes=(0,))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from plait._mlir import ir
from plait.core import aval as _aval
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.traits import HasRegions, Linear, Trait, with_implied

OPS: dict[str, OpDef] = {}
# On ops whose values the backward pass recomputes (checkpoint); its value is the policy.
REMAT_ATTR = "plait.remat"
# Discardable attributes any plait op may carry (not part of its declaration).
DISCARDABLE_ATTRS = frozenset({REMAT_ATTR, "sdy.sharding"})


# --- attribute kinds: Python value <-> MLIR attribute -------------------------------------------

def _i64() -> ir.Type:
    return ir.IntegerType.get_signless(64)


class Attr:
    """Codec between a Python parameter and the MLIR attribute that stores it."""

    def encode(self, v) -> ir.Attribute:
        raise NotImplementedError

    def decode(self, a: ir.Attribute):
        raise NotImplementedError


_INTS_ENCODED: dict = {}
_INTS_DECODED: dict = {}


class Ints(Attr):
    """A tuple of ints, stored as `array<i64: ...>` (both directions memoized: attributes are
    uniqued by the context, and transformations build the same few over and over)."""

    def encode(self, v):
        key = tuple(v)
        a = _INTS_ENCODED.get(key)
        if a is None:
            a = _INTS_ENCODED[key] = ir.DenseI64ArrayAttr.get([int(i) for i in key])
        return a

    def decode(self, a):
        v = _INTS_DECODED.get(a)
        if v is None:
            if not isinstance(a, ir.DenseI64ArrayAttr):
                raise PlaitTypeError(f"expected array<i64: ...>, got {a}")
            v = _INTS_DECODED[a] = tuple([a[i] for i in range(len(a))])
        return v


class Int(Attr):
    def encode(self, v):
        return ir.IntegerAttr.get(_i64(), int(v))

    def decode(self, a):
        if not isinstance(a, ir.IntegerAttr):
            raise PlaitTypeError(f"expected an integer attribute, got {a}")
        return a.value


class Bool(Attr):
    def encode(self, v):
        return ir.BoolAttr.get(bool(v))

    def decode(self, a):
        if not isinstance(a, ir.BoolAttr):
            raise PlaitTypeError(f"expected a bool attribute, got {a}")
        return a.value


class Str(Attr):
    def __init__(self, choices: Sequence[str] | None = None):
        self.choices = tuple(choices) if choices else None

    def encode(self, v):
        return ir.StringAttr.get(v)

    def decode(self, a):
        if not isinstance(a, ir.StringAttr):
            raise PlaitTypeError(f"expected a string attribute, got {a}")
        if self.choices and a.value not in self.choices:
            raise PlaitTypeError(f"expected one of {', '.join(self.choices)}, got '{a.value}'")
        return a.value


class DType(Attr):
    """A dtype, stored as the element type (`f32`, `i32`, `ui8`, `complex<f32>`)."""

    def encode(self, v):
        return ir.TypeAttr.get(_aval.element_type(v))

    def decode(self, a):
        if not isinstance(a, ir.TypeAttr):
            raise PlaitTypeError(f"expected a type attribute, got {a}")
        try:
            return _aval.dtype_of_element(a.value)
        except TypeError as e:
            raise PlaitTypeError(str(e)) from None


class Symbol(Attr):
    def encode(self, v):
        return ir.FlatSymbolRefAttr.get(v)

    def decode(self, a):
        if not isinstance(a, ir.FlatSymbolRefAttr):
            raise PlaitTypeError(f"expected a symbol reference, got {a}")
        return a.value


class Raw(Attr):
    """An MLIR attribute kept as it is (e.g. a Shardy sharding)."""

    def __init__(self, kind: str = "attribute"):
        self.kind = kind

    def encode(self, v):
        return v

    def decode(self, a):
        return a


def scalar_attr(element_type: ir.Type, value) -> ir.Attribute:
    """A typed scalar attribute (IntegerAttr for bool and integers, FloatAttr for floats)."""
    if isinstance(element_type, ir.IntegerType):
        v = int(value)  # IntegerAttr.get takes an int64: a ui64 past it as its two's complement
        return ir.IntegerAttr.get(element_type, v - 2**64 if v >= 2**63 else v)
    return ir.FloatAttr.get(element_type, float(value))


def splat_attr(shape, dtype, value) -> ir.DenseElementsAttr:
    """A splat DenseElementsAttr of a real dtype (no host buffer of the full size is made)."""
    t = _aval.ir_type(ShapedArray(tuple(shape), dtype))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= int(value) <= info.max:
            raise PlaitTypeError(f"{value} does not fit in {dtype}")
    return ir.DenseElementsAttr.get_splat(t, scalar_attr(t.element_type, value))


class Dense(Attr):
    """Constant data: given as a NumPy array, kept as the DenseElementsAttr itself.

    Complex data is not stored in attributes (jaxlib's bindings cannot read it back); complex
    constants are `plait.complex` of two real constants.
    """

    def encode(self, v):
        if isinstance(v, ir.DenseElementsAttr):
            return v
        v = np.asarray(v, order="C")
        if v.dtype.kind == "c":
            raise PlaitTypeError("complex constants are built as plait.complex(real, imag)")
        t = _aval.ir_type(ShapedArray(v.shape, v.dtype))
        if v.ndim == 0:
            return ir.DenseElementsAttr.get_splat(t, scalar_attr(t.element_type, v.item()))
        raw = v.astype(np.uint8) if v.dtype == np.bool_ else v
        return ir.DenseElementsAttr.get(raw.reshape(-1).view(np.uint8), type=t.element_type,
                                        shape=list(v.shape))

    def decode(self, a):
        if not isinstance(a, ir.DenseElementsAttr):
            raise PlaitTypeError(f"expected dense elements, got {a}")
        return a


# --- op definitions -----------------------------------------------------------------------------

class OpDef:
    """One plait op. Subclasses implement `infer(avals, **params) -> list[ShapedArray]`.

    `arity` is the operand count (None = variadic); `attrs` maps parameter names to `Attr`
    codecs; `traits` are what the op promises (`dialect/traits.py`): the family's, on the
    class, plus the op's own, given as `traits=(...)`; `stablehlo` names the StableHLO op it
    lowers to one-to-one (same operands and results, no attributes), if there is one; `doc` is
    a one-line summary followed by an IR example.
    """

    arity: int | None = None
    attrs: dict[str, Attr] = {}
    traits: tuple[Trait, ...] = ()
    stablehlo: str | None = None
    operand_names: tuple[str, ...] = ()  # for messages: "not linear in its index"

    def __init__(self, name: str, doc: str, *, traits: Sequence[Trait] = (), **options):
        assert name not in OPS, f"{name} declared twice"
        self.name = name
        self.__doc__ = doc
        self.short_name = name.split(".", 1)[1]
        for k, v in options.items():
            setattr(self, k, v)
        self.traits = with_implied(tuple(type(self).traits) + tuple(traits))
        self._kinds = frozenset(type(t) for t in self.traits)
        self._checks = [t for t in self.traits if type(t).check is not Trait.check]
        OPS[name] = self

    def __repr__(self) -> str:
        return f"<op {self.name}>"

    # traits ------------------------------------------------------------------------------------
    def has(self, kind: type[Trait]) -> bool:
        """Whether the op declares (or implies) a trait of this kind: `op.has(Pure)`."""
        return kind in self._kinds

    def linear_in(self, indices, params: dict) -> bool:
        """Whether the op is linear in the operands `indices` together (a Linear trait covers
        them all)."""
        return any(t.covers(indices, params) for t in self.traits if isinstance(t, Linear))

    @property
    def region_count(self) -> int:
        """The number of regions, from HasRegions (-1: any number)."""
        for t in self.traits:
            if isinstance(t, HasRegions):
                return -1 if t.count is None else t.count
        return 0

    # type rule ---------------------------------------------------------------------------------
    def infer(self, avals: Sequence[ShapedArray], **params) -> list[ShapedArray]:
        raise NotImplementedError

    def check_arity(self, n: int) -> None:
        if self.arity is not None and n != self.arity:
            raise PlaitTypeError(f"{self.name} takes {self.arity} operands, got {n}")

    def type_check(self, avals: Sequence[ShapedArray], **params) -> list[ShapedArray]:
        """The verifier: the operand count, what the traits check, then the type rule."""
        self.check_arity(len(avals))
        for t in self._checks:
            t.check(self, avals)
        return self.infer(avals, **params)

    # IR ----------------------------------------------------------------------------------------
    def encode_params(self, params: dict) -> dict:
        attrs = self.attrs
        return {k: attrs[k].encode(v) for k, v in params.items() if v is not None}

    def params_of(self, op: ir.Operation) -> dict:
        """Decode an operation's attributes into this op's parameters."""
        attrs = op.attributes
        out = {}
        for k, codec in self.attrs.items():
            if k not in attrs:
                out[k] = None
                continue
            try:
                out[k] = codec.decode(attrs[k])
            except PlaitTypeError as e:
                raise PlaitTypeError(f"'{self.name}' attribute '{k}' {e.bare_message}") \
                    from None
            except TypeError as e:  # the bindings cannot read it (`array<ui64: 0>`)
                raise PlaitTypeError(f"'{self.name}' attribute '{k}' is unreadable: {e}") \
                    from None
        return out

    def build(self, operands: Sequence[ir.Value], avals: Sequence[ShapedArray] | None = None,
              params: dict | None = None, *, loc=None, ip=None):
        """Create the op; returns (result values, result avals)."""
        params = params or {}
        if avals is None:
            avals = [_aval.aval_of(v) for v in operands]
        out_avals = self.type_check(avals, **params)
        op = ir.Operation.create(
            self.name, results=[_aval.ir_type(a) for a in out_avals], operands=list(operands),
            attributes=self.encode_params(params), loc=loc, ip=ip)
        return list(op.results), out_avals

    def __call__(self, *operands: ir.Value, **params):
        """Emit at the current insertion point; returns one value or a list of values."""
        results, _ = self.build(operands, None, params)
        return results[0] if len(results) == 1 else results


def rule_registrar(table: dict):
    """`@reg(op, ...)` decorators that file a rule in `table` under each op's name (the rule tables
    of every transformation are keyed by op name; an op is an OpDef or a name, as "func.call")."""
    def reg(*ops):
        def deco(fn):
            for op in ops:
                table[op if isinstance(op, str) else op.name] = fn
            return fn
        return deco
    return reg


def check_axes(axes: Sequence[int], ndim: int, what: str) -> None:
    if len(set(axes)) != len(axes) or any(not 0 <= a < ndim for a in axes):
        raise PlaitTypeError(f"{what} {tuple(axes)} must be distinct axes of a rank-{ndim} array")
