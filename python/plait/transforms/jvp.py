"""plait-jvp: forward-mode differentiation, one JVP rule per op (`jvp_rules`).

`"plait.jvp"(%args, %tangents) {callee = @f, diff_args}` becomes a call of a generated
`@f_jvp(args..., tangents...) -> (outs..., tangent outs...)`, built by walking @f: each op is
cloned for its primal value and, when an operand has a tangent, its rule emits the tangent:

    rule(primals, tangents, outs, **params) -> [tangent of each result, or None]

`None` is a symbolic zero: rules never materialise zero tangents, so ops not touched by a
tangent are plain clones and the output has no adds of zeros. Integer and bool values have no
tangent. Tangent ops are linear in the tangents, which plait-linearize and plait-transpose
rely on.
"""

from __future__ import annotations

import math

from plait._mlir import ir
from plait.core import dtypes
from plait.core.aval import aval_of
from plait.dialect import OPS
from plait.dialect import ops as P
from plait.dialect.base import REMAT_ATTR, rule_registrar
from plait.dialect.builders import add_any, full_like, zeros_like
from plait.dialect.transform import custom_lin
from plait.ir.funcs import (
    clone_into,
    finish_func,
    function_type,
    new_func,
    return_op,
)
from plait.transforms.base import Pass, fail
from plait.transforms.expand import (
    ModuleState,
    body_ops,
    callee_of,
    replace_with_call,
    require_body,
)

jvp_rules: dict = {}


defjvp = rule_registrar(jvp_rules)


def _inexact(v) -> bool:
    return dtypes.is_inexact(aval_of(v).dtype)


# --- rules ------------------------------------------------------------------------------------

def _zero_rule(primals, tangents, outs, **params):
    return [None] * len(outs)


for _op in (P.sign, P.floor, P.ceil, P.round, P.is_finite, P.not_, P.and_, P.or_, P.xor,
            P.compare, P.iota, P.constant, P.reduce_and, P.reduce_or, P.argmax, P.argmin,
            P.axis_index):
    jvp_rules[_op.name] = _zero_rule


def _unary_linear(op):
    """Rule of an op linear in its first operand; other operands (indices) are reused."""

    def rule(primals, tangents, outs, **params):
        if tangents[0] is None:
            return [None]
        return [op(tangents[0], *primals[1:], **params)]
    return rule


for _op in (P.neg, P.real, P.imag, P.broadcast_in_dim, P.reshape, P.transpose, P.slice, P.rev,
            P.cumsum, P.reduce_sum, P.dynamic_slice, P.gather, P.psum, P.all_gather,
            P.psum_scatter, P.ppermute, P.sharding_constraint):
    jvp_rules[_op.name] = _unary_linear(_op)


@defjvp(P.add)
def _add_jvp(primals, tangents, outs):
    return [add_any(*tangents)]


@defjvp(P.sub)
def _sub_jvp(primals, tangents, outs):
    tx, ty = tangents
    if ty is None:
        return [tx]
    return [P.neg(ty) if tx is None else P.sub(tx, ty)]


def _scaled(t, factor):
    return None if t is None else P.mul(t, factor)


def _unary_deriv(deriv):
    """Rule for y = f(x) given dy/dx = deriv(x, y)."""

    def rule(primals, tangents, outs):
        return [_scaled(tangents[0], deriv(primals[0], outs[0]))]
    return rule


jvp_rules[P.exp.name] = _unary_deriv(lambda x, y: y)
jvp_rules[P.log.name] = _unary_deriv(lambda x, y: P.div(full_like(x, 1), x))
jvp_rules[P.log1p.name] = _unary_deriv(lambda x, y: P.div(full_like(x, 1), P.add(x, full_like(x, 1))))
jvp_rules[P.expm1.name] = _unary_deriv(lambda x, y: P.add(y, full_like(y, 1)))
jvp_rules[P.sqrt.name] = _unary_deriv(lambda x, y: P.div(full_like(y, 0.5), y))
jvp_rules[P.rsqrt.name] = _unary_deriv(lambda x, y: P.div(P.mul(y, full_like(y, -0.5)), x))
jvp_rules[P.sin.name] = _unary_deriv(lambda x, y: P.cos(x))
jvp_rules[P.cos.name] = _unary_deriv(lambda x, y: P.neg(P.sin(x)))
jvp_rules[P.tan.name] = _unary_deriv(lambda x, y: P.add(full_like(y, 1), P.mul(y, y)))
jvp_rules[P.tanh.name] = _unary_deriv(lambda x, y: P.sub(full_like(y, 1), P.mul(y, y)))
jvp_rules[P.logistic.name] = _unary_deriv(lambda x, y: P.mul(y, P.sub(full_like(y, 1), y)))
jvp_rules[P.erf.name] = _unary_deriv(
    lambda x, y: P.mul(full_like(x, 2 / math.sqrt(math.pi)), P.exp(P.neg(P.mul(x, x)))))


