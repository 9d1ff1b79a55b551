"""The public names each page of Theano's documentation documents: data for the names test.

Written by reading every page of Theano's ``doc/library/`` and ``doc/tutorial/``
(repository Theano/Theano) and listing, per page, the names it documents
(``.. function::``, ``.. class::``, ``.. method::``, ``.. auto*::`` directives, the
members an ``automodule`` page pulls in, and the names its examples use), as dotted
paths relative to ``theano`` (``"tensor.nnet.sigmoid"``, ``"function"``).
Conventions:

- A name is listed where Theano 1.0 users reach it: ``T.choose`` is ``tensor.choose``
  even though its page autodocuments ``theano.tensor.basic.choose``. Methods and
  attributes of a class are ``Class.name`` (``tensor.TensorVariable.ravel``);
  configuration flags are ``config.<flag>``.
- ``automodule`` pages list the module's functions and the classes users create;
  the Op classes behind a function (``CumOp`` behind ``cumsum``) are implementation
  and are not listed.
- Every listed name exists in Theano 1.0.5 (checked by
  ``dev/theano_reference/documented_names.py``, which needs the oracle; the tests
  never do). Pages and names of APIs Theano itself removed before 1.0 (the old
  ``Module`` system, ``ProfileMode``, ``Param``, ``downsample``) and names the pages
  show that Theano 1.0.5 lacks (``polygamma``, ``T.truediv`` for ``T.true_div``,
  ``theano.tests.unittest_tools``, which needs nose) are not listed; such pages are in
  ``EXCLUDED`` with the reason.
- C-only configuration and helpers (``config.cxx``, ``register_*_c_code``,
  ``ParamsType``) fall under the issue's exclusion of C ops and are not listed.

``NOT_YET`` holds ``(page, name)`` for every listed name symlab does not have yet;
the test keeps it exact (a name that lands must leave it).
"""

_TYPED = [f"tensor.{prefix}{kind}" for prefix in "bwildfcz"
          for kind in ("scalar", "vector", "row", "col", "matrix", "tensor3", "tensor4",
                       "tensor5")]
_PLURAL = [f"tensor.{prefix}{kind}" for prefix in "ilfd"
           for kind in ("scalars", "vectors", "rows", "cols", "matrices")]
_METHODS = [f"tensor.TensorVariable.{m}" for m in (
    "type", "ndim", "dtype", "reshape", "dimshuffle", "flatten", "ravel", "T", "any", "all",
    "sum", "prod", "mean", "var", "std", "min", "max", "argmin", "argmax", "diagonal",
    "astype", "take", "copy", "norm", "nonzero", "nonzero_values", "sort", "argsort", "clip",
    "conj", "repeat", "round", "trace", "get_scalar_constant_value", "zeros_like",
    "__abs__", "__neg__", "__lt__", "__le__", "__gt__", "__ge__", "__invert__", "__and__",
    "__or__", "__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__")]

