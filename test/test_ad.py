"""Autodiff vs central differences and jax (STYLE rule 9): per-op records, then end to end.

Per op (test/opcases.py): the JVP against central finite differences and `jax.jvp`, the VJP
against `jax.vjp`, second derivatives (forward over reverse against central differences of
the gradient; reverse over forward equal to it), and the transpose identity
`<u, jvp(v)> == <vjp(u), v>` on hypothesis-drawn shapes. Then whole models against jax, the
vjp residuals, the eager compile cache, errors and symbolic zeros.
"""

from __future__ import annotations

import re
import zlib
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import opcases as oc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opcases import JX, PL

import plait
import plait.numpy as pnp
from plait import jitting as jit_mod
from plait.dialect import OPS
from plait.dialect.traits import CustomRule, Transformation

# jax warns when converting complex to real (the convert record), as NumPy does
pytestmark = [pytest.mark.filterwarnings("ignore:Casting complex values to real"),
              pytest.mark.usefixtures("x64")]




def _rng(*parts):
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def _close(got, want, tol=1e-9, what=""):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape, f"{what}: shape {g.shape} != {w.shape}"
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=what)


def _vdot(a, b):
    """The real pairing Re(sum(a * b)) under which vjp is the transpose of jvp (jax's)."""
    return sum(float(np.real(np.sum(np.asarray(x) * np.asarray(y)))) for x, y in zip(a, b))


# --- per-op records ------------------------------------------------------------------------------

AD_CASES = [pytest.param(c, id=c.name) for c in oc.AD_CASES]


def test_every_op_has_a_case():
    ops = {n.split(".", 1)[1] for n, d in OPS.items()  # ops naming a callee aside
           if not d.has(Transformation) and not d.has(CustomRule)}
    missing = ops - {c.op for c in oc.CASES} - set(oc.ELSEWHERE)
    assert not missing, f"ops without a record in test/opcases.py: {sorted(missing)}"
    no_ad = ops - {c.op for c in oc.AD_CASES} - set(oc.ELSEWHERE) - oc.NO_AD
    assert not no_ad, f"ops never differentiated through: {sorted(no_ad)}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in oc.CASES])
def test_case_traces_its_op(case):
    xs = oc.operands(case, 0)
    text = plait.make_mlir(lambda *a: case.fn(PL, *a))(*xs)
    assert f'"plait.{case.op}"' in text, text



def _shift(ds, vs, eps):
    """Shifted points, 0-d arrays kept arrays (NumPy scalars would be weak in plait)."""
    return [np.asarray(d + eps * v) for d, v in zip(ds, vs)]


def _pair(L, a, w):
    """Re(sum(a * w)) over the leaves of a, traced on L."""
    return sum(L.np.sum(L.np.real(x * y)) for x, y in zip(jax.tree.leaves(a),
                                                             jax.tree.leaves(w)))


def _program(L, case, f, nums, w):
    """The derivatives checked of one op, as one program: first order (jax is the oracle) and,
    on plait, the gradient of <w, f> and second order both ways. Central differences call the
    same compiled program at shifted points."""
    grad, jvp, vjp = (plait.grad, plait.jvp, plait.vjp) if L is PL else \
        (jax.grad, jax.jvp, jax.vjp)

    def run(ds, vs, u):
        ds, vs = tuple(ds), tuple(vs)
        y, t = jvp(f, ds, vs)
        first = (y, t, vjp(f, *ds)[1](u) if case.rev else ())
        if L is JX or not case.rev or not case.second:
            return first, ()
        g = grad(lambda *a: _pair(L, f(*a), w), argnums=nums)
        hvp = jvp(g, ds, vs)[1]  # forward over reverse
        # reverse over forward: grad_x <w, J(x) v> is the same Hessian-vector product
        rof = grad(lambda *a: _pair(L, jvp(f, a, vs)[1], w), argnums=nums)(*ds)
        return first, (g(*ds), hvp, rof)
    return run


