"""Sharding ops: `plait.sharding_constraint` and the `plait.shard_map` region op.

Shardings are Shardy attributes naming the module's `sdy.mesh @mesh`, so plait IR reads like
what it lowers to: `#sdy.sharding<@mesh, [{"x"}, {}]>`. Their rules are in `rules/sharding.py`.
"""

from __future__ import annotations

from plait._mlir import ir, sdy
from plait.core import aval as _aval
from plait.core.errors import PlaitTypeError
from plait.dialect.base import OpDef, Raw
from plait.dialect.control import RegionOp, block_of, yielded
from plait.dialect.traits import HasRegions, Linear, Pure
from plait.ir.sharding import per_value_dims


class ShardingConstraint(OpDef):
    """`%y = "plait.sharding_constraint"(%x) {sharding = #sdy.sharding<@mesh, [{"x"}, {}]>}`:
    x, laid out as the sharding says (lowered to sdy.sharding_constraint)."""

    arity = 1
    attrs = {"sharding": Raw("sharding")}
    traits = (Pure(), Linear(0))

    def infer(self, avals, sharding):
        (x,) = avals
        if not sdy.TensorShardingAttr.isinstance(sharding):
            raise PlaitTypeError(f"{self.name}: sharding must be a #sdy.sharding, got {sharding}")
        n = len(sdy.TensorShardingAttr(sharding).dimension_shardings)
        if n != x.ndim:
            raise PlaitTypeError(f"{self.name}: the sharding has {n} dimensions, the value "
                                 f"{x.ndim}")
        return [x]


sharding_constraint = ShardingConstraint("plait.sharding_constraint",
                                         "Constrain the sharding of a value.")


class ShardMap(RegionOp):
    """`%r = "plait.shard_map"(%x) {in_shardings = #sdy.sharding_per_value<[...]>,
    out_shardings = #sdy.sharding_per_value<[...]>, manual_axes = ["x", "y"]} ({ ^bb0(%b): ...
    "plait.yield"(%v) })`: the body runs once per device on its shard of each operand (shapes
    divided by the mesh axes sharding them); results are assembled from the yielded shards.
    Lowered to sdy.manual_computation."""

    attrs = {"in_shardings": Raw(), "out_shardings": Raw(), "mesh_axes": Raw()}
    traits = (Pure(), HasRegions(1), Linear(from_operand=0))

    def verify_regions(self, op, params):
        sizes = axis_sizes(params["mesh_axes"])
        ins, outs = per_value_dims(params["in_shardings"]), per_value_dims(params["out_shardings"])
        if len(ins) != len(op.operands) or len(outs) != len(op.results):
            raise PlaitTypeError(f"{self.name} needs one in sharding per operand and one out "
                                 "sharding per result")
        body = block_of(op.regions[0])
        want_in = [local_type(v.type, d, sizes) for v, d in zip(op.operands, ins)]
        got_in = [a.type for a in body.arguments]
        if got_in != want_in:
            raise PlaitTypeError(f"{self.name} body takes {got_in}, expected per-device types "
                                 f"{want_in}")
        want_out = [local_type(r.type, d, sizes) for r, d in zip(op.results, outs)]
        got_out = [v.type for v in yielded(body)]
        if got_out != want_out:
            raise PlaitTypeError(f"{self.name} body yields {got_out}, expected per-device types "
                                 f"{want_out}")


def axis_sizes(mesh_axes: ir.Attribute) -> dict:
    """The `mesh_axes` attribute (a #sdy.mesh) as {name: size}."""
    m = sdy.MeshAttr(mesh_axes)
    return {sdy.MeshAxisAttr(a).name: sdy.MeshAxisAttr(a).size for a in m.axes}


def local_type(t: ir.Type, dims, sizes: dict) -> ir.Type:
    a = _aval.aval_of_type(t)
    shape = []
    for n, d in zip(a.shape, dims):
        k = 1
        for ax in d:
            k *= sizes[ax]
        if n % k:
            raise PlaitTypeError(f"dimension of size {n} is not divisible by its mesh axes {d}")
        shape.append(n // k)
    return _aval.ir_type(a.update(shape=tuple(shape)))


shard_map = ShardMap("plait.shard_map", "Per-device code over a mesh (manual SPMD).")
