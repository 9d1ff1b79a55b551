"""Modes keep their class through including/excluding; Theano's rewrite and mode names.

Theano code passes its own rewrite names to ``including``/``excluding`` (its NaN
recipe: ``.excluding('local_elemwise_fusion', 'inplace')``); symlab reads them through
one table (``symlab.rewrite.passes.THEANO_NAMES``) as its own names, which are the
ones its traces show. The recorded Theano 1.0.5 facts come from
``dev/theano_reference/debug_modes.py``.
"""

import pickle
import subprocess
import sys

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.compile import DebugMode, Mode, MonitorMode, NanGuardMode, get_mode
from symlab.compile.debug import NanGuardError
from symlab.rewrite import PASSES, THEANO_NAMES, pass_names, resolve_names, rewrite_names

# Recorded from Theano 1.0.5 (dev/theano_reference/debug_modes.py): which names exist in
# its optimizer database, and the class get_mode gives for each mode name.
THEANO_OPTDB_NAMES = {
    'fast_run': True, 'fast_compile': True, 'fusion': True, 'elemwise_fusion': True,
    'local_elemwise_fusion': True, 'composite_elemwise_fusion': True, 'inplace_opt': True,
    'inplace_elemwise_optimizer': True, 'topo_constant_folding': True, 'scan': True,
    'scanOp_merge': True, 'scanOp_pushout_nonseqs_ops': True, 'scanOp_save_mem': True,
    'ShapeOpt': True, 'local_dimshuffle_lift': True, 'local_reshape_chain': True,
    'local_useless_reshape': True, 'local_neg_neg': True, 'local_mul_zero': True,
    'local_log1p': True, 'local_expm1': True, 'local_exp_over_1_plus_exp': True,
    'logsigm_to_softplus': True, 'log1msigm_to_softplus': True, 'local_log_sum_exp': True,
    'local_logsoftmax': True, 'crossentropy_to_crossentropy_with_softmax': True,
    'local_crossentropy_to_crossentropy_with_softmax_grad': True,
    'local_pow_specialize': True, 'merge': True, 'inplace': True, 'canonicalize': True,
    'stabilize': True, 'specialize': True, 'unsafe': True, 'constant_folding': False}
THEANO_MODE_CLASSES = {'Mode': 'Mode', 'DebugMode': 'DebugMode', 'DEBUG_MODE': 'DebugMode',
                       'NanGuardMode': 'NanGuardMode', 'FAST_RUN': 'Mode',
                       'FAST_COMPILE': 'Mode'}


def op_names(f):
    return [str(node.op) for node in f.fgraph.toposort()]


# ---------------------------------------------------------------- the name table

def test_every_theano_name_in_the_table_is_one_theano_1_0_5_has():
    for name in THEANO_NAMES:
        assert THEANO_OPTDB_NAMES.get(name) is True, name


def test_the_table_maps_onto_existing_symlab_names_and_shadows_none():
    own = set(pass_names()) | set(rewrite_names())
    for name, targets in THEANO_NAMES.items():
        assert name not in own, f"{name} is symlab's own name: it must keep symlab's meaning"
        assert targets and set(targets) <= own, name


def test_symlab_names_theano_also_uses_are_read_as_symlab_s():
    for name in ("merge", "inplace", "canonicalize", "stabilize", "specialize", "unsafe"):
        assert THEANO_OPTDB_NAMES[name]
        assert resolve_names([name], "test") == (name,)


def test_fast_run_and_fast_compile_stand_for_their_pass_lists():
    assert resolve_names(["fast_run"], "t") == tuple(p.name for p in PASSES if p.default)
    assert set(resolve_names(["fast_compile"], "t")) == {
        "merge_constants", "merge", "merge_scans", "constant_folding", "lazy_ifelse"}


