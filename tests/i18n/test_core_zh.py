"""The core's words in Chinese: translated at the call (the language is the session's, per run), with the run's own
numbers in them, and the charts, the HTML export and the slide PNG in Chinese.

Every check compares the Chinese text with the numbers of the run it describes (never a hard-coded sentence
alone) and the same call in English, which stays the source text.
"""

from __future__ import annotations

import io
import json
import os
import re
import warnings

import numpy as np
import pytest
from PIL import Image

import i18n
import optimizers
import surfaces
from optimizers import analysis
from surfaces.formula import FormulaError, from_formula
from viz import compare as vc
from viz import explorer as ve
from viz import export
from viz import export_image as ei

BOWL = surfaces.get("bowl")
SADDLE = surfaces.get("saddle")
ROSEN = surfaces.get("rosenbrock")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _ints(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", text)]


def _zh_and_en(fn):
    with i18n.use("zh"):
        zh = fn()
    return zh, fn()


# -- formula errors -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, column, words",
    [
        ("x + z", 5, "未知名称 'z'，第 5 列"),
        ("x + foo(y)", 5, "未知函数 'foo'，第 5 列"),
        ("sin x", 1, "sin 后面必须跟 '('，第 1 列"),
        ("x^2 + (y", 9, "缺少 ')' 来闭合第 7 列的 '('"),
        ("1/0 + x", 2, "除以零，第 2 列"),
    ],
)
def test_a_formula_error_in_chinese_names_its_column(text, column, words):
    with i18n.use("zh"), pytest.raises(FormulaError) as zh:
        from_formula(text)
    with pytest.raises(FormulaError) as en:
        from_formula(text)
    assert zh.value.column == en.value.column == column
    assert str(zh.value).startswith(words), str(zh.value)
    assert not CJK.search(str(en.value))  # English outside the block: the language is chosen per call


def test_an_unknown_name_lists_what_is_allowed_in_chinese():
    with i18n.use("zh"), pytest.raises(FormulaError) as zh:
        from_formula("x + z")
    # the functions are listed with the enumeration comma, as the names before them
    assert "可以使用 x、y、pi、e、数" in str(zh.value) and "sin、cos、tan" in str(zh.value)


# -- outcomes: the sentence in Chinese carries the run's own numbers ---------------------------------------------
def _run(opt, surface, start, steps):
    return optimizers.run(opt, surface, start, steps)


def test_diverged_in_chinese_says_the_runs_step_and_to_lower_the_learning_rate():
    traj = _run(optimizers.make("sgd", lr=5.0), BOWL, (1.0, 1.0), 30)
    zh, en = _zh_and_en(lambda: analysis.outcome(traj))
    assert zh.kind == en.kind == "diverged" and zh.step == en.step == traj.diverged_at
    assert zh.headline == f"运行在第 {traj.diverged_at} 步发散"
    assert _ints(zh.headline) == _ints(en.headline) == [traj.diverged_at]
    assert f"第 {zh.last_step} 步之前的路径予以保留" in zh.detail and "降低学习率" in zh.message
    assert "lower the learning rate" in en.message


def test_escaped_in_chinese_says_the_step_and_no_advice():
    traj = _run(optimizers.make("sgd"), SADDLE, (1.0, 0.5), 1000)
    zh, en = _zh_and_en(lambda: analysis.outcome(traj))
    assert zh.kind == "escaped" and zh.step == traj.escaped_at
    assert zh.headline in (f"运行在第 {zh.step} 步沿下坡离开了地图", f"运行在第 {zh.step} 步跌至 f = −∞")
    assert "f → −∞" in zh.detail and "降低学习率" not in zh.message
    assert f"第 {zh.last_step} 步" in zh.detail and zh.short == f"在第 {zh.step} 步沿下坡逃离"


def test_undefined_in_chinese_says_where_and_which_step():
    apex = from_formula("sqrt(x^2+y^2)")
    traj = _run(optimizers.make("sgd", lr=0.5), apex, (0.5, 0.0), 30)
    zh, en = _zh_and_en(lambda: analysis.outcome(traj))
    assert zh.kind == "undefined" and zh.step == traj.undefined_at == 1
    assert zh.headline == f"梯度在 ({zh.point[0]:.4g}, {zh.point[1]:.4g}) 处无定义"
    assert f"第 {zh.step} 步落在了那里" in zh.detail and f"第 {zh.step} 步是最后一步" in zh.detail
    assert "降低学习率" not in zh.message
    # the step after the last one: why it was not taken, with both step numbers
    with i18n.use("zh"):
        why = zh.not_taken(zh.last_step + 1)
    assert why.startswith(f"第 {zh.last_step + 1} 步没有执行：梯度在") and f"（第 {zh.last_step} 步）" in why


