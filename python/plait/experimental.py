"""`plait.experimental`: APIs jax keeps under jax.experimental (`io_callback`)."""

from plait.callbacks import io_callback  # noqa: F401
