"""The label catalogue: every word a report, chart, workbook header or CLI status line shows,
in English and in Chinese (简体中文).

Why one catalogue: a hall manager reading the Chinese report, its XLSX and the command's
status lines must meet the *same* word for the same thing (“峰值”, “目标内占比”), so the
reports, charts, workbook headers and CLI all read their labels from here. English is the
default; ``--lang zh`` or ``report.language = "zh"`` in the scenario selects Chinese.

A label is looked up by key and may take ``str.format`` fields::

    t = labels("zh")
    t("verdict_hold")            # '每个时段都达到等待目标'
    t("n_days", n=3)             # '3 天'

An unknown key is a programming error (``KeyError`` naming it); the test suite checks that
every key has both languages and the same format fields in each.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG: Lang = "en"

# key: (English, 中文)
CATALOGUE: dict[str, tuple[str, str]] = {
    # ---- common words
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "off": ("off", "休"),
    "hall": ("hall", "营业厅"),
    "date": ("date", "日期"),
    "day": ("day", "日"),
    "interval": ("interval", "时段"),
    "lane": ("lane", "队列"),
    "post": ("post", "岗位"),
    "employee": ("employee", "员工"),
    "start": ("start", "上班"),
    "end": ("end", "下班"),
    "break_start": ("meal break from", "用餐开始"),
    "break_end": ("meal break to", "用餐结束"),
    "item": ("item", "项目"),
    "value": ("value", "数值"),
    "setting": ("setting", "设置"),
    "details": ("Details (for planners: solver, loop and work units)",
                "明细（供排班员：求解器、迭代与工作量单位）"),
    "show_table": ("Show the table", "展开表格"),
    "people": ("people", "人"),
    "n_days": ("{n} days", "{n} 天"),
    "n_people": ("{n} people", "{n} 人"),
    "ci90": ("90% interval", "90% 区间"),
    "ci_note": ("In brackets: the 95% interval over the {reps} simulated replications.",
                "括号内为 {reps} 次仿真重复的 95% 区间。"),
    "week_n": ("week {n} (from {date})", "第 {n} 周（{date} 起）"),
    # ---- posts
    "post_general": ("general counter", "普通柜台"),
    "post_vip": ("VIP", "VIP"),
    "post_complaint": ("complaints", "投诉台"),
    "post_greeter": ("greeter", "引导员"),
    "post_kiosk": ("kiosk", "自助终端"),
    # ---- plan report: first screen
    "plan_title": ("Plan: {hall} — {month}", "排班计划：{hall} — {month}"),
    "plan_scope": ("{days} days from {first} to {last}, {employees} employees.",
                   "{first} 至 {last}，共 {days} 天，{employees} 名员工。"),
    "verdict": ("Verdict:", "结论："),
    "verdict_hold": ("the wait targets hold: every lane over the period, and every interval "
                     "staff can fix", "等待目标达成：各队列整体达标，人手可解决的时段全部达标"),
    "verdict_miss": ("targets still missed: ", "仍未达标："),
    "verdict_lanes": ("below target over the period: {lanes}", "整体未达标的队列：{lanes}"),
    "verdict_lane_item": ("{lane} {share} called within target (target {target}), {left} "
                          "left before being called (limit {limit})",
                          "{lane} 目标内叫号 {share}（目标 {target}），"
                          "未叫号离开 {left}（上限 {limit}）"),
    "verdict_open": ("{n} interval(s) that staff could fix still miss (see below)",
                     "{n} 个人手可解决的时段仍未达标（见下文）"),
    "verdict_layout": ("; {n} interval(s) miss even with every counter staffed — add a counter",
                       "；{n} 个时段即使所有柜台都有人仍未达标，需增设柜台"),
    "sec_advice": ("What would hold the targets", "达标还需要什么"),
    "advice_line": ("{more} more {post} staff on {weekday} {start}–{end} ({intervals} "
                    "interval(s) on {dates} date(s))",
                    "{weekday} {start}–{end} 再增加 {more} 名{post}人员"
                    "（{dates} 天共 {intervals} 个时段）"),
    "lane_within": ("called within target (95% interval)", "目标内叫号（95% 区间）"),
    "lane_abandon_limit": ("abandonment limit", "离开上限"),
    "lane_holds": ("meets its targets", "达标"),
    "lane_full": ("within target, every counter staffed", "所有柜台有人时的目标内占比"),
    "headline_within": ("customers called within the wait target",
                        "在等待目标内叫号的顾客"),
    "headline_wait": ("mean wait", "平均等待"),
    "headline_abandon": ("customers who left before being called", "未叫号即离开的顾客"),
    "headline_visits": ("visits in the period", "期间到访人次"),
    "headline_staff": ("employees on the roster", "排班员工"),
    "headline_paid": ("paid hours rostered", "排班带薪工时"),
    "headline_uncovered": ("hours with fewer staff than needed", "人手不足的工时"),
    "minutes": ("{v} min", "{v} 分钟"),
    "hours": ("{v} h", "{v} 小时"),
    "chart_kpi": ("Share of customers called within the wait target, by day and time",
                  "各日各时段在等待目标内叫号的顾客占比"),
    "chart_kpi_lane": ("{lane}: share called within target (mean of {reps} replications)",
                       "{lane}：目标内叫号占比（{reps} 次重复的均值）"),
    "chart_coverage": ("Staff at the posts vs what is needed", "各岗位在岗人数与需求"),
    "chart_coverage_title": ("Coverage vs requirement (people at the post per interval)",
                             "在岗人数与需求（每时段在岗人数）"),
    "chart_gantt": ("Who works when on the first day", "首日班次"),
    "chart_gantt_title": ("Roster {day} (gaps = meal breaks)", "排班表 {day}（空白为用餐）"),
    "required": ("required", "需求"),
    "rostered_at_post": ("rostered at post", "在岗"),
    "under": ("under", "不足"),
    "handover": ("handover", "交接"),
    "share_axis": ("share within target", "目标内占比"),
    "time_of_day": ("time of day", "时刻"),
    # ---- plan report: sections after the charts
    "sec_misses": ("Where targets still miss, and the staff short there",
                   "仍未达标的时段及缺少的人手"),
    "sec_days": ("Day by day", "逐日指标"),
    "sec_cost": ("Staff-hours and cost", "工时与成本"),
    "sec_roster_grid": ("The roster (employee × day)", "排班表（员工 × 日期）"),
    "sec_hours": ("Paid hours per employee and week", "每位员工每周带薪工时"),
    "sec_loop": ("What the loop corrected", "计划迭代修正了什么"),
    "sec_five": ("The five tables (五表)", "五表"),
    "sec_notes": ("Notes", "说明"),
    "run_info": ("Demand: {source}; requirement method: {method}; {reps} replications per "
                 "round, seed {seed}{elapsed}.",
                 "需求来源：{source}；需求方法：{method}；每轮 {reps} 次重复，"
                 "随机种子 {seed}{elapsed}。"),
    "run_time": ("; run time {s} s", "；运行 {s} 秒"),
    "loop_verdict_rounds": ("The plan was checked by simulation in {n} loop round(s).",
                            "计划经 {n} 轮仿真校验。"),
    # day table columns
    "col_visits": ("visits", "到访人次"),
    "col_tickets": ("counter tickets", "柜台取号"),
    "col_within": ("within target", "目标内占比"),
    "col_mean_wait": ("mean wait (min)", "平均等待（分钟）"),
    "col_p90_wait": ("90% wait at most (min)", "90% 顾客等待不超过（分钟）"),
    "col_abandoned": ("left before being called", "未叫号离开"),
    "col_mean": ("share within target", "目标内占比"),
    "col_upper": ("best plausible share", "占比上限"),
    "col_target": ("target", "目标"),
    "col_required": ("staff needed", "需要人数"),
    "col_rostered": ("staff rostered", "排班人数"),
    "col_short": ("staff short", "缺少人数"),
    # cost table rows
    "cost_req_initial": ("staff-hours needed at the posts (first estimate)",
                         "岗位所需工时（初始估计）"),
    "cost_req_final": ("staff-hours needed at the posts (final)", "岗位所需工时（最终）"),
    "cost_paid": ("paid hours rostered", "排班带薪工时"),
    "cost_paid_day": ("paid hours per day", "每日带薪工时"),
    "cost_under": ("staff-hours not covered", "未覆盖工时"),
    "cost_labour": ("labour cost at {rate}/h (assumption)", "人工成本（按每小时 {rate} 估算）"),
    # loop table columns (details)
    "loop_round": ("round", "轮次"),
    "loop_req": ("requirement staff-h", "需求工时"),
    "loop_paid": ("paid h", "带薪工时"),
    "loop_under": ("under-coverage staff-h", "未覆盖工时"),
    "loop_misses": ("intervals missing target", "未达标时段数"),
    "loop_raised": ("requirement cells raised", "上调的需求格"),
    "loop_capped": ("at physical counters", "已达柜台上限"),
    "loop_kept": ("kept", "采用"),
    "loop_roster": ("roster search", "排班求解"),
    "solver": ("roster solver", "排班求解器"),
    # hours table
    "total_paid_hours": ("total paid hours", "带薪工时合计"),
    "allowed_hours": ("allowed hours", "允许工时"),
    # ---- simulation summary (summary.md, waits.png)
    "sim_title": ("Simulation of {hall}", "仿真：{hall}"),
    "sim_hall": ("hall: `{id}` ({kind}); open {open}–{close}; interval {interval} min",
                 "营业厅：`{id}`（{kind}）；营业 {open}–{close}；时段 {interval} 分钟"),
    "sim_dates": ("dates: {dates}; replications: {reps}; seed: {seed}",
                  "日期：{dates}；重复次数：{reps}；随机种子：{seed}"),
    "sim_ci": ("figures are means over replications with the 95% interval in brackets "
               "(Student t; for shares the Wilson-type interval inside 0–100%)",
               "数值为各次重复的均值，括号内为 95% 区间（t 分布；占比用 0–100% 内的 Wilson 区间）"),
    "sim_run_time": ("run time: {s} s", "运行时间：{s} 秒"),
    "sim_visits": ("visits: {visits}; served at counters {counter}, at kiosks {kiosk}; "
                   "abandoned {abandoned}; balked {balked}",
                   "到访：{visits}；柜台服务 {counter}，自助终端 {kiosk}；"
                   "离开 {abandoned}；见队长放弃 {balked}"),
    "sim_within": ("counter customers called within their target: {share}; mean wait {wait} "
                   "min; p90 {p90} min",
                   "柜台顾客在目标内叫号：{share}；平均等待 {wait} 分钟；90% 分位 {p90} 分钟"),
    "sim_cared": ("reached the {min}-minute care threshold: {n}",
                  "达到 {min} 分钟关怀阈值：{n}"),
    "sim_triage": ("triaged by a greeter: {share}; misrouted {misrouted}; kiosk failures "
                   "{failed}", "经引导员分流：{share}；走错队列 {misrouted}；自助失败 {failed}"),
    "sim_last": ("last customer left at {clock}", "最后一位顾客 {clock} 离开"),
    "sim_lane_head": ("| lane | tickets | served | abandoned | within target | mean wait (min) "
                      "| p90 wait | max wait |",
                      "| 队列 | 取号 | 服务 | 离开 | 目标内 | 平均等待（分钟） "
                      "| 90% 分位 | 最长等待 |"),
    "sim_post_head": ("| post | utilisation | staff-hours |", "| 岗位 | 利用率 | 人员工时 |"),
    "sim_class_head": ("| class | tickets | within own target | abandon share |",
                       "| 客户类别 | 取号 | 本类目标内 | 离开占比 |"),
    "sim_class": ("{name} ({share} within {min} min)", "{name}（{min} 分钟内 {share}）"),
    "sim_targets": ("Targets", "目标"),
    "sim_target_head": ("| date | lane | within target | target | abandonment | max "
                        "| intervals missing the target |",
                        "| 日期 | 队列 | 目标内 | 目标 | 离开率 | 上限 | 未达标时段 |"),
    "sim_escalation": ("Escalation: {n} sign-ins per day on average.",
                       "升级：平均每天 {n} 次增开柜台。"),
    "sim_wait_axis": ("mean wait (min)", "平均等待（分钟）"),
    "sim_queue_axis": ("customers waiting (time-average)", "等待顾客数（时间平均）"),
    "sim_after_close": ("after closing (last customers)", "停止取号后（最后的顾客）"),
    "sim_target_line": ("{min}-min target", "{min} 分钟目标"),
    "sim_suptitle": ("{hall} — {date} ({reps} replications, 95% CI)",
                     "{hall} — {date}（{reps} 次重复，95% 置信区间）"),
    "cli_req_done": ("{hall} {month} ({method}): {staff} staff-hours at the posts, {paid} paid "
                     "after shrinkage",
                     "{hall} {month}（{method}）：岗位工时 {staff}，计入缩减后带薪 {paid} 小时"),
    "cli_sim_done": ("{reps} replications of {day} in {s} s",
                     "{day} 共 {reps} 次重复，用时 {s} 秒"),
    # ---- what-if comparison (whatif.md, whatif.png)
    "wi_title": ("What-if comparison", "情景对比"),
    "wi_intro": ("{reps} replications each, seed {seed}. Cells: mean ± 95% CI; below it the "
                 "difference to the base ± 95% CI (paired over common random numbers where "
                 "the date is the same, Welch otherwise; ✱ where the interval excludes zero).",
                 "每个情景 {reps} 次重复，随机种子 {seed}。单元格：均值 ± 95% 置信区间；"
                 "其下为与基准的差值 ± 95% 置信区间（同一日期用共同随机数配对，"
                 "否则用 Welch；✱ 表示区间不含零）。"),
    "wi_metric": ("metric", "指标"),
    "wi_suptitle": ("What-if: base (grey) vs variants, mean ± 95% CI",
                    "情景对比：基准（灰色）与各情景，均值 ± 95% 置信区间"),
    "wi_called within target (%)": ("called within target (%)", "目标内叫号（%）"),
    "wi_mean wait (min)": ("mean wait (min)", "平均等待（分钟）"),
    "wi_p90 wait (min)": ("p90 wait (min)", "90% 分位等待（分钟）"),
    "wi_abandoned (%)": ("abandoned (%)", "离开（%）"),
    "wi_VIP within target (%)": ("VIP within target (%)", "VIP 目标内（%）"),
    "wi_staff-hours": ("staff-hours", "人员工时"),
    # ---- requirement heatmap
    "req_title": ("Staff required at the post ({n}-min intervals)",
                  "各岗位所需人数（{n} 分钟时段）"),
    # ---- five tables
    "five_table1": ("Table 1 — counters on duty, {month} (monthly mean of daily averages {v})",
                    "表一 — 在岗柜台数，{month}（日均值的月均 {v}）"),
    "five_table2": ("Table 2 — forecast vs capacity, {month}", "表二 — 预测与能力，{month}"),
    "five_table3": ("Table 3 — last month: actual visits and served per staff hour",
                    "表三 — 上月：实际到访与人均每小时服务量"),
    "five_table4": ("Table 4 — last month: actual vs forecast (WAPE {v})",
                    "表四 — 上月：实际与预测（WAPE {v}）"),
    "five_table5": ("Table 5 — last month: served per staff hour, actual vs forecast",
                    "表五 — 上月：人均每小时服务量，实际与预测"),
    "day_of_month": ("day of month", "日期（日）"),
    "counters_on_duty": ("counters on duty", "在岗柜台数"),
    "forecast_bounds": ("forecast bounds", "预测区间"),
    "forecast_visits": ("forecast visits", "预测到访"),
    "capacity_visits": ("capacity (visits the planned staff can absorb)",
                        "能力（计划人手可承接的到访）"),
    "visits_per_day": ("visits per day", "每日到访"),
    "actual_visits": ("actual visits", "实际到访"),
    "served_counter": ("served at counters", "柜台服务"),
    "served_per_staff_hour": ("served / staff hour", "人均每小时服务"),
    "served_per_counter_staff_hour": ("served per counter-staff hour", "柜台人均每小时服务"),
    "forecast": ("forecast", "预测"),
    "actual": ("actual", "实际"),
    "five_title_table1": ("1 Counters on duty per interval, and the daily average",
                          "1 本月每天每时段在岗柜台数及日平均"),
    "five_title_table2": ("2 Forecast visits per day vs what the staff can absorb",
                          "2 本月每天预测量及可承受量"),
    "five_title_table3": ("3 Last month: actual visits and served per staff hour",
                          "3 上月每天实际量及人均实际量"),
    "five_title_table4": ("4 Last month: actual vs forecast visits", "4 上月每天实际量及预测量"),
    "five_title_table5": ("5 Last month: served per staff hour, actual vs forecast",
                          "5 上月人均实际量及人均预测量"),
    # five-table columns (the workbook's headers)
    "fc_day_type": ("day type", "日类型"),
    "fc_daily_average": ("daily average", "日平均"),
    "fc_forecast_visits": ("forecast visits", "预测量"),
    "fc_forecast_lo": ("forecast low", "预测下限"),
    "fc_forecast_hi": ("forecast high", "预测上限"),
    "fc_forecast_counter_visits": ("forecast counter visits", "预测柜台量"),
    "fc_counter_staff_hours": ("counter staff-hours", "柜台人员工时"),
    "fc_capacity_counter_visits": ("capacity, counter visits", "柜台可承受量"),
    "fc_capacity_visits": ("capacity, visits", "可承受量"),
    "fc_actual_visits": ("actual visits", "实际量"),
    "fc_counter_visits": ("counter visits", "柜台量"),
    "fc_kiosk_visits": ("kiosk visits", "自助终端量"),
    "fc_served_counter": ("served at counters", "柜台服务量"),
    "fc_abandoned": ("left before being called", "未叫号离开"),
    "fc_served_per_staff_hour": ("served per staff hour", "人均每小时服务量"),
    "fc_error": ("forecast − actual", "预测 − 实际"),
    "fc_abs_pct_error": ("absolute error", "绝对误差率"),
    "fc_within_bounds": ("within the forecast bounds", "在预测区间内"),
    "fc_actual_served_counter": ("served at counters, actual", "实际柜台服务量"),
    "fc_forecast_served_counter": ("served at counters, forecast", "预测柜台服务量"),
    "fc_actual_served_per_staff_hour": ("served per staff hour, actual", "人均实际量"),
    "fc_forecast_served_per_staff_hour": ("served per staff hour, forecast", "人均预测量"),
    "fc_date": ("date", "日期"),
    "fc_error_per_staff_hour": ("forecast − actual, per staff hour", "人均预测 − 人均实际"),
    # ---- region report
    "region_title": ("Region plan: {name}", "区域计划：{name}"),
    "region_verdict": ("{hold} of {planned} planned halls meet their wait target in every "
                       "interval", "{planned} 个已计划营业厅中有 {hold} 个每个时段都达到等待目标"),
    "region_failed": ("{n} hall(s) could not be planned (see “Failed halls”)",
                      "{n} 个营业厅未能完成计划（见“失败的营业厅”）"),
    "region_headcount": ("The plans need {needed} people; {current} are on the books",
                         "计划需要 {needed} 人；现有在册 {current} 人"),
    "region_share": ("{share} of the region's customers are called within the wait target",
                     "全区 {share} 的顾客在等待目标内叫号"),
    "sec_summary": ("Region summary", "区域汇总"),
    "sec_at_risk": ("Halls at risk", "有风险的营业厅"),
    "sec_charts": ("Ranking charts", "排名图"),
    "sec_allocation": ("Headcount allocation", "人员配置"),
    "sec_every_hall": ("Every hall", "全部营业厅"),
    "sec_failed": ("Failed halls", "失败的营业厅"),
    "sec_settings": ("Run settings", "运行设置"),
    "col_current": ("on the books", "在册"),
    "col_needed": ("needed", "需要"),
    "col_assigned": ("assigned", "分配"),
    "col_change": ("change", "变化"),
    "col_late": ("customers waiting beyond target", "超时等待顾客"),
    "col_marginal": ("customers one more person saves", "每增加一人少超时的顾客"),
    "col_meets": ("meets target (whole period)", "整体达标"),
    "col_holds": ("every interval meets target", "每时段达标"),
    "col_meets_alloc": ("meets target with the allocation", "按此配置达标"),
    "col_least": ("least headcount meeting target", "达标所需最少人数"),
    "col_status": ("status", "状态"),
    "col_scenario": ("scenario", "情景文件"),
    "col_error": ("error", "错误"),
    "col_share_ci": ("share within target (90% interval)", "目标内占比（90% 区间）"),
    "col_peak_ci": ("month-start peak share (90% interval)", "月初高峰目标内占比（90% 区间）"),
    "col_holiday_ci": ("holiday share (90% interval)", "节假日目标内占比（90% 区间）"),
    "col_abandon_ci": ("left before being called (90% interval)", "未叫号离开（90% 区间）"),
    "col_wait_ci": ("mean wait, min (90% interval)", "平均等待，分钟（90% 区间）"),
    "col_customers": ("counter customers", "柜台顾客"),
    "col_paid": ("paid hours", "带薪工时"),
    "col_run_time": ("run time", "运行时间"),
    "risk_plan": ("the plan (some intervals miss)", "计划（部分时段未达标）"),
    "risk_peak": ("month-start peak (billing days 1–3)", "月初高峰（账单日 1–3 日）"),
    "risk_holiday": ("holiday stress day", "节假日压力日"),
    "chart_ranking": ("Share of customers within target", "目标内叫号顾客占比"),
    "chart_ranking_title": ("Halls ranked by share within target (red: some intervals miss)",
                            "按目标内占比排名（红色：部分时段未达标）"),
    "chart_ranking_x": ("share of customers within target (90% interval)",
                        "目标内叫号顾客占比（90% 区间）"),
    "chart_headcount": ("Headcount: needed vs on the books vs assigned", "人数：需要、在册与分配"),
    "chart_marginal": ("What one more person would save", "每增加一人的效果"),
    "chart_marginal_x": ("customers no longer waiting beyond target, per extra person",
                         "每增加一人减少的超时等待顾客"),
    "target_line": ("target {v}", "目标 {v}"),
    "hall_target": ("hall's target", "营业厅目标"),
    "none": ("None.", "无。"),
    "region_alloc_meets": ("{n} of {total} halls get at least the headcount their plan needs "
                           "with this allocation",
                           "按此配置，{total} 个营业厅中有 {n} 个获得其计划所需人数"),
    "region_alloc_need": ("meeting every hall's target takes {n} people (the halls' plans: "
                          "the “needed” column)",
                          "所有营业厅达标共需 {n} 人（各厅计划的“需要”列）"),
    "region_alloc_assigned": ("assigned {n} people across {halls} halls",
                              "共分配 {n} 人到 {halls} 个营业厅"),
    "region_alloc_budget": ("budget {b}: {left}", "预算 {b}：{left}"),
    "region_left": ("{n} left unassigned", "剩余 {n} 人未分配"),
    "region_over": ("{n} over the budget", "超出预算 {n} 人"),
    "region_no_budget": ("no budget was set", "未设预算"),
    "region_change": ("{d} compared with the {cur} on the books ({gain} halls gain staff, "
                      "{lose} lose staff)",
                      "与在册 {cur} 人相比 {d}（{gain} 个营业厅增员，{lose} 个减员）"),
    "explain_at_risk": ("Halls where customers are likely to wait beyond the target, worst "
                        "share first; in brackets the 90% interval over replications.",
                        "顾客可能超时等待的营业厅，按目标内占比从低到高；括号内为 90% 区间。"),
    "explain_alloc": ("How the region's people are placed across the halls, worst share "
                      "first. A hall meets its target with the allocation when it gets at "
                      "least the people its plan needs.",
                      "全区人员在各营业厅间的分配，按目标内占比从低到高。分配人数不少于计划所需人数即视为达标。"),
    "explain_every": ("All halls in alphabetical order; the hall's name links to its own "
                      "plan report.", "全部营业厅（按名称排序）；点击名称查看该厅计划报告。"),
    "explain_failed": ("These halls have no plan; fix the problem shown and run the region "
                       "again.", "以下营业厅没有计划；请修正所示问题后重新运行。"),
    "chart_cap": ("The chart shows {shown} of {total} halls ({what}); every hall is in the "
                  "tables below.",
                  "图中只显示 {shown}/{total} 个营业厅（{what}）；全部营业厅见下方表格。"),
    "cap_worst": ("the worst by share", "占比最低者"),
    "cap_gap": ("the largest shortfall", "缺口最大者"),
    "cap_marginal": ("where one more person saves most", "增加一人效果最大者"),
    "no_value": ("No planned hall has this value.", "没有已计划营业厅有此数值。"),
    # ---- workbook sheet names (≤ 31 characters)
    "sheet_roster_grid": ("roster", "排班表"),
    "sheet_roster_rows": ("shifts", "班次明细"),
    "sheet_days": ("days", "逐日指标"),
    "sheet_requirement": ("requirement", "人手需求"),
    "sheet_hours": ("hours per week", "每周工时"),
    "sheet_cost": ("staff cost", "工时与成本"),
    "sheet_loop": ("loop rounds", "迭代轮次"),
    "sheet_misses": ("misses", "未达标时段"),
    "staff": ("staff", "人数"),
    "method": ("method", "方法"),
    # ---- CLI status lines
    "cli_wrote": ("wrote {path}", "已写入 {path}"),
    "cli_planning": ("planning", "正在计划"),
    "cli_forecasting": ("forecasting the month from history", "正在根据历史预测本月"),
    "cli_forecast_done": ("forecast: {total} visits ({model})", "预测：{total} 人次（{model}）"),
    "cli_five": ("the five tables", "正在生成五表"),
    "cli_round": ("round {round}: {misses} interval(s) missing target ({roster} roster "
                  "gap(s), {requirement} requirement, {layout} layout-limited), paid {paid} h; "
                  "raised {raised}",
                  "第 {round} 轮：{misses} 个时段未达标（排班缺口 {roster}，需求偏低 "
                  "{requirement}，受柜台数限制 {layout}），带薪 {paid} 小时；上调 {raised} 格"),
    "cli_lane": ("{lane}: {share} called within target (target {target}), {abandoned} "
                 "abandoned (limit {limit}) — {verdict}",
                 "{lane}：目标内叫号 {share}（目标 {target}），离开 {abandoned}"
                 "（上限 {limit}）— {verdict}"),
    "cli_lane_holds": ("holds", "达标"),
    "cli_lane_misses": ("MISSES", "未达标"),
    "cli_note": ("note: {note}", "说明：{note}"),
    "cli_done": ("{s} s. Report: {path}", "用时 {s} 秒。报告：{path}"),
    "cli_capacity_from": ("capacity from: {basis}", "能力依据：{basis}"),
    "cli_region_done": ("{computed} hall(s) planned, {reused} reused, {failed} failed, "
                        "{unfinished} not finished; {executor} ({workers} workers), {s} s",
                        "已计划 {computed} 个营业厅，复用 {reused} 个，失败 {failed} 个，"
                        "未完成 {unfinished} 个；{executor}（{workers} 个进程），用时 {s} 秒"),
    "cli_report": ("Report: {path}", "报告：{path}"),
    "cli_forecast_month": ("{hall} {month}: {total} visits forecast ({model}; trained {start} "
                           "… {end})",
                           "{hall} {month}：预测到访 {total} 人次（{model}；训练数据 {start} … "
                           "{end}）"),
    "cli_importing": ("importing {path}", "正在导入 {path}"),
    "cli_import_rows": ("reading {path}: rows", "正在读取 {path}：行数"),
    "cli_import_summary": ("{path}: {read} rows read, {imported} imported, {rejected} "
                           "rejected, {stored} already stored",
                           "{path}：读取 {read} 行，导入 {imported} 行，拒收 {rejected} 行，"
                           "已存在 {stored} 行"),
    "cli_import_read_as": ("read as {how}", "读取方式：{how}"),
    "cli_import_dates": ("dates {first} .. {last}", "日期 {first} .. {last}"),
    "cli_warning": ("warning: {text}", "警告：{text}"),
    "cli_reason": ("{reason}: {n}", "{reason}：{n}"),
    "cli_example": ("line {line}: {detail}", "第 {line} 行：{detail}"),
    "cli_history": ("history {first} … {last}", "历史数据 {first} … {last}"),
    "cli_simulating_days": ("simulating days", "正在逐日仿真"),
    "cli_demo_history": ("13 months of ticket-log history", "生成 13 个月的取号记录"),
    "cli_calibrating": ("calibrate", "校准"),
    "cli_calibrate_step": ("fitting, then {reps} replications per held-out day",
                           "拟合，然后每个留出日 {reps} 次重复"),
    "cli_calibrate_rows": ("{path}: {good} rows used, {bad} rejected ({reasons})",
                           "{path}：使用 {good} 行，拒收 {bad} 行（{reasons}）"),
    "cli_forecast_step": ("fitting the calendar model to the history",
                          "正在用历史数据拟合日历模型"),
    # ---- progress bars and lines (hallplan.console; the commands' stages)
    "prog_seconds": ("{s} s", "{s} 秒"),
    "prog_left": ("about {s} s left", "约剩 {s} 秒"),
    "prog_eta": ("ETA", "剩余"),
    "cli_simulating": ("simulating {hall} {day}", "正在仿真 {hall} {day}"),
    "cli_whatif": ("what-if", "假设分析"),
    "cli_whatif_variant": ("what-if: {name}", "假设分析：{name}"),
    "cli_region_halls": ("halls", "营业厅"),
    "cli_region_reps": ("replications", "重复仿真"),
    "cli_region_resume": ("resume: {n} hall(s) already planned", "续跑：{n} 个营业厅已计划"),
    "cli_act_forecast": ("forecast", "预测"),
    "cli_act_forecast_step": ("the month from history", "根据历史预测本月"),
    "cli_act_plan": ("plan", "计划"),
    "cli_act_five": ("the five tables", "五表"),
    "cli_act_five_step": ("tables 1–5 for the month", "本月表 1–5"),
    "cli_act_write": ("write", "写出"),
    "cli_act_write_step": ("the plan's report and tables to {out}",
                           "将计划报告和表格写入 {out}"),
    "cli_act_roster": ("roster {hall} (≤ {limit} units)", "排班 {hall}（≤ {limit} 个工作单位）"),
    "cli_act_requirement": ("requirement ({method}) for {month}", "{month} 需求（{method}）"),
    "cli_act_computing": ("computing", "计算中"),
    "cli_act_req_iteration": ("iteration {iteration}: {missing} interval(s) below target",
                              "第 {iteration} 次迭代：{missing} 个时段未达标"),
    "cli_act_five_tables": ("five tables {hall} {month}", "五表 {hall} {month}"),
    "cli_act_five_tables_step": ("staffing, forecast and tables", "人手、预测与表格"),
    # the plan loop's and the roster's progress steps (Notes: optimize.loop.STEPS,
    # optimize.roster.model.STEPS)
    "note_step_requirement": ("requirement ({method})", "需求（{method}）"),
    "note_step_full_check": ("full-staffing check: every counter staffed (replications)",
                             "满员检验：所有柜台都有人（重复仿真）"),
    "note_step_round_roster": ("round {round}/{rounds}: roster", "第 {round}/{rounds} 轮：排班"),
    "note_step_round_roster_stage": ("round {round}/{rounds}: roster {stage}",
                                     "第 {round}/{rounds} 轮：排班 {stage}"),
    "note_step_round_simulate": ("round {round}/{rounds}: simulate the roster (replications)",
                                 "第 {round}/{rounds} 轮：仿真排班（重复仿真）"),
    "note_step_round_result": ("round {round}: {open} interval(s) staff could fix miss the "
                               "target ({layout} more are layout-limited); raised {raised}",
                               "第 {round} 轮：人手可解决的未达标时段 {open} 个（另有 {layout} "
                               "个受柜台布局限制）；上调 {raised} 个"),
    "note_step_stage1_counts": ("stage 1: shift counts", "阶段 1：班次数量"),
    "note_step_stage1_days": ("stage 1: shift counts (days)", "阶段 1：班次数量（按日）"),
    "note_step_stage1_month": ("stage 1: shift counts (the month again, across days)",
                               "阶段 1：班次数量（整月跨日再求解）"),
    "note_step_stage2_groups": ("stage 2: named staff (skill groups)",
                                "阶段 2：指派员工（技能组）"),
    "note_step_retime_days": ("stage 2: shifts re-timed (days)", "阶段 2：按日调整班次时间"),
    "note_step_two_stage1": ("two-stage 1: shift counts", "两阶段 1：班次数量"),
    "note_step_two_stage2": ("two-stage 2: named staff", "两阶段 2：指派员工"),
    # ---- notes for the planner (hallplan.sim.notes.Note; English = the package's template)
    "note_over_layout": ("{n} requirement cells exceed the hall's counters (worst: {post} "
                         "{date} needs {staff} at {counters} counters) — capped at the layout",
                         "{n} 个需求格超过营业厅柜台数（最多：{post} {date} 需要 {staff} 人，"
                         "仅有 {counters} 个柜台）— 已按柜台数封顶"),
    "note_layout_misses": ("{n} interval(s) miss their target even with every counter staffed "
                           "all day (same customers): layout findings, not staffing ones",
                           "{n} 个时段即使全天所有柜台都有人（相同顾客）仍未达标："
                           "属于柜台布局问题，不是人手问题"),
    "note_availability": ("staff availability {a}: the roster puts the serving requirement ÷ "
                          "availability on the floor",
                          "员工可用率 {a}：排班按 服务需求 ÷ 可用率 安排在岗人数"),
    "note_no_valid_reroster": ("round {round}: the re-roster found no valid roster ({reasons}) "
                               "— round {kept}'s roster is kept",
                               "第 {round} 轮：重新排班未找到有效排班（{reasons}）— 保留第 {kept} "
                               "轮的排班"),
    "note_worse_round": ("round {round} is worse than round {best} ({open} vs {best_open} "
                         "intervals staff could fix; {lost} cell(s) the previous roster covered "
                         "were lost) — the loop stops and keeps the better roster",
                         "第 {round} 轮不如第 {best} 轮（人手可解决的未达标时段 {open} 个对 "
                         "{best_open} 个；上一轮已覆盖的 {lost} 个需求格失去覆盖）— "
                         "迭代停止并保留较好的排班"),
    "note_prioritised": ("round {round}: {n} roster gap(s) (intervals rostered below the "
                         "requirement that missed their target) are delivered first in round "
                         "{next}: a missing person there costs {factor}× more, so the re-roster "
                         "takes the hours from intervals whose lane has room",
                         "第 {round} 轮：{n} 个排班缺口（排班低于需求且未达标的时段）在第 {next} "
                         "轮优先补足：这些时段每缺一人的代价提高到 {factor} 倍，重新排班会从"
                         "尚有余量的业务线调出工时"),
    "note_nothing_to_raise": ("round {round}: no requirement left to raise — {roster} missed "
                              "interval(s) are roster gaps (rostered below the requirement; "
                              "{limited} staff-limited: nobody qualified has room under the "
                              "labour rules)",
                              "第 {round} 轮：没有可再上调的需求 — {roster} 个未达标时段是排班缺口"
                              "（排班人数低于需求；其中 {limited} 个受人手限制：劳动规则下没有"
                              "合格员工可再排班）"),
    "note_headcount_exhausted": ("round {round}: the roster no longer changes although the "
                                 "requirement rose — the headcount is exhausted",
                                 "第 {round} 轮：需求已上调但排班不再变化 — 人员已用尽"),
    "note_best_round_kept": ("round {kept}'s roster is kept: it leaves fewer intervals staff "
                             "could fix missing ({best_open} vs {last_open} in round {last})",
                             "保留第 {kept} 轮的排班：人手可解决的未达标时段更少（{best_open} 个，"
                             "第 {last} 轮为 {last_open} 个）"),
    "note_profile_used": ("fewer than 28 days of history: the scenario's demand profile is used",
                          "历史数据不足 28 天：使用情景文件的需求曲线"),
    "note_calendar_unknown_year": ("chinese_calendar does not know {year} yet: its statutory "
                                   "holidays and make-up days are treated as ordinary days "
                                   "(update the package)",
                                   "chinese_calendar 尚不包含 {year} 年：法定节假日和调休工作日"
                                   "按普通日处理（请更新该软件包）"),
    "note_days_skipped": ("{n} days without visits in the history were skipped",
                          "已跳过历史中 {n} 个没有到访的日期"),
    "note_stored_forecast": ("stored forecast #{id} ({model})", "已存预测 #{id}（{model}）"),
    "note_new_forecast": ("new forecast ({model}), saved as #{id}",
                          "新预测（{model}），已保存为 #{id}"),
    "note_given_forecast": ("given forecast ({model})", "给定预测（{model}）"),
    "note_reconstructed_forecast": ("reconstructed now from the history before {date} (no "
                                    "stored forecast)",
                                    "根据 {date} 之前的历史数据重新计算（没有已存预测）"),
    "note_no_last_forecast": ("none (no stored forecast, too little history)",
                              "无（没有已存预测，历史数据太少）"),
    "note_import_reading": ("reading {path}", "正在读取 {path}"),
    "note_import_checking": ("checking {n} rows", "正在检查 {n} 行"),
    "note_import_writing": ("writing {n} visits to {store} in one transaction",
                            "正在以单个事务将 {n} 条到访写入 {store}"),
    "note_basis_scenario": ("scenario (no history)", "情景文件（无历史数据）"),
    "note_basis_history": ("history {first}..{last}", "历史数据 {first}..{last}"),
    "note_staffing_given": ("given staffing", "给定人手"),
    "note_staffing_default": ("scenario default_staffing (no roster stored)",
                              "情景文件的 default_staffing（没有已存排班）"),
    "note_staffing_roster": ("roster", "排班"),
    "note_staffing_partial": ("roster for {n} days, default_staffing elsewhere",
                              "{n} 天按排班，其余按 default_staffing"),
    "note_capacity_basis": ("mean counter service {mean} min, counter share {share} ({source})",
                            "柜台平均服务 {mean} 分钟，柜台占比 {share}（{source}）"),
    "note_no_leave_time": ("no leave_time column: patience not fitted (the scenario's is kept)",
                           "没有 leave_time 列：未拟合耐心时间（保留情景文件的设置）"),
    "note_few_abandoned": ("class {cls}: {n} abandoned tickets with a leave time (< 10): the "
                           "scenario's patience is kept",
                           "客户类别 {cls}：有离开时间的放弃取号仅 {n} 个（< 10）：保留情景文件的"
                           "耐心时间"),
    "note_balking": ("balking: customers who leave without a ticket are not in a ticket log, "
                     "so balking is not fitted (the scenario's rule is kept)",
                     "见队长放弃：未取号就离开的顾客不在取号记录中，因此不拟合（保留情景文件的规则）"),
    "note_availability_bound": ("availability: no value in the search range matches the "
                                "observed waits; the bound {a} is used",
                                "可用率：搜索范围内没有与实际等待相符的值；使用边界值 {a}"),
    "note_availability_above_1": ("availability {a} > 1: more capacity serves than the log "
                                  "shows on duty (staff who served nobody in a half hour are "
                                  "not seen); the overlay plans with 1",
                                  "可用率 {a} > 1：实际服务能力高于记录显示的在岗人数（半小时内"
                                  "未服务任何人的员工无法看到）；覆盖文件按 1 计划"),
    "note_budget_below_minimums": ("headcount budget {budget} is below the halls' minimums "
                                   "({minimum}); no allocation",
                                   "人员预算 {budget} 低于各营业厅最低人数之和（{minimum}）；"
                                   "不做分配"),
    "note_allocation": ("allocation: {method}; meeting every hall's target would take {need} "
                        "people (the halls' plans)",
                        "人员分配：{method}；所有营业厅达标共需 {need} 人（各厅计划）"),
    # the five tables' notes: "<key>: <value>"
    "fnote_utilisation_ceiling": ("utilisation ceiling", "利用率上限"),
    "fnote_forecast": ("forecast", "预测"),
    "fnote_staffing_this_month": ("staffing this month", "本月人手"),
    "fnote_staffing_last_month": ("staffing last month", "上月人手"),
    "fnote_capacity_basis": ("capacity basis", "能力依据"),
    "fnote_last_month_forecast": ("last month's forecast", "上月预测"),
    "fnote_last_month_wape": ("last month's WAPE", "上月 WAPE"),
    "fnote_line": ("{name}: {value}", "{name}：{value}"),
    # ---- calibration report (calibration.md / .html, charts) and the plan's section
    "cal_title": ("Calibration", "模型校准"),
    "cal_verdict_ok": ("The model reproduces your hall: within {mae} points of daily "
                       "abandonment on average on {n} held-out days (correlation {corr}), mean "
                       "wait of served customers {bias} off.",
                       "模型能再现本营业厅：在 {n} 个留出日上，每日离开率平均相差 {mae} 个百分点"
                       "（相关系数 {corr}），已服务顾客的平均等待偏差 {bias}。"),
    "cal_verdict_not": ("The model does not yet reproduce your hall: within {mae} points of "
                        "daily abandonment on average on {n} held-out days (correlation "
                        "{corr}), mean wait of served customers {bias} off.",
                        "模型尚不能再现本营业厅：在 {n} 个留出日上，每日离开率平均相差 {mae} "
                        "个百分点（相关系数 {corr}），已服务顾客的平均等待偏差 {bias}。"),
    "cal_no_held_out": ("no held-out days", "没有留出日"),
    "cal_days_line": ("Fit days {fit}; held-out days {test}; {reps} replications per held-out "
                      "day, seed {seed}. Overlay: `{overlay}`.",
                      "拟合日 {fit}；留出日 {test}；每个留出日 {reps} 次重复，随机种子 {seed}。"
                      "覆盖文件：`{overlay}`。"),
    "cal_day_range": ("{first} … {last} ({n})", "{first} … {last}（{n} 天）"),
    "cal_availability": ("Staff availability: of the staff on the roster, {share}{ci} are "
                         "serving at a time (on the roster = served someone in the half hour, "
                         "as the log shows it) (factor {factor}).",
                         "员工可用率：排班员工中同时在服务的占 {share}{ci}（在班 = 记录显示该半小时"
                         "内服务过顾客）（系数 {factor}）。"),
    "cal_ci": (" (95% CI {lo}–{hi})", "（95% 置信区间 {lo}–{hi}）"),
    "cal_sec_service": ("Service times (criterion: lowest AIC; KS = largest CDF gap)",
                        "服务时间（准则：AIC 最小；KS = 分布函数最大差距）"),
    "cal_service_head": ("| service type | channel | n | chosen | mean (min) | cv | KS | "
                         "observed mean (95% CI) |",
                         "| 业务类型 | 渠道 | 样本数 | 选用分布 | 均值（分钟） | 变异系数 | KS "
                         "| 实际均值（95% 置信区间） |"),
    "cal_pooled": (" (pooled)", "（合并）"),
    "cal_sec_patience": ("Patience", "耐心时间"),
    "cal_patience_head": ("| class | abandoned | censored | at once (≤15 s) | family | mean "
                          "(95% CI) | KM median |",
                          "| 客户类别 | 离开 | 删失 | 立即离开（≤15 秒） | 分布 | 均值（95% "
                          "置信区间） | KM 中位数 |"),
    "cal_sec_held_out": ("Held-out days (observed vs simulated, simulated 95% range)",
                         "留出日（实际与仿真，仿真 95% 范围）"),
    "cal_held_out_head": ("| date | tickets | abandonment obs | sim (95%) | mean wait obs | sim "
                          "(95%) | within target obs | sim (95%) |",
                          "| 日期 | 取号 | 实际离开率 | 仿真（95%） | 实际平均等待 | 仿真（95%） "
                          "| 实际目标内 | 仿真（95%） |"),
    "cal_agreement": ("Abandonment: MAE {mae} points (target ≤ 3), correlation across days "
                      "{corr} (target ≥ 0.7), observed inside the simulated 95% range on "
                      "{inside} of {days} days. Mean wait of served: observed {obs} min, "
                      "simulated {sim} min ({bias}; target within ±25%).",
                      "离开率：平均绝对误差 {mae} 个百分点（目标 ≤ 3），逐日相关系数 {corr}"
                      "（目标 ≥ 0.7），{days} 天中有 {inside} 天实际值落在仿真 95% 范围内。"
                      "已服务顾客平均等待：实际 {obs} 分钟，仿真 {sim} 分钟（{bias}；目标 ±25% "
                      "以内）。"),
    "cal_charts": ("Charts: `service_fits.png`, `patience.png`, `held_out.png`.",
                   "图表：`service_fits.png`、`patience.png`、`held_out.png`。"),
    "cal_observed": ("observed (n={n})", "实际（n={n}）"),
    "cal_chosen": ("{type} / {channel}: {family} chosen (AIC)", "{type} / {channel}：选用 "
                   "{family}（AIC）"),
    "cal_service_axis": ("service time (min)", "服务时间（分钟）"),
    "cal_km": ("{cls}: Kaplan–Meier", "{cls}：Kaplan–Meier"),
    "cal_fitted": ("{cls}: fitted {family} + {share} at once", "{cls}：拟合 {family} + 立即离开 "
                   "{share}"),
    "cal_since_ticket": ("minutes since the ticket", "取号后分钟数"),
    "cal_still_waiting": ("P(still willing to wait)", "仍愿等待的概率"),
    "cal_patience_title": ("patience (served waits right-censored)",
                           "耐心时间（已服务的等待为右删失）"),
    "cal_abandon_pct": ("abandonment (%)", "离开率（%）"),
    "cal_wait_served": ("mean wait, served (min)", "已服务平均等待（分钟）"),
    "cal_sim_range": ("simulated 95% range", "仿真 95% 范围"),
    "cal_sim_mean": ("simulated mean", "仿真均值"),
    "cal_held_out_title": ("held-out days: {name}", "留出日：{name}"),
    "cal_sec_plan": ("Model calibration", "模型校准"),
    "cal_not_calibrated": ("The model is <b>not calibrated against a ticket log</b>: service "
                           "times, patience and staff availability ({a}) are the scenario's "
                           "assumptions (<code>hallplan calibrate</code> fits them from the "
                           "hall's ticket log and checks them on held-out days).",
                           "模型<b>未用取号记录校准</b>：服务时间、耐心时间和员工可用率（{a}）"
                           "均为情景文件的假设（<code>hallplan calibrate</code> 可根据本厅取号记录"
                           "拟合，并在留出日上检验）。"),
    "cal_ticket_log": ("ticket log", "取号记录"),
    "cal_fit_days": ("fit days", "拟合日"),
    "cal_held_out_days": ("held-out days", "留出日"),
    "cal_days": ("{first} … {last} ({n} days)", "{first} … {last}（{n} 天）"),
    "cal_none": ("none", "无"),
    "cal_mae_row": ("daily abandonment, mean absolute error (points)",
                    "每日离开率，平均绝对误差（百分点）"),
    "cal_corr_row": ("daily abandonment, correlation across days", "每日离开率，逐日相关系数"),
    "cal_bias_row": ("mean wait of served customers, simulated vs observed",
                     "已服务顾客平均等待，仿真与实际之差"),
    "cal_avail_row": ("staff availability", "员工可用率"),
    "cal_avail_text": ("of the staff on the roster, {share}{ci} are serving at a time; the plan "
                       "used {a} (the roster puts requirement ÷ {a} on the floor)",
                       "排班员工中同时在服务的占 {share}{ci}；本计划使用 {a}（排班按 需求 ÷ {a} "
                       "安排在岗人数）"),
}


def check_lang(lang: object) -> Lang:
    """``lang`` if it is a supported language, else a ``ValueError`` saying which are."""
    if lang not in LANGS:
        raise ValueError(f"language: expected one of {', '.join(LANGS)}; found {lang!r}")
    return lang  # type: ignore[return-value]


def label(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """The label ``key`` in ``lang``, with ``fields`` filled in."""
    en, zh = CATALOGUE[key]
    text = zh if check_lang(lang) == "zh" else en
    return text.format(**fields) if fields else text


def labels(lang: str = DEFAULT_LANG) -> Callable[..., str]:
    """A ``t(key, **fields)`` bound to ``lang`` (checked once, here)."""
    check_lang(lang)

    def t(key: str, **fields: object) -> str:
        return label(key, lang, **fields)

    t.lang = lang  # type: ignore[attr-defined]
    return t


def format_fields(text: str) -> set[str]:
    """The ``str.format`` field names in ``text`` (for the catalogue's own test)."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def note_text(note: object, lang: str = DEFAULT_LANG) -> str:
    """A note for the planner in ``lang``: a :class:`hallplan.sim.notes.Note` whose
    ``note_<key>`` the catalogue has is said with that label; anything else (a plain string,
    a note the catalogue does not know) stays as it is."""
    key = getattr(note, "key", None)
    if lang == "en" or key is None or f"note_{key}" not in CATALOGUE:
        return str(note)
    # a note inside a note is said in ``lang`` too, and so is a post's or lane's name
    fields = {k: post_name(v, lang) if k in ("post", "lane") and isinstance(v, str)
              else note_text(v, lang) for k, v in note.fields.items()}
    return label(f"note_{key}", lang, **fields)


def post_name(post: str, lang: str = DEFAULT_LANG) -> str:
    """A post's name for people: ``vip`` → ``VIP``; a post the catalogue does not know keeps
    its own name (a scenario may define its own lanes)."""
    key = f"post_{post}"
    return label(key, lang) if key in CATALOGUE else post


__all__ = ["CATALOGUE", "DEFAULT_LANG", "LANGS", "Lang", "check_lang", "format_fields",
           "label", "labels", "note_text", "post_name"]
