"""`plait.lax`: one function per plait op, with JAX's names and conventions.

Operands must agree in shape and dtype (no promotion, no broadcasting) except Python
scalars, which take the dtype of the array operand and are broadcast, as in `jax.lax`.
"""

from plait.lax import linalg  # noqa: F401
from plait.lax._fft import FftType, fft  # noqa: F401
from plait.lax._lax import *  # noqa: F403
from plait.lax.control_flow import cond, fori_loop, scan, switch, while_loop  # noqa: F401
