"""`plait.lax`: one function per plait op, with JAX's names and conventions.

Operands must agree in shape and dtype (no promotion, no broadcasting) except Python
scalars, which take the dtype of the array operand and are broadcast, as in `jax.lax`.
"""

from plait.lax._bits import (  # noqa: F401
    RandomAlgorithm,
    bitcast_convert_type,
    clz,
    population_count,
    rng_bit_generator,
    shift_left,
    shift_right_arithmetic,
    shift_right_logical,
    threefry2x32,
)
from plait.lax._lax import *  # noqa: F403
from plait.lax._sorting import sort, sort_key_val, top_k  # noqa: F401
from plait.lax._special import digamma, erf_inv, lgamma, nextafter, polygamma  # noqa: F401
from plait.lax.control_flow import cond, fori_loop, scan, switch, while_loop  # noqa: F401
