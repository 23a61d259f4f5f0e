"""`plait.lax.fft`: the fast Fourier transform over trailing dimensions, as jax.lax.fft."""

from __future__ import annotations

import enum

from plait.core.errors import PlaitValueError
from plait.dialect import ops as P
from plait.staging.trace import bind


class FftType(enum.IntEnum):
    """jax.lax.FftType: complex to complex (FFT, IFFT), real to complex (RFFT) and back
    (IRFFT)."""

    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


def fft(x, fft_type, fft_lengths):
    """The DFT of the trailing len(fft_lengths) dimensions of x (the identity for none)."""
    lengths = tuple(int(n) for n in fft_lengths)
    if isinstance(fft_type, enum.Enum):
        name = fft_type.name
    else:
        name = str(fft_type).upper().split(".")[-1]
    if name not in FftType.__members__:
        raise PlaitValueError(f"fft: unknown fft_type {fft_type!r}; use one of "
                              f"{', '.join(FftType.__members__)}")
    if not lengths:
        return x
    return bind(P.fft, x, fft_type=name, fft_lengths=lengths)
