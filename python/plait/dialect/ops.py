"""Builder namespace: `P.add(x, y)` emits `plait.add` at the current insertion point."""

from plait.dialect.collective import all_gather, axis_index, ppermute, psum, psum_scatter  # noqa: F401
from plait.dialect.decompositions import *  # noqa: F401,F403
from plait.dialect.elementwise import *  # noqa: F401,F403
from plait.dialect.elementwise import and_, not_, or_  # noqa: F401
from plait.dialect.fft import *  # noqa: F401,F403
from plait.dialect.linalg import *  # noqa: F401,F403
from plait.dialect.reduce import *  # noqa: F401,F403
from plait.dialect.sharding import sharding_constraint  # noqa: F401
from plait.dialect.structural import *  # noqa: F401,F403