def _diff(plus, minus, eps):
    return jax.tree.map(lambda a, b: (np.asarray(a) - np.asarray(b)) / (2 * eps), plus, minus)


@pytest.mark.parametrize("case", AD_CASES)
def test_derivatives(case):
    """JVP vs central differences and jax.jvp; VJP vs jax.vjp and the transpose identity;
    forward over reverse (jvp of grad) vs central differences of the gradient; reverse over
    forward (grad of <w, jvp>) equal to it."""
    xs = oc.operands(case, zlib.crc32(case.name.encode()))
    ds, with_fixed = oc.split(case, xs)
    f, fj = with_fixed(PL), with_fixed(JX)
    rng = _rng(case.name)
    vs = oc.like(rng, ds)
    out = jax.eval_shape(fj, *ds)
    u, w = oc.like(rng, out), oc.like(rng, out)
    nums = tuple(range(len(ds)))
    program = plait.jit(_program(PL, case, f, nums, w))
    (y, t, cts), second = program(ds, vs, u)
    want, _ = jax.jit(_program(JX, case, fj, nums, w))(ds, vs, u)
    tol = 1e-3 * case.tol  # float32 steps round differently from jax's
    for what, g, e in zip(["primal", "jvp", "vjp"], (y, t, cts), want):
        _close(g, e, tol, what=f"{what} vs jax")
    if case.rev:
        lhs, rhs = _vdot(jax.tree.leaves(u), jax.tree.leaves(t)), _vdot(cts, vs)
        assert abs(lhs - rhs) <= tol * (1 + abs(lhs)), ("<u, jvp(v)> != <vjp(u), v>", lhs, rhs)
    if case.rev and case.second:
        _close(second[2], second[1], tol, what="grad(jvp) vs jvp(grad)")
    if not case.fd:
        return
    (y_plus, _, _), plus = program(_shift(ds, vs, case.eps), vs, u)
    (y_minus, _, _), minus = program(_shift(ds, vs, -case.eps), vs, u)
    _close(t, _diff(y_plus, y_minus, case.eps), case.tol, "jvp vs central differences")
    if case.rev and case.second:
        _close(second[1], _diff(plus[0], minus[0], case.eps), case.tol * 10,
               "jvp(grad) vs central differences of grad")


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in oc.AD_CASES
                                  if c.hyp and c.rev])
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_transpose_identity(case, data):
    """<u, jvp(v)> == <vjp(u), v> on drawn shapes (one program: jvp and vjp)."""
    shapes = case.hyp(data.draw)
    seed = data.draw(st.integers(0, 2**16), label="seed")
    ds, with_fixed = oc.split(case, oc.operands(case, seed, shapes))
    f = with_fixed(PL)
    rng = np.random.default_rng(seed)
    vs = oc.like(rng, ds)
    u = oc.like(rng, jax.eval_shape(with_fixed(JX), *ds))

    @plait.jit
    def both(ds, vs, u):
        return plait.jvp(f, tuple(ds), tuple(vs))[1], plait.vjp(f, *ds)[1](u)

    t, cts = both(ds, vs, u)
    lhs, rhs = _vdot(jax.tree.leaves(u), jax.tree.leaves(t)), _vdot(cts, vs)
    assert abs(lhs - rhs) <= 1e-3 * case.tol * (1 + abs(lhs)), (shapes, lhs, rhs)


# --- end to end vs jax -----------------------------------------------------------------------------

PLAIT = SimpleNamespace(np=pnp, lse=pnp.logsumexp, grad=plait.grad, jvp=plait.jvp,
                        value_and_grad=plait.value_and_grad, hessian=plait.hessian,
                        jacfwd=plait.jacfwd, jacrev=plait.jacrev, vjp=plait.vjp,
                        linearize=plait.linearize)
