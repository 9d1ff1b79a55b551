"""Compiling graphs: ``function``, ``In``/``Out``, shared variables, modes (``Mode``,
``NanGuardMode``, ``DebugMode``, ``MonitorMode``); custom ops (``as_op``, ``OpFromGraph``)."""

from symlab.compile.debug import CallFailure, NanGuardError, NanGuardMode, intermediate_values
from symlab.compile.debugmode import DebugMode, DebugModeError
from symlab.compile.monitormode import MonitorMode
from symlab.compile.function import Function, eval_variable, function, function_dump
from symlab.compile.builders import OpFromGraph
from symlab.compile.io import In, Out
from symlab.compile.mode import FAST_COMPILE, FAST_RUN, Mode, get_mode
from symlab.compile.ops import as_op
from symlab.compile.profiling import ProfileStats
from symlab.compile.shared import (GenericSharedVariable, SharedVariable, TensorSharedVariable,
                                   shared)

__all__ = ["Function", "function", "function_dump", "eval_variable", "In", "Out", "Mode",
           "get_mode", "FAST_RUN", "FAST_COMPILE", "SharedVariable", "TensorSharedVariable",
           "GenericSharedVariable", "shared", "NanGuardMode", "NanGuardError", "CallFailure", "ProfileStats",
           "intermediate_values", "as_op", "OpFromGraph", "DebugMode", "DebugModeError",
           "MonitorMode"]
