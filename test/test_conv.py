"""Convolutions vs jax: conv_general_dilated over layouts, strides, padding, dilations and
groups (values, JVP, VJP and second order, across dtypes), its wrappers and helpers, vmap
against a loop, eager against jit, the IR its derivatives and batching make, and bad input."""

from __future__ import annotations

import functools
import os

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from usersite import first_line, raises_at

import plait
import plait.lax as pl
import plait.numpy as pnp

HERE = os.path.abspath(__file__)
jl = jax.lax
bf16 = np.dtype(ml_dtypes.bfloat16)


pytestmark = pytest.mark.usefixtures("x64")  # the oracles compute in float64


def _close(got, want, tol):
    got, want = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (g.dtype, g.shape, w.dtype, w.shape)
        wide = np.complex128 if g.dtype.kind == "c" else np.float64
        np.testing.assert_allclose(g.astype(wide), w.astype(wide), rtol=tol, atol=tol)


def _rand(rng, shape, dt):
    x = rng.normal(size=shape)
    if np.dtype(dt).kind == "c":
        x = x + 1j * rng.normal(size=shape)
    return x.astype(dt)


# (lhs shape, rhs shape, conv_general_dilated keyword arguments)
CONFIGS = {
    "nchw_same": ((2, 3, 6, 5), (4, 3, 3, 2), dict(window_strides=(1, 2), padding="SAME")),
    "valid_strided": ((1, 2, 7, 6), (3, 2, 3, 3), dict(window_strides=(2, 3), padding="VALID")),
    "same_lower_rhs_dilation": ((2, 2, 7, 6), (2, 2, 2, 3),
                                dict(window_strides=(2, 1), padding="SAME_LOWER",
                                     rhs_dilation=(2, 2))),
    "pairs_negative_lhs_dilation": ((2, 3, 4, 5), (2, 3, 2, 2),
                                    dict(window_strides=(1, 1), padding=[(2, -1), (0, 1)],
                                         lhs_dilation=(2, 1))),
    "nhwc_hwio": ((2, 5, 4, 3), (2, 3, 3, 4),
                  dict(window_strides=(1, 1), padding=[(1, 1), (0, 2)],
                       dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    "mixed_layouts": ((5, 2, 3, 4), (3, 4, 2, 3),
                      dict(window_strides=(2, 1), padding="SAME", rhs_dilation=(1, 2),
                           dimension_numbers=("HNCW", "OHWI", "NWHC"))),
    "feature_groups": ((2, 6, 5, 4), (6, 2, 3, 2),
                       dict(window_strides=(1, 1), padding=[(1, 1), (2, 1)],
                            feature_group_count=3, lhs_dilation=(1, 2), rhs_dilation=(2, 1))),
    "depthwise": ((2, 5, 5, 3), (3, 3, 1, 6),
                  dict(window_strides=(2, 2), padding="SAME", feature_group_count=3,
                       dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    "batch_groups": ((4, 3, 5, 4), (6, 3, 2, 2),
                     dict(window_strides=(1, 2), padding="VALID", batch_group_count=2)),
    "conv1d": ((2, 7, 3), (3, 3, 2), dict(window_strides=(2,), padding=[(1, 2)],
                                          rhs_dilation=(2,),
                                          dimension_numbers=("NWC", "WIO", "NCW"))),
    "conv3d": ((1, 2, 4, 3, 3), (2, 2, 2, 1, 2), dict(window_strides=(1, 2, 1), padding="SAME")),
}


def _program(L, kw):
    """Value, JVP, VJP and forward-over-reverse second order of one convolution."""
    conv = functools.partial(L.lax.conv_general_dilated, **kw)

    def run(x, w, tx, tw, ct):
        y, t = L.jvp(conv, (x, w), (tx, tw))
        g = L.vjp(conv, x, w)[1](ct)
        loss = lambda a, b: L.np.sum(L.np.real(conv(a, b) * ct))  # noqa: E731
        hvp = L.jvp(L.grad(loss, argnums=(0, 1)), (x, w), (tx, tw))[1]
        return y, t, g, hvp
    return run


PLAIT = type("PLAIT", (), dict(lax=pl, np=pnp, jvp=plait.jvp, vjp=plait.vjp, grad=plait.grad))
JAX = type("JAX", (), dict(lax=jl, np=jnp, jvp=jax.jvp, vjp=jax.vjp, grad=jax.grad))
DTYPES = {"float64": (np.float64, 1e-10), "float32": (np.float32, 1e-4),
          "bfloat16": (bf16, 5e-2), "complex64": (np.complex64, 1e-4)}


# every layout in float64; the other dtypes on three (each case costs two compiles)
CASES = [(n, "float64") for n in CONFIGS] + [
    (n, d) for n in ("nchw_same", "feature_groups", "batch_groups") for d in DTYPES
    if d != "float64"]


@pytest.mark.parametrize("name, dtype", CASES, ids=[f"{n}-{d}" for n, d in CASES])
def test_conv_general_dilated_matches_jax(name, dtype):
    lhs, rhs, kw = CONFIGS[name]
    dt, tol = DTYPES[dtype]
    rng = np.random.default_rng(len(name))
    x, w, tx, tw = (_rand(rng, s, dt) for s in (lhs, rhs, lhs, rhs))
    ct = _rand(rng, jax.eval_shape(functools.partial(jl.conv_general_dilated, **kw), x, w).shape,
               dt)
    got = plait.jit(_program(PLAIT, kw))(x, w, tx, tw, ct)
    want = jax.jit(_program(JAX, kw))(x, w, tx, tw, ct)
    _close(got, want, tol)


@pytest.mark.parametrize("dt, preferred", [(np.int8, np.int32), (np.int8, np.float32),
                                           (bf16, np.float32), (np.float32, np.float64)])
def test_preferred_element_type_matches_jax(dt, preferred):
    rng = np.random.default_rng(0)
    x, w = (np.asarray(rng.normal(size=s) * 3).astype(dt) for s in ((2, 3, 5, 4), (4, 3, 3, 2)))
    f = lambda L: lambda x, w: L.conv_general_dilated(  # noqa: E731
        x, w, (1, 2), "SAME", preferred_element_type=preferred)
    _close(plait.jit(f(pl))(x, w), f(jl)(x, w), 1e-6)
    if np.dtype(dt).kind == "f":  # the gradients come back in the operands' dtype
        loss = lambda L: lambda x, w: (f(L)(x, w) ** 2).sum()  # noqa: E731
        _close(plait.jit(plait.grad(loss(pl), argnums=(0, 1)))(x, w),
               jax.grad(loss(jl), argnums=(0, 1))(x, w), 2e-2)


def test_conv_dimension_numbers_and_pads_match_jax():
    for layout in [None, ("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"),
                   ("HNCW", "OHWI", "NWHC"), ("NDHWC", "DHWIO", "NCDHW")]:
        rank = 4 if layout is None else len(layout[0])
        shape = tuple(range(2, 2 + rank))
        got = pl.conv_dimension_numbers(shape, shape, layout)
        want = jl.conv_dimension_numbers(shape, shape, layout)
        assert tuple(map(tuple, got)) == tuple(map(tuple, want)), layout
    for pad in ["SAME", "VALID", "SAME_LOWER", "same"]:
        for shape, window, strides in [((5, 6), (3, 2), (2, 2)), ((7,), (4,), (3,))]:
            assert pl.padtype_to_pads(shape, window, strides, pad) == \
                list(map(tuple, jl.padtype_to_pads(shape, window, strides, pad)))


WRAPPERS = {
    "conv": lambda L, x, w: L.conv(x, w, (2, 1), "SAME"),
    "conv_with_general_padding": lambda L, x, w: L.conv_with_general_padding(
        x, w, (1, 2), [(1, 0), (2, 1)], (2, 1), (1, 2)),
    "conv_transpose_same": lambda L, x, w: L.conv_transpose(
        x, w, (2, 2), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW")),
    "conv_transpose_valid_kernel": lambda L, x, w: L.conv_transpose(
        x, w, (2, 1), "VALID", rhs_dilation=(1, 2), dimension_numbers=("NCHW", "OIHW", "NCHW"),
        transpose_kernel=True),
    "conv_transpose_pairs": lambda L, x, w: L.conv_transpose(
        x, w, (1, 2), [(1, 1), (0, 2)], dimension_numbers=("NCHW", "OIHW", "NCHW")),
    "conv_transpose_consistent": lambda L, x, w: L.conv_transpose(
        x, w, (2, 2), [(1, 0), (1, 1)], dimension_numbers=("NCHW", "OIHW", "NCHW"),
        use_consistent_padding=True),
}


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_wrappers_match_jax(name):
    """Values and gradients (both operands), under jit and eagerly."""
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(3, 3, 3, 2))
    fn = WRAPPERS[name]
    loss = lambda L, G: G(lambda x, w: (fn(L, x, w) ** 2).sum(), argnums=(0, 1))  # noqa: E731
    want = (fn(jl, x, w), loss(jl, jax.grad)(x, w))
    _close(plait.jit(lambda x, w: (fn(pl, x, w), loss(pl, plait.grad)(x, w)))(x, w), want, 1e-10)
    _close((fn(pl, x, w), loss(pl, plait.grad)(x, w)), want, 1e-10)


def test_conv_transpose_default_layout_is_nhwc():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 4, 5, 3)), rng.normal(size=(3, 2, 3, 4))
    _close(pl.conv_transpose(x, w, (2, 2), "SAME"), jl.conv_transpose(x, w, (2, 2), "SAME"),
           1e-10)


@pytest.mark.parametrize("groups", ["none", "feature", "batch"])
@pytest.mark.parametrize("in_axes", [(0, None), (None, 2), (3, 0)], ids=["lhs", "rhs", "both"])
def test_vmap_matches_loop(in_axes, groups):
    """Batching folds the vmapped axis into the batch, the output features or the groups."""
    kw = dict(window_strides=(1, 2), padding="SAME", rhs_dilation=(2, 1),
              feature_group_count=2 if groups == "feature" else 1,
              batch_group_count=2 if groups == "batch" else 1)
    lhs, rhs = (4, 4, 5, 4), (4, 4 // kw["feature_group_count"], 2, 3)
    rng = np.random.default_rng(3)
    size = 3
    xs = [rng.normal(size=lhs) for _ in range(size)]
    ws = [rng.normal(size=rhs) for _ in range(size)]
    bx = np.stack(xs, in_axes[0]) if in_axes[0] is not None else xs[0]
    bw = np.stack(ws, in_axes[1]) if in_axes[1] is not None else ws[0]
    f = functools.partial(pl.conv_general_dilated, **kw)
    got = plait.vmap(f, in_axes=in_axes)(bx, bw)
    single = plait.jit(f)
    want = np.stack([single(xs[i] if in_axes[0] is not None else xs[0],
                            ws[i] if in_axes[1] is not None else ws[0]) for i in range(size)])
    _close(got, want, 1e-10)


def test_vmap_of_grad_matches_jax():
    """Per-example kernel gradients: batching the transposed convolutions."""
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=(5, 1, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3))
    loss = lambda L: lambda w, x: (L.conv_general_dilated(  # noqa: E731
        x, w, (2, 1), "SAME", feature_group_count=1) ** 2).sum()
    got = plait.jit(plait.vmap(plait.grad(loss(pl)), in_axes=(None, 0)))(w, x)
    _close(got, jax.vmap(jax.grad(loss(jl)), in_axes=(None, 0))(w, x), 1e-10)


def test_eager_calls_match_jit_in_sequence():
    rng = np.random.default_rng(5)
    f = lambda L: lambda x, w: L.conv_general_dilated(x, w, (1, 1), "SAME")  # noqa: E731
    jitted = plait.jit(f(pl))
    for _ in range(3):
        x, w = rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(2, 3, 3, 3))
        want = f(jl)(x, w)
        _close(f(pl)(x, w), want, 1e-10)
        _close(jitted(x, w), want, 1e-10)
        _close(plait.grad(lambda w: (f(pl)(x, w) ** 2).sum())(w),  # noqa: B023
               jax.grad(lambda w: (f(jl)(x, w) ** 2).sum())(w), 1e-10)  # noqa: B023


def test_transposes_are_convolutions():
    """Both transposes of a strided, dilated, grouped convolution are convolutions (no
    gathers, loops or dot_generals: the forward one and two more), and they lower to
    stablehlo.convolution."""
    x, w = np.ones((2, 4, 6, 6), np.float32), np.ones((4, 2, 3, 3), np.float32)
    loss = lambda x, w: pl.conv_general_dilated(  # noqa: E731
        x, w, (2, 2), "SAME", rhs_dilation=(1, 2), feature_group_count=2).sum()
    lowered = plait.jit(plait.grad(loss, argnums=(0, 1))).lower(x, w)
    text = lowered.as_text("plait")
    assert text.count('"plait.conv_general_dilated"') == 3, text
    for op in ("gather", "scatter", "while", "scan", "dot_general"):
        assert f"plait.{op}" not in text
    assert lowered.as_text("stablehlo").count("stablehlo.convolution") == 3


def test_vmap_over_lhs_folds_into_the_batch_dimension():
    x, w = np.ones((5, 2, 3, 4, 4), np.float32), np.ones((2, 3, 3, 3), np.float32)
    f = plait.jit(plait.vmap(lambda x: pl.conv_general_dilated(x, w, (1, 1), "SAME")))
    text = f.lower(x).as_text("plait")
    assert text.count('"plait.conv_general_dilated"') == 1
    assert "tensor<10x3x4x4xf32>" in text, text


def test_data_parallel_cnn_step_matches_jax():
    """A convolution and max pooling step with the batch sharded over 8 devices: values and
    gradients as jax's, the activations batch-sharded, the kernel gradient replicated."""
    devices = np.array(jax.devices())
    if devices.size != 8:
        pytest.skip("needs 8 devices (test/conftest.py)")
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=(16, 6, 6, 2)), rng.normal(size=(3, 3, 2, 4))

    def loss(L, N):
        def f(w, x):
            y = L.conv_general_dilated(x, w, (1, 1), "SAME",
                                       dimension_numbers=("NHWC", "HWIO", "NHWC"))
            y = L.reduce_window(y, -np.inf, L.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
            return N.mean(y ** 2)
        return f
    mesh = plait.sharding.Mesh(devices, ("data",))
    rep, batch = (plait.sharding.NamedSharding(mesh, plait.sharding.PartitionSpec(*s))
                  for s in ((), ("data",)))
    step = plait.jit(plait.value_and_grad(loss(pl, pnp)), in_shardings=(rep, batch))
    got = step(w, x)
    _close(got, jax.value_and_grad(loss(jl, jnp))(w, x), 1e-10)
    assert got[1].sharding.spec == plait.sharding.PartitionSpec()
    text = step.lower(w, x).as_text("plait")
    conv_line = next(ln for ln in text.splitlines() if '"plait.conv_general_dilated"' in ln)
    assert '[{"data"}, {}, {}, {}]' in conv_line, conv_line


# --- bad input --------------------------------------------------------------------------------

_raises = functools.partial(raises_at, here=HERE)
X, W = np.ones((2, 4, 5, 5), np.float32), np.ones((6, 2, 3, 3), np.float32)


@pytest.mark.parametrize("make, fragments", [
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "SAME", feature_group_count=3),
     ["plait.conv_general_dilated", "feature_group_count 3 does not divide the lhs feature "
      "dimension (4)"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, np.ones((6, 4, 3, 3), np.float32), (1, 1),
                                                  "SAME", batch_group_count=4),
     ["plait.conv_general_dilated", "batch_group_count 4 does not divide the rhs output "
      "feature dimension (6)"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "VALID"),
     ["the lhs feature dimension (4) divided by feature_group_count (1) must equal the rhs "
      "input feature dimension (2)"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w[:, :, :, :1], (1, 1),
                                                  [(-2, -2), (0, 0)], feature_group_count=2),
     ["the window (3 with dilation) is larger than the padded lhs spatial (1)"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w.astype(np.float16), (1, 1), "SAME",
                                                  feature_group_count=2),
     ["lhs and rhs must have equal dtypes, got float32 and float16"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 0), "SAME", feature_group_count=2),
     ["window_strides (1, 0) must be positive"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "SAME", feature_group_count=2,
                                                  preferred_element_type=np.float16),
     ["preferred_element_type float16 is narrower than float32"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "FULL"),
     ["unknown padding 'FULL'"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "SAME", lhs_dilation=(2, 1)),
     ["string padding is not defined with lhs_dilation (2, 1)"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), [(1, 1)]),
     ["needs one (low, high) pair per spatial dimension (2)"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "SAME",
                                                  dimension_numbers=("NCHW", "OIHW", "NCXW")),
     ["must name the same spatial dimensions"]),
    (lambda: lambda x, w: pl.conv_general_dilated(x, w, (1, 1), "SAME",
                                                  dimension_numbers=("NCHW", "OHW", "NCHW")),
     ["dimension_numbers[1] 'OHW' needs one character per dimension"]),
], ids=["feature_groups", "batch_groups", "in_features", "window", "dtypes", "stride",
        "preferred", "padding_string", "string_padding_lhs_dilation", "pairs", "layout_chars",
        "layout_length"])
@pytest.mark.parametrize("mode", ["jit", "eager"])
def test_bad_input_names_the_op_and_the_line(make, fragments, mode):
    fn = make()
    call = (lambda: plait.jit(fn)(X, W)) if mode == "jit" else (lambda: fn(X, W))
    _raises((plait.PlaitTypeError, plait.PlaitValueError), call, first_line(fn), *fragments)


def test_bad_input_under_grad_names_the_line():
    def loss(w):
        return pl.conv_general_dilated(X, w, (1, 1), "SAME", feature_group_count=3).sum()

    _raises(plait.PlaitTypeError, lambda: plait.grad(loss)(W), first_line(loss) + 1,
            "feature_group_count 3")