@defjvp(P.abs)
def _abs_jvp(primals, tangents, outs):
    (x,), (t,) = primals, tangents
    if t is None:
        return [None]
    if dtypes.is_complex(aval_of(x).dtype):
        y = outs[0]
        safe = P.select(P.compare(y, full_like(y, 0), direction="EQ"), full_like(y, 1), y)
        conj_x = P.complex(P.real(x), P.neg(P.imag(x)))
        return [P.div(P.real(P.mul(conj_x, t)), safe)]
    # select, not t * sign(x): the derivative at 0 is +1, as in jax
    return [P.select(P.compare(x, full_like(x, 0), direction="GE"), t, P.neg(t))]


@defjvp(P.mul)
def _mul_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    return [add_any(_scaled(tx, y), None if ty is None else P.mul(x, ty))]


@defjvp(P.div)
def _div_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    a = None if tx is None else P.div(tx, y)
    # -ty * x / y / y, all linear ops: the residuals are x and y (as in jax), where
    # ty * (out / y) would store out / y, one more array of out's size
    b = None if ty is None else P.neg(P.div(P.div(P.mul(ty, x), y), y))
    return [add_any(a, b)]


@defjvp(P.rem)
def _rem_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    if ty is None:
        return [tx]
    q = P.div(x, y)
    trunc = P.mul(P.sign(q), P.floor(P.abs(q)))
    return [add_any(tx, P.neg(P.mul(ty, trunc)))]


@defjvp(P.pow)
def _pow_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    out = outs[0]
    a = b = None
    if tx is not None:
        # d/dx x**y = y * x**(y-1): a select only at x == y == 0 (taken as 0, not 0 * inf),
        # with x replaced there too, so no nan reaches the derivatives of the other branch.
        # Elsewhere the formula is kept whole: its own derivatives in y are those of x**y.
        zero = full_like(y, 0)
        at_00 = P.and_(P.compare(x, zero, direction="EQ"), P.compare(y, zero, direction="EQ"))
        x_safe = P.select(at_00, full_like(x, 1), x)
        dx = P.select(at_00, zero, P.mul(y, P.pow(x_safe, P.sub(y, full_like(y, 1)))))
        a = P.mul(tx, dx)
    if ty is not None:
        is_zero = P.compare(x, full_like(x, 0), direction="EQ")
        dy = P.select(is_zero, full_like(x, 0), P.mul(out, P.log(P.select(
            is_zero, full_like(x, 1), x))))
        b = P.mul(ty, dy)
    return [add_any(a, b)]


def _balanced(x, y, out):
    """1 where x alone attains `out`, 1/2 on ties, else 0 (jax's max/min convention)."""
    one, half, zero = full_like(x, 1), full_like(x, 0.5), full_like(x, 0)
    x_hit = P.compare(x, out, direction="EQ")
    tie = P.compare(x, y, direction="EQ")
    return P.select(tie, half, P.select(x_hit, one, zero))


@defjvp(P.max, P.min)
def _minmax_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    out = outs[0]
    a = None if tx is None else P.mul(tx, _balanced(x, y, out))
    b = None if ty is None else P.mul(ty, _balanced(y, x, out))
    return [add_any(a, b)]


@defjvp(P.atan2)
def _atan2_jvp(primals, tangents, outs):
    (x, y), (tx, ty) = primals, tangents
    denom = P.add(P.mul(x, x), P.mul(y, y))
    a = None if tx is None else P.div(P.mul(tx, y), denom)
    b = None if ty is None else P.neg(P.div(P.mul(ty, x), denom))
    return [add_any(a, b)]


