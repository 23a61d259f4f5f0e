"""plait-shard-propagate: give every value of a sharded program a sharding (`shard_rules`).

Seeds are the shardings the user asked for: `plait.sharding_constraint` ops, the results of
`plait.shard_map` ops (laid out as their out_specs say), and `sdy.sharding` on the public
functions' arguments and results. Rules carry shardings forward
(`forward_rules[op](operand dims, operand priorities, **params) -> result dims`) and backward
(`backward_rules[op](result dims, number of operands, **params) -> dims per operand`, None
where nothing follows) until nothing changes. A sharding is a tuple with the mesh axes of each
dimension. Every op has a forward rule; `_unknown` says explicitly that nothing follows.

Region ops (cond, while, scan) have `region_rules` instead: the edges along which a sharding
flows unchanged or (un)stacked — operands to block arguments, inits and yields to results —
so propagation goes on inside their regions. A shard_map body is per-device code: not entered.

Priority when two shardings meet (documented in docs/architecture.md): a sharding_constraint
beats an argument/result annotation, which beats a propagated sharding; among operands of
equal priority the first one wins. The result is written as Shardy attributes — on each
plait op (`sdy.sharding = #sdy.sharding_per_value<[...]>`) and on results without one — which
plait-lower-to-stablehlo keeps, so Shardy partitions the program as plait decided.
"""

from __future__ import annotations

from plait._mlir import ir
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import control as C
from plait.dialect import ops as P
from plait.dialect.control import yielded
from plait.dialect.elementwise import BINARY, UNARY
from plait.dialect.sharding import shard_map
from plait.ir.sharding import dims_of, per_value_attr, per_value_dims, sharding_attr
from plait.transforms.base import Pass, plait_funcs

forward_rules: dict = {}
backward_rules: dict = {}
region_rules: dict = {}  # op -> rule(op, params) -> (edges into its regions, edges out of them)

CONSTRAINT, ANNOTATION, PROPAGATED = 0, 1, 2  # priorities: lower wins


def rule(table, *ops):
    def deco(fn):
        for op in ops:
            table[op.name] = fn
        return fn
    return deco


def _once(dims) -> tuple:
    """Drop the axes an earlier dimension already took: a sharding names each axis once."""
    out, used = [], set()
    for d in dims:
        out.append(tuple(a for a in d if a not in used))
        used.update(d)
    return tuple(out)


def _unknown(dims_list, prios, **params):
    """Nothing follows from the operands: no operands (constant, iota), or a seed."""
    return None


# Seeded instead (sharding_constraint, shard_map), or only inside a shard_map body, which is
# per-device code that propagation does not enter (the other collectives).
for _op in (P.constant, P.iota, P.sharding_constraint, shard_map, P.axis_index, P.all_gather,
            P.psum_scatter):
    forward_rules[_op.name] = _unknown


def _same(dims_list, prios, **params):
    """Elementwise: the operand sharding of highest priority (the first one on a tie)."""
    k = min(range(len(dims_list)), key=lambda i: prios[i])
    return dims_list[k]


for _op in UNARY + BINARY + [P.complex, P.compare, P.select, P.clamp, P.convert, P.cumsum,
                             P.rev, P.psum, P.ppermute]:
    forward_rules[_op.name] = _same
    backward_rules[_op.name] = lambda out, n, **p: [out] * n


@rule(forward_rules, P.broadcast_in_dim)
def _broadcast_fwd(dims_list, prios, shape, broadcast_dimensions):
    (x,) = dims_list
    if x is None:
        return None
    out = [()] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        out[d] = x[i]
    return tuple(out)


@rule(backward_rules, P.broadcast_in_dim)
def _broadcast_bwd(out, n, shape, broadcast_dimensions):
    return [tuple(out[d] for d in broadcast_dimensions)]


@rule(forward_rules, P.transpose)
def _transpose_fwd(dims_list, prios, permutation):
    (x,) = dims_list
    return None if x is None else tuple(x[p] for p in permutation)


@rule(backward_rules, P.transpose)
def _transpose_bwd(out, n, permutation):
    inv = [0] * len(permutation)
    for i, p in enumerate(permutation):
        inv[p] = out[i]
    return [tuple(inv)]