def test_a_run_that_converged_says_all_its_steps_in_chinese():
    traj = _run(optimizers.make("sgd", lr=0.1), BOWL, (1.0, 1.0), 30)
    zh, _en = _zh_and_en(lambda: analysis.outcome(traj))
    assert zh.kind == "ran" and zh.headline == f"运行走完了全部 {traj.steps} 步"
    assert np.hypot(*traj.points[-1]) < 1e-2  # the claim behind "ran": it went to the bowl's bottom


# -- validation messages beside a control ----------------------------------------------------------------------------
def test_a_hyperparameter_out_of_range_is_refused_in_chinese_with_its_range():
    with i18n.use("zh"), pytest.raises(ValueError) as zh:
        optimizers.make("adam", lr=-1.0)
    assert str(zh.value) == "lr 必须是 (0, 10] 中的有限数，得到的是 -1.0"
    h = optimizers.get("adam").HYPERS["lr"]
    with i18n.use("zh"):
        assert h.help_text() == "学习率 γ：每次更新移动多远。"
    assert h.help_text() == h.help == "Learning rate γ: how far each update moves."


def test_a_surface_and_a_formula_surface_are_named_in_chinese():
    custom = from_formula("x^2 + y^2")
    with i18n.use("zh"):
        assert BOWL.shown_title() == "碗" and custom.shown_title() == "自定义：x^2 + y^2"
    assert BOWL.shown_title() == BOWL.title == "Bowl" and custom.shown_title() == custom.title


# -- figures -------------------------------------------------------------------------------------------------------
def test_the_sweep_figures_axis_titles_are_chinese():
    sweeps = [analysis.sweep("sgd", BOWL, (1.0, 1.0), 20, analysis.log_rates(n=6))]
    with i18n.use("zh"):
        fig = vc.sweep_figure(sweeps, ["SGD"], f_star=0.0)
    assert fig.layout.xaxis.title.text == "学习率 γ" and fig.layout.yaxis.title.text == "最终损失 − f*"
    assert vc.sweep_figure(sweeps, ["SGD"], f_star=0.0).layout.xaxis.title.text == "learning rate γ"


def test_the_explorer_figure_and_stage_data_are_chinese():
    traj = _run(optimizers.make("adam", lr=0.05), ROSEN, ROSEN.default_start, 20)
    with i18n.use("zh"):
        spec = ve.explorer_figure(traj, ROSEN, 5, animate=False)
        data = ve.stage_data(traj, ROSEN)
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert "损失 f(θₜ)，对数刻度" in texts
    names = [d.get("name") for d in spec["data"]]
    assert "Adam：路径" in names and "最小值" in names
    assert data["loss"]["label"] == "损失 f(θₜ)，对数刻度"
    meanings = {r["key"]: r["meaning"] for r in data["rows"]}
    assert meanings["m"] == "一阶矩估计" and meanings["g"] == "第 t 步所用的梯度"