@defjvp(P.complex)
def _complex_jvp(primals, tangents, outs):
    tr, ti = tangents
    return [P.complex(tr if tr is not None else zeros_like(primals[0]),
                      ti if ti is not None else zeros_like(primals[1]))]


@defjvp(P.select)
def _select_jvp(primals, tangents, outs):
    p, a, b = primals
    _, ta, tb = tangents
    if ta is None and tb is None:
        return [None]
    return [P.select(p, ta if ta is not None else zeros_like(a),
                     tb if tb is not None else zeros_like(b))]


@defjvp(P.clamp)
def _clamp_jvp(primals, tangents, outs):
    """jax's convention: at x == lo or x == hi no operand gets the tangent; lo's tangent
    passes where x < lo < hi, hi's where hi < x."""
    lo, x, hi = primals
    tlo, tx, thi = tangents
    lt = lambda a, b: P.compare(a, b, direction="LT")
    below = P.and_(lt(x, lo), lt(lo, hi))
    inside = P.and_(lt(lo, x), lt(x, hi))
    pick = lambda mask, t: None if t is None else P.select(mask, t, zeros_like(t))
    return [add_any(add_any(pick(inside, tx), pick(below, tlo)), pick(lt(hi, x), thi))]


@defjvp(P.convert)
def _convert_jvp(primals, tangents, outs, new_dtype):
    (t,) = tangents
    if t is None or not dtypes.is_inexact(new_dtype):
        return [None]
    return [P.convert(t, new_dtype=new_dtype)]


@defjvp(P.pad)
def _pad_jvp(primals, tangents, outs, **params):
    tx, tv = tangents
    if tx is None and tv is None:
        return [None]
    tx = tx if tx is not None else zeros_like(primals[0])
    tv = tv if tv is not None else zeros_like(primals[1])
    return [P.pad(tx, tv, **params)]


@defjvp(P.concatenate)
def _concatenate_jvp(primals, tangents, outs, dimension):
    if all(t is None for t in tangents):
        return [None]
    ts = [t if t is not None else zeros_like(p) for p, t in zip(primals, tangents)]
    return [P.concatenate(*ts, dimension=dimension)]


@defjvp(P.dynamic_update_slice)
def _dus_jvp(primals, tangents, outs):
    x, u, *idx = primals
    tx, tu = tangents[:2]
    if tx is None and tu is None:
        return [None]
    return [P.dynamic_update_slice(tx if tx is not None else zeros_like(x),
                                   tu if tu is not None else zeros_like(u), *idx)]


@defjvp(P.scatter)
def _scatter_jvp(primals, tangents, outs, **params):
    x, idx, u = primals
    tx, _, tu = tangents
    if tx is None and tu is None:
        return [None]
    return [P.scatter(tx if tx is not None else zeros_like(x), idx,
                      tu if tu is not None else zeros_like(u), **params)]


@defjvp(P.dot_general)
def _dot_general_jvp(primals, tangents, outs, **params):
    (a, b), (ta, tb) = primals, tangents
    return [add_any(None if ta is None else P.dot_general(ta, b, **params),
                    None if tb is None else P.dot_general(a, tb, **params))]


def _expand_reduced(v, x_aval, axes):
    """Broadcast a reduction's result back to the operand shape."""
    kept = [d for d in range(x_aval.ndim) if d not in axes]
    return P.broadcast_in_dim(v, shape=x_aval.shape, broadcast_dimensions=tuple(kept))


@defjvp(P.reduce_max, P.reduce_min)
def _reduce_extreme_jvp(primals, tangents, outs, axes):
    (x,), (t,) = primals, tangents
    if t is None:
        return [None]
    xa = aval_of(x)
    hit = P.convert(P.compare(x, _expand_reduced(outs[0], xa, axes), direction="EQ"),
                    new_dtype=xa.dtype)
    count = P.reduce_sum(hit, axes=axes)
    return [P.div(P.reduce_sum(P.mul(t, hit), axes=axes), count)]