PAGES = {
    # ------------------------------------------------------------------ doc/library
    "library/index.txt": [],
    "library/tensor/index.txt": ["tensor"],
    "library/tensor/basic.txt": [
        "tensor.scalar", "tensor.vector", "tensor.row", "tensor.col", "tensor.matrix",
        "tensor.tensor3", "tensor.tensor4", "tensor.tensor5", "tensor.tensor6",
        "tensor.tensor7", *_TYPED, *_PLURAL,
        "tensor.TensorType", "tensor.TensorType.broadcastable", "tensor.TensorType.ndim",
        "tensor.TensorType.dtype", "tensor.TensorVariable", "tensor.TensorConstant",
        "tensor.sharedvar.TensorSharedVariable", "tensor.as_tensor_variable", "shared", *_METHODS,
        "tensor.shape", "tensor.reshape", "tensor.shape_padleft", "tensor.shape_padright",
        "tensor.shape_padaxis", "tensor.unbroadcast", "tensor.addbroadcast",
        "tensor.patternbroadcast", "tensor.flatten", "tensor.tile", "tensor.roll",
        "tensor.zeros_like", "tensor.ones_like", "tensor.zeros", "tensor.ones", "tensor.fill",
        "tensor.alloc", "tensor.eye", "tensor.identity_like", "tensor.stack",
        "tensor.concatenate", "tensor.stacklists", "tensor.choose",
        "tensor.max", "tensor.argmax", "tensor.max_and_argmax", "tensor.min", "tensor.argmin",
        "tensor.sum", "tensor.prod", "tensor.mean", "tensor.var", "tensor.std", "tensor.all",
        "tensor.any", "tensor.ptp", "tensor.arange", "tensor.set_subtensor",
        "tensor.inc_subtensor", "tensor.add", "tensor.sub", "tensor.mul", "tensor.true_div",
        "tensor.int_div", "tensor.pow", "tensor.mod", "tensor.and_", "tensor.xor", "tensor.or_",
        "tensor.invert", "tensor.bitwise_and", "tensor.bitwise_xor", "tensor.bitwise_or",
        "tensor.bitwise_not", "tensor.cast", "tensor.real", "tensor.imag", "tensor.lt",
        "tensor.gt", "tensor.le", "tensor.ge", "tensor.eq", "tensor.neq", "tensor.isnan",
        "tensor.isinf", "tensor.isclose", "tensor.allclose", "tensor.switch", "tensor.where",
        "tensor.clip", "tensor.abs_", "tensor.angle", "tensor.exp", "tensor.maximum",
        "tensor.minimum", "tensor.neg", "tensor.inv", "tensor.log", "tensor.log2",
        "tensor.log10", "tensor.sgn", "tensor.ceil", "tensor.floor", "tensor.round",
        "tensor.iround", "tensor.sqr", "tensor.sqrt", "tensor.cos", "tensor.sin",
        "tensor.tan", "tensor.cosh", "tensor.sinh", "tensor.tanh", "tensor.erf",
        "tensor.erfc", "tensor.erfinv", "tensor.erfcinv", "tensor.gamma", "tensor.gammaln",
        "tensor.psi", "tensor.chi2sf", "tensor.dot", "tensor.outer",
        "tensor.tensordot", "tensor.batched_dot", "tensor.batched_tensordot", "tensor.mgrid",
        "tensor.ogrid", "tensor.grad", "gradient.grad"],
    "library/tensor/elemwise.txt": [
        "tensor.elemwise", "tensor.elemwise.Elemwise", "tensor.elemwise.DimShuffle",
        "tensor.elemwise.CAReduce", "tensor.elemwise.Sum", "tensor.elemwise.Prod",
        "tensor.elemwise.All", "tensor.elemwise.Any"],
    "library/tensor/extra_ops.txt": [
        f"tensor.extra_ops.{n}" for n in (
            "bartlett", "bincount", "compress", "cumprod", "cumsum", "diff", "fill_diagonal",
            "fill_diagonal_offset", "ravel_multi_index", "repeat", "searchsorted", "squeeze",
            "to_one_hot", "unravel_index", "Unique")],
    "library/tensor/fft.txt": ["tensor.fft.rfft", "tensor.fft.irfft"],
    "library/tensor/io.txt": [
        "tensor.io.load", "tensor.io.LoadFromDisk", "tensor.io.isend", "tensor.io.irecv",
        "tensor.io.send", "tensor.io.recv"],
    "library/tensor/nlinalg.txt": [
        f"tensor.nlinalg.{n}" for n in (
            "diag", "lstsq", "matrix_dot", "matrix_power", "qr", "svd", "tensorinv",
            "tensorsolve", "trace", "det", "eig", "eigh", "matrix_inverse", "pinv",
            "alloc_diag", "extract_diag")],
    "library/tensor/slinalg.txt": [
        f"tensor.slinalg.{n}" for n in (
            "kron", "cholesky", "solve", "expm", "eigvalsh", "solve_lower_triangular",
            "solve_upper_triangular")],
    "library/tensor/utils.txt": ["tensor.utils.hash_from_ndarray",
                                 "tensor.utils.shape_of_variables"],
    "library/tensor/opt.txt": ["tensor.opt", "tensor.opt.Assert", "tensor.opt.MakeVector",
                               "tensor.opt.broadcast_like", "tensor.opt.ShapeFeature"],
    "library/tensor/raw_random.txt": [
        "tensor.raw_random.RandomStreamsBase", *[
            f"tensor.raw_random.RandomStreamsBase.{m}" for m in (
                "binomial", "uniform", "normal", "random_integers", "choice", "poisson",
                "permutation", "multinomial", "shuffle_row_elements")],
        "tensor.raw_random.RandomStateType", "tensor.raw_random.random_state_type",
        "tensor.raw_random.RandomFunction", "tensor.raw_random.uniform",
        "tensor.raw_random.binomial", "tensor.raw_random.normal",
        "tensor.raw_random.random_integers", "tensor.raw_random.permutation",
        "tensor.raw_random.multinomial"],
    "library/tensor/shared_randomstreams.txt": [
        "tensor.shared_randomstreams", "tensor.shared_randomstreams.RandomStreams", *[
            f"tensor.shared_randomstreams.RandomStreams.{m}" for m in (
                "updates", "seed", "gen", "uniform", "normal", "binomial", "multinomial",
                "random_integers")]],
    "library/tensor/nnet/index.txt": ["tensor.nnet"],
    "library/tensor/nnet/nnet.txt": [
        f"tensor.nnet.{n}" for n in (
            "sigmoid", "ultra_fast_sigmoid", "hard_sigmoid", "softplus", "softsign", "softmax",
            "relu", "elu", "selu", "binary_crossentropy", "sigmoid_binary_crossentropy",
            "categorical_crossentropy", "h_softmax", "logsoftmax", "confusion_matrix")],
    "library/tensor/nnet/conv.txt": [
        "tensor.nnet.conv2d", "tensor.nnet.conv2d_transpose", "tensor.nnet.conv3d",
        "tensor.nnet.conv3d2d.conv3d", "tensor.nnet.conv.conv2d", *[
            f"tensor.nnet.abstract_conv.{n}" for n in (
                "conv2d", "conv3d", "conv2d_grad_wrt_inputs", "conv2d_grad_wrt_weights",
                "conv3d_grad_wrt_inputs", "conv3d_grad_wrt_weights", "bilinear_upsampling",
                "bilinear_kernel_1D", "bilinear_kernel_2D", "get_conv_output_shape",
                "separable_conv2d", "separable_conv3d", "causal_conv1d")]],
    "library/tensor/nnet/bn.txt": [
        "tensor.nnet.bn.batch_normalization", "tensor.nnet.bn.batch_normalization_train",
        "tensor.nnet.bn.batch_normalization_test"],
    "library/tensor/nnet/ctc.txt": ["tensor.nnet.ctc.ctc",
                                    "tensor.nnet.ctc.ConnectionistTemporalClassification"],
    "library/tensor/nnet/neighbours.txt": ["tensor.nnet.neighbours.images2neibs",
                                           "tensor.nnet.neighbours.neibs2images"],
    "library/tensor/nnet/blocksparse.txt": [
        "tensor.nnet.blocksparse.sparse_block_dot", "tensor.nnet.blocksparse.SparseBlockGemv",
        "tensor.nnet.blocksparse.SparseBlockOuter"],
    "library/tensor/signal/index.txt": ["tensor.signal"],
    "library/tensor/signal/conv.txt": ["tensor.signal.conv.conv2d"],
    "library/tensor/signal/pool.txt": [
        "tensor.signal.pool.pool_2d", "tensor.signal.pool.max_pool_2d_same_size",
        "tensor.signal.pool.pool_3d"],
    "library/gradient.txt": [
        f"gradient.{n}" for n in (
            "grad", "jacobian", "hessian", "verify_grad", "Rop", "Lop", "consider_constant",
            "disconnected_grad", "zero_grad", "grad_clip", "grad_scale", "subgraph_grad",
            "numeric_grad", "grad_not_implemented", "grad_undefined", "undefined_grad",
            "format_as", "DisconnectedInputError", "DisconnectedType", "GradientError",
            "NullTypeGradError")],
    "library/config.txt": [
        f"config.{n}" for n in (
            "device", "floatX", "mode", "optimizer", "optimizer_including",
            "optimizer_excluding", "optimizer_requiring", "linker", "cast_policy",
            "on_opt_error", "on_shape_error", "compute_test_value", "print_test_value",
            "exception_verbosity", "profile", "profile_memory", "profile_optimizer",
            "on_unused_input", "allow_gc", "warn_float64", "DebugMode", "NanGuardMode")],
    "library/printing.txt": ["printing", "printing.Print", "printing.debugprint", "pp",
                             "printing.pp", "printing.pprint", "printing.pydotprint"],
    "library/scan.txt": [
        "scan", "map", "reduce", "foldl", "foldr", "scan_checkpoints", "scan_module",
        "scan_module.until", "tensor.arange", "tensor.ones_like", "tensor.zeros_like",
        "tensor.set_subtensor", "dot", "tensor.shared_randomstreams.RandomStreams",
        "tensor.nnet.sigmoid"],
    "library/typed_list.txt": [
        "typed_list", "typed_list.TypedListType", "typed_list.append", "typed_list.length",
        "typed_list.extend", "typed_list.insert", "typed_list.remove", "typed_list.reverse",
        "typed_list.count", "typed_list.getitem", "typed_list.make_list",
        "typed_list.basic.TypedListVariable"],
    "library/scalar/index.txt": ["scalar"],
    "library/misc/pkl_utils.txt": ["misc.pkl_utils.dump", "misc.pkl_utils.load",
                                   "misc.pkl_utils.StripPickler"],
    "library/compile/index.txt": ["compile", "compile.function", "In", "Out"],
    "library/compile/function.txt": ["function", "compile.function", "function_dump",
                                     "compile.Function",
                                     "compile.Function.trust_input"],
    "library/compile/io.txt": ["compile.io.In", "compile.io.Out", "In", "Out"],
    "library/compile/mode.txt": [
        "compile.mode.Mode", "Mode", "compile.mode.FAST_COMPILE", "compile.mode.FAST_RUN",
        "compile.mode.Mode.including", "compile.mode.Mode.excluding",
        "compile.mode.Mode.requiring", "compile.mode.get_mode"],
    "library/compile/debugmode.txt": [
        f"compile.debugmode.{n}" for n in (
            "DebugMode", "DebugModeError", "BadThunkOutput", "BadOptimization",
            "BadDestroyMap", "BadViewMap", "StochasticOrder", "InvalidValueError")],
    "library/compile/nanguardmode.txt": ["compile.nanguardmode.NanGuardMode"],
    "library/compile/opfromgraph.txt": ["compile.builders.OpFromGraph", "OpFromGraph"],
    "library/compile/ops.txt": [
        f"compile.ops.{n}" for n in (
            "as_op", "DeepCopyOp", "FromFunctionOp", "OutputGuard", "Rebroadcast", "Shape",
            "Shape_i", "SpecifyShape", "ViewOp", "shape_i")],
    "library/compile/shared.txt": [
        "compile.sharedvalue.SharedVariable", "compile.sharedvalue.SharedVariable.get_value",
        "compile.sharedvalue.SharedVariable.set_value", "compile.sharedvalue.shared",
        "compile.sharedvalue.shared_constructor"],
    "library/compile/profilemode.txt": ["config.profile"],
    "library/gof/index.txt": ["gof"],
    "library/gof/graph.txt": [
        f"gof.graph.{n}" for n in (
            "Apply", "Variable", "Constant", "Node", "inputs", "ancestors", "clone",
            "clone_get_equiv", "io_toposort", "general_toposort", "ops", "variables",
            "orphans", "variables_and_orphans", "is_same_graph", "list_of_nodes",
            "stack_search", "view_roots", "is_in_ancestors", "io_connection_pattern",
            "as_string", "op_as_string", "nodes_constructed")],
    "library/gof/fgraph.txt": ["gof.FunctionGraph", "gof.fg.FunctionGraph",
                               "gof.toolbox.ReplaceValidate"],
    "library/gof/toolbox.txt": [
        f"gof.toolbox.{n}" for n in (
            "Bookkeeper", "History", "Validator", "ReplaceValidate", "NodeFinder",
            "PrintListener", "Feature")],
    "library/gof/type.txt": ["gof.type.Type", "gof.type.PureType", "gof.type.Generic",
                             "gof.type.EnumType", "gof.type.EnumList",
                             "gof.type.SingletonType"],
    "library/gof/utils.txt": [
        f"gof.utils.{n}" for n in (
            "MethodNotDefined", "add_tag_trace", "deprecated", "difference", "flatten",
            "hash_from_file", "memoize", "remove", "simple_extract_stack", "toposort",
            "uniq")],
    "library/sandbox/index.txt": ["sandbox"],
    "library/sandbox/rng_mrg.txt": [
        "sandbox.rng_mrg.MRG_RandomStreams", *[
            f"sandbox.rng_mrg.MRG_RandomStreams.{m}" for m in (
                "uniform", "normal", "binomial", "multinomial", "seed", "updates")]],
    "library/sandbox/linalg.txt": ["sandbox.linalg", "sandbox.linalg.ops.psd",
                                   "sandbox.linalg.ops.spectral_radius_bound"],
    "library/sandbox/neighbours.txt": ["sandbox.neighbours.images2neibs",
                                       "sandbox.neighbours.neibs2images"],
    "library/sandbox/blocksparse.txt": ["sandbox.blocksparse.sparse_block_dot"],
    # ------------------------------------------------------------------ doc/tutorial
    "tutorial/index.txt": ["tensor"],
    "tutorial/python.txt": [],
    "tutorial/numpy.txt": [],
    "tutorial/adding.txt": [
        "function", "pp", "gof.graph.Variable", "tensor.TensorVariable", "tensor.TensorType",
        *[f"tensor.{p}{k}" for p in "bilfdc"
          for k in ("scalar", "vector", "matrix", "row", "col", "tensor3", "tensor4")]],
    "tutorial/examples.txt": [
        "function", "In", "shared", "tensor.dmatrix", "tensor.dmatrices", "tensor.dscalars",
        "tensor.iscalar", "tensor.scalar", "tensor.exp", "tensor.tanh", "tensor.log",
        "tensor.dot", "tensor.grad", "tensor.matrix", "tensor.vector", "config.floatX",
        "compile.sharedvalue.SharedVariable.get_value",
        "compile.sharedvalue.SharedVariable.set_value",
        "tensor.shared_randomstreams.RandomStreams",
        "tensor.shared_randomstreams.RandomStreams.uniform",
        "tensor.shared_randomstreams.RandomStreams.normal",
        "tensor.shared_randomstreams.RandomStreams.seed", "sandbox.rng_mrg.MRG_RandomStreams"],
    "tutorial/symbolic_graphs.txt": [
        "tensor.dmatrix", "tensor.vector", "gof.graph.Apply", "tensor.elemwise.DimShuffle",
        "tensor.TensorVariable", "tensor.grad", "function", "printing.debugprint"],
    "tutorial/printing_drawing.txt": [
        "printing.pprint", "printing.debugprint", "printing.pydotprint", "tensor.matrix",
        "tensor.vector", "shared", "tensor.exp", "tensor.dot", "tensor.log", "tensor.grad",
        "function", "config.floatX"],
    "tutorial/gradients.txt": [
        "pp", "function", "tensor.dscalar", "tensor.dmatrix", "tensor.dvector", "tensor.grad",
        "tensor.sum", "tensor.exp", "tensor.arange", "tensor.dot", "tensor.Rop", "tensor.Lop",
        "gradient.jacobian", "gradient.hessian", "scan"],
    "tutorial/modes.txt": [
        "config.floatX", "config.mode", "config.linker", "compile.mode.Mode",
        "compile.debugmode.DebugMode", "Mode", "tensor.dvector", "tensor.matrix",
        "tensor.vector", "shared", "tensor.grad", "function"],
    "tutorial/loading_and_saving.txt": ["misc.pkl_utils.dump", "misc.pkl_utils.load",
                                        "shared"],
    "tutorial/conditions.txt": [
        "ifelse.ifelse", "tensor.switch", "tensor.lt", "tensor.mean", "tensor.scalars",
        "tensor.matrices", "Mode", "function"],
    "tutorial/loop.txt": [
        "scan", "scan_module.until", "tensor.arange", "tensor.ones_like",
        "tensor.zeros_like", "tensor.set_subtensor", "tensor.tanh", "tensor.dot",
        "tensor.nnet.sigmoid", "tensor.vector", "tensor.scalar", "tensor.iscalar",
        "tensor.imatrix", "tensor.as_tensor_variable",
        "tensor.shared_randomstreams.RandomStreams", "shared", "function"],
    "tutorial/aliasing.txt": [
        "shared", "compile.sharedvalue.SharedVariable.get_value",
        "compile.sharedvalue.SharedVariable.set_value", "In", "Out", "tensor.matrix",
        "function"],
    "tutorial/shape_info.txt": [
        "tensor.matrix", "tensor.join", "tensor.specify_shape", "printing.debugprint",
        "tensor.nnet.conv2d", "function"],
    "tutorial/broadcasting.txt": ["tensor.row", "tensor.col", "tensor.matrix", "function",
                                  "tensor.TensorVariable.broadcastable"],
    "tutorial/debug_faq.txt": [
        "tensor.vector", "tensor.matrix", "tensor.dscalar", "tensor.dvector", "tensor.dot",
        "function", "shared", "config.compute_test_value", "config.exception_verbosity",
        "config.optimizer", "config.print_test_value", "config.floatX", "printing.Print",
        "printing.debugprint", "printing.pydotprint", "pp", "compile.MonitorMode",
        "compile.monitormode.detect_nan"],
    "tutorial/nan_tutorial.txt": [
        "compile.nanguardmode.NanGuardMode", "compile.debugmode.DebugMode",
        "compile.MonitorMode"],
    "tutorial/profiling.txt": ["config.profile", "config.profile_memory",
                               "config.profile_optimizer", "function"],
    "tutorial/extending_theano.txt": [
        "Op", "Apply", "tensor.as_tensor_variable", "tensor.matrix", "function",
        "gradient.verify_grad", "compile.ops.as_op"],
    "tutorial/faq.txt": ["compile.Function.trust_input", "config.allow_gc",
                         "scan"],
    "tutorial/faq_tutorial.txt": ["shared", "grad", "tensor.inc_subtensor",
                                  "tensor.set_subtensor", "function"],
    "tutorial/multi_cores.txt": ["config.openmp", "config.openmp_elemwise_minsize"],
    "tutorial/conv_arithmetic.txt": [
        "tensor.nnet.conv2d", "tensor.nnet.conv2d_transpose",
        "tensor.nnet.abstract_conv.conv2d_grad_wrt_inputs"],
    "tutorial/remarks.txt": ["scan"],
    "tutorial/tools.txt": [
        "compile.mode.Mode", "compile.debugmode.DebugMode", "tensor.TensorType",
        "tensor.frow", "tensor.imatrix", "tensor.dmatrix", "tensor.dmatrices"],
    "tutorial/debugmode.txt": [
        "compile.debugmode.DebugMode", "compile.debugmode.DebugModeError",
        "compile.debugmode.BadOptimization", "compile.debugmode.BadDestroyMap",
        "compile.debugmode.BadViewMap", "compile.debugmode.StochasticOrder",
        "compile.debugmode.InvalidValueError"],
    "tutorial/python-memory-management.txt": [],
}

