"""The op is the unit of extension (docs/adding-an-op.md): an elementwise op is one declaration
plus its derivative. The op declared here has nothing else — no lowering, batching, sharding or
transpose rule of its own — and is differentiated (both modes, twice), batched, and run sharded
over 8 devices, against jax and the analytic derivative.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import plait
import plait.numpy as pnp
from plait import rules
from plait.dialect import ops as P
from plait.dialect.builders import full_like
from plait.dialect.elementwise import FLOAT, Unary
from plait.rules.elementwise import defderivative
from plait.sharding import Mesh, NamedSharding, PartitionSpec
from plait.staging.trace import bind

X = np.linspace(0.5, 3.0, 16, dtype=np.float32).reshape(8, 2)
TOL = {"rtol": 1e-5, "atol": 1e-6}


@pytest.fixture(scope="module")
def cbrt():
    """`plait.test_cbrt`, declared for this module and forgotten after it."""
    op = Unary("plait.test_cbrt", "Cube root.", kinds=FLOAT, stablehlo="stablehlo.cbrt")
    defderivative(op)(lambda x, y: P.div(full_like(y, 1 / 3), P.mul(y, y)))
    yield lambda x: bind(op, x)
    rules.unregister(op)


def test_its_value(cbrt):
    np.testing.assert_allclose(np.asarray(plait.jit(cbrt)(X)), np.cbrt(X), **TOL)


def test_grad_matches_the_derivative_and_jax(cbrt):
    g = plait.jit(plait.grad(lambda x: pnp.sum(cbrt(x))))(X)
    np.testing.assert_allclose(np.asarray(g), 1 / (3 * np.cbrt(X) ** 2), **TOL)
    np.testing.assert_allclose(np.asarray(g), jax.grad(lambda x: jnp.sum(jnp.cbrt(x)))(X), **TOL)


def test_second_derivative_in_both_modes(cbrt):
    """d²/dx² x^(1/3) = -2/9 x^(-5/3): the derivative's own ops are differentiated again."""
    d1 = plait.grad(lambda x: cbrt(x))
    want = -2 / 9 * X[0, 0] ** (-5 / 3)
    np.testing.assert_allclose(float(plait.jit(plait.grad(d1))(X[0, 0])), want, rtol=1e-5)
    np.testing.assert_allclose(float(plait.jit(plait.jacfwd(d1))(X[0, 0])), want, rtol=1e-5)


def test_jvp_and_vjp_agree(cbrt):
    t = np.full_like(X, 0.5)
    _, jt = plait.jvp(cbrt, (X,), (t,))
    _, pullback = plait.vjp(cbrt, X)
    (ct,) = pullback(t)
    np.testing.assert_allclose(np.asarray(jt), np.asarray(ct), **TOL)  # the Jacobian is diagonal


def test_vmap_and_vmap_of_grad(cbrt):
    out = plait.jit(plait.vmap(cbrt, in_axes=1))(X)
    np.testing.assert_allclose(np.asarray(out), np.cbrt(X).T, **TOL)
    g = plait.vmap(plait.grad(lambda x: cbrt(x)))(X[:, 0])
    np.testing.assert_allclose(np.asarray(g), 1 / (3 * np.cbrt(X[:, 0]) ** 2), **TOL)


@pytest.mark.skipif(len(jax.devices()) != 8, reason="needs 8 devices (test/conftest.py)")
def test_sharded_jit_keeps_the_sharding(cbrt):
    """Its sharding rule comes from its Elementwise trait: the result is sharded as the input."""
    mesh = Mesh(np.array(jax.devices()), ("data",))
    rows = NamedSharding(mesh, PartitionSpec("data"))
    f = plait.jit(lambda x: plait.grad(lambda x: pnp.sum(cbrt(x) * x))(x), in_shardings=rows)
    out = f(X)
    np.testing.assert_allclose(np.asarray(out), 4 / 3 * np.cbrt(X), **TOL)
    assert out.sharding.spec == PartitionSpec("data")
    text = f.lower(X).as_text("plait")
    line = next(ln for ln in text.splitlines() if '"plait.test_cbrt"' in ln)
    assert 'sdy.sharding_per_value<[<@mesh, [{"data"}, {}]>]>' in line, line