@pytest.mark.parametrize("name", ["fusion", "local_elemwise_fusion", "elemwise_fusion"])
def test_excluding_theano_s_fusion_names_leaves_the_ops_unfused(name):
    x = T.dvector("x")
    y = T.exp(x) * 2 + 1
    fused = function([x], y)
    plain = function([x], y, mode=Mode().excluding(name))
    assert any(n.startswith("fused") for n in op_names(fused))
    assert not any(n.startswith("fused") for n in op_names(plain))
    assert "fuse_elementwise" in plain.mode.exclude
    assert "fuse_elementwise" not in plain.trace.rewrite_names()
    value = np.array([0.5, -1.0])
    np.testing.assert_allclose(plain(value), np.exp(value) * 2 + 1, rtol=1e-15)


def test_the_trace_keeps_symlab_s_names():
    x = T.dvector("x")
    f = function([x], T.log(1 + x) * 2, mode=Mode(include=["local_log1p"],
                                                  exclude=["local_elemwise_fusion"]))
    names = set(f.trace.rewrite_names())
    assert "log1p_from_log" in names
    assert not names & set(THEANO_NAMES)


def test_excluding_local_log1p_keeps_log_of_one_plus_x():
    x = T.dscalar("x")
    y = T.log(1 + x)
    small = 1e-20          # log(1 + 1e-20) is 0 in float64; log1p gives 1e-20
    assert function([x], y)(small) == pytest.approx(1e-20, rel=1e-12)
    assert function([x], y, mode=Mode().excluding("local_log1p"))(small) == 0.0
    assert function([x], y, mode="FAST_RUN")(small) == pytest.approx(1e-20, rel=1e-12)


