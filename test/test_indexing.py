"""NumPy indexing of plait arrays vs NumPy: `x[idx]` and `x.at[idx].set/add/get`, eagerly and
under plait.jit, with index arrays both concrete (NumPy) and traced (plait.jit arguments).

A record is (name, index builder, index arrays): `build(*arrays)` is the index, so the same
record runs with the arrays as NumPy constants and as traced values.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from opcases import JX, PL

import plait
import plait.numpy as pnp

SHAPE = (4, 5, 6)
_X = {dt: (np.arange(np.prod(SHAPE)).reshape(SHAPE) - 50).astype(dt)
      for dt in ("float32", "int32", "float64", "bool")}


def _i(*v):
    return np.asarray(v, np.int32)


# (name, build(*arrays) -> index, arrays)
BASIC = [
    ("int", lambda: 1, ()),
    ("negative-int", lambda: -1, ()),
    ("ints", lambda: (0, -2), ()),
    ("all-ints", lambda: (1, 2, 3), ()),
    ("numpy-int", lambda: (np.int64(2), np.int32(-1)), ()),
    ("slice", lambda: slice(1, 3), ()),
    ("slice-open", lambda: (slice(None), slice(-2, None)), ()),
    ("slice-step", lambda: (slice(None, None, 2), slice(1, None, 3)), ()),
    ("slice-reverse", lambda: slice(None, None, -1), ()),
    ("slice-negative-step", lambda: (slice(3, 0, -2), slice(-1, -5, -1), slice(None, None, -4)), ()),
    ("slice-empty", lambda: (slice(3, 1), 0), ()),
    ("slice-clipped", lambda: (slice(-10, 10), slice(2, 100, 2)), ()),
    ("none", lambda: None, ()),
    ("none-int", lambda: (None, 0, None), ()),
    ("ellipsis-none", lambda: (Ellipsis, None), ()),
    ("ellipsis-int", lambda: (Ellipsis, 1), ()),
    ("int-ellipsis", lambda: (1, Ellipsis), ()),
    ("int-ellipsis-int", lambda: (0, ..., -2), ()),
    ("ellipsis-only", lambda: ..., ()),
    ("mixed-basic", lambda: (slice(None, None, -1), None, 2, slice(1, 4)), ()),
]

ADVANCED = [
    ("array", lambda i: i, (_i(0, 2),)),
    ("array-2d", lambda i: i, (_i(0, 1, 2, 3).reshape(2, 2),)),
    ("array-negative", lambda i: i, (_i(-1, -4, 2),)),
    ("array-0d", lambda i: (slice(None), i), (np.int32(-2),)),
    ("array-repeated", lambda i: i, (_i(3, 3, 0),)),
    ("array-int64", lambda i: (slice(None), i), (np.asarray([4, -5], np.int64),)),
    ("array-uint8", lambda i: (..., i), (np.asarray([5, 0], np.uint8),)),
    ("array-empty", lambda i: i, (np.zeros(0, np.int32),)),
    ("list", lambda: [0, -1, 2], ()),
    ("arrays-adjacent", lambda i, j: (i, j), (_i(0, 1), _i(1, -2))),
    ("arrays-adjacent-middle", lambda i, j: (slice(None), i, j), (_i(0, 1), _i(1, 2))),
    ("arrays-non-adjacent", lambda i, j: (i, slice(None), j), (_i(0, 1, 3), _i(1, 2, -1))),
    ("arrays-broadcast", lambda i, j: (i, j), (_i(0, 1, 2).reshape(3, 1), _i(0, 4))),
    ("arrays-broadcast-non-adjacent", lambda i, j: (i, slice(1, 3), j),
     (_i(0, 3).reshape(2, 1), _i(0, 1, 5))),
    ("int-and-array", lambda i: (1, i), (_i(0, 4),)),
    ("int-and-array-non-adjacent", lambda i: (i, slice(None), 2), (_i(0, 3),)),
    ("array-and-slices", lambda i: (slice(1, 3), slice(None, None, -1), i), (_i(5, 0),)),
    ("array-none", lambda i: (None, i, None), (_i(1, 2),)),
    ("array-ellipsis", lambda i: (..., i), (_i(0, -1),)),
]

MASKS = [
    ("mask-full", lambda: _X["float32"] % 3 == 0, ()),
    ("mask-axis0", lambda: np.array([True, False, True, True]), ()),
    ("mask-2d", lambda: np.arange(20).reshape(4, 5) % 4 == 1, ()),
    ("mask-with-slice", lambda: (slice(None), np.array([False, True, False, True, True])), ()),
    ("mask-with-int", lambda: (np.array([True, False, False, True]), slice(None), 0), ()),
    ("mask-list", lambda: [True, False, True, False], ()),
    ("mask-all-false", lambda: np.zeros(4, bool), ()),
    ("mask-and-array", lambda i: (np.array([True, False, True, True]), slice(None), i),
     (_i(0, 5, -1),)),
]



def _params(recs, dtypes=("float32",)):
    return [pytest.param(build, arrays, dt, id=f"{name}-{dt}")
            for name, build, arrays in recs for dt in dtypes]


def _check(out, ref):
    assert isinstance(out, plait.Array)
    assert out.dtype == ref.dtype, (out.dtype, ref.dtype)
    np.testing.assert_array_equal(np.asarray(out), ref)


def _jit(fn, *args):
    return plait.jit(fn)(*args)


@pytest.mark.parametrize("build, arrays, dt", _params(BASIC, ("float32", "bool"))
                         + _params(ADVANCED + MASKS))
def test_getitem(build, arrays, dt):
    x = _X[dt]
    ref = x[build(*arrays)]
    _check(pnp.asarray(x)[build(*arrays)], ref)
    _check(_jit(lambda a: a[build(*arrays)], x), ref)  # concrete NumPy index arrays
    if arrays:  # traced index arrays
        _check(pnp.asarray(x)[build(*[pnp.asarray(a) for a in arrays])], ref)
        _check(_jit(lambda a, *ix: a[build(*ix)], x, *arrays), ref)
        _check(_jit(lambda a, *ix: a.at[build(*ix)].get(), x, *arrays), ref)


@pytest.mark.parametrize("idx", [(), None, ..., (None, ...)], ids=["()", "None", "...", "None,..."])
def test_getitem_0d(idx):
    x = np.float32(2.5)
    ref = np.asarray(x)[idx]
    _check(pnp.asarray(x)[idx], ref)
    _check(_jit(lambda a: a[idx], x), ref)


def test_getitem_eager_int_reuses_program():
    from plait import jitting

    x = pnp.asarray(_X["float32"])
    _check(x[0], _X["float32"][0])
    before = jitting.stats["compiles"]
    for k in range(1, 4):
        _check(x[k], _X["float32"][k])
        _check(x[-k, 1], _X["float32"][-k, 1])
    assert jitting.stats["compiles"] <= before + 1


def test_iteration_matches_numpy():
    x = _X["int32"][:3, :2, :2]
    assert [np.asarray(r).tolist() for r in pnp.asarray(x)] == [r.tolist() for r in x]


# --- x.at[idx].set / add -----------------------------------------------------------------------

# (name, build(*arrays) -> index, arrays, value shape)
UPDATES = [
    ("int", lambda: 1, (), ()),
    ("negative-int", lambda: -1, (), (6,)),
    ("ints", lambda: (1, -2), (), (6,)),
    ("all-ints", lambda: (3, 0, -1), (), ()),
    ("slice", lambda: slice(1, 3), (), (5, 6)),
    ("slice-broadcast", lambda: (slice(1, 3), 2), (), (6,)),
    ("slice-open", lambda: (slice(None), slice(-2, None)), (), (1, 2, 6)),
    ("slice-step", lambda: (slice(None), slice(None, None, 2)), (), (3, 6)),
    ("slice-step-int", lambda: (slice(1, None, 2), 0, slice(None, None, 3)), (), (2, 2)),
    ("slice-negative-step", lambda: slice(None, None, -2), (), (2, 5, 6)),
    ("slice-empty", lambda: slice(2, 2), (), ()),
    ("ellipsis", lambda: (..., 0), (), (4, 5)),
    ("array", lambda i: i, (_i(0, 2),), (2, 5, 6)),
    ("array-negative", lambda i: (slice(None), i), (_i(-1, 0),), (4, 2, 6)),
    ("array-duplicates", lambda i: i, (_i(0, 0, 3, 0),), (4, 1, 1)),
    ("arrays-adjacent", lambda i, j: (i, j), (_i(0, 1, 1), _i(2, 2, 4)), (3, 6)),
    ("arrays-non-adjacent", lambda i, j: (i, slice(1, 3), j), (_i(0, 3, 0), _i(1, 2, 1)), (3, 2)),
    ("arrays-broadcast", lambda i, j: (i, j, 0), (_i(0, 1).reshape(2, 1), _i(0, 4, 4)), (2, 3)),
    ("array-and-step-slice", lambda i: (slice(None, None, 2), i), (_i(1, 4),), (2, 2, 6)),
    ("mask", lambda: np.array([True, False, False, True]), (), (5, 6)),
    ("mask-and-slice", lambda: (slice(1, 3), _X["int32"][0] % 4 == 0), (), ()),
]


def _numpy_update(x, idx, v, mode):
    y = x.copy()
    if mode == "set":
        y[idx] = v
    else:
        np.add.at(y, idx, v)
    return y


def _check_update(out, x, idx, v, mode):
    """NumPy's result, except where `set` writes a location more than once: XLA (like JAX) leaves
    the winner unspecified, so there the value must lie within the values written."""
    ref = _numpy_update(x, idx, v, mode)
    if mode == "add":
        return _check(out, ref)
    vb = np.broadcast_to(v, x[idx].shape)
    writes = np.zeros(x.shape, int)
    np.add.at(writes, idx, 1)
    lo, hi = np.full(x.shape, np.inf), np.full(x.shape, -np.inf)
    np.minimum.at(lo, idx, vb)
    np.maximum.at(hi, idx, vb)
    assert isinstance(out, plait.Array) and out.dtype == ref.dtype, (out.dtype, ref.dtype)
    got, dup = np.asarray(out), writes > 1
    np.testing.assert_array_equal(np.where(dup, ref, got), ref)
    assert np.all((lo[dup] <= got[dup]) & (got[dup] <= hi[dup])), (got[dup], lo[dup], hi[dup])


def _update_params():
    out = [pytest.param(build, arrays, vshape, mode, "float32", id=f"{name}-{mode}")
           for name, build, arrays, vshape in UPDATES for mode in ("set", "add")]
    return out + [pytest.param(build, arrays, vshape, mode, "int32", id=f"{name}-{mode}-int32")
                  for name, build, arrays, vshape in UPDATES
                  if name in ("int", "slice-step", "array-duplicates") for mode in ("set", "add")]


def _at(x, idx, v, mode):
    return getattr(x.at[idx], mode)(v)


@pytest.mark.parametrize("build, arrays, vshape, mode, dt", _update_params())
def test_at_update(build, arrays, vshape, mode, dt):
    x = _X[dt]
    v = (np.arange(np.prod(vshape)).reshape(vshape) * 3 + 7).astype(dt)
    idx = build(*arrays)
    _check_update(_at(pnp.asarray(x), idx, pnp.asarray(v), mode), x, idx, v, mode)
    _check_update(_jit(lambda a, b: _at(a, build(*arrays), b, mode), x, v), x, idx, v, mode)
    if arrays:
        _check_update(_at(pnp.asarray(x), build(*[pnp.asarray(a) for a in arrays]), v, mode),
                      x, idx, v, mode)
        _check_update(_jit(lambda a, b, *ix: _at(a, build(*ix), b, mode), x, v, *arrays),
                      x, idx, v, mode)


def test_at_update_scalar_value_and_dtype():
    x = _X["int32"]
    out = plait.jit(lambda a: a.at[0, 1].set(2.7))(x)  # cast to the array's dtype, as in JAX
    ref = x.copy()
    ref[0, 1] = 2
    _check(out, ref)
    y = _X["float64"]
    _check(plait.jit(lambda a: a.at[1:3, 0].add(1))(y), _numpy_update(y, (slice(1, 3), 0), 1, "add"))


def test_at_update_eager_int_reuses_program():
    from plait import jitting

    x = pnp.asarray(_X["float32"])
    x.at[0].set(1.0)
    before = jitting.stats["compiles"]
    for k in range(1, 4):
        _check(x.at[k].set(1.0), _numpy_update(_X["float32"], k, 1.0, "set"))
    assert jitting.stats["compiles"] == before


# --- errors ------------------------------------------------------------------------------------

def test_traced_boolean_mask_raises():
    x = _X["float32"]
    with pytest.raises(plait.ConcretizationError, match="boolean"):
        plait.jit(lambda a: a[a > 0])(x)
    with pytest.raises(plait.ConcretizationError, match="boolean"):
        plait.jit(lambda a, m: a[m])(x, x > 0)
    with pytest.raises(plait.ConcretizationError, match="boolean"):
        plait.jit(lambda a: a.at[a > 0].set(0))(x)


@pytest.mark.parametrize("idx", [4, -5, (0, 5), (slice(None), 0, 6), (..., -7)],
                         ids=["4", "-5", "0,5", ":,0,6", "...,-7"])
def test_out_of_range_static_int_raises(idx):
    x = _X["float32"]
    with pytest.raises(plait.PlaitValueError, match="out of bounds"):
        pnp.asarray(x)[idx]
    with pytest.raises(plait.PlaitValueError, match="out of bounds"):
        plait.jit(lambda a: a[idx])(x)
    with pytest.raises(plait.PlaitValueError, match="out of bounds"):
        plait.jit(lambda a: a.at[idx].set(0))(x)


@pytest.mark.parametrize("idx, err", [
    ((0, 0, 0, 0), plait.PlaitValueError), ((..., 0, ...), plait.PlaitValueError),
    (1.5, plait.PlaitTypeError), (np.array([0.5]), plait.PlaitTypeError),
    ("a", plait.PlaitTypeError),
], ids=["too-many", "two-ellipses", "float", "float-array", "str"])
def test_bad_index_raises(idx, err):
    with pytest.raises(err):
        plait.jit(lambda a: a[idx])(_X["float32"])


# --- lax.dynamic_slice / dynamic_update_slice: negative starts wrap, then clamp (jax) ---------

# starts: in bounds, negative (wraps to start + dim), past the end and far negative (clamped)
DYNAMIC_STARTS = [(1, 2), (-2, 0), (-1, -3), (3, 9), (-9, 1), (0, -6)]


def _dyn_slice(L, x, i, j):
    return L.lax.dynamic_slice(x, (i, j), (2, 3))


def _dyn_update(L, x, i, j):
    return L.lax.dynamic_update_slice(x, L.np.ones((2, 3), x.dtype) * 7, (i, j))


@pytest.mark.parametrize("fn", [_dyn_slice, _dyn_update], ids=["slice", "update"])
@pytest.mark.parametrize("starts", DYNAMIC_STARTS, ids=str)
def test_dynamic_slice_negative_starts_match_jax(fn, starts):
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    want = np.asarray(fn(JX, x, *starts))
    i, j = (np.int32(s) for s in starts)
    np.testing.assert_array_equal(fn(PL, pnp.asarray(x), *starts), want)  # Python ints, eager
    np.testing.assert_array_equal(fn(PL, pnp.asarray(x), pnp.asarray(i), pnp.asarray(j)), want)
    np.testing.assert_array_equal(plait.jit(lambda a, i, j: fn(PL, a, i, j))(x, i, j), want)
    np.testing.assert_array_equal(plait.jit(lambda a: fn(PL, a, *starts))(x), want)
    # vmap over the starts, and the gradient (which scatters back through the wrapped start)
    batch = np.asarray([s for s, _ in DYNAMIC_STARTS], np.int32)
    vm = plait.vmap(lambda i: fn(PL, x, i, j))(batch)
    np.testing.assert_array_equal(vm, jax.vmap(lambda i: fn(JX, x, i, j))(batch))
    g = plait.grad(lambda a: pnp.sum(pnp.sin(fn(PL, a, i, j))))(x)
    np.testing.assert_allclose(g, jax.grad(lambda a: jax.numpy.sum(jax.numpy.sin(
        fn(JX, a, i, j))))(x), rtol=1e-6)


# --- out-of-bounds modes: take, take_along_axis, .at[] (jax's defaults) --------------------

# in bounds, negative (wraps once), past the end, below -n (out of bounds after wrapping)
OOB_INDEX = np.asarray([1, -1, 5, -6, 0, 3], np.int32)
_Y = {dt: (np.arange(12).reshape(4, 3) % 5 - 1).astype(dt)
      for dt in ("float32", "int32", "uint8", "bool")}


def _same(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


def _eager_and_jit(fn, want, x, *args):
    """fn on plait arrays eagerly (indices as plait and as NumPy arrays), and under plait.jit
    with the indices traced and as constants."""
    _same(fn(pnp.asarray(x), *[pnp.asarray(a) for a in args]), want)
    _same(fn(pnp.asarray(x), *args), want)
    _same(plait.jit(fn)(x, *args), want)
    _same(plait.jit(lambda a: fn(a, *args))(x), want)


TAKE_MODES = [{}, {"mode": "fill"}, {"mode": "clip"}, {"mode": "wrap"},
              {"fill_value": 7}, {"mode": "fill", "fill_value": 3}]


@pytest.mark.parametrize("kw", TAKE_MODES, ids=str)
@pytest.mark.parametrize("dt", list(_Y), ids=str)
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_take_modes_match_jax(kw, dt, axis):
    x = _Y[dt]
    if dt == "bool" and "fill_value" in kw:
        kw = {**kw, "fill_value": False}
    i = OOB_INDEX if axis is not None else np.append(OOB_INDEX, [13, -13, -12])
    want = jax.numpy.take(x, i, axis=axis, **kw)
    _eager_and_jit(lambda a, i: pnp.take(a, i, axis=axis, **kw), want, x, i)
    _same(pnp.take(x, i.tolist(), axis=axis, **kw), want)  # a list of ints
    _same(pnp.take(x, 17, axis=axis, **kw), jax.numpy.take(x, 17, axis=axis, **kw))


@pytest.mark.parametrize("kw", [{}, {"mode": "fill"}, {"mode": "clip"},
                                {"fill_value": 9}], ids=str)
@pytest.mark.parametrize("dt", ["float32", "int32", "bool"])
def test_take_along_axis_modes_match_jax(kw, dt):
    x = _Y[dt]
    if dt == "bool" and "fill_value" in kw:
        kw = {"fill_value": False}
    idx = OOB_INDEX.reshape(2, 3)
    for axis, i in ((0, idx), (1, np.resize(OOB_INDEX, (4, 2))), (None, OOB_INDEX)):
        want = jax.numpy.take_along_axis(x, i, axis=axis, **kw)
        _eager_and_jit(lambda a, i, axis=axis: pnp.take_along_axis(a, i, axis=axis, **kw), want,
                       x, i)


AT_GET_MODES = [{}, {"mode": "promise_in_bounds"}, {"mode": "clip"}, {"mode": "fill"},
                {"mode": "drop"}, {"mode": "fill", "fill_value": 5}]


@pytest.mark.parametrize("kw", AT_GET_MODES, ids=str)
@pytest.mark.parametrize("dt", ["float32", "int32", "uint8"])
def test_at_get_modes_match_jax(kw, dt):
    x = _Y[dt]
    for build in (lambda i: i, lambda i: (slice(None), i[:3]), lambda i: (i[:2, None], i[2:5])):
        want = jax.numpy.asarray(x).at[build(OOB_INDEX)].get(**kw)
        _eager_and_jit(lambda a, i, build=build: a.at[build(i)].get(**kw), want, x, OOB_INDEX)
    if kw.get("mode") not in (None, "promise_in_bounds"):  # static ints follow the mode too
        want = jax.numpy.asarray(x).at[7, -1].get(**kw)
        _same(pnp.asarray(x).at[7, -1].get(**kw), want)
        _same(plait.jit(lambda a: a.at[7, -1].get(**kw))(x), want)


@pytest.mark.parametrize("mode", [None, "promise_in_bounds", "clip", "drop", "fill"])
@pytest.mark.parametrize("kind", ["set", "add"])
def test_at_update_modes_match_jax(mode, kind):
    x = _Y["float32"]
    kw = {} if mode is None else {"mode": mode}
    v = np.arange(6, dtype=np.float32) * 10 + 10
    # unique after clamping, so a `set` has one winner per location
    i = np.asarray([1, -1, 5, -6], np.int32) if mode == "clip" else OOB_INDEX
    v = v[:len(i)]
    want = getattr(jax.numpy.asarray(x).at[i, 1], kind)(v, **kw)
    _eager_and_jit(lambda a, i, v: getattr(a.at[i, 1], kind)(v, **kw), want, x, i, v)
    if mode is not None and mode != "promise_in_bounds":
        want = getattr(jax.numpy.asarray(x).at[9, 1], kind)(5.0, **kw)
        _same(getattr(pnp.asarray(x).at[9, 1], kind)(5.0, **kw), want)


def test_out_of_bounds_modes_grads_match_jax():
    """Filled and dropped entries get no gradient; clamped ones send theirs to the edge."""
    x = _Y["float32"] + 0.5
    i = OOB_INDEX
    unique = np.asarray([1, 5, -6, 0, -1, 7], np.int32)  # a set's winner is unspecified

    def losses(np_):
        w = np.arange(1, 7, dtype=np.float32)
        fill = lambda a: np_.sum(np_.where(np_.isnan(t := np_.take(a, i)), 0.0, t) * w)
        return [
            fill,
            lambda a: np_.sum(np_.take(a, i, axis=0, mode="clip").T * w),
            lambda a: np_.sum(np_.take(a, i, mode="wrap") * w),
            lambda a: np_.sum(np_.take_along_axis(a, i.reshape(2, 3), axis=0,
                                                   fill_value=0.0) ** 2),
            lambda a: np_.sum(a.at[i, 2].get(mode="fill", fill_value=1.0) * w),
            lambda a: np_.sum(a.at[unique, 0].set(a[0, 0] * w) ** 2),
            lambda a: np_.sum(a.at[i, 0].add(a[1, 1] * w, mode="clip") ** 2),
        ]
    for k, (f, fj) in enumerate(zip(losses(pnp), losses(jax.numpy))):
        want = jax.grad(fj)(x)
        np.testing.assert_allclose(plait.grad(f)(x), want, rtol=1e-6, err_msg=str(k))
        np.testing.assert_allclose(plait.jit(plait.grad(f))(x), want, rtol=1e-6, err_msg=str(k))


def test_out_of_bounds_modes_under_vmap_match_jax():
    x = _Y["float32"]
    i = np.resize(OOB_INDEX, (4, 3))
    cases = [lambda np_: lambda a, j: np_.take(a, j),
             lambda np_: lambda a, j: a.at[j].get(mode="fill", fill_value=-1.0),
             lambda np_: lambda a, j: a.at[j].add(1.0, mode="clip"),
             lambda np_: lambda a, j: a.at[j].set(5.0)]
    for case in cases:
        _same(plait.vmap(case(pnp))(x, i), jax.vmap(case(jax.numpy))(x, i))


@pytest.mark.parametrize("call, err", [
    (lambda x: pnp.take(x, 1, mode="raise"), plait.PlaitValueError),
    (lambda x: pnp.take(x, 1, mode="nearest"), plait.PlaitValueError),
    (lambda x: x.at[1].get(mode="wrap"), plait.PlaitValueError),
    (lambda x: x.at[1].set(0.0, mode="bogus"), plait.PlaitValueError),
    (lambda x: pnp.take(x, 1, fill_value=np.zeros(2)), plait.PlaitValueError),
], ids=["take-raise", "take-unknown", "get-wrap", "set-unknown", "fill-not-scalar"])
def test_bad_mode_raises(call, err):
    with pytest.raises(err, match="mode|fill_value"):
        call(pnp.asarray(_Y["float32"]))


# --- x.at[idx].multiply / min / max / apply vs jax ---------------------------------------------

def _combine(np_, kind):
    """x.at[idx].<kind>(v), with apply's function written so it runs on both arrays."""
    if kind == "apply":
        return lambda x, idx, v: x.at[idx].apply(lambda e: e * 3 - 1)
    return lambda x, idx, v: getattr(x.at[idx], kind)(v)