JAX = SimpleNamespace(np=jnp, lse=jax.nn.logsumexp, grad=jax.grad, jvp=jax.jvp,
                      value_and_grad=jax.value_and_grad, hessian=jax.hessian,
                      jacfwd=jax.jacfwd, jacrev=jax.jacrev, vjp=jax.vjp,
                      linearize=jax.linearize)

_R = np.random.default_rng(0)
PARAMS = {"w1": _R.normal(size=(3, 5)) / 2, "b1": _R.normal(size=5),
          "w2": _R.normal(size=(5, 4)) / 2, "b2": _R.normal(size=4)}
LAYERS = [(PARAMS["w1"], PARAMS["b1"]), (PARAMS["w2"], PARAMS["b2"])]
X = _R.normal(size=(6, 3))
LABELS = np.eye(4)[_R.integers(0, 4, 6)]
Q, K, V = (_R.normal(size=(4, 3)) for _ in range(3))
W = _R.normal(size=(4, 3))


def mlp(T, params, x):
    h = T.np.tanh(x @ params["w1"] + params["b1"])
    return h @ params["w2"] + params["b2"]


def xent(T, params, x, labels):
    """Softmax cross-entropy of the MLP's logits."""
    logits = mlp(T, params, x)
    return T.np.mean(T.lse(logits, axis=-1) - T.np.sum(logits * labels, axis=-1))


def layers_loss(T, layers, x):
    for w, b in layers[:-1]:
        x = T.np.tanh(x @ w + b)
    w, b = layers[-1]
    return T.np.sum((x @ w + b) ** 2)


def layer_norm(T, x, gamma, beta):
    mu = T.np.mean(x, axis=-1, keepdims=True)
    var = T.np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / T.np.sqrt(var + 1e-5) * gamma + beta


def attention(T, q, k, v):
    s = q @ k.T / np.sqrt(q.shape[-1])
    p = T.np.exp(s - T.lse(s, axis=-1, keepdims=True))
    return p @ v


def _scalar_mlp(T, x):
    return T.np.sum(T.np.tanh(mlp(T, PARAMS, x)) ** 2)


# name -> (function of the namespace T returning the function to call, its arguments)
E2E = {
    "mlp_xent_grad": (lambda T: T.grad(lambda p: xent(T, p, X, LABELS)), (PARAMS,)),
    "mlp_xent_value_and_grad": (lambda T: T.value_and_grad(lambda p, x: xent(T, p, x, LABELS)),
                                (PARAMS, X)),
    "layers_list_grad": (lambda T: T.grad(lambda ls: layers_loss(T, ls, X)), (LAYERS,)),
    "layer_norm_grad": (lambda T: T.grad(lambda x, g, b: T.np.sum(layer_norm(T, x, g, b) * W),
                                         argnums=(0, 1, 2)), (Q, Q[0], K[0])),
    "attention_grad": (lambda T: T.grad(lambda q, k, v: T.np.sum(attention(T, q, k, v) * W),
                                        argnums=(0, 1, 2)), (Q, K, V)),
    "argnums_tuple": (lambda T: T.grad(lambda q, k, v: T.np.sum(attention(T, q, k, v) * W),
                                       argnums=(0, 2)), (Q, K, V)),
    "argnums_unsorted": (lambda T: T.grad(lambda q, k, v: T.np.sum(attention(T, q, k, v) * W),
                                          argnums=(2, 0)), (Q, K, V)),
    "has_aux": (lambda T: T.grad(lambda p: (xent(T, p, X, LABELS), {"logits": mlp(T, p, X)}),
                                 has_aux=True), (PARAMS,)),
    "value_and_grad_has_aux": (lambda T: T.value_and_grad(
        lambda p: (xent(T, p, X, LABELS), mlp(T, p, X)[0]), has_aux=True), (PARAMS,)),
    "grad_of_grad": (lambda T: T.grad(T.grad(lambda x: T.np.sin(x) * x ** 3)), (0.7,)),
    "grad_of_grad_mlp": (lambda T: T.grad(lambda p: T.np.sum(
        T.grad(lambda q: xent(T, q, X, LABELS))(p)["w1"] ** 2)), (PARAMS,)),
    "jvp_of_grad": (lambda T: lambda p, t: T.jvp(T.grad(lambda q: xent(T, q, X, LABELS)), (p,),
                                                 (t,)), (PARAMS, jax.tree.map(np.cos, PARAMS))),
    "hessian_mlp": (lambda T: T.hessian(lambda x: _scalar_mlp(T, x)), (X[0],)),
    "hessian_wrt_matrix": (lambda T: T.hessian(lambda w: _scalar_mlp(T, X[:2] @ w)), (Q[:3],)),
    "jacfwd_of_jacrev": (lambda T: T.jacfwd(T.jacrev(lambda x: _scalar_mlp(T, x))), (X[0],)),
    "jacrev_vector": (lambda T: T.jacrev(lambda x: mlp(T, PARAMS, x)), (X[0],)),
    "jacfwd_vector": (lambda T: T.jacfwd(lambda x: mlp(T, PARAMS, x)), (X[0],)),
}