#: Pages not checked, with the reason (the issue's exclusions, and pages whose API
#: Theano removed before 1.0).
EXCLUDED = {
    "tutorial/extending_theano_c.txt": "C ops (excluded by the issue)",
    "tutorial/shared_library.txt": "compiling functions to C shared libraries (C ops)",
    "tutorial/using_gpu.txt": "the old GPU backends (gpuarray, sandbox.cuda)",
    "tutorial/using_multi_gpu.txt": "the old GPU backends (gpuarray)",
    "tutorial/gpu_data_convert.txt": "the old GPU backends (CudaNdarray, PyCUDA)",
    "tutorial/pycuda.txt": "the old GPU backends (PyCUDA)",
    "tutorial/sparse.txt": "sparse (its own issue)",
    "tutorial/module.txt": "Theano's old Module system, removed before Theano 1.0",
    "library/sparse/index.txt": "sparse (its own issue)",
    "library/sparse/sandbox.txt": "sparse (its own issue)",
    "library/d3viz/index.txt": "d3viz (excluded by the issue)",
    "library/gpuarray/*": "the old GPU backend gpuarray (excluded by the issue)",
    "library/sandbox/cuda/*": "the old GPU backend sandbox.cuda (excluded by the issue)",
    "library/sandbox/gpuarray/*": "the old GPU backend gpuarray (excluded by the issue)",
    "library/gof/params_type.txt": "ParamsType: parameters of C ops (C ops)",
    "library/gof/wrapper.txt": "the C-op params wrapper, renamed params_type (C ops)",
    "library/gof/env.txt": "Env, renamed FunctionGraph before Theano 1.0 (see gof/fgraph)",
    "library/gof/fg.txt": "an older copy of gof/fgraph.txt",
    "library/compile/module.txt": "Theano's old Module system, removed before Theano 1.0",
    "library/floatX.txt": "theano.floatX (xmatrix, set_floatX), removed before Theano 1.0",
    "library/tensor/signal/downsample.txt": "downsample.max_pool2D, removed before Theano 1.0 "
                                            "(pool_2d replaces it, signal/pool.txt)",
    "library/tensor/signal.txt": "an older copy of tensor/signal/index.txt",
    "library/tensor/nnet.txt": "an older copy of tensor/nnet/nnet.txt",
    "library/tensor/scipy_ndimage.txt": "tensor.scipy_ndimage, removed before Theano 1.0",
    "library/tensor/nnet/spatialtf.txt": "tensor.nnet.spatialtf, added after Theano 1.0.5 "
                                         "(the oracle has no such module)",
}

