"""The fast Fourier transform over trailing dimensions (StableHLO's fft)."""

from __future__ import annotations

from plait.core import dtypes
from plait.core.aval import ShapedArray
from plait.core.errors import PlaitTypeError
from plait.dialect.base import Ints, OpDef, Str
from plait.dialect.traits import Linear, Pure

FFT_TYPES = ("FFT", "IFFT", "RFFT", "IRFFT")


class Fft(OpDef):
    """`"plait.fft"(%x) {fft_type = "RFFT", fft_lengths = array<i64: 8>}
    : (tensor<2x8xf32>) -> tensor<2x5xcomplex<f32>>`

    The discrete Fourier transform over the trailing len(fft_lengths) dimensions (the others
    are batch dimensions): FFT and IFFT (with the 1/N factor) complex to complex; RFFT real to
    complex, keeping the n//2 + 1 non-negative frequencies of the last dimension; IRFFT its
    inverse, complex to real, the last dimension fft_lengths[-1] // 2 + 1 long.
    """

    arity = 1
    attrs = {"fft_type": Str(FFT_TYPES), "fft_lengths": Ints()}
    traits = (Pure(), Linear(0))

    def infer(self, avals, fft_type, fft_lengths):
        (x,) = avals
        lengths = tuple(fft_lengths)
        r = len(lengths)
        if not 1 <= r <= 3 or r > x.ndim:
            raise PlaitTypeError(f"fft: fft_lengths {lengths} must name 1 to 3 of the "
                                 f"{x.ndim} dimensions of the operand")
        real_in = fft_type == "RFFT"
        want = "float32 or float64" if real_in else "complex64 or complex128"
        if (dtypes.kind(x.dtype) != ("f" if real_in else "c")
                or x.dtype not in (dtypes.float32, dtypes.float64, dtypes.complex64,
                                   dtypes.complex128)):
            raise PlaitTypeError(f"fft: {fft_type} needs a {want} operand, got {x.dtype}")
        trailing = x.shape[x.ndim - r:]
        expect = lengths[:-1] + (lengths[-1] // 2 + 1,) if fft_type == "IRFFT" else lengths
        if trailing != expect:
            raise PlaitTypeError(f"fft: {fft_type} of lengths {lengths} needs trailing "
                                 f"dimensions {expect}, got shape {x.shape}")
        shape = x.shape[:x.ndim - r]
        if fft_type == "RFFT":
            return [ShapedArray(shape + lengths[:-1] + (lengths[-1] // 2 + 1,),
                                dtypes.complex_dtype(x.dtype))]
        if fft_type == "IRFFT":
            return [ShapedArray(shape + lengths, dtypes.real_dtype(x.dtype))]
        return [x.strip_weak()]


fft = Fft("plait.fft", "Fast Fourier transform over trailing dimensions.")

__all__ = ["fft"]
