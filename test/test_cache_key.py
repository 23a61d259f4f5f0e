"""What a cached program may depend on (docs/architecture.md, "jit: the cache key").

Eager transformations and fresh `jit` objects reuse programs keyed by a function's code and
what it reads. The tests change that state between calls — rebinding, or mutating in place,
globals, closure cells, containers, and the attributes of objects, classes and modules, read
directly, through bound methods, partials and called functions — and compare each call with
jax, whose eager transformations retrace every call.
"""

import argparse
import functools
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import plait
import plait.numpy as pnp
from plait import jitting, lax


def close(got, want):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-5, atol=1e-6)


def body(np_, x, w, s):
    return np_.sum(np_.sin(x * w)) * s


TRANSFORMS = {
    "grad": lambda T, f, x: T.grad(f)(x),
    "value_and_grad": lambda T, f, x: T.value_and_grad(f)(x),
    "vmap": lambda T, f, x: T.vmap(f)(np.stack([x, 2 * x])),
    "jvp": lambda T, f, x: T.jvp(f, (x,), (np.ones_like(x),)),
    "vjp": lambda T, f, x: (lambda y, pb: (y, pb(np.float32(1))))(*T.vjp(f, x)),
    "linearize": lambda T, f, x: (lambda y, fl: (y, fl(np.ones_like(x))))(*T.linearize(f, x)),
    "jacrev": lambda T, f, x: T.jacrev(f)(x),
    "jacfwd": lambda T, f, x: T.jacfwd(f)(x),
    "hessian": lambda T, f, x: T.hessian(f)(x),
}

# --- where the state is read from: each route returns (f, set_state(w, s)) --------------------

G_W = G_S = None
G_D: dict = {}


class Params:
    def __init__(self):
        self.d = {}

    def loss(self, x):
        return body(pnp, x, self.w, self.s)


class Outer:
    """A callable object reading another object's attributes through its method."""

    def __init__(self):
        self.inner = Params()

    def __call__(self, x):
        return self.inner.loss(x)


class ClassState:
    w = s = None


MODULE = types.ModuleType("model_config")


def _read_globals(x):
    return body(pnp, x, G_W, G_S)


def _set_globals(w, s):
    global G_W, G_S
    G_W, G_S = w, s


def _closure():
    w = s = None

    def set_(w_, s_):
        nonlocal w, s
        w, s = w_, s_
    return (lambda x: body(pnp, x, w, s)), set_


def _attributes(p):
    def set_(w, s):
        p.w, p.s = w, s
    return set_


def _items(d):
    def set_(w, s):
        d["w"], d["s"] = w, s
    return set_


def _route(name):
    p, o = Params(), Outer()
    if name == "global":
        return (lambda x: body(pnp, x, G_W, G_S)), _set_globals
    if name == "called_function":  # a function of this module reading its globals
        return (lambda x: _read_globals(x)), _set_globals
    if name == "closure":
        return _closure()
    if name == "attribute":
        return (lambda x: body(pnp, x, p.w, p.s)), _attributes(p)
    if name == "container":
        return (lambda x: body(pnp, x, p.d["w"], p.d["s"])), _items(p.d)
    if name == "global_container":
        return (lambda x: body(pnp, x, G_D["w"], G_D["s"])), _items(G_D)
    if name == "bound_method":
        return p.loss, _attributes(p)
    if name == "nested_object":
        return o, _attributes(o.inner)
    if name == "partial":
        return functools.partial(lambda x, q: q.loss(x), q=p), _attributes(p)
    if name == "class_attribute":
        return (lambda x: body(pnp, x, ClassState.w, ClassState.s)), _attributes(ClassState)
    if name == "module_attribute":
        return (lambda x: body(pnp, x, MODULE.w, MODULE.s)), _attributes(MODULE)
    if name == "namespace":  # a library's mutable object (argparse, SimpleNamespace)
        ns = argparse.Namespace()
        return (lambda x: body(pnp, x, ns.w, ns.s)), _attributes(ns)
    raise ValueError(name)


ROUTES = ["global", "called_function", "closure", "attribute", "container",
          "global_container", "bound_method", "nested_object", "partial", "class_attribute",
          "module_attribute", "namespace"]
X = np.linspace(0.2, 1.1, 3, dtype=np.float32)
STEPS = [(np.float32([0.5, 1.0, -1.5]), 2.0),  # first call
         (np.float32([1.5, -0.5, 0.25]), 2.0),  # only the array changed
         (np.float32([-1.0, 2.0, 0.75]), -0.5)]  # the scalar too


@pytest.mark.parametrize("mutation", ["rebind", "in_place"])
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("how", list(TRANSFORMS))
def test_eager_transformations_read_current_state(how, route, mutation):
    """Before, values read through attributes and containers, and NumPy arrays mutated in
    place, were those of the first trace on every later call."""
    f, set_state = _route(route)
    apply = TRANSFORMS[how]
    w = np.zeros(3, np.float32)
    for step, (value, s) in enumerate(STEPS):
        if mutation == "in_place":
            w[:] = value
            set_state(w, s)
        else:
            set_state(pnp.asarray(value), s)
        want = apply(jax, lambda x: body(jnp, x, jnp.asarray(value), s), X)  # noqa: B023
        close(apply(plait, f, X), want)
        if step == 0:
            traces = jitting.stats["traces"]
        elif step == 1:  # a new array is a new input, not a new program
            assert jitting.stats["traces"] == traces


