"""Every word the notebook widgets show, in every language symlab speaks: ONE table.

``LABELS`` maps a key to its text in each of ``LANGUAGES`` (a row is a tuple in
that order). Keys start with the widget they belong to: ``common_`` (every
widget), ``rng_`` (the RNG stepper), ``shared_`` (the shared-variable
inspector) and ``graph_`` (the graph view). A text may hold fields in braces
(``"step {position} of {draws}"``), filled by ``text()`` in Python and by the
view in TypeScript (``extension/src/widgets/texts.ts``); each language's text
of a row names the same fields.

The table lives on the Python side because the language is a setting of the
kernel (``symlab.config.language``, read when a widget is made) and because a
widget sends its texts to the view as synced state (its ``texts`` trait,
``widget_texts(group)``): a notebook saved with its widgets keeps them, so a
saved Chinese lesson shows Chinese labels before anything runs. Python's own
words about a widget (``repr(stepper)``, the stepper's seed errors) come from
the same rows, so the page and Python say the same thing.

The extension carries a copy generated from this table,
``extension/src/widgets/labels.generated.ts`` (written by ``typescript()``;
``tests/notebook/test_notebook_labels.py`` checks it is up to date and
rewrites it with ``SYMLAB_WRITE_LABELS=1``): the words of views that have no widget state to
read them from (the MIME renderer of a graph) and of states saved before a
key existed.
"""

import json

__all__ = ["LANGUAGES", "LABELS", "language", "text", "widget_texts", "typescript"]

#: The languages of the table, in the order of each row.
LANGUAGES = ("en", "zh")

