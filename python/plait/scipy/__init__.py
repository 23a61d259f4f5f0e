"""`plait.scipy`: jax.scipy's linalg, special and stats, built on plait.numpy and plait.lax."""

from plait.scipy import linalg, special, stats

__all__ = ["linalg", "special", "stats"]