def test_model_object_training_loop_matches_jax():
    """A model as an object, its weights rebound by each step of training on its gradient."""
    class Model:
        def __init__(self, np_, w):
            self.np, self.w, self.lr = np_, w, 0.1

        def loss(self, x):
            return self.loss_at(self.w, x)

        def loss_at(self, w, x):
            return self.np.sum((w * x - 3.0) ** 2)

    models = Model(pnp, pnp.asarray(np.float32([1.0, 0.5]))), Model(jnp, jnp.float32([1, 0.5]))
    x = np.float32([1.0, 2.0])
    dx = {plait: [], jax: []}
    for _ in range(4):
        for T, m in zip((plait, jax), models):
            dx[T].append(np.asarray(T.grad(m.loss)(x)))
            m.w = m.w - m.lr * T.grad(m.loss_at)(m.w, x)
    close(dx[plait], dx[jax])
    assert not np.allclose(dx[jax][0], dx[jax][-1])


def _counts():
    return dict(jitting.stats)


def test_state_changes_retrace_only_when_the_program_changes():
    p = Params()
    g = plait.grad(p.loss)
    p.w, p.s = pnp.asarray(STEPS[0][0]), 2.0
    g(X)
    before = _counts()
    for value, _ in STEPS:
        p.w = pnp.asarray(value)  # an array: an implicit input
        close(g(X), jax.grad(lambda x: body(jnp, x, value, 2.0))(X))  # noqa: B023
    assert _counts() == before
    p.s = 3.0  # a scalar: baked in, so a new program ...
    close(g(X), jax.grad(lambda x: body(jnp, x, STEPS[-1][0], 3.0))(X))
    assert _counts()["compiles"] == before["compiles"] + 1
    p.s = 2.0  # ... and the old one again
    g(X)
    p.unused = [1.0, 2.0]  # state the program does not read: a retrace, not a compile
    g(X)
    assert _counts()["compiles"] == before["compiles"] + 1


def test_scalars_are_keyed_by_type_and_value():
    """1, 1.0 and True are equal in Python but trace differently; so do 0.0 and -0.0."""
    for k in (2, 2.0, True, 0.0, -0.0, float("nan"), np.float32(2)):
        for x in (np.int32(3), np.float32(1)):
            got = plait.jit(lambda v: v * k + v / k)(x)  # noqa: B023
            want = jax.jit(lambda v: v * k + v / k)(x)  # noqa: B023
            assert got.dtype == want.dtype, (k, x)
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


class Slotted:
    __slots__ = ("w",)


def test_state_the_key_cannot_see_retraces_every_call():
    """An object without a __dict__ is opaque to the key: its program is retraced on each
    call (and recompiled only if the IR changed)."""
    o = Slotted()
    f = plait.grad(lambda x: body(pnp, x, o.w, 1.0))
    for value, _ in STEPS:
        for w in (pnp.asarray(value), jnp.asarray(value)):
            o.w = w
            close(f(X), jax.grad(lambda x: body(jnp, x, value, 1.0))(X))  # noqa: B023
    before = _counts()
    f(X)
    assert _counts()["traces"] == before["traces"] + 1
    assert _counts()["compiles"] == before["compiles"]


def loss(p, batch):
    return pnp.sum(pnp.tanh(batch @ p) ** 2)


def test_fresh_jit_objects_of_the_same_code_reuse_the_program():
    """`jit(grad(lambda p: loss(p, batch)))` written fresh each step: one trace, one compile,
    each step's batch as an input."""
    p = np.float32([0.5, -0.25])
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(4, 2)).astype(np.float32) for _ in range(3)]
    results, before = [], None
    for step in range(200):
        batch = pnp.asarray(batches[step % 3])
        results.append(plait.jit(plait.grad(lambda q: loss(q, batch)))(p))  # noqa: B023
        if step == 0:
            before = _counts()
    assert _counts() == before
    jloss = lambda q, b: jnp.sum(jnp.tanh(b @ q) ** 2)  # noqa: E731
    for step in range(3):
        close(results[step], jax.grad(jloss)(p, batches[step]))
    assert not np.allclose(results[0], results[1])


def test_fresh_partials_and_eager_control_flow_reuse_the_program():
    p = np.float32([0.5, -0.25])
    batch = np.ones((4, 2), np.float32)
    plait.grad(functools.partial(loss, batch=pnp.asarray(batch)))(p)
    lax.scan(lambda c, x: (c + x, c * x), np.float32(0), np.arange(3, dtype=np.float32))
    before = _counts()
    for k in range(5):
        b = pnp.asarray(batch * k)
        close(plait.grad(functools.partial(loss, batch=b))(p),
              jax.grad(lambda q: jnp.sum(jnp.tanh((batch * k) @ q) ** 2))(p))  # noqa: B023
        c, ys = lax.scan(lambda c, x: (c + x * k, c * x), np.float32(0),  # noqa: B023
                         np.arange(3, dtype=np.float32))
        close((c, ys), jax.lax.scan(lambda c, x: (c + x * k, c * x), np.float32(0),  # noqa: B023
                                    np.arange(3, dtype=np.float32)))
    # k, a Python int the scan body reads, is baked in: a program per value; batch is not
    assert _counts()["compiles"] == before["compiles"] + 5


MASK = np.array([True, False, True])


def _masked(x):
    """A helper whose NumPy global decides a shape: its value is needed while tracing."""
    return pnp.sum(pnp.sin(x[MASK]))


def test_numpy_state_needed_on_the_host_is_read_each_call():
    for m in ([True, False, True], [False, True, True], [True, True, True]):
        MASK[:] = m
        jmask = np.array(m)
        close(plait.grad(lambda x: _masked(x))(X),
              jax.grad(lambda x: jnp.sum(jnp.sin(x[jmask])))(X))  # noqa: B023
        close(plait.jit(lambda x: _masked(x))(X), jnp.sum(jnp.sin(X[jmask])))
    with pytest.raises(plait.ConcretizationError, match="traced mask"):  # a mask of arguments
        plait.jit(lambda x, m: pnp.sum(x[m]))(X, MASK)
