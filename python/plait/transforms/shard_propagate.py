"""plait-shard-propagate: give every value of a sharded program a sharding (`shard_rules`).

Seeds are the shardings the user asked for: `plait.sharding_constraint` ops, the results of
`plait.shard_map` ops (laid out as their out_specs say), and `sdy.sharding` on the public
functions' arguments and results. Rules carry shardings forward
(`forward_rules[op](operand dims, operand priorities, **params) -> result dims`) and backward
(`backward_rules[op](result dims, number of operands, **params) -> operand dims`) until
nothing changes. A sharding is a tuple with the mesh axes of each dimension.

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
from plait.dialect import ops as P
from plait.dialect.elementwise import BINARY, UNARY
from plait.transforms.base import Pass, plait_funcs

forward_rules: dict = {}
backward_rules: dict = {}

CONSTRAINT, ANNOTATION, PROPAGATED = 0, 1, 2  # priorities: lower wins


def rule(table, *ops):
    def deco(fn):
        for op in ops:
            table[op.name] = fn
        return fn
    return deco


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


for _op in (P.reduce_sum, P.reduce_prod, P.reduce_max, P.reduce_min, P.reduce_and, P.reduce_or):
    forward_rules[_op.name] = _reduce_fwd


@rule(forward_rules, P.argmax, P.argmin)
def _arg_fwd(dims_list, prios, axis, index_dtype):
    (x,) = dims_list
    return None if x is None else tuple(d for i, d in enumerate(x) if i != axis)


@rule(forward_rules, P.reshape)
def _reshape_fwd(dims_list, prios, new_sizes, _shape=None):
    """Dimensions kept from the operand's leading ones keep their axes; the rest replicate."""
    (x,) = dims_list
    if x is None or _shape is None:
        return None
    out = []
    for i, n in enumerate(new_sizes):
        out.append(x[i] if i < len(_shape) and _shape[i] == n and
                   all(_shape[j] == new_sizes[j] for j in range(i)) else ())
    return tuple(out)


@rule(forward_rules, P.dot_general)
def _dot_fwd(dims_list, prios, lhs_batching_dimensions, rhs_batching_dimensions,
             lhs_contracting_dimensions, rhs_contracting_dimensions, _ranks=None):
    """Batch dims, then lhs free dims, then rhs free dims keep their operand's axes (the lhs
    wins a batch dimension both shard; an axis an earlier dimension took is dropped, as a
    sharding names each axis once); contracting axes are reduced over by Shardy."""
    lhs, rhs = dims_list
    if lhs is None and rhs is None or _ranks is None:
        return None
    lr, rr = _ranks
    lhs = lhs or ((),) * lr
    rhs = rhs or ((),) * rr
    lb, rb = lhs_batching_dimensions, rhs_batching_dimensions
    lc, rc = lhs_contracting_dimensions, rhs_contracting_dimensions
    dims = [lhs[i] or rhs[j] for i, j in zip(lb, rb)]
    dims += [lhs[i] for i in range(lr) if i not in lb and i not in lc]
    dims += [rhs[i] for i in range(rr) if i not in rb and i not in rc]
    out, used = [], set()
    for d in dims:
        out.append(tuple(a for a in d if a not in used))
        used.update(d)
    return tuple(out)


# --- the pass ----------------------------------------------------------------------------------

def _extra_params(op, params):
    """Shapes some rules need beyond the op's attributes."""
    if op.name == P.reshape.name:
        params["_shape"] = aval_of(op.operands[0]).shape
    elif op.name == P.dot_general.name:
        params["_ranks"] = tuple(aval_of(v).ndim for v in op.operands)
    return params


def propagate(func_op, seeds: dict) -> dict:
    """value -> (dims, priority) for the values of one function's body."""
    from plait.dialect.sharding import shard_map
    from plait.sharding import dims_of, per_value_dims

    known = dict(seeds)
    block = func_op.regions[0].blocks[0]
    ops = [o.operation for o in list(block.operations)[:-1]]
    for op in ops:
        if op.name == P.sharding_constraint.name:
            known[op.results[0]] = (dims_of(op.attributes["sharding"]), CONSTRAINT)
        elif op.name == shard_map.name:  # its results are laid out as its out_specs say
            for r, d in zip(op.results, per_value_dims(op.attributes["out_shardings"])):
                _set(known, r, d, ANNOTATION)
    for _ in range(4):
        changed = False
        for op in ops:
            fwd = forward_rules.get(op.name)
            if fwd is None or len(op.results) != 1:
                continue
            ins = [known.get(v) for v in op.operands]
            if all(i is None for i in ins):
                continue
            params = _extra_params(op, {k: v for k, v in OPS[op.name].params_of(op).items()
                                        if v is not None})
            prios = [i[1] if i else len(ins) + PROPAGATED for i in ins]
            dims = fwd([i[0] if i else None for i in ins], prios, **params)
            changed |= _set(known, op.results[0], dims, max(min(prios), PROPAGATED))
        for op in reversed(ops):
            bwd = backward_rules.get(op.name)
            out = known.get(op.results[0]) if len(op.results) == 1 else None
            if bwd is None or out is None:
                continue
            params = {k: v for k, v in OPS[op.name].params_of(op).items() if v is not None}
            for v, d in zip(op.operands, bwd(out[0], len(op.operands), **params)):
                if aval_of(v).ndim == len(d):
                    changed |= _set(known, v, d, PROPAGATED + 1)
        if not changed:
            break
    return known


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
        from plait.dialect.sharding import shard_map
        from plait.sharding import dims_of, per_value_attr, sharding_attr

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
            known = propagate(f, seeds)
            for op in list(block.operations)[:-1]:
                o = op.operation
                if (o.name.startswith("plait.") and o.name != shard_map.name and o.results
                        and all(r in known for r in o.results)):
                    o.attributes["sdy.sharding"] = per_value_attr([known[r][0] for r in o.results])
            res = []
            for i, v in enumerate(ret.operands):
                attr = _arg_attr(f, "res_attrs", i)
                if attr is None:
                    dims = known[v][0] if v in known else ((),) * aval_of(v).ndim
                    attr = sharding_attr(dims)
                res.append(ir.DictAttr.get({"sdy.sharding": attr}))
            f.attributes["res_attrs"] = ir.ArrayAttr.get(res)


def _arg_attr(func_op, key: str, i: int):
    if key not in func_op.attributes:
        return None
    d = ir.DictAttr(ir.ArrayAttr(func_op.attributes[key])[i])
    return d["sdy.sharding"] if "sdy.sharding" in d else None
