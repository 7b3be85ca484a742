"""An older module name (the simulator and its results), kept so that code written against it
still imports. New code imports these names from :mod:`lambda_core`."""

from ._model import Result, Window
from ._simulator import Simulator

__all__ = ["Simulator", "Result", "Window"]
