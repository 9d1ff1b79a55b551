"""``symlab.config``: Theano's settings, the warn group, and THEANO_FLAGS / SYMLAB_FLAGS.

The flags are read at import, so those tests run ``python -c`` in a subprocess
with the variables set. Theano 1.0.5's defaults (recorded from it) are the
reference for the warn group.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab import config
from symlab.config import SETTINGS

ROOT = pathlib.Path(__file__).resolve().parent.parent

# theano.config.warn.* in Theano 1.0.5 (printed by the oracle).
THEANO_WARN_DEFAULTS = {
    "ignore_bug_before": "0.9", "argmax_pushdown_bug": False, "gpusum_01_011_0111_bug": False,
    "sum_sum_bug": False, "sum_div_dimshuffle_bug": False, "subtensor_merge_bug": False,
    "gpu_set_subtensor1": False, "vm_gc_bug": False, "signal_conv2d_interface": False,
    "reduce_join": False, "inc_set_subtensor1": False, "round": False,
    "inc_subtensor1_opt": True, "identify_1pexp_bug": False}

REPORT = ("import json, symlab; c = symlab.config; "
          "print(json.dumps([c.floatX, c.mode, c.optimizer, c.device, "
          "c.warn.subtensor_merge_bug, c.lib.cnmem]))")


def run(theano_flags=None, symlab_flags=None, code=REPORT):
    """Run ``code`` in a fresh Python with the flags set; return the CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if k not in ("THEANO_FLAGS", "SYMLAB_FLAGS")}
    if theano_flags is not None:
        env["THEANO_FLAGS"] = theano_flags
    if symlab_flags is not None:
        env["SYMLAB_FLAGS"] = symlab_flags
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=str(ROOT), env=env, timeout=120)


def report(theano_flags=None, symlab_flags=None):
    done = run(theano_flags, symlab_flags)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def restore_config():
    saved = dict(config._values)
    yield
    config._values.update(saved)


# ---------------------------------------------------------------- in the process

def test_the_warn_group_has_theanos_names_and_defaults():
    assert sorted(dir(config.warn)) == sorted(THEANO_WARN_DEFAULTS)
    for name, default in THEANO_WARN_DEFAULTS.items():
        assert getattr(config.warn, name) == default, name


def test_warn_flags_are_settable_and_read_back(restore_config):
    config.warn.subtensor_merge_bug = True           # what rnnrbm sets (to False)
    assert config.warn.subtensor_merge_bug is True
    config.warn.subtensor_merge_bug = "False"
    assert config.warn.subtensor_merge_bug is False
    config.warn.round = 1
    assert config.warn.round is True


def test_an_unknown_name_in_a_group_is_an_attribute_error_naming_it(restore_config):
    before = dict(config._values)
    with pytest.raises(AttributeError, match="'warn.subtensor_merge_bugg'.*did you mean "
                                             "warn.subtensor_merge_bug"):
        config.warn.subtensor_merge_bugg = False
    with pytest.raises(AttributeError, match="'warn.no_such_flag'"):
        config.warn.no_such_flag
    assert config._values == before


def test_an_unknown_top_level_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'floatx'.*did you mean floatX"):
        config.floatx = "float32"
    with pytest.raises(AttributeError, match="'no_such_setting'"):
        config.no_such_setting
    assert not hasattr(config, "no_such_setting")


def test_a_group_itself_cannot_be_assigned():
    with pytest.raises(AttributeError, match="config.warn is a group"):
        config.warn = False


def test_a_bad_value_is_a_value_error_naming_the_setting_and_changes_nothing():
    with pytest.raises(ValueError, match=r"config\.warn\.round: expected True or False; "
                                         "got 'yes'"):
        config.warn.round = "yes"
    with pytest.raises(ValueError, match="config.floatX: expected one of float64, float32, "
                                         "float16; got 'int32'"):
        config.floatX = "int32"
    assert config.warn.round is False and config.floatX == "float64"


def test_ignored_theano_flags_can_be_set_and_read(restore_config):
    config.exception_verbosity = "high"
    config.lib.cnmem = 0.75
    config.dnn.conv.algo_fwd = "time_once"
    config.gpuarray.preallocate = "0.9"
    assert (config.exception_verbosity, config.lib.cnmem) == ("high", 0.75)
    assert (config.dnn.conv.algo_fwd, config.gpuarray.preallocate) == ("time_once", 0.9)


@pytest.mark.parametrize("optimizer, mode", [(None, "NO_REWRITES"), ("None", "NO_REWRITES"),
                                             ("fast_compile", "FAST_COMPILE"),
                                             ("o1", "FAST_COMPILE"), ("fast_run", "FAST_RUN"),
                                             ("o4", "FAST_RUN")])
def test_the_optimizer_names_the_mode_while_mode_is_theanos_default(optimizer, mode,
                                                                    restore_config):
    config.mode = "Mode"
    config.optimizer = optimizer
    assert config.mode == mode
    config.mode = "FAST_RUN"       # a mode of its own: the optimizer no longer matters
    assert config.mode == "FAST_RUN"


def test_config_mode_is_the_default_of_function(restore_config):
    x = T.dscalar("x")
    out = T.log(1 + T.exp(x))
    config.optimizer = None
    assert "softplus" not in theano.debugprint(theano.function([x], out), file="str")
    config.optimizer = "fast_run"
    assert "softplus" in theano.debugprint(theano.function([x], out), file="str")


