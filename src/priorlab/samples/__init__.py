"""Sample arrays: K aligned draws that flow through NumPy code (NEP 13 / NEP 18).

`Samples(data)` takes an array whose leading axis is the draw axis. NumPy functions and
ufuncs apply draw by draw and return `Samples`; summaries over the draws (`.mean()`,
`.std()`, `.quantile(q)`, `.interval(level)`, ...) return plain arrays.
"""

from priorlab.samples import functions as _functions  # noqa: F401  (registers the NEP 18 functions)
from priorlab.samples import ufuncs as _ufuncs  # noqa: F401  (registers the NEP 13 ufunc methods)
from priorlab.samples.array import Histogram, Samples

__all__ = ["Histogram", "Samples"]