LABELS = {
    # key                          English                                 Chinese
    "common_saved_notice": ("saved view: run the cell to use it",
                            "已保存的视图：运行这个单元格才能使用"),

    # the RNG stepper
    "rng_state": ("state", "状态"),
    "rng_step": ("step {position} of {draws}", "第 {position} 步，共 {draws} 步"),
    "rng_back": ("\u25C0 back", "\u25C0 后退"),
    "rng_back_tip": ("restore the previous state", "恢复上一步的状态"),
    "rng_draw": ("draw", "抽取"),
    "rng_draw_tip": ("draw the next values", "抽取下一组值"),
    "rng_forward": ("forward \u25B6", "前进 \u25B6"),
    "rng_forward_tip": ("re-apply the next saved state", "重新应用下一个已保存的状态"),
    "rng_seed": ("seed", "种子"),
    "rng_reseed": ("reseed", "重新设种子"),
    "rng_reseed_tip": ("seed anew with the number in the box", "用框里的数重新设定种子"),
    "rng_histogram_of": ("histogram of {name}", "{name} 的直方图"),
    "rng_no_draw": ("did not draw", "这一步没有抽取"),
    "rng_more": ("\u2026 {count} more", "\u2026 还有 {count} 个"),
    "rng_seed_empty": ("the seed box is empty: a seed must be {rule}",
                       "种子框是空的：种子必须是{rule}"),
    "rng_seed_not_whole": ("{value} is not a seed: a seed must be {rule}",
                           "{value} 不是种子：种子必须是{rule}"),
    "rng_seed_out_of_range": ("the seed {value} is out of range: a seed must be {rule}",
                              "种子 {value} 超出了范围：种子必须是{rule}"),
    "rng_seed_rule_range": ("a whole number from {low} to {high}", "从 {low} 到 {high} 的整数"),
    "rng_seed_rule_from": ("a whole number, {low} or more", "不小于 {low} 的整数"),
    "rng_cannot_move": ("{action}({n}): the stepper holds steps {low} to {high} and shows "
                        "step {position}",
                        "{action}({n})：步进器保存的是第 {low} 到第 {high} 步，现在显示第 {position} 步"),
    "rng_bad_count": ("n must be a non-negative int; got {value}",
                      "n 必须是非负整数，得到的是 {value}"),
    "rng_failed": ("{action} failed: {error}", "{action} 失败：{error}"),

    # the shared-variable inspector: the column heads, then the rest
    "shared_name": ("name", "名称"),
    "shared_dtype": ("dtype", "数据类型"),
    "shared_shape": ("shape", "形状"),
    "shared_device": ("device", "设备"),
    "shared_min": ("min", "最小值"),
    "shared_mean": ("mean", "平均值"),
    "shared_max": ("max", "最大值"),
    "shared_preview": ("preview", "预览"),
    "shared_readers": ("read by", "读取它的函数"),
    "shared_updaters": ("updated by", "更新它的函数"),
    "shared_value": ("value", "值"),
    "shared_empty": ("no shared variables", "没有共享变量"),
    "shared_value_of": ("value of {name}", "{name} 的值"),
    "shared_edit_tip": ("type a new value; Enter sets it, Escape undoes the typing",
                        "输入新的值；按 Enter 设置，按 Esc 撤销输入"),

    # the graph view (extension/src/graph/, read there from the widget's `texts`)
    "graph_rewrites": ("{name}: {count} rewrites", "{name}：{count} 次重写"),
    "graph_rewrites_one": ("{name}: 1 rewrite", "{name}：1 次重写"),
    "graph_unnamed": ("graph", "图"),
    "graph_step": ("step {step} / {count}", "第 {step} 步 / 共 {count} 步"),
    "graph_step_slider": ("step of the optimization trace", "优化过程的步骤"),
    "graph_prev_tip": ("previous event (\u2190)", "上一个事件（\u2190）"),
    "graph_next_tip": ("next event (\u2192)", "下一个事件（\u2192）"),
    "graph_whole_trace": ("whole trace", "整个优化过程"),
    "graph_before": ("before optimization (step 0)", "优化前（第 0 步）"),
    "graph_before_step": ("before step {step}", "第 {step} 步之前"),
    "graph_after": ("after optimization", "优化后"),
    "graph_after_step": ("after step {step}", "第 {step} 步之后"),
    "graph_no_after": ("no optimized graph: this is not a compiled function",
                       "没有优化后的图：这不是编译好的函数"),
    "graph_zoom_in_tip": ("zoom in (or use the wheel)", "放大（也可以用滚轮）"),
    "graph_zoom_out_tip": ("zoom out", "缩小"),
    "graph_zoom_reset_tip": ("whole graph (or double-click)", "显示整个图（也可以双击）"),
    "graph_inner_back": ("\u2190 back", "\u2190 返回"),
    "graph_inner_back_tip": ("back to the outer graph (Escape)", "回到外层的图（Esc）"),
    "graph_inner_opened": ("inner graphs opened", "已打开的内部图"),
    "graph_crumb_tip": ("go back here", "回到这里"),
    "graph_expand_fused": ("expand in drawing", "在图中展开"),
    "graph_collapse_fused": ("collapse in drawing", "在图中收起"),
    "graph_expand_fused_tip": ("draw this fused node with its whole expression",
                               "把这个融合节点画成完整的表达式"),
    "graph_select_tip": ("select this node", "选中这个节点"),
    "graph_details_close": ("close", "关闭"),
    "graph_details_close_tip": ("clear the selection", "取消选中"),
    "graph_field_id": ("id", "编号"),
    "graph_field_kind": ("kind", "种类"),
    "graph_field_op": ("op", "运算"),
    "graph_field_name": ("name", "名称"),
    "graph_field_type": ("type", "类型"),
    "graph_field_shape": ("static shape", "静态形状"),
    "graph_field_value": ("value", "值"),
    "graph_field_call_value": ("call value", "调用时的值"),
    "graph_field_time": ("time", "时间"),
    "graph_field_failure": ("failure", "失败"),
    "graph_field_source": ("created at", "创建位置"),
    "graph_failure_show": ("show node", "显示节点"),
    "graph_failure_show_tip": ("select the failed node", "选中失败的节点"),
    "graph_failure_error": ("raised an error", "抛出了错误"),
    "graph_failure_nan": ("produced NaN", "产生了 NaN"),
    "graph_failure_inf": ("produced an infinity", "产生了无穷大"),
    "graph_failure_big": ("produced a very large value", "产生了非常大的值"),
    "graph_profile_calls": ("profile: {count} calls", "性能分析：{count} 次调用"),
    "graph_profile_calls_one": ("profile: 1 call", "性能分析：1 次调用"),
    "graph_profile_fast": ("fast", "快"),
    "graph_profile_slowest": ("slowest: {time}", "最慢：{time}"),
    "graph_profile_node": ("node", "节点"),
    "graph_profile_op": ("op", "运算"),
    "graph_profile_time": ("time", "时间"),
    "graph_profile_percent": ("% of the call", "占这次调用的百分比"),
    "graph_profile_count": ("calls", "调用次数"),
    "graph_legend": ("legend", "图例"),
    "graph_legend_removed": ("removed by this rewrite", "被这次重写移除"),
    "graph_legend_added": ("added by this rewrite", "由这次重写加入"),
    "graph_legend_input": ("input", "输入"),
    "graph_legend_constant": ("constant", "常量"),
    "graph_legend_shared": ("shared variable", "共享变量"),
    "graph_legend_update": ("update of a shared variable", "共享变量的更新"),
    "graph_legend_inner": ("holds inner graphs", "包含内部图"),
    "graph_legend_failed": ("where the last call failed", "上次调用失败的地方"),
    "graph_search": ("find a name, op or id", "按名称、运算或编号查找"),
    "graph_search_prev": ("previous match", "上一个匹配"),
    "graph_search_next": ("next match", "下一个匹配"),
    "graph_search_count": ("{index} of {count}", "第 {index} 个，共 {count} 个"),
    "graph_search_none": ("no match", "没有匹配"),
    "graph_export_svg": ("export SVG", "导出 SVG"),
    "graph_export_png": ("export PNG", "导出 PNG"),
    "graph_group_expand": ("expand group", "展开分组"),
    "graph_group_collapse": ("collapse group", "收起分组"),
    "graph_group_nodes": ("{name} ({count} nodes)", "{name}（{count} 个节点）"),
    "graph_minimap": ("minimap", "缩略图"),
    "graph_laying_out": ("laying out {count} nodes\u2026", "正在布局 {count} 个节点\u2026"),
}