@defjvp(P.reduce_prod)
def _reduce_prod_jvp(primals, tangents, outs, axes):
    """jax's rule: the JVP of a pairwise tree of multiplies over the reduced axes. Only
    multiplies, slices and joins, so it is exact with zeros at every order (a select of a
    literal zero would lose the derivatives of the zero entries)."""
    (x,), (t,) = primals, tangents
    xa = aval_of(x)
    n = math.prod(xa.shape[d] for d in axes)
    if t is None or n == 0:
        return [None]
    kept = tuple(d for d in range(xa.ndim) if d not in axes)
    rest = tuple(xa.shape[d] for d in kept)

    def flat(v):
        return P.reshape(P.transpose(v, permutation=tuple(axes) + kept), new_sizes=(n, *rest))

    x, t = flat(x), flat(t)
    zeros = (0,) * len(rest)
    strides = (1,) * (1 + len(rest))
    part = lambda v, lo, hi: P.slice(v, start_indices=(lo, *zeros), limit_indices=(hi, *rest),
                                     strides=strides)
    while n > 1:
        h = n // 2
        xl, xr, tl, tr = part(x, 0, h), part(x, h, 2 * h), part(t, 0, h), part(t, h, 2 * h)
        x_next, t_next = P.mul(xl, xr), P.add(P.mul(tl, xr), P.mul(xl, tr))
        if n % 2:  # the odd one out joins the next level as it is
            x_next = P.concatenate(x_next, part(x, 2 * h, n), dimension=0)
            t_next = P.concatenate(t_next, part(t, 2 * h, n), dimension=0)
        x, t, n = x_next, t_next, h + n % 2
    return [P.reshape(t, new_sizes=rest)]


# --- building the JVP function ---------------------------------------------------------------

def jvp_function(state: ModuleState, callee: str, diff_args: tuple, remat=None) -> str:
    """Generate `@<callee>_jvp(args..., tangents of diff_args...) -> (outs..., tangent outs...)`.

    With a `remat` policy (a checkpointed call) the primal ops are marked for recomputation
    in the backward pass, except what the policy saves."""
    key = ("jvp", callee, tuple(diff_args), remat, bool(state.memo.get("linearizing")))
    if key in state.memo:
        return state.memo[key]
    f = require_body(state, callee)
    ftype = function_type(f)
    ins = list(ftype.inputs)
    name = state.unique_name(f"{callee}_jvp")
    g, block = new_func(state.module, name, ins + [ins[i] for i in diff_args], f.location)
    state.memo[key] = name
    old_args = list(f.regions[0].blocks[0].arguments)
    new_args = list(block.arguments)
    mapping = dict(zip(old_args, new_args))
    tangents = {old_args[i]: new_args[len(ins) + k] for k, i in enumerate(diff_args)
                if _inexact(old_args[i])}
    ip = ir.InsertionPoint(block)
    for op in body_ops(f):
        if not any(v in tangents for v in op.operands):
            clone_into(op, mapping, ip)
            continue
        with ip, op.location:
            t_outs = _jvp_op(state, op, mapping, tangents, ip)
        for r, t in zip(op.results, t_outs):
            if t is not None and _inexact(r):
                tangents[r] = t
    ret = return_op(f)
    state.memo[("jvp_nonzero", name)] = tuple(v in tangents for v in ret.operands)
    with ip, ret.location:
        results = [mapping.get(v, v) for v in ret.operands]
        t_results = [tangents[v] if v in tangents else zeros_like(mapping.get(v, v))
                     for v in ret.operands]
    finish_func(g, block, results + t_results, ret.location)
    state.add(g)
    if remat is not None:
        _mark_remat(block, set(new_args[len(ins):]), remat, set(results))
    return name


def _mark_remat(block, tangent_args: set, policy: str, outputs: set) -> None:
    """Mark the primal ops of a checkpointed function's JVP for recomputation. Its outputs are
    not marked: as in JAX, the boundary values of a checkpoint are kept, so a chain of
    checkpointed layers recomputes one layer at a time, not the chain from its input."""

    if policy == "everything_saveable":
        return
    unknown = set(tangent_args)
    for op in list(block.operations)[:-1]:
        o = op.operation
        if any(v in unknown for v in o.operands):
            unknown.update(o.results)
        elif any(r in outputs for r in o.results):
            continue
        elif not (policy == "dots_saveable" and o.name == P.dot_general.name):
            o.attributes[REMAT_ATTR] = ir.StringAttr.get(policy)