def test_floatx_set_through_config_reaches_the_constructors(restore_config):
    config.floatX = "float32"
    assert T.matrix().dtype == "float32" and T.dmatrix().dtype == "float64"


def test_the_docs_table_lists_exactly_the_settings():
    text = (ROOT / "docs" / "config.md").read_text()
    rows = re.findall(r"^\| `([\w.]+)` \| `([^`]*)` \| ([^|]+) \|", text, flags=re.M)
    assert [name for name, _, _ in rows] == list(SETTINGS)
    for name, default, effect in rows:
        assert default == repr(SETTINGS[name].default), name
        assert effect.strip() == SETTINGS[name].effect, name


# ---------------------------------------------------------------- from the environment

def test_without_flags_the_defaults_are_theanos():
    assert report() == ["float64", "FAST_RUN", "o4", "cpu", False, 0.0]


def test_theano_flags_set_the_config_at_import():
    got = report("floatX=float32,mode=FAST_COMPILE,device=cpu,warn.subtensor_merge_bug=True")
    assert got[:4] == ["float32", "FAST_COMPILE", "o4", "cpu"] and got[4] is True


def test_flags_reach_what_the_program_builds():
    code = ("import symlab as theano, symlab.tensor as T, numpy as np; x = T.matrix('x'); "
            "f = theano.function([x], T.log(1 + T.exp(x)));"
            "print(x.dtype, f(np.zeros((1, 1), 'float32')).dtype, "
            "'softplus' in theano.debugprint(f, file='str'))")
    done = run("floatX=float32,optimizer=None", code=code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["float32", "float32", "False"]


def test_symlab_flags_win_over_theano_flags():
    got = report("floatX=float32,mode=FAST_COMPILE", "floatX=float16")
    assert got[:2] == ["float16", "FAST_COMPILE"]


def test_a_later_item_wins_and_empty_items_are_skipped():
    assert report(",floatX=float32,, floatX=float64 ,")[0] == "float64"


def test_optimizer_none_means_no_rewrites_and_a_named_mode_overrides_it():
    assert report("optimizer=None")[1:3] == ["NO_REWRITES", "None"]
    assert report("optimizer=fast_compile")[1] == "FAST_COMPILE"
    assert report("mode=FAST_RUN,optimizer=None")[1] == "FAST_RUN"


def test_theano_flags_that_scripts_set_routinely_are_accepted():
    flags = ("base_compiledir=/tmp/theano-cache,cxx=,optimizer=fast_run,"
             "exception_verbosity=high,lib.cnmem=0.8,gpuarray.preallocate=0.5,"
             "allow_gc=False,openmp=True,blas.ldflags=-lblas,dnn.enabled=False,"
             "warn.ignore_bug_before=all,on_unused_input=warn,compiledir=/tmp/c,"
             "nvcc.fastmath=True,device=cpu")
    assert report(flags)[:4] == ["float64", "FAST_RUN", "fast_run", "cpu"]
    assert report(flags)[5] == 0.8


@pytest.mark.parametrize("variable", ["THEANO_FLAGS", "SYMLAB_FLAGS"])
def test_an_unknown_flag_stops_the_import_naming_it(variable):
    flags = {"theano_flags": None, "symlab_flags": None}
    flags[variable.lower()] = "floatX=float32,floatx=float32"
    done = run(**flags)
    assert done.returncode != 0
    assert f"ValueError: {variable}: unknown setting 'floatx'; did you mean floatX?" \
        in done.stderr


@pytest.mark.parametrize("flags, message", [
    ("warn.subtensor_merge_bugg=False", "unknown setting 'warn.subtensor_merge_bugg'"),
    ("floatX", "'floatX' has no value (expected name=value)"),
    ("floatX=int32", "THEANO_FLAGS: floatX: expected one of float64, float32, float16"),
    ("warn.round=yes", "THEANO_FLAGS: warn.round: expected True or False; got 'yes'"),
    ("device=gpu", "Theano's old GPU back-end; write device=cuda"),
    ("lib.cnmem=lots", "THEANO_FLAGS: lib.cnmem: expected a number (float)"),
])
def test_a_bad_flag_stops_the_import_saying_what_is_wrong(flags, message):
    done = run(flags)
    assert done.returncode != 0 and message in done.stderr, done.stderr


def test_device_cuda_without_a_gpu_warns_and_runs_on_the_cpu():
    code = ("import warnings, numpy as np, symlab\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    s = symlab.shared(np.zeros(2))\n"
            "    device = symlab.config.device\n"
            "print(device, len(caught), str(caught[0].message) if caught else '')\n"
            "import symlab.backends.cupy as b; print(b.is_available())")
    done = run("device=cuda0", code=code)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    if second == "True":
        assert first.startswith("cuda 0")
    else:
        assert first.startswith("cpu 1 THEANO_FLAGS device=cuda:")
        assert "symlab runs on the CPU" in first


def test_a_shared_variable_made_after_the_flags_uses_floatx_values():
    code = ("import symlab, numpy as np; import symlab.tensor as T;"
            "w = symlab.shared(np.zeros(3, dtype=symlab.config.floatX)); print(w.dtype)")
    done = run("floatX=float32", code=code)
    assert done.returncode == 0 and done.stdout.strip() == "float32", done.stderr


def test_the_config_repr_names_the_used_settings():
    assert repr(config) == (f"Config(floatX={config.floatX!r}, device={config.device!r}, "
                            f"mode={config.mode!r})")
    assert np.dtype(config.floatX).kind == "f"