def language(value=None):
    """The language to speak: ``value`` if given, else ``symlab.config.language``.

    Raises ValueError naming the value and the languages of the table."""
    if value is None:
        from symlab.config import config  # the config layer sits above: read at call time
        value = config.language
    if value not in LANGUAGES:
        raise ValueError(f"labels: unknown language {value!r}; expected one of "
                         f"{', '.join(LANGUAGES)}")
    return value


def text(key, lang=None, **fields):
    """The text of ``key`` in ``lang`` (default: the config's), its fields filled.

    Raises KeyError naming an unknown key."""
    try:
        row = LABELS[key]
    except KeyError:
        raise KeyError(f"labels: no label {key!r} in symlab/notebook/labels.py") from None
    template = row[LANGUAGES.index(language(lang))]
    return template.format(**fields) if fields else template


def widget_texts(*groups, lang=None):
    """The texts a widget syncs (its ``texts`` trait): ``{key: text}`` of every key in the
    ``common`` group and in each of ``groups`` (``"rng"``, ``"shared"``, ``"graph"``),
    in ``lang`` (default: the config's), fields left in braces for the view to fill."""
    index = LANGUAGES.index(language(lang))
    prefixes = tuple(f"{g}_" for g in ("common", *groups))
    return {key: row[index] for key, row in LABELS.items() if key.startswith(prefixes)}


def typescript():
    """The text of ``extension/src/widgets/labels.generated.ts``: this table as a TypeScript
    constant, ``LABELS[key][language]``."""
    table = {key: dict(zip(LANGUAGES, row)) for key, row in LABELS.items()}
    body = json.dumps(table, ensure_ascii=False, indent=2)
    return ("/**\n * GENERATED from symlab/notebook/labels.py, the one table of the widgets' "
            "words,\n * by its typescript(): do not edit. To rewrite it:\n * "
            "SYMLAB_WRITE_LABELS=1 pytest tests/notebook/test_notebook_labels.py\n */\n"
            f"export const LANGUAGES = {json.dumps(list(LANGUAGES))};\n\n"
            "export const LABELS: { [key: string]: { [language: string]: string } } = "
            f"{body};\n")
