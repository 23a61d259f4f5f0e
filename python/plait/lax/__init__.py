"""`plait.lax`: one function per plait op, with JAX's names and conventions.

Operands must agree in shape and dtype (no promotion, no broadcasting) except Python
scalars, which take the dtype of the array operand and are broadcast, as in `jax.lax`.
"""

from plait.lax import linalg  # noqa: F401
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
from plait.lax._fft import FftType, fft  # noqa: F401
from plait.lax._lax import *  # noqa: F403
from plait.lax._math import (  # noqa: F401
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atanh,
    cbrt,
    cosh,
    erfc,
    exp2,
    integer_pow,
    reciprocal,
    reduce_precision,
    sinh,
)
from plait.lax._reduction import reduce  # noqa: F401
from plait.lax._slicing import *  # noqa: F403
from plait.lax._sorting import sort, sort_key_val, top_k  # noqa: F401
from plait.lax._special import (  # noqa: F401
    bessel_i0e,
    bessel_i1e,
    betainc,
    digamma,
    erf_inv,
    igamma,
    igamma_grad_a,
    igammac,
    lgamma,
    nextafter,
    polygamma,
    random_gamma_grad,
    zeta,
)
from plait.lax.control_flow import cond, fori_loop, scan, switch, while_loop  # noqa: F401
from plait.lax.convolution import (  # noqa: F401
    ConvDimensionNumbers,
    conv,
    conv_dimension_numbers,
    conv_general_dilated,
    conv_general_permutations,
    conv_transpose,
    conv_with_general_padding,
    padtype_to_pads,
)
from plait.lax.windowed import (  # noqa: F401
    associative_scan,
    cumlogsumexp,
    cummax,
    cummin,
    cumprod,
    reduce_window,
)