def _combine_params():
    return [pytest.param(build, arrays, vshape, kind, dt, id=f"{name}-{kind}-{dt}")
            for name, build, arrays, vshape in UPDATES if name not in ("mask", "mask-and-slice")
            for kind in ("multiply", "min", "max", "apply")
            for dt in (("float32", "int32") if name in ("int", "array-duplicates")
                       else ("float32",))]


@pytest.mark.parametrize("build, arrays, vshape, kind, dt", _combine_params())
def test_at_combine_matches_jax(build, arrays, vshape, kind, dt):
    """Eagerly and under jit, with index arrays as constants and traced; repeated indices
    combine every value in (apply: once per repetition), as jax."""
    x = _X[dt]
    v = ((np.arange(np.prod(vshape)).reshape(vshape) * 7) % 11 - 5).astype(dt)
    want = _combine(jax.numpy, kind)(jax.numpy.asarray(x), build(*arrays), v)
    f = _combine(pnp, kind)
    _same(f(pnp.asarray(x), build(*arrays), pnp.asarray(v)), want)
    _same(plait.jit(lambda a, b: f(a, build(*arrays), b))(x, v), want)
    if arrays:
        _same(plait.jit(lambda a, b, *ix: f(a, build(*ix), b))(x, v, *arrays), want)