def _jvp_op(state, op, mapping, tangents, ip):
    """Emit the primal clone of `op` and its tangent; returns the result tangents."""
    call_rule = jvp_call_rules.get(op.name)
    if call_rule is not None:
        return call_rule(state, op, mapping, tangents)
    new = clone_into(op, mapping, ip)
    rule = jvp_rules.get(op.name)
    if rule is None:
        raise fail(op, f"'{op.name}' has no JVP rule")
    params = OPS[op.name].params_of(op) if op.name.startswith("plait.") else {}
    params = {k: v for k, v in params.items() if v is not None}
    return rule([mapping.get(v, v) for v in op.operands],
                [tangents.get(v) for v in op.operands], list(new.results), **params)


def _jvp_call(state, op, mapping, tangents):

    diff = tuple(i for i, v in enumerate(op.operands) if v in tangents)
    remat = ir.StringAttr(op.attributes[REMAT_ATTR]).value if REMAT_ATTR in op.attributes \
        else None
    name = jvp_function(state, callee_of(op), diff, remat)
    n = len(op.results)
    operands = [mapping.get(v, v) for v in op.operands] + [tangents[op.operands[i]] for i in diff]
    call = ir.Operation.create(
        "func.call", results=[r.type for r in op.results] * 2, operands=operands,
        attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
    for old, new in zip(op.results, call.results[:n]):
        mapping[old] = new
    return list(call.results[n:])


def _call(name: str, operands, result_types) -> list:
    call = ir.Operation.create("func.call", results=list(result_types), operands=list(operands),
                               attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
    return list(call.results)


def _all_tangents(op, mapping, tangents) -> list:
    """A tangent per operand, zeros materialised (user rules take arrays)."""
    return [tangents[v] if v in tangents else zeros_like(mapping.get(v, v)) for v in op.operands]


def _symbol(op, attr: str) -> str:
    return ir.FlatSymbolRefAttr(op.attributes[attr]).value


def _jvp_custom_jvp(state, op, mapping, tangents):
    """Call the user's rule @jvp(primals..., tangents...) -> (outs..., tangent outs...)."""
    rule = _symbol(op, "jvp")
    n_args = len(function_type(state.funcs[rule]).inputs) // 2
    primals = [mapping.get(v, v) for v in op.operands][:n_args]
    ts = _all_tangents(op, mapping, tangents)[:n_args]
    n = len(op.results)
    outs = _call(rule, primals + ts, [r.type for r in op.results] * 2)
    for old, new in zip(op.results, outs[:n]):
        mapping[old] = new
    return outs[n:]


def _jvp_custom_vjp(state, op, mapping, tangents):
    """outs, residuals = @fwd(args); tangent outs = custom_lin(residuals, tangents), the
    linear map plait-transpose turns into a call of the user's @bwd."""
    fwd, bwd = _symbol(op, "fwd"), _symbol(op, "bwd")
    ftype = function_type(state.funcs[fwd])
    n_args, n = len(ftype.inputs), len(op.results)
    outs = _call(fwd, [mapping.get(v, v) for v in op.operands][:n_args], ftype.results)
    for old, new in zip(op.results, outs[:n]):
        mapping[old] = new
    res = outs[n:]
    ts = _all_tangents(op, mapping, tangents)[:n_args]
    return custom_lin.create(res + ts, [r.type for r in op.results], callee=bwd,
                             num_res=len(res))


# Rules of ops that name or hold functions (they generate functions, so they get the state);
# the region ops' are registered by transforms/regions.py.
jvp_call_rules = {"func.call": _jvp_call, "plait.custom_jvp_call": _jvp_custom_jvp,
               "plait.custom_vjp_call": _jvp_custom_vjp}



def expand_jvp_op(state: ModuleState, op: ir.Operation) -> None:
    params = OPS[op.name].params_of(op)
    name = jvp_function(state, params["callee"], tuple(params["diff_args"]))
    replace_with_call(op, name, list(op.operands), state)


class JvpPass(Pass):
    name = "plait-jvp"
    summary = "Expand plait.jvp ops (innermost first) into calls of generated JVP functions."

    def run(self, module):
        expand_all(module, {"plait.jvp": expand_jvp_op})


def expand_all(module, expansions: dict) -> bool:
    """Expand ready transformation ops (`{op name: expand(state, op)}`), innermost first,
    until none is ready; returns whether anything changed."""
    changed = False
    state = ModuleState(module)
    while True:
        ready = state.ready(expansions)
        if not ready:
            return changed
        for _, op in ready:
            expansions[op.name](state, op)
        state.rescan({name for name, _ in ready})
        changed = True

