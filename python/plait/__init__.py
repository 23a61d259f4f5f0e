"""plait: NumPy-style code, JAX-style transformations, implemented as MLIR passes.

    import plait, plait.numpy as pnp
    f = plait.jit(lambda x: pnp.sin(x) ** 2)
"""

from plait import (
    dialect,  # noqa: F401  (declare ops)
    numpy,  # noqa: E402,F401  (installs Array and Tracer methods)
)
from plait.core.dtypes import config
from plait.core.errors import (
    ConcretizationError,
    EscapedTracerError,
    IRError,
    PlaitError,
    PlaitTypeError,
    PlaitValueError,
)
from plait.ad import grad, hessian, jacfwd, jacrev, jvp, linearize, value_and_grad, vjp
from plait.jitting import jit, make_mlir
from plait.vmapping import vmap
from plait.runtime.array import Array

__all__ = [
    "Array", "ConcretizationError", "EscapedTracerError", "IRError", "PlaitError",
    "PlaitTypeError", "PlaitValueError", "config", "grad", "hessian", "jacfwd", "jacrev", "jit", "jvp", "linearize", "make_mlir",
    "numpy", "value_and_grad", "vjp", "vmap",
]