@pytest.mark.parametrize("mode", ["eager", "jit"])
@pytest.mark.parametrize("name", list(E2E))
def test_end_to_end_matches_jax(name, mode):
    make, args = E2E[name]
    f = make(PLAIT)
    got = f(*args) if mode == "eager" else plait.jit(f)(*args)
    want = jax.jit(make(JAX))(*args)
    assert jax.tree.structure(got) == jax.tree.structure(want)
    _close(got, want, what=name)


def test_float32_grad_keeps_float32():
    p32 = jax.tree.map(lambda a: a.astype(np.float32), PARAMS)
    x32 = X.astype(np.float32)
    g = plait.grad(lambda p: xent(PLAIT, p, x32, LABELS.astype(np.float32)))(p32)
    with jax.enable_x64(False):
        want = jax.grad(lambda p: xent(JAX, p, x32, LABELS.astype(np.float32)))(p32)
    assert all(np.asarray(a).dtype == np.float32 for a in jax.tree.leaves(g))
    _close(g, want, 1e-5)


@pytest.mark.parametrize("mode", ["eager", "jit"])
def test_linearize_matches_jax(mode):
    f = lambda x: attention(PLAIT, x, K, V)
    run = lambda x, t: (lambda y, f_jvp: (y, f_jvp(t), f_jvp(2 * t)))(*plait.linearize(f, x))
    got = run(Q, W) if mode == "eager" else plait.jit(run)(Q, W)
    y, f_jvp = jax.linearize(lambda x: attention(JAX, x, K, V), Q)
    _close(got, (y, f_jvp(W), f_jvp(2 * W)))


def test_hessian_is_jacfwd_of_jacrev():
    f = lambda x: _scalar_mlp(PLAIT, x)
    _close(plait.hessian(f)(X[1]), plait.jacfwd(plait.jacrev(f))(X[1]))


# --- vjp residuals, the eager cache ------------------------------------------------------------------

def test_vjp_pullback_does_not_rerun_forward(monkeypatch):
    from plait.runtime.executable import Executable

    runs = []
    real_call = Executable.__call__
    monkeypatch.setattr(Executable, "__call__",
                        lambda self, bufs: runs.append(self) or real_call(self, bufs))
    f = lambda p: mlp(PLAIT, p, X)
    y, pullback = plait.vjp(f, PARAMS)
    assert len(runs) == 1, "the forward program runs once"
    forward = runs[0]
    cts = [pullback(np.full(y.shape, float(k))) for k in (1, 2)]
    assert len(runs) == 3 and forward not in runs[1:], "each pullback runs only the backward"
    assert runs[1] is runs[2]
    _, pullback_j = jax.vjp(lambda p: mlp(JAX, p, X), PARAMS)
    _close(cts[1], pullback_j(np.full(y.shape, 2.0)))


