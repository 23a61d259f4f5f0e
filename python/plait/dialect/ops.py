"""Builder namespace: `P.add(x, y)` emits `plait.add` at the current insertion point."""

from plait.dialect.bits import (  # noqa: F401
    bitcast_convert,
    clz,
    population_count,
    shift_left,
    shift_right_arithmetic,
    shift_right_logical,
)
from plait.dialect.collective import (  # noqa: F401
    all_gather,
    all_to_all,
    axis_index,
    pmax,
    pmin,
    ppermute,
    psum,
    psum_scatter,
)
from plait.dialect.conv import conv_general_dilated  # noqa: F401
from plait.dialect.decompositions import *  # noqa: F401,F403
from plait.dialect.elementwise import *  # noqa: F401,F403
from plait.dialect.elementwise import and_, not_, or_  # noqa: F401
from plait.dialect.fft import *  # noqa: F401,F403
from plait.dialect.linalg import *  # noqa: F401,F403
from plait.dialect.prng import rng_bit_generator, threefry2x32  # noqa: F401
from plait.dialect.reduce import *  # noqa: F401,F403
from plait.dialect.sharding import sharding_constraint  # noqa: F401
from plait.dialect.sort import sort, top_k  # noqa: F401
from plait.dialect.special import (  # noqa: F401
    bessel_i0e,
    bessel_i1e,
    digamma,
    erf_inv,
    igamma,
    igamma_grad_a,
    igammac,
    lgamma,
    next_after,
    polygamma,
    random_gamma_grad,
    regularized_incomplete_beta,
    zeta,
)
from plait.dialect.structural import *  # noqa: F401,F403
from plait.dialect.windows import *  # noqa: F401,F403