@pytest.mark.parametrize("mode", [None, "clip", "drop"])
@pytest.mark.parametrize("kind", ["multiply", "min", "max", "apply"])
def test_at_combine_modes_match_jax(mode, kind):
    x = _Y["float32"]
    kw = {} if mode is None else {"mode": mode}
    v = np.arange(6, dtype=np.float32) - 2.5
    f = (lambda np_: lambda a, i, v: a.at[i, 1].apply(np_.sin, **kw)) if kind == "apply" else \
        (lambda np_: lambda a, i, v: getattr(a.at[i, 1], kind)(v, **kw))
    want = f(jax.numpy)(jax.numpy.asarray(x), OOB_INDEX, v)
    np.testing.assert_allclose(plait.jit(f(pnp))(x, OOB_INDEX, v), want, rtol=1e-6)
    np.testing.assert_allclose(f(pnp)(pnp.asarray(x), OOB_INDEX, v), want, rtol=1e-6)


def test_at_combine_grads_match_jax():
    """Repeated indices: min/max share the tangent among ties (jax's rule); multiply in the
    operand; and with unique indices in the updates too. jax does not differentiate apply:
    its side is the same update written as a set."""
    x = _Y["float32"] + 0.25
    rep = np.asarray([1, 3, 1, 0, 3], np.int32)
    uniq = np.asarray([3, 0, 2], np.int32)
    w = np.arange(1, 13, dtype=np.float32).reshape(4, 3)

    def losses(np_):
        return [
            lambda a, v: np_.sum(a.at[rep].max(v[:5, None] * a[2]) * w),
            lambda a, v: np_.sum(a.at[rep, 1].min(v[:5]) * w),
            lambda a, v: np_.sum(a.at[rep].multiply(2.0) * a * w),
            lambda a, v: np_.sum(a.at[uniq, 2].multiply(v[:3], unique_indices=True) ** 2),
            lambda a, v: np_.sum((a.at[uniq].apply(np_.sin, unique_indices=True) if np_ is pnp
                                  else a.at[uniq].set(np_.sin(a[uniq]))) * w),
        ]
    v = np.asarray([0.5, -1.0, 2.0, 0.75, 1.5, 3.0], np.float32)
    for k, (f, fj) in enumerate(zip(losses(pnp), losses(jax.numpy))):
        want = jax.grad(fj, argnums=(0, 1))(x, v)
        for got in (plait.grad(f, argnums=(0, 1))(x, v),
                    plait.jit(plait.grad(f, argnums=(0, 1)))(x, v)):
            for g, e in zip(got, want):
                np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6, err_msg=str(k))


def test_at_combine_under_vmap_matches_jax():
    x = _Y["float32"]
    i = np.resize(OOB_INDEX, (4, 3))
    v = np.arange(12, dtype=np.float32).reshape(4, 3) - 6
    cases = [lambda np_: lambda a, j, u: a.at[j].multiply(u[0]),
             lambda np_: lambda a, j, u: a.at[j].min(u),
             lambda np_: lambda a, j, u: a.at[j].max(u, mode="clip"),
             lambda np_: lambda a, j, u: a.at[j].apply(np_.cos)]
    for case in cases:
        np.testing.assert_allclose(plait.vmap(case(pnp))(x, i, v),
                                   jax.vmap(case(jax.numpy))(x, i, v), rtol=1e-6)