def test_eager_grad_with_fresh_batches_compiles_once():
    loss = lambda p, x: xent(PLAIT, p, x, LABELS)
    before = None
    for step in range(4):
        batch = np.random.default_rng(step).normal(size=X.shape)
        g = plait.grad(lambda p: loss(p, batch))(PARAMS)  # noqa: B023  (a fresh lambda)
        _close(g, jax.grad(lambda p: xent(JAX, p, batch, LABELS))(PARAMS))  # noqa: B023
        if step == 0:
            before = jit_mod.stats["compiles"]
    assert jit_mod.stats["compiles"] == before


def piecewise(T, x):
    """Python control flow on values: allowed outside jit, as in JAX."""
    if x.sum() > 0:
        return T.np.sin(x).sum() * x[0]
    while x.sum() < -4:  # a Python loop on a value too
        x = x / 2
    return (x ** 3).sum()


TRANSFORMS = {
    "grad": lambda T, f, x: T.grad(f)(x),
    "value_and_grad": lambda T, f, x: T.value_and_grad(f)(x),
    "jvp": lambda T, f, x: T.jvp(f, (x,), (np.ones_like(x),)),
    "vjp": lambda T, f, x: (lambda o, pb: (o, pb(np.float64(2))))(*T.vjp(f, x)),
    "linearize": lambda T, f, x: (lambda o, fl: (o, fl(np.ones_like(x))))(*T.linearize(f, x)),
    "jacrev": lambda T, f, x: T.jacrev(f)(x),
    "hessian": lambda T, f, x: T.hessian(f)(x),
}


@pytest.mark.parametrize("how", list(TRANSFORMS))
def test_python_branching_on_values_outside_jit(how):
    apply = TRANSFORMS[how]
    for sign in (1.0, -1.0, -3.0, 1.0):  # both branches, the loop, then the first path again
        x = sign * np.linspace(0.5, 1.5, 3)
        got = apply(PLAIT, lambda v: piecewise(PLAIT, v), x)
        _close(got, apply(JAX, lambda v: piecewise(JAX, v), x), what=f"{how} at {sign}")


def test_python_branching_under_jit_is_an_error_naming_the_line():
    f = plait.jit(plait.grad(lambda v: piecewise(PLAIT, v)))
    with pytest.raises(plait.ConcretizationError, match=r"test_ad\.py:\d+: "):
        f(np.ones(3))


# --- errors --------------------------------------------------------------------------------------

HERE = r"test_ad\.py:\d+: "


def test_error_grad_of_non_scalar():
    with pytest.raises(plait.PlaitTypeError, match=HERE + "grad requires a scalar output"):
        plait.grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(plait.PlaitTypeError, match=HERE + "grad requires a function returning "
                                                          "one scalar"):
        plait.grad(lambda x: (x.sum(), x.sum()))(np.ones(3))


@pytest.mark.parametrize("how, what", [
    ("grad", "grad requires a real-valued output"),
    ("value_and_grad", "grad requires a real-valued output"),
    ("jit_grad", "grad requires a real-valued output"),
    ("jacrev", "jacrev requires real-valued outputs"),
    ("hessian", "jacrev requires real-valued outputs"),
    ("jacfwd_of_complex_input", "jacfwd requires real-valued inputs")])
