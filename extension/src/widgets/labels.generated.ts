/**
 * GENERATED from symlab/notebook/labels.py, the one table of the widgets' words,
 * by its typescript(): do not edit. To rewrite it:
 * SYMLAB_WRITE_LABELS=1 pytest tests/notebook/test_notebook_labels.py
 */
export const LANGUAGES = ["en", "zh"];

export const LABELS: { [key: string]: { [language: string]: string } } = {
  "common_saved_notice": {
    "en": "saved view: run the cell to use it",
    "zh": "已保存的视图：运行这个单元格才能使用"
  },
  "rng_state": {
    "en": "state",
    "zh": "状态"
  },
  "rng_step": {
    "en": "step {position} of {draws}",
    "zh": "第 {position} 步，共 {draws} 步"
  },
  "rng_back": {
    "en": "◀ back",
    "zh": "◀ 后退"
  },
  "rng_back_tip": {
    "en": "restore the previous state",
    "zh": "恢复上一步的状态"
  },
  "rng_draw": {
    "en": "draw",
    "zh": "抽取"
  },
  "rng_draw_tip": {
    "en": "draw the next values",
    "zh": "抽取下一组值"
  },
  "rng_forward": {
    "en": "forward ▶",
    "zh": "前进 ▶"
  },
  "rng_forward_tip": {
    "en": "re-apply the next saved state",
    "zh": "重新应用下一个已保存的状态"
  },
  "rng_seed": {
    "en": "seed",
    "zh": "种子"
  },
  "rng_reseed": {
    "en": "reseed",
    "zh": "重新设种子"
  },
  "rng_reseed_tip": {
    "en": "seed anew with the number in the box",
    "zh": "用框里的数重新设定种子"
  },
  "rng_histogram_of": {
    "en": "histogram of {name}",
    "zh": "{name} 的直方图"
  },
  "rng_no_draw": {
    "en": "did not draw",
    "zh": "这一步没有抽取"
  },
  "rng_more": {
    "en": "… {count} more",
    "zh": "… 还有 {count} 个"
  },
  "rng_seed_empty": {
    "en": "the seed box is empty: a seed must be {rule}",
    "zh": "种子框是空的：种子必须是{rule}"
  },
  "rng_seed_not_whole": {
    "en": "{value} is not a seed: a seed must be {rule}",
    "zh": "{value} 不是种子：种子必须是{rule}"
  },
  "rng_seed_out_of_range": {
    "en": "the seed {value} is out of range: a seed must be {rule}",
    "zh": "种子 {value} 超出了范围：种子必须是{rule}"
  },
  "rng_seed_rule_range": {
    "en": "a whole number from {low} to {high}",
    "zh": "从 {low} 到 {high} 的整数"
  },
  "rng_seed_rule_from": {
    "en": "a whole number, {low} or more",
    "zh": "不小于 {low} 的整数"
  },
  "rng_cannot_move": {
    "en": "{action}({n}): the stepper holds steps {low} to {high} and shows step {position}",
    "zh": "{action}({n})：步进器保存的是第 {low} 到第 {high} 步，现在显示第 {position} 步"
  },
  "rng_bad_count": {
    "en": "n must be a non-negative int; got {value}",
    "zh": "n 必须是非负整数，得到的是 {value}"
  },
  "rng_failed": {
    "en": "{action} failed: {error}",
    "zh": "{action} 失败：{error}"
  },
  "shared_name": {
    "en": "name",
    "zh": "名称"
  },
  "shared_dtype": {
    "en": "dtype",
    "zh": "数据类型"
  },
  "shared_shape": {
    "en": "shape",
    "zh": "形状"
  },
  "shared_device": {
    "en": "device",
    "zh": "设备"
  },
  "shared_min": {
    "en": "min",
    "zh": "最小值"
  },
  "shared_mean": {
    "en": "mean",
    "zh": "平均值"
  },
  "shared_max": {
    "en": "max",
    "zh": "最大值"
  },
  "shared_preview": {
    "en": "preview",
    "zh": "预览"
  },
  "shared_readers": {
    "en": "read by",
    "zh": "读取它的函数"
  },
  "shared_updaters": {
    "en": "updated by",
    "zh": "更新它的函数"
  },
  "shared_value": {
    "en": "value",
    "zh": "值"
  },
  "shared_empty": {
    "en": "no shared variables",
    "zh": "没有共享变量"
  },
  "shared_value_of": {
    "en": "value of {name}",
    "zh": "{name} 的值"
  },
  "shared_edit_tip": {
    "en": "type a new value; Enter sets it, Escape undoes the typing",
    "zh": "输入新的值；按 Enter 设置，按 Esc 撤销输入"
  },
  "graph_rewrites": {
    "en": "{name}: {count} rewrites",
    "zh": "{name}：{count} 次重写"
  },
  "graph_rewrites_one": {
    "en": "{name}: 1 rewrite",
    "zh": "{name}：1 次重写"
  },
  "graph_unnamed": {
    "en": "graph",
    "zh": "图"
  },
  "graph_step": {
    "en": "step {step} / {count}",
    "zh": "第 {step} 步 / 共 {count} 步"
  },
  "graph_step_slider": {
    "en": "step of the optimization trace",
    "zh": "优化过程的步骤"
  },
  "graph_prev_tip": {
    "en": "previous event (←)",
    "zh": "上一个事件（←）"
  },
  "graph_next_tip": {
    "en": "next event (→)",
    "zh": "下一个事件（→）"
  },
  "graph_whole_trace": {
    "en": "whole trace",
    "zh": "整个优化过程"
  },
  "graph_before": {
    "en": "before optimization (step 0)",
    "zh": "优化前（第 0 步）"
  },
  "graph_before_step": {
    "en": "before step {step}",
    "zh": "第 {step} 步之前"
  },
  "graph_after": {
    "en": "after optimization",
    "zh": "优化后"
  },
  "graph_after_step": {
    "en": "after step {step}",
    "zh": "第 {step} 步之后"
  },
  "graph_no_after": {
    "en": "no optimized graph: this is not a compiled function",
    "zh": "没有优化后的图：这不是编译好的函数"
  },
  "graph_zoom_in_tip": {
    "en": "zoom in (or use the wheel)",
    "zh": "放大（也可以用滚轮）"
  },
  "graph_zoom_out_tip": {
    "en": "zoom out",
    "zh": "缩小"
  },
  "graph_zoom_reset_tip": {
    "en": "whole graph (or double-click)",
    "zh": "显示整个图（也可以双击）"
  },
  "graph_inner_back": {
    "en": "← back",
    "zh": "← 返回"
  },
  "graph_inner_back_tip": {
    "en": "back to the outer graph (Escape)",
    "zh": "回到外层的图（Esc）"
  },
  "graph_inner_opened": {
    "en": "inner graphs opened",
    "zh": "已打开的内部图"
  },
  "graph_crumb_tip": {
    "en": "go back here",
    "zh": "回到这里"
  },
  "graph_expand_fused": {
    "en": "expand in drawing",
    "zh": "在图中展开"
  },
  "graph_collapse_fused": {
    "en": "collapse in drawing",
    "zh": "在图中收起"
  },
  "graph_expand_fused_tip": {
    "en": "draw this fused node with its whole expression",
    "zh": "把这个融合节点画成完整的表达式"
  },
  "graph_select_tip": {
    "en": "select this node",
    "zh": "选中这个节点"
  },
  "graph_details_close": {
    "en": "close",
    "zh": "关闭"
  },
  "graph_details_close_tip": {
    "en": "clear the selection",
    "zh": "取消选中"
  },
  "graph_field_id": {
    "en": "id",
    "zh": "编号"
  },
  "graph_field_kind": {
    "en": "kind",
    "zh": "种类"
  },
  "graph_field_op": {
    "en": "op",
    "zh": "运算"
  },
  "graph_field_name": {
    "en": "name",
    "zh": "名称"
  },
  "graph_field_type": {
    "en": "type",
    "zh": "类型"
  },
  "graph_field_shape": {
    "en": "static shape",
    "zh": "静态形状"
  },
  "graph_field_value": {
    "en": "value",
    "zh": "值"
  },
  "graph_field_call_value": {
    "en": "call value",
    "zh": "调用时的值"
  },
  "graph_field_time": {
    "en": "time",
    "zh": "时间"
  },
  "graph_field_failure": {
    "en": "failure",
    "zh": "失败"
  },
  "graph_field_source": {
    "en": "created at",
    "zh": "创建位置"
  },
  "graph_failure_show": {
    "en": "show node",
    "zh": "显示节点"
  },
  "graph_failure_show_tip": {
    "en": "select the failed node",
    "zh": "选中失败的节点"
  },
  "graph_failure_error": {
    "en": "raised an error",
    "zh": "抛出了错误"
  },
  "graph_failure_nan": {
    "en": "produced NaN",
    "zh": "产生了 NaN"
  },
  "graph_failure_inf": {
    "en": "produced an infinity",
    "zh": "产生了无穷大"
  },
  "graph_failure_big": {
    "en": "produced a very large value",
    "zh": "产生了非常大的值"
  },
  "graph_profile_calls": {
    "en": "profile: {count} calls",
    "zh": "性能分析：{count} 次调用"
  },
  "graph_profile_calls_one": {
    "en": "profile: 1 call",
    "zh": "性能分析：1 次调用"
  },
  "graph_profile_fast": {
    "en": "fast",
    "zh": "快"
  },
  "graph_profile_slowest": {
    "en": "slowest: {time}",
    "zh": "最慢：{time}"
  },
  "graph_profile_node": {
    "en": "node",
    "zh": "节点"
  },
  "graph_profile_op": {
    "en": "op",
    "zh": "运算"
  },
  "graph_profile_time": {
    "en": "time",
    "zh": "时间"
  },
  "graph_profile_percent": {
    "en": "% of the call",
    "zh": "占这次调用的百分比"
  },
  "graph_profile_count": {
    "en": "calls",
    "zh": "调用次数"
  },
  "graph_legend": {
    "en": "legend",
    "zh": "图例"
  },
  "graph_legend_removed": {
    "en": "removed by this rewrite",
    "zh": "被这次重写移除"
  },
  "graph_legend_added": {
    "en": "added by this rewrite",
    "zh": "由这次重写加入"
  },
  "graph_legend_input": {
    "en": "input",
    "zh": "输入"
  },
  "graph_legend_constant": {
    "en": "constant",
    "zh": "常量"
  },
  "graph_legend_shared": {
    "en": "shared variable",
    "zh": "共享变量"
  },
  "graph_legend_update": {
    "en": "update of a shared variable",
    "zh": "共享变量的更新"
  },
  "graph_legend_inner": {
    "en": "holds inner graphs",
    "zh": "包含内部图"
  },
  "graph_legend_failed": {
    "en": "where the last call failed",
    "zh": "上次调用失败的地方"
  },
  "graph_search": {
    "en": "find a name, op or id",
    "zh": "按名称、运算或编号查找"
  },
  "graph_search_prev": {
    "en": "previous match",
    "zh": "上一个匹配"
  },
  "graph_search_next": {
    "en": "next match",
    "zh": "下一个匹配"
  },
  "graph_search_count": {
    "en": "{index} of {count}",
    "zh": "第 {index} 个，共 {count} 个"
  },
  "graph_search_none": {
    "en": "no match",
    "zh": "没有匹配"
  },
  "graph_export_svg": {
    "en": "export SVG",
    "zh": "导出 SVG"
  },
  "graph_export_png": {
    "en": "export PNG",
    "zh": "导出 PNG"
  },
  "graph_group_expand": {
    "en": "expand group",
    "zh": "展开分组"
  },
  "graph_group_collapse": {
    "en": "collapse group",
    "zh": "收起分组"
  },
  "graph_group_nodes": {
    "en": "{name} ({count} nodes)",
    "zh": "{name}（{count} 个节点）"
  },
  "graph_minimap": {
    "en": "minimap",
    "zh": "缩略图"
  },
  "graph_laying_out": {
    "en": "laying out {count} nodes…",
    "zh": "正在布局 {count} 个节点…"
  }
};