def test_including_theano_s_local_mul_zero_runs_symlab_s_unsafe_rewrite():
    x = T.dvector("x")
    f = function([x], x * 0, mode=Mode().including("local_mul_zero"))
    assert "mul_zero" in f.trace.rewrite_names()
    # x * 0 -> 0: the unsafe rewrite gives 0 where IEEE gives NaN (inf * 0)
    np.testing.assert_array_equal(f(np.array([np.inf, 2.0])), [0.0, 0.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(function([x], x * 0)(np.array([np.inf]))[0])


def test_excluding_fast_run_leaves_the_graph_as_built():
    x = T.dvector("x")
    f = function([x], T.log(1 + T.exp(x)), mode=Mode().excluding("fast_run"))
    assert len(f.trace) == 0
    assert op_names(f) == ["exp", "add", "log"]


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError) as info:
        Mode().excluding("local_no_such_rewrite")
    text = str(info.value)
    assert "'local_no_such_rewrite'" in text
    for known in ("fuse_elementwise", "log1p_from_log", "local_elemwise_fusion", "stabilize"):
        assert known in text
    with pytest.raises(ValueError, match="local_nope"):
        Mode(include=["local_nope"])
    with pytest.raises(ValueError, match="local_nope"):
        MonitorMode().including("local_nope")


# ---------------------------------------------------------------- modes keep their class

def test_nan_guard_mode_keeps_its_class_and_rules_through_including_and_excluding():
    guard = NanGuardMode(nan_is_error=True, inf_is_error=False, big_is_error=False)
    for mode in (guard.including("fusion"), guard.excluding("stabilize"),
                 guard.including("unsafe").excluding("local_log1p"), guard.clone()):
        assert type(mode) is NanGuardMode
        assert (mode.nan_is_error, mode.inf_is_error, mode.big_is_error) == (True, False, False)
    x = T.dvector("x")
    with pytest.raises(NanGuardError, match="NaN"):
        function([x], T.log(x), mode=guard.including("unsafe"))(np.array([-1.0]))
    # inf is allowed by these rules, through the copies too
    assert function([x], T.log(x), mode=guard.excluding("stabilize"))(np.array([0.0]))[0] \
        == -np.inf


def test_nan_guard_mode_including_fusion_fuses_and_excluding_it_again_does_not():
    x = T.dvector("x")
    y = T.exp(x) * 2 + 1
    assert not any(n.startswith("fused") for n in op_names(function([x], y,
                                                                    mode=NanGuardMode())))
    fusing = NanGuardMode().including("local_elemwise_fusion")
    assert any(n.startswith("fused") for n in op_names(function([x], y, mode=fusing)))
    unfused = fusing.excluding("fusion")
    assert not any(n.startswith("fused") for n in op_names(function([x], y, mode=unfused)))


def test_debug_and_monitor_modes_keep_their_settings():
    def post(i, node, fn):
        return None

    debug = DebugMode(check_isfinite=False, stability_patience=3).excluding("inplace")
    assert type(debug) is DebugMode
    assert (debug.check_isfinite, debug.stability_patience) == (False, 3)
    assert debug.exclude == ("inplace",)
    monitor = MonitorMode(post_func=post).excluding("local_elemwise_fusion", "inplace")
    assert type(monitor) is MonitorMode and monitor.post_func is post
    assert monitor.pre_func is None
    assert monitor.exclude == ("fuse_elementwise", "inplace")
    again = monitor.including("unsafe").clone(optimizer="fast_compile")
    assert type(again) is MonitorMode and again.post_func is post
    assert again.optimizer == "fast_compile"
    assert again.include == ("unsafe",) and again.exclude == monitor.exclude


def test_clone_refuses_a_setting_the_class_does_not_have():
    with pytest.raises(TypeError, match="nan_is_error"):
        Mode().clone(nan_is_error=True)


def test_modes_of_different_classes_are_not_equal():
    assert Mode() == Mode()
    assert Mode() != NanGuardMode() and NanGuardMode() != Mode()
    assert NanGuardMode(inf_is_error=False) != NanGuardMode()
    assert DebugMode() == DebugMode() and hash(DebugMode()) == hash(DebugMode())


def test_copy_and_pickle_of_a_function_keep_its_mode():
    x = T.dvector("x")
    mode = NanGuardMode(nan_is_error=True, inf_is_error=False, big_is_error=False) \
        .including("fusion")
    f = function([x], T.log(x), mode=mode)
    for g in (f.copy(), pickle.loads(pickle.dumps(f))):
        assert type(g.mode) is NanGuardMode and g.mode == mode
        assert g(np.array([0.0]))[0] == -np.inf        # inf allowed
        with pytest.raises(NanGuardError):
            g(np.array([-1.0]))
    d = function([x], T.exp(x), mode=DebugMode(check_isfinite=False))
    loaded = pickle.loads(pickle.dumps(d))
    assert type(loaded.mode) is DebugMode and loaded.mode.check_isfinite is False
    np.testing.assert_allclose(loaded(np.array([1.0])), np.exp([1.0]), rtol=1e-15)


# ---------------------------------------------------------------- mode names

@pytest.mark.parametrize("name", sorted(THEANO_MODE_CLASSES))
def test_get_mode_takes_theano_s_mode_names(name):
    assert type(get_mode(name)).__name__ == THEANO_MODE_CLASSES[name]


def test_debug_mode_string_modes():
    assert get_mode("DEBUG_MODE").optimizer == "fast_run"
    x = T.dvector("x")
    for mode in ("DebugMode", "DEBUG_MODE", "NanGuardMode"):
        f = function([x], 10 * x, mode=mode)
        assert type(f.mode).__name__ == THEANO_MODE_CLASSES[mode]
        np.testing.assert_array_equal(f(np.array([5.0, 0.0, 7.0])), [50.0, 0.0, 70.0])


def test_an_unknown_mode_name_lists_the_known_ones():
    with pytest.raises(ValueError) as info:
        get_mode("NO_SUCH_MODE")
    for name in THEANO_MODE_CLASSES:
        assert name in str(info.value)


def test_theano_paths_to_the_mode_classes():
    from symlab.compile import debugmode, mode, monitormode, nanguardmode
    assert symlab.compile.DebugMode is debugmode.DebugMode
    assert symlab.compile.MonitorMode is monitormode.MonitorMode
    assert nanguardmode.NanGuardMode is NanGuardMode
    assert mode.Mode is Mode


def test_config_mode_debug_mode_compiles_in_debug_mode():
    code = ("import symlab, symlab.tensor as T\n"
            "symlab.config.mode = 'DebugMode'\n"
            "x = T.dvector('x')\n"
            "print(type(symlab.function([x], 2 * x).mode).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "DebugMode"