#: ``(page, name)`` for the listed names symlab lacks today. Strict: the test fails for a
#: missing name not here and for a name here that now exists.
NOT_YET = {
    ('library/compile/mode.txt', 'compile.mode.Mode.requiring'),
    ('library/compile/ops.txt', 'compile.ops.DeepCopyOp'),
    ('library/compile/ops.txt', 'compile.ops.OutputGuard'),
    ('library/compile/ops.txt', 'compile.ops.Rebroadcast'),
    ('library/compile/ops.txt', 'compile.ops.Shape'),
    ('library/compile/ops.txt', 'compile.ops.Shape_i'),
    ('library/compile/ops.txt', 'compile.ops.SpecifyShape'),
    ('library/compile/ops.txt', 'compile.ops.ViewOp'),
    ('library/compile/ops.txt', 'compile.ops.shape_i'),
    ('library/compile/shared.txt', 'compile.sharedvalue.SharedVariable'),
    ('library/compile/shared.txt', 'compile.sharedvalue.SharedVariable.get_value'),
    ('library/compile/shared.txt', 'compile.sharedvalue.SharedVariable.set_value'),
    ('library/compile/shared.txt', 'compile.sharedvalue.shared'),
    ('library/compile/shared.txt', 'compile.sharedvalue.shared_constructor'),
    ('library/config.txt', 'config.DebugMode'),
    ('library/config.txt', 'config.NanGuardMode'),
    ('library/config.txt', 'config.cast_policy'),
    ('library/config.txt', 'config.on_shape_error'),
    ('library/config.txt', 'config.optimizer_excluding'),
    ('library/config.txt', 'config.optimizer_including'),
    ('library/config.txt', 'config.optimizer_requiring'),
    ('library/gof/fgraph.txt', 'gof.fg.FunctionGraph'),
    ('library/gof/fgraph.txt', 'gof.toolbox.ReplaceValidate'),
    ('library/gof/graph.txt', 'gof.graph.Node'),
    ('library/gof/graph.txt', 'gof.graph.ancestors'),
    ('library/gof/graph.txt', 'gof.graph.as_string'),
    ('library/gof/graph.txt', 'gof.graph.clone'),
    ('library/gof/graph.txt', 'gof.graph.clone_get_equiv'),
    ('library/gof/graph.txt', 'gof.graph.general_toposort'),
    ('library/gof/graph.txt', 'gof.graph.inputs'),
    ('library/gof/graph.txt', 'gof.graph.io_connection_pattern'),
    ('library/gof/graph.txt', 'gof.graph.io_toposort'),
    ('library/gof/graph.txt', 'gof.graph.is_in_ancestors'),
    ('library/gof/graph.txt', 'gof.graph.is_same_graph'),
    ('library/gof/graph.txt', 'gof.graph.list_of_nodes'),
    ('library/gof/graph.txt', 'gof.graph.nodes_constructed'),
    ('library/gof/graph.txt', 'gof.graph.op_as_string'),
    ('library/gof/graph.txt', 'gof.graph.ops'),
    ('library/gof/graph.txt', 'gof.graph.orphans'),
    ('library/gof/graph.txt', 'gof.graph.stack_search'),
    ('library/gof/graph.txt', 'gof.graph.variables'),
    ('library/gof/graph.txt', 'gof.graph.variables_and_orphans'),
    ('library/gof/graph.txt', 'gof.graph.view_roots'),
    ('library/gof/toolbox.txt', 'gof.toolbox.Bookkeeper'),
    ('library/gof/toolbox.txt', 'gof.toolbox.Feature'),
    ('library/gof/toolbox.txt', 'gof.toolbox.History'),
    ('library/gof/toolbox.txt', 'gof.toolbox.NodeFinder'),
    ('library/gof/toolbox.txt', 'gof.toolbox.PrintListener'),
    ('library/gof/toolbox.txt', 'gof.toolbox.ReplaceValidate'),
    ('library/gof/toolbox.txt', 'gof.toolbox.Validator'),
    ('library/gof/type.txt', 'gof.type.EnumList'),
    ('library/gof/type.txt', 'gof.type.EnumType'),
    ('library/gof/type.txt', 'gof.type.Generic'),
    ('library/gof/type.txt', 'gof.type.PureType'),
    ('library/gof/type.txt', 'gof.type.SingletonType'),
    ('library/gof/type.txt', 'gof.type.Type'),
    ('library/gof/utils.txt', 'gof.utils.MethodNotDefined'),
    ('library/gof/utils.txt', 'gof.utils.add_tag_trace'),
    ('library/gof/utils.txt', 'gof.utils.deprecated'),
    ('library/gof/utils.txt', 'gof.utils.difference'),
    ('library/gof/utils.txt', 'gof.utils.flatten'),
    ('library/gof/utils.txt', 'gof.utils.hash_from_file'),
    ('library/gof/utils.txt', 'gof.utils.memoize'),
    ('library/gof/utils.txt', 'gof.utils.remove'),
    ('library/gof/utils.txt', 'gof.utils.simple_extract_stack'),
    ('library/gof/utils.txt', 'gof.utils.toposort'),
    ('library/gof/utils.txt', 'gof.utils.uniq'),
    ('library/gradient.txt', 'gradient.format_as'),
    ('library/gradient.txt', 'gradient.grad_scale'),
    ('library/gradient.txt', 'gradient.numeric_grad'),
    ('library/gradient.txt', 'gradient.subgraph_grad'),
    ('library/gradient.txt', 'gradient.undefined_grad'),
    ('library/misc/pkl_utils.txt', 'misc.pkl_utils.StripPickler'),
    ('library/misc/pkl_utils.txt', 'misc.pkl_utils.dump'),
    ('library/misc/pkl_utils.txt', 'misc.pkl_utils.load'),
    ('library/sandbox/blocksparse.txt', 'sandbox.blocksparse.sparse_block_dot'),
    ('library/sandbox/linalg.txt', 'sandbox.linalg'),
    ('library/sandbox/linalg.txt', 'sandbox.linalg.ops.psd'),
    ('library/sandbox/linalg.txt', 'sandbox.linalg.ops.spectral_radius_bound'),
    ('library/sandbox/neighbours.txt', 'sandbox.neighbours.images2neibs'),
    ('library/sandbox/neighbours.txt', 'sandbox.neighbours.neibs2images'),
    ('library/tensor/basic.txt', 'tensor.sharedvar.TensorSharedVariable'),
    ('library/tensor/elemwise.txt', 'tensor.elemwise.All'),
    ('library/tensor/elemwise.txt', 'tensor.elemwise.Any'),
    ('library/tensor/elemwise.txt', 'tensor.elemwise.CAReduce'),
    ('library/tensor/elemwise.txt', 'tensor.elemwise.Prod'),
    ('library/tensor/elemwise.txt', 'tensor.elemwise.Sum'),
    ('library/tensor/extra_ops.txt', 'tensor.extra_ops.Unique'),
    ('library/tensor/extra_ops.txt', 'tensor.extra_ops.bartlett'),
    ('library/tensor/extra_ops.txt', 'tensor.extra_ops.ravel_multi_index'),
    ('library/tensor/extra_ops.txt', 'tensor.extra_ops.unravel_index'),
    ('library/tensor/fft.txt', 'tensor.fft.irfft'),
    ('library/tensor/fft.txt', 'tensor.fft.rfft'),
    ('library/tensor/io.txt', 'tensor.io.LoadFromDisk'),
    ('library/tensor/io.txt', 'tensor.io.irecv'),
    ('library/tensor/io.txt', 'tensor.io.isend'),
    ('library/tensor/io.txt', 'tensor.io.load'),
    ('library/tensor/io.txt', 'tensor.io.recv'),
    ('library/tensor/io.txt', 'tensor.io.send'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.alloc_diag'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.det'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.diag'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.eig'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.eigh'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.extract_diag'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.lstsq'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.matrix_dot'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.matrix_inverse'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.matrix_power'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.pinv'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.qr'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.svd'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.tensorinv'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.tensorsolve'),
    ('library/tensor/nlinalg.txt', 'tensor.nlinalg.trace'),
    ('library/tensor/nnet/blocksparse.txt', 'tensor.nnet.blocksparse.SparseBlockGemv'),
    ('library/tensor/nnet/blocksparse.txt', 'tensor.nnet.blocksparse.SparseBlockOuter'),
    ('library/tensor/nnet/blocksparse.txt', 'tensor.nnet.blocksparse.sparse_block_dot'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.bilinear_kernel_1D'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.bilinear_kernel_2D'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.bilinear_upsampling'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.causal_conv1d'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.conv2d'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.conv2d_grad_wrt_inputs'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.conv2d_grad_wrt_weights'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.conv3d'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.conv3d_grad_wrt_inputs'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.conv3d_grad_wrt_weights'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.get_conv_output_shape'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.separable_conv2d'),
    ('library/tensor/nnet/conv.txt', 'tensor.nnet.abstract_conv.separable_conv3d'),
    ('library/tensor/nnet/nnet.txt', 'tensor.nnet.confusion_matrix'),
    ('library/tensor/opt.txt', 'tensor.opt'),
    ('library/tensor/opt.txt', 'tensor.opt.Assert'),
    ('library/tensor/opt.txt', 'tensor.opt.MakeVector'),
    ('library/tensor/opt.txt', 'tensor.opt.ShapeFeature'),
    ('library/tensor/opt.txt', 'tensor.opt.broadcast_like'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomFunction'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStateType'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.binomial'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.choice'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.multinomial'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.normal'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.permutation'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.poisson'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.random_integers'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.shuffle_row_elements'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.RandomStreamsBase.uniform'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.binomial'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.multinomial'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.normal'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.permutation'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.random_integers'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.random_state_type'),
    ('library/tensor/raw_random.txt', 'tensor.raw_random.uniform'),
    ('library/tensor/signal/pool.txt', 'tensor.signal.pool.max_pool_2d_same_size'),
    ('library/tensor/signal/pool.txt', 'tensor.signal.pool.pool_3d'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.cholesky'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.eigvalsh'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.expm'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.kron'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.solve'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.solve_lower_triangular'),
    ('library/tensor/slinalg.txt', 'tensor.slinalg.solve_upper_triangular'),
    ('library/tensor/utils.txt', 'tensor.utils.hash_from_ndarray'),
    ('library/tensor/utils.txt', 'tensor.utils.shape_of_variables'),
    ('library/typed_list.txt', 'typed_list'),
    ('library/typed_list.txt', 'typed_list.TypedListType'),
    ('library/typed_list.txt', 'typed_list.append'),
    ('library/typed_list.txt', 'typed_list.basic.TypedListVariable'),
    ('library/typed_list.txt', 'typed_list.count'),
    ('library/typed_list.txt', 'typed_list.extend'),
    ('library/typed_list.txt', 'typed_list.getitem'),
    ('library/typed_list.txt', 'typed_list.insert'),
    ('library/typed_list.txt', 'typed_list.length'),
    ('library/typed_list.txt', 'typed_list.make_list'),
    ('library/typed_list.txt', 'typed_list.remove'),
    ('library/typed_list.txt', 'typed_list.reverse'),
    ('tutorial/aliasing.txt', 'compile.sharedvalue.SharedVariable.get_value'),
    ('tutorial/aliasing.txt', 'compile.sharedvalue.SharedVariable.set_value'),
    ('tutorial/conv_arithmetic.txt', 'tensor.nnet.abstract_conv.conv2d_grad_wrt_inputs'),
    ('tutorial/examples.txt', 'compile.sharedvalue.SharedVariable.get_value'),
    ('tutorial/examples.txt', 'compile.sharedvalue.SharedVariable.set_value'),
    ('tutorial/loading_and_saving.txt', 'misc.pkl_utils.dump'),
    ('tutorial/loading_and_saving.txt', 'misc.pkl_utils.load'),
}
