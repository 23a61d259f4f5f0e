import os

os.environ.setdefault("PLAIT_DEBUG", "1")  # verify the IR after tracing and every pass
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")

import jax  # noqa: E402  (after XLA_FLAGS: the backend reads it when it starts)
import pytest  # noqa: E402


@pytest.fixture(scope="module")
def x64():
    """jax with 64-bit types, for a module whose oracle needs float64 (`pytestmark`)."""
    with jax.enable_x64(True):
        yield