def test_the_race_figures_loss_title_and_buttons_are_chinese():
    trajs = [_run(optimizers.make(n), BOWL, (1.0, 1.0), 10) for n in ("sgd", "adam")]
    with i18n.use("zh"):
        spec = vc.race_spec(BOWL, trajs, ["sgd", "adam"], ["SGD", "Adam"], f_star=0.0)
    assert spec["layout"]["annotations"][0]["text"] == "损失 − f*（对数刻度）"
    assert spec["layout"]["xaxis2"]["title"]["text"] == "步数"
    labels = [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert labels[:2] == ["▶ 播放", "❚❚ 暂停"] and labels[-1] == "↺ 重播"


# -- exports ------------------------------------------------------------------------------------------------------
def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_the_html_export_in_chinese_states_the_run_and_its_divergence():
    traj = _run(optimizers.make("sgd", lr=0.05), ROSEN, ROSEN.default_start, 300)
    assert traj.diverged_at == 2  # the premise: SGD at γ = 0.05 leaves Rosenbrock's box at step 2
    with i18n.use("zh"):
        html = export.explorer_html(traj, ROSEN)
    last = export.last_step(traj)
    assert '<html lang="zh-Hans">' in html and "<title>SGD，曲面：Rosenbrock 山谷</title>" in html
    assert f"起点 (-1.5, 2)，{traj.steps} 步" in html
    assert f"运行在第 {traj.diverged_at} 步发散：" in html and f"它止于第 {last} 步" in html
    assert f'<span id="readout">第 0 步 / 共 {last} 步</span>' in html
    data = _data(html)
    assert data["words"]["play"] == "▶ 播放" and data["words"]["step"] == "第 {t} 步 / 共 {last} 步"
    assert [r["meaning"] for r in data["panel"]][:2] == ["当前点（参数）", "这一步所用的梯度（在 θₜ₋₁ 处）"]
    english = export.explorer_html(traj, ROSEN)
    assert '<html lang="en">' in english and not CJK.search(english.split("<script>")[0])


def test_the_png_in_chinese_draws_every_glyph():
    if ei.cjk_family() is None:
        if os.environ.get("CI") == "true":  # .ci/run installs fonts-noto-cjk
            pytest.fail("no CJK font installed (Debian: fonts-noto-cjk)")
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    traj = _run(optimizers.make("adam", lr=0.05), ROSEN, ROSEN.default_start, 30)
    with warnings.catch_warnings(record=True) as caught, i18n.use("zh"):
        warnings.simplefilter("always")
        png = ei.explorer_png(traj, ROSEN, size=(1280, 720))
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []  # matplotlib warns "Glyph ... missing from font(s)" where it draws a box
    assert Image.open(io.BytesIO(png)).size == (1280, 720)
    scene = ei.ExplorerScene(traj, ROSEN, animated=False)  # English: the same scene's words in the source
    with i18n.use("zh"):
        zh_scene = ei.ExplorerScene(traj, ROSEN, animated=False)
    zh_texts = [t.get_text() for t in zh_scene.fig.texts]
    assert "Adam，曲面：Rosenbrock 山谷" in zh_texts and "量" in zh_texts
    assert "Adam on Rosenbrock's valley" in [t.get_text() for t in scene.fig.texts]


def test_descriptions_and_meanings_are_translated_where_shown_for_every_optimizer():
    for name in optimizers.NAMES:
        cls = optimizers.get(name)
        with i18n.use("zh"):
            text = cls.shown_description()
            meanings = [cls.meaning(f) for f in cls.QUANTITIES]
        assert CJK.search(text), (name, text)
        assert all(CJK.search(m) for m in meanings if m), (name, meanings)
        assert cls.shown_description() != text  # English outside the block
    look = optimizers.get("lookahead")
    with i18n.use("zh"):
        assert look.shown_description().startswith("用 Adam 向前走 k 步")
        assert look.meaning("fast") == "快权重：Adam 的一步所到之处（在拉回之前）"
    assert look.shown_description() == look.description and look.meaning("fast") == look.QUANTITIES["fast"][1]


def test_a_schedule_is_named_in_context_and_its_refusal_says_the_step_in_chinese():
    from optimizers import schedules

    with i18n.use("zh"):
        assert schedules.Step.shown_title() == "阶梯衰减"  # not the axis title "step" (步数)
        zh_titles = [c.shown_title() for c in schedules.SCHEDULES.values()]
    assert zh_titles[:4] == ["常数", "阶梯衰减", "指数衰减", "余弦退火"] and all(CJK.search(t) for t in zh_titles)
    assert [c.shown_title() for c in schedules.SCHEDULES.values()] == [c.title for c in schedules.SCHEDULES.values()]
    cosine = schedules.make("cosine", T_max=10.0, eta_min=0.0)
    lr = cosine.values(0.1, 20)
    first_zero = int(np.flatnonzero(lr <= 0)[0]) + 1  # the claim's step: the first update whose γ_t is not > 0
    with i18n.use("zh"), pytest.raises(ValueError) as zh:
        cosine.check(0.1, 20)
    assert str(zh.value).startswith(f"“余弦退火”调度使第 {first_zero} 步的学习率为 ")
    assert "请给 eta_min 一个大于 0 的值" in str(zh.value)


def test_the_maps_other_sequences_are_named_in_chinese():
    from viz import sequences

    traj = _run(optimizers.make("sf_sgd", lr=0.1), BOWL, (1.0, 1.0), 10)
    with i18n.use("zh"):
        caption = sequences.caption(traj)
        labels = [s["label"] for s in sequences.sequences(traj)]
    assert caption.startswith("Schedule-Free 保持三个序列。红色路径是 y")
    assert labels == ["z：SGD 的步", "x：z 的平均（返回值）"]
    assert sequences.caption(traj).startswith("Schedule-Free keeps three sequences.")