def test_error_complex_values_where_jax_needs_holomorphic(how, what):
    """jax raises a TypeError; plait raised a raw MLIRError (grad) or returned zeros."""
    f = lambda x: pnp.sum(x * 1j)  # noqa: E731
    calls = {
        "grad": lambda T: T.grad(f)(np.float32(1)),
        "value_and_grad": lambda T: T.value_and_grad(f)(np.float32(1)),
        "jit_grad": lambda T: T.jit(T.grad(f))(np.float32(1)),
        "jacrev": lambda T: T.jacrev(lambda x: x * 1j)(np.ones(2, np.float32)),
        "hessian": lambda T: T.hessian(f)(np.ones(2, np.float32)),
        "jacfwd_of_complex_input": lambda T: T.jacfwd(lambda x: (x * x).real)(
            np.ones(2, np.complex64)),
    }
    with pytest.raises(TypeError):
        calls[how](SimpleNamespace(**{k: getattr(jax, k) for k in
                                      ("grad", "value_and_grad", "jit", "jacrev", "hessian",
                                       "jacfwd")}))
    with pytest.raises(plait.PlaitTypeError, match=HERE + what):
        calls[how](plait)


def test_error_argnums_out_of_range():
    with pytest.raises(plait.PlaitValueError, match=HERE + "argnums 2 is out of range"):
        plait.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(plait.PlaitValueError, match=HERE + r"argnums \(0, 5\) is out of range"):
        plait.jit(plait.grad(lambda x, y: x * y, argnums=(0, 5)))(1.0, 2.0)


def test_error_integer_input_needs_allow_int():
    with pytest.raises(plait.PlaitTypeError, match=HERE + ".*got int32.*allow_int=True"):
        plait.grad(lambda x, n: x * n, argnums=1)(2.0, np.int32(3))


def test_allow_int_inside_jit():
    f = lambda x, n: x * n
    g = plait.jit(lambda x, n: plait.grad(f, argnums=(0, 1), allow_int=True)(x, n)[0])
    assert float(g(2.0, np.int32(3))) == 3.0


def test_allow_int_gives_float0_like_jax():
    f = lambda x, n: x * n
    gx, gn = plait.grad(f, argnums=(0, 1), allow_int=True)(2.0, np.int32(3))
    jx, jn = jax.grad(f, argnums=(0, 1), allow_int=True)(2.0, np.int32(3))
    assert np.asarray(gn).dtype == plait.ad.float0 == jn.dtype
    assert np.shape(gn) == np.shape(jn)
    np.testing.assert_allclose(gx, jx)


# --- symbolic zeros ----------------------------------------------------------------------------------

_ZERO_PRESERVING = {"broadcast_in_dim", "reshape", "transpose", "convert", "complex", "neg"}


def _adds_of_zero(text: str) -> list[str]:
    """`plait.add` lines with an operand that is a zero: a splat-zero constant, or made of
    zeros by shape ops."""
    zeros, found = set(), []
    for line in text.splitlines():
        m = re.match(r'\s*(%[\w#]+) = "plait\.(\w+)"\(([^)]*)\)(.*)', line)
        if not m:
            continue
        name, op, args, rest = m.groups()
        args = re.findall(r"%[\w#]+", args)
        if op == "constant" and re.search(r"value = dense<(0\.0+e\+00|0)>", rest):
            zeros.add(name)
        elif op in _ZERO_PRESERVING and args and all(a in zeros for a in args):
            zeros.add(name)
        elif op == "add" and zeros & set(args):
            found.append(line)
    return found


def test_symbolic_zeros_leave_no_add_of_zero():
    def f(x, y, z):
        return pnp.sum(pnp.sin(x) * z) + pnp.sum(z ** 2)  # y does not affect the output

    x = np.ones(3)
    text = plait.jit(plait.grad(f, argnums=(0, 1, 2))).lower(x, x, x).as_text("plait")
    assert "plait.constant" in text  # the gradient of y is a zero constant ...
    assert not _adds_of_zero(text), text  # ... never added to anything
    assert _adds_of_zero('%0 = "plait.constant"() {value = dense<0.000000e+00> : tensor<f64>}\n'
                         '%1 = "plait.broadcast_in_dim"(%0) {shape = array<i64: 3>}\n'
                         '%2 = "plait.add"(%x, %1)')  # the checker finds one


