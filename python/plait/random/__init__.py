"""`plait.random`: jax.random's API and its bits, built from plait ops (threefry2x32 keys by
default; rbg and unsafe_rbg keys with `impl=`, as jax).

    import plait, plait.random as pr
    k1, k2 = pr.split(pr.key(0))
    x = pr.normal(k1, (3,))          # the same numbers as jax.random.normal(jax.random.key(0)...)
"""

from plait.random._gamma import (  # noqa: F401
    ball,
    beta,
    chisquare,
    dirichlet,
    gamma,
    generalized_normal,
    loggamma,
    poisson,
    t,
)
from plait.random._keys import (  # noqa: F401
    PRNGKey,
    PRNGKeyArray,
    bits,
    clone,
    fold_in,
    key,
    key_data,
    key_impl,
    split,
    wrap_key_data,
)
from plait.random._multivariate import multivariate_normal, orthogonal  # noqa: F401
from plait.random._samplers import (  # noqa: F401
    bernoulli,
    categorical,
    cauchy,
    choice,
    exponential,
    gumbel,
    laplace,
    logistic,
    normal,
    permutation,
    rademacher,
    randint,
    truncated_normal,
    uniform,
)