def _reduce_fwd(dims_list, prios, axes):
    (x,) = dims_list
    return None if x is None else tuple(d for i, d in enumerate(x) if i not in axes)


def _reduce_bwd(out, n, axes):
    dims = list(out)
    for a in sorted(axes):
        dims.insert(a, ())
    return [tuple(dims)]


for _op in (P.reduce_sum, P.reduce_prod, P.reduce_max, P.reduce_min, P.reduce_and, P.reduce_or):
    forward_rules[_op.name] = _reduce_fwd
    backward_rules[_op.name] = _reduce_bwd


@rule(forward_rules, P.argmax, P.argmin)
def _arg_fwd(dims_list, prios, axis, index_dtype):
    (x,) = dims_list
    return None if x is None else tuple(d for i, d in enumerate(x) if i != axis)


def _reshape_pairs(shape, new_sizes) -> list:
    """(operand dim, result dim) pairs that a reshape keeps whole: size-1 dimensions aside,
    dims are grouped into the fewest runs of equal product; a run of one dim on each side
    maps it to itself, the dims of merged or split runs map to nothing."""
    if 0 in shape:
        return []
    pairs, i, j = [], 0, 0
    while i < len(shape) and j < len(new_sizes):
        if shape[i] == 1 or new_sizes[j] == 1:
            i, j = i + (shape[i] == 1), j + (new_sizes[j] == 1)
        elif shape[i] == new_sizes[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        else:
            p, q, i, j = shape[i], new_sizes[j], i + 1, j + 1
            while p != q:
                if p < q:
                    p, i = p * shape[i], i + 1
                else:
                    q, j = q * new_sizes[j], j + 1
    return pairs


@rule(forward_rules, P.reshape)
def _reshape_fwd(dims_list, prios, new_sizes, _shapes, _out):
    """Dimensions the reshape keeps whole keep their axes; the rest replicate."""
    (x,) = dims_list
    if x is None:
        return None
    out = [()] * len(new_sizes)
    for i, j in _reshape_pairs(_shapes[0], new_sizes):
        out[j] = x[i]
    return tuple(out)


@rule(backward_rules, P.reshape)
def _reshape_bwd(out, n, new_sizes, _shapes, _out):
    dims = [()] * len(_shapes[0])
    for i, j in _reshape_pairs(_shapes[0], new_sizes):
        dims[i] = out[j]
    return [tuple(dims)]


@rule(forward_rules, P.dot_general)
def _dot_fwd(dims_list, prios, lhs_batching_dimensions, rhs_batching_dimensions,
             lhs_contracting_dimensions, rhs_contracting_dimensions, _shapes, _out):
    """Batch dims, then lhs free dims, then rhs free dims keep their operand's axes (the lhs
    wins a batch dimension both shard; an axis an earlier dimension took is dropped, as a
    sharding names each axis once); contracting axes are reduced over by Shardy."""
    lhs, rhs = dims_list
    if lhs is None and rhs is None:
        return None
    lr, rr = (len(s) for s in _shapes)
    lhs = lhs or ((),) * lr
    rhs = rhs or ((),) * rr
    lb, rb = lhs_batching_dimensions, rhs_batching_dimensions
    lc, rc = lhs_contracting_dimensions, rhs_contracting_dimensions
    dims = [lhs[i] or rhs[j] for i, j in zip(lb, rb)]
    dims += [lhs[i] for i in range(lr) if i not in lb and i not in lc]
    dims += [rhs[i] for i in range(rr) if i not in rb and i not in rc]
    return _once(dims)


# --- slicing, padding, indexing: a dimension whose size is unchanged keeps its axes ----------

def _keep_full(x, shape, out_shape) -> tuple:
    return tuple(d if n == m else () for d, n, m in zip(x, shape, out_shape))


@rule(forward_rules, P.slice, P.dynamic_slice)
def _slice_fwd(dims_list, prios, _shapes, _out, **params):
    x = dims_list[0]
    return None if x is None else _keep_full(x, _shapes[0], _out)


@rule(backward_rules, P.slice, P.dynamic_slice)
def _slice_bwd(out, n, _shapes, _out, **params):
    return [_keep_full(out, _out, _shapes[0])] + [None] * (n - 1)


def _unpadded(dims, edge_padding_low, edge_padding_high, interior_padding) -> tuple:
    return tuple(d if lo == hi == it == 0 else ()
                 for d, lo, hi, it in zip(dims, edge_padding_low, edge_padding_high,
                                          interior_padding))


@rule(forward_rules, P.pad)
def _pad_fwd(dims_list, prios, **params):
    x = dims_list[0]
    return None if x is None else _unpadded(x, **params)


@rule(backward_rules, P.pad)
def _pad_bwd(out, n, **params):
    return [_unpadded(out, **params), None]


@rule(forward_rules, P.concatenate)
def _concat_fwd(dims_list, prios, dimension):
    x = _same(dims_list, prios)
    return None if x is None else x[:dimension] + ((),) + x[dimension + 1:]


@rule(backward_rules, P.concatenate)
def _concat_bwd(out, n, dimension):
    return [out[:dimension] + ((),) + out[dimension + 1:]] * n


@rule(forward_rules, P.dynamic_update_slice)
def _update_slice_fwd(dims_list, prios, _shapes, _out):
    """The operand's layout; else the update's dimensions that span the whole operand."""
    x, upd = dims_list[:2]
    if x is None and upd is not None:
        return _keep_full(upd, _shapes[1], _out)
    return x


@rule(backward_rules, P.dynamic_update_slice)
def _update_slice_bwd(out, n, _shapes, _out):
    return [out, _keep_full(out, _out, _shapes[1])] + [None] * (n - 2)


@rule(forward_rules, P.scatter)
def _scatter_fwd(dims_list, prios, **params):
    return dims_list[0]


@rule(backward_rules, P.scatter)
def _scatter_bwd(out, n, **params):
    return [out, None, None]


@rule(forward_rules, P.gather)
def _gather_fwd(dims_list, prios, offset_dims, collapsed_slice_dims, operand_batching_dims,
                start_indices_batching_dims, index_vector_dim, slice_sizes, _shapes, _out,
                **params):
    """Offset dims keep the operand's axes where the slice is whole; batch dims take the
    indices' axes, else those of the matching operand batching dim."""
    x, idx = dims_list
    if x is None and idx is None:
        return None
    xshape, ishape = _shapes
    x = x or ((),) * len(xshape)
    idx = idx or ((),) * len(ishape)
    dropped = set(collapsed_slice_dims) | set(operand_batching_dims)
    offsets = iter(x[d] if slice_sizes[d] == xshape[d] else ()
                   for d in range(len(xshape)) if d not in dropped)
    batch = []
    for i in range(len(ishape)):
        if i == index_vector_dim:
            continue
        d = idx[i]
        if not d and i in start_indices_batching_dims:
            d = x[operand_batching_dims[start_indices_batching_dims.index(i)]]
        batch.append(d)
    batch = iter(batch)
    return _once(next(offsets) if k in offset_dims else next(batch) for k in range(len(_out)))


# Rules that need the operand shapes and result shape besides the op's attributes.
SHAPED = {op.name for op in (P.reshape, P.dot_general, P.slice, P.dynamic_slice,
                             P.dynamic_update_slice, P.gather)}


# --- region ops: edges (source, target, (forward map, backward map)) -------------------------

_ID = (lambda d: d, lambda d: d)
_UNSTACK = (lambda d: d[1:], lambda d: ((),) + d)  # xs -> one slice: the scanned dim goes
_STACK = (lambda d: ((),) + d, lambda d: d[1:])  # one slice -> ys: a new, unsharded dim 0


def _args(region) -> list:
    return list(region.blocks[0].arguments)


@rule(region_rules, C.cond)
def _cond_edges(op, params):
    """Each branch takes the operands; a result, the first branch's yield that has one."""
    operands, results = list(op.operands)[1:], list(op.results)
    ins = [(v, a, _ID) for r in op.regions for v, a in zip(operands, _args(r))]
    outs = [(y, res, _ID) for r in op.regions
            for y, res in zip(yielded(r.blocks[0]), results)]
    return ins, outs


@rule(region_rules, C.while_)
def _while_edges(op, params):
    """Both regions take (consts, carry); a result, its init's sharding, else the body's."""
    operands, results = list(op.operands), list(op.results)
    ins = [(v, a, _ID) for r in op.regions for v, a in zip(operands, _args(r))]
    outs = [(v, res, _ID) for v, res in zip(operands[params["num_consts"]:], results)]
    outs += [(y, res, _ID) for y, res in zip(yielded(op.regions[1].blocks[0]), results)]
    return ins, outs


@rule(region_rules, C.scan)
def _scan_edges(op, params):
    """The body takes (consts, carry, one slice of each xs); carry results take the inits'
    shardings (else the body's), ys stack the body's along a new dimension 0."""
    nc, nk = params["num_consts"], params["num_carry"]
    operands, results, args = list(op.operands), list(op.results), _args(op.regions[0])
    ys = yielded(op.regions[0].blocks[0])
    ins = [(v, a, _ID) for v, a in zip(operands[:nc + nk], args)]
    ins += [(v, a, _UNSTACK) for v, a in zip(operands[nc + nk:], args[nc + nk:])]
    outs = [(v, res, _ID) for v, res in zip(operands[nc:nc + nk], results)]
    outs += [(y, res, _ID) for y, res in zip(ys[:nk], results)]
    outs += [(y, res, _STACK) for y, res in zip(ys[nk:], results[nk:])]
    return ins, outs


# --- the pass ----------------------------------------------------------------------------------

class _OpStep:
    """One non-region op, with what its rules need decoded once."""

    __slots__ = ("op", "operands", "results", "ranks", "fwd", "bwd", "_params")

    def __init__(self, op):
        self.op = op
        self.operands, self.results = list(op.operands), list(op.results)
        self.ranks = None
        self.fwd, self.bwd = forward_rules.get(op.name), backward_rules.get(op.name)
        self._params = None

    def params(self) -> dict:
        if self._params is None:
            op = self.op
            p = {k: v for k, v in OPS[op.name].params_of(op).items() if v is not None}
            if op.name in SHAPED:
                p["_shapes"] = tuple(aval_of(v).shape for v in self.operands)
                p["_out"] = aval_of(self.results[0]).shape
            self._params = p
        return self._params

    def forward(self, known) -> bool:
        if self.fwd is None or len(self.results) != 1:
            return False
        ins = [known.get(v) for v in self.operands]
        if all(i is None for i in ins):
            return False
        prios = [i[1] if i else len(ins) + PROPAGATED for i in ins]
        dims = self.fwd([i[0] if i else None for i in ins], prios, **self.params())
        return _set(known, self.results[0], dims, max(min(prios), PROPAGATED))

    def backward(self, known) -> bool:
        out = known.get(self.results[0]) if self.bwd and len(self.results) == 1 else None
        if out is None:
            return False
        if self.ranks is None:
            self.ranks = [aval_of(v).ndim for v in self.operands]
        changed = False
        for v, r, d in zip(self.operands, self.ranks, self.bwd(out[0], len(self.operands),
                                                               **self.params())):
            if d is not None and len(d) == r:
                changed |= _set(known, v, d, PROPAGATED + 1)
        return changed


class _EdgeStep:
    """Edges of a region op: into its regions (before them) or out of them (after them)."""

    __slots__ = ("edges",)

    def __init__(self, edges):
        self.edges = edges

    def forward(self, known) -> bool:
        changed = False
        for src, dst, (f, _) in self.edges:
            s = known.get(src)
            if s is not None:
                changed |= _set(known, dst, f(s[0]), max(s[1], PROPAGATED))
        return changed

    def backward(self, known) -> bool:
        changed = False
        for src, dst, (_, b) in self.edges:
            d = known.get(dst)
            if d is not None:
                changed |= _set(known, src, b(d[0]), PROPAGATED + 1)
        return changed


def _walk(block, steps: list, ops: list, known: dict) -> None:
    """Steps in program order, entering region ops; seeds the constraints and shard_maps."""
    for o in list(block.operations)[:-1]:
        op = o.operation
        ops.append(op)
        if op.name == P.sharding_constraint.name:
            known[op.results[0]] = (dims_of(op.attributes["sharding"]), CONSTRAINT)
        elif op.name == shard_map.name:  # its results are laid out as its out_specs say
            for r, d in zip(op.results, per_value_dims(op.attributes["out_shardings"])):
                _set(known, r, d, ANNOTATION)
        edges = region_rules.get(op.name)
        if edges is None:
            steps.append(_OpStep(op))
            continue
        ins, outs = edges(op, OPS[op.name].params_of(op))
        steps.append(_EdgeStep(ins))
        for region in op.regions:
            _walk(region.blocks[0], steps, ops, known)
        steps.append(_EdgeStep(outs))


def propagate(func_op, seeds: dict) -> tuple[dict, list]:
    """value -> (dims, priority) for the values of one function's body (regions included),
    and the ops visited.

    Runs forward and backward sweeps to a fixpoint. It ends: `_set` only ever lowers a
    value's priority (unknown, then 3 ... 0), so each value changes at most four times and
    a sweep that changes nothing stops the loop. Most programs need two sweeps.
    """
    known = dict(seeds)
    steps, ops = [], []
    _walk(func_op.regions[0].blocks[0], steps, ops, known)
    changed = True
    while changed:
        changed = False
        for s in steps:
            changed |= s.forward(known)
        for s in reversed(steps):
            changed |= s.backward(known)
    return known, ops


def _set(known, value, dims, prio) -> bool:
    if dims is None:
        return False
    old = known.get(value)
    if old is not None and old[1] <= prio:
        return False
    known[value] = (tuple(dims), prio)
    return True


class ShardPropagatePass(Pass):
    name = "plait-shard-propagate"
    summary = "Propagate shardings from annotations to every value (a sharded program only)."

    def run(self, module):
        if not any(o.operation.name == "sdy.mesh" for o in module.regions[0].blocks[0].operations):
            return
        for func in plait_funcs(module):
            f = func.operation
            if "sym_visibility" in f.attributes:
                continue
            block = f.regions[0].blocks[0]
            seeds = {}
            for i, arg in enumerate(block.arguments):
                attr = _arg_attr(f, "arg_attrs", i)
                if attr is not None:
                    seeds[arg] = (dims_of(attr), ANNOTATION)
            ret = list(block.operations)[-1].operation
            for i, v in enumerate(ret.operands):
                attr = _arg_attr(f, "res_attrs", i)
                if attr is not None and v not in seeds:
                    seeds[v] = (dims_of(attr), ANNOTATION)
            known, ops = propagate(f, seeds)
            for o in ops:
                if o.name.startswith("plait.") and o.name != shard_map.name and o.results:
                    dims = _result_dims(o, known)
                    if None not in dims:
                        o.attributes["sdy.sharding"] = per_value_attr(dims)
            res = []
            for i, v in enumerate(ret.operands):
                attr = _arg_attr(f, "res_attrs", i)
                if attr is None:
                    dims = known[v][0] if v in known else ((),) * aval_of(v).ndim
                    attr = sharding_attr(dims)
                res.append(ir.DictAttr.get({"sdy.sharding": attr}))
            f.attributes["res_attrs"] = ir.ArrayAttr.get(res)


def _result_dims(op, known) -> list:
    """The shardings of op's results, None where unknown. A scalar result of a region op
    (a loop counter) is replicated, so the op can carry one sharding per result."""
    dims = [known[r][0] if r in known else None for r in op.results]
    if op.name in region_rules:
        dims = [() if d is None and aval_of(r).ndim == 0 else d for d, r in zip(dims, op.results)]
    return dims


def _arg_attr(func_op, key: str, i: int):
    if key not in func_op.attributes:
        return None
    d = ir.DictAttr(ir.ArrayAttr(func_op.attributes[key])[i])
    return d["sdy.sharding"] if "sdy.sharding" in d else None