def test_jvp_symbolic_zeros_leave_no_add_of_zero():
    f = lambda x, y: pnp.sin(x) * 2.0 + pnp.exp(y)
    x = np.ones(3)
    g = plait.jit(lambda x, y, t: plait.jvp(lambda a: f(a, y), (x,), (t,)))
    assert not _adds_of_zero(g.lower(x, x, x).as_text("plait"))


def test_64_bit_0d_arrays_stay_64_bit_and_numpy_scalars_are_weak():
    assert plait.grad(lambda x: x * x)(np.array(3.0)).dtype == np.float64
    y, t = plait.jvp(lambda z: z * z, (np.array(1 + 2j),), (np.array(1j),))
    assert y.dtype == t.dtype == np.complex128
    g = plait.grad(lambda x: x * x)(np.float64(3.0))
    assert g.dtype == np.float32


# --- rules that special-case zeros: exact at every order -------------------------------------

def _orders(L, f):
    """Gradient, Hessian and third derivatives of f, reverse and forward mixed."""
    grad, jacfwd, jacrev = (plait.grad, plait.jacfwd, plait.jacrev) if L is PL else \
        (jax.grad, jax.jacfwd, jax.jacrev)
    return grad(f), jacfwd(jacrev(f)), jacrev(jacfwd(jacrev(f))), jacfwd(jacfwd(jacrev(f)))


PROD_POINTS = [[0.0, 1.0, -1.0, 2.0], [0.0, 0.0, 3.0, 2.0, 5.0], [0.0, 0.0, 0.0, 2.0, 1.5],
               [1.0, 2.0, 3.0], [0.0], [0.0, 0.0]]


@pytest.mark.parametrize("x", PROD_POINTS, ids=str)
def test_prod_derivatives_with_zeros_match_jax(x):
    """prod's JVP is a tree of multiplies (jax's), so the derivatives of a zero entry survive:
    a literal zero in the rule made the Hessian at [0, 1, -1, 2] asymmetric."""
    x = np.asarray(x)
    got = _orders(PL, lambda v: pnp.prod(v))
    want = _orders(JX, jnp.prod)
    for order, (g, e) in enumerate(zip(got, want), 1):
        _close(g(x), e(x), what=f"order {order}")


def test_prod_hessian_over_axes_with_zeros_matches_jax():
    x = np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0]])
    f = lambda L: lambda v: L.np.sum(L.np.prod(v, axis=1) ** 2 + L.np.prod(v.T, axis=0))
    _close(plait.jit(plait.hessian(f(PL)))(x), jax.hessian(f(JX))(x))
    _close(plait.hessian(lambda v: pnp.prod(v, axis=(0, 1)))(x),
           jax.hessian(lambda v: jnp.prod(v, axis=(0, 1)))(x))


@pytest.mark.parametrize("xy", [(2.0, 0.0), (-1.5, 0.0), (3.0, 1.0), (0.5, 2.0)], ids=str)
def test_pow_mixed_derivatives_at_zero_exponent_match_jax(xy):
    """d/dx x**y was a select of a literal zero where y == 0, which lost d/dy d/dx there."""
    v = np.asarray(xy)
    got = _orders(PL, lambda v: v[0] ** v[1])
    want = _orders(JX, lambda v: v[0] ** v[1])
    for order, (g, e) in enumerate(zip(got, want), 1):
        _close(g(v), e(v), what=f"order {order}")


def test_pow_gradient_at_zero_to_the_zero_is_zero():
    # jax gives nan (0 * 0**-1); d/dx x**0 is 0 everywhere, so plait keeps 0, with finite
    # higher derivatives
    v = np.zeros(2)
    assert np.array_equal(plait.grad(lambda v: v[0] ** v[1])(v), [0.0, 0.0])
    assert np.isfinite(plait.hessian(lambda v: v[0] ** v[1])(v)).all()
