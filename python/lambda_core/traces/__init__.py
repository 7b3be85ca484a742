"""Traces of real traffic: read them, replay them, compare the replay with what they observed
(docs/replay.md).

>>> import lambda_core as lc
>>> tr = lc.traces.read_azure2021("data/azure-functions-2021/Azure2021_200.csv")  # doctest: +SKIP
>>> result = tr.simulator(init_s=0.5).run(tr.workload)                            # doctest: +SKIP
>>> print(tr.compare(result).table())                                             # doctest: +SKIP

Readers, one per format: :func:`read_cloudwatch_logs`, :func:`read_azure2021`,
:func:`read_azure2019`, :func:`read_request_log`; :func:`read_trace` guesses the format. Each
returns a :class:`Trace`; :class:`ReplayWarning` says when a default or a limit distorts a
replay.
"""

from ._azure2019 import read_azure2019
from ._compare import Comparison
from ._formats import FORMATS, guess_format, read_trace
from ._observed import Observed
from ._readers import read_azure2021, read_cloudwatch_logs, read_request_log
from ._trace import ReplayWarning, Trace

__all__ = [
    "read_cloudwatch_logs",
    "read_azure2021",
    "read_azure2019",
    "read_request_log",
    "read_trace",
    "guess_format",
    "FORMATS",
    "Trace",
    "Observed",
    "Comparison",
    "ReplayWarning",
]
