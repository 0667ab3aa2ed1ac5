"""Every page in both languages under AppTest, and the session's language: where it comes from, where it goes.

The language is `lang` in the link (kept by every page's mirror), the switch at the top of the sidebar, or the
browser's locale on a first visit; a bad `lang` is a notice. Every layer translates through i18n's resolver,
which reads the session (ui/i18n.py).
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import i18n
from ui import i18n as lang_ui
from ui.stage import split

APP = "../../app.py"  # AppTest.from_file resolves paths from this file
TIMEOUT = 180
PAGES = ["views/home.py", "views/explorer.py", "views/compare.py", "views/network.py", "views/guide.py"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open(page: str | None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.run()
    if page is not None:
        at.switch_page(page)
        if query:
            at.query_params.update(query)
        at.run()
    return at


def _switch(at: AppTest):
    (control,) = [w for w in at.sidebar if getattr(w, "key", None) == lang_ui.SWITCH_KEY]
    return control


def _switch_to(at: AppTest, lang: str) -> AppTest:
    """The switch set to `lang`, then a run. AppTest formats the choices it sends back in this thread, outside the
    script: i18n.use gives it the language of the page it shows, as the browser has it."""
    control = _switch(at)
    with i18n.use(control.value):
        control.set_value(lang)
        return at.run()


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(page, lang):
    at = _open(page, {"lang": lang})
    assert _errors(at) == []
    assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang
    assert _switch(at).value == lang
    help_text = _switch(at).help or ""
    assert bool(CJK.search(help_text)) == (lang == "zh"), help_text


def test_the_network_page_speaks_the_sessions_language_and_english_stays_as_it_was():
    en = _open("views/network.py")
    zh = _open("views/network.py", {"lang": "zh"})
    assert en.title[0].value == "Train a network" and zh.title[0].value == "训练网络"
    assert [h.value for h in zh.subheader] == ["损失与准确率", "结果", "分享与下载"]
    assert zh.multiselect(key="network:opts").label == "参与比较的优化器"
    # the same run: the language changes the words, never the numbers
    assert en.dataframe[0].value.equals(en.dataframe[0].value)
    assert list(zh.dataframe[0].value.columns) == list(en.dataframe[0].value.columns)  # CSV identifiers stay


def test_the_language_survives_a_rerun_and_a_page_switch_and_is_in_the_link():
    # AppTest formats the choices it sends back in the test's thread: in the shown language
    with i18n.use("zh"):
        at = _open("views/network.py", {"lang": "zh"})
        at.run()
        assert at.title[0].value == "训练网络" and at.query_params["lang"] in ("zh", ["zh"])
        at.switch_page("views/home.py").run()  # st.navigation drops the old page's query; the session keeps it
        at.switch_page("views/network.py").run()
    assert _errors(at) == []
    assert at.title[0].value == "训练网络"
    assert at.query_params["lang"] in ("zh", ["zh"])
    assert at.query_params["dataset"] in ("iris", ["iris"])  # the page's settings are mirrored beside it


def test_the_switch_changes_the_language_and_keeps_the_pages_settings():
    at = _open("views/network.py", {"epochs": "40", "dataset": "moons"})
    assert at.title[0].value == "Train a network" and at.query_params["lang"] in ("en", ["en"])
    _switch_to(at, "zh")
    assert _errors(at) == [] and at.warning.len == 0  # no "ignored ... from the link" notice: nothing was re-read
    assert at.title[0].value == "训练网络"
    assert at.query_params["lang"] in ("zh", ["zh"])
    assert at.query_params["epochs"] in ("40", ["40"]) and at.query_params["dataset"] in ("moons", ["moons"])
    _switch_to(at, "en")
    assert at.title[0].value == "Train a network"


@pytest.mark.parametrize("bad", ["fr", "ZH-cn", "", "zh&x"])
def test_a_bad_lang_in_the_link_is_a_notice_never_a_traceback(bad):
    at = _open("views/network.py", {"lang": bad})
    assert [e.value for e in at.exception] == []
    notices = " ".join(w.value for w in at.warning)
    assert "lang=" in notices and "en" in notices and "zh" in notices
    assert at.query_params["lang"] in ("en", ["en"])  # the link now says the language in use
    assert at.title[0].value == "Train a network"


def test_a_lang_in_capitals_or_with_spaces_is_read():
    at = _open("views/network.py", {"lang": " ZH "})
    assert at.warning.len == 0 and at.title[0].value == "训练网络"


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("zh", "zh"), ("zh-CN", "zh"), ("zh_TW", "zh"), ("zh-Hans-CN", "zh"), ("en-US", "en"), ("fr", "en"),
     ("zha", "en"), (None, "en"), ("", "en")],
)  # fmt: skip
def test_a_first_visit_follows_the_browsers_locale(locale, lang):
    assert lang_ui.from_locale(locale) == lang


def test_the_explorers_stage_gets_its_words_in_the_sessions_language_and_keeps_its_run_on_a_switch():
    at = _open("views/explorer.py", {"surface": "bowl", "opt": "adam", "steps": "20"})
    head_en, run_en = split([e for e in at.main if e.type == "bidi_component"][0].proto.bytes)
    assert head_en["words"]["play"] == "Play"
    _switch_to(at, "zh")
    assert _errors(at) == []
    head_zh, run_zh = split([e for e in at.main if e.type == "bidi_component"][0].proto.bytes)
    assert head_zh["words"]["play"] == "播放" and head_zh["words"]["pause"] == "暂停"
    assert all(CJK.search(v) for k, v in head_zh["words"].items() if k != "speed"), head_zh["words"]
    assert head_zh["token"] == head_en["token"]  # the same run: the stage keeps its t
    assert run_zh["points"] == run_en["points"] and run_zh["losses"] == run_en["losses"]


def test_the_resolver_reads_the_session_and_says_nothing_outside_a_script_run():
    at = _open(None, {"lang": "zh"})
    assert at.session_state[lang_ui.LANG_KEY] == "zh"
    assert lang_ui.resolve() is None  # this thread runs no script: i18n falls back to English
    assert i18n.lang() == "en"


def test_a_deferred_download_is_made_in_the_language_of_the_page_that_offered_it():
    from ui.export import deferred

    with i18n.use("zh"):
        make = deferred(i18n.lang)
    assert i18n.lang() == "en" and make() == "zh"


def test_compare_speaks_chinese_and_its_tables_keep_their_column_names():
    en = _open("views/compare.py", {"surface": "bowl", "opts": "sgd,adam", "steps": "30"})
    zh = _open("views/compare.py", {"surface": "bowl", "opts": "sgd,adam", "steps": "30", "lang": "zh"})
    assert _errors(zh) == []
    assert zh.title[0].value == "比较优化器" and en.title[0].value == "Compare optimizers"
    assert "比赛" in [h.value for h in zh.subheader]
    # the displayed headers are translated through column_config; the data (and its CSV) keeps its identifiers
    assert list(zh.dataframe[0].value.columns) == list(en.dataframe[0].value.columns)
    assert "final loss" in zh.dataframe[0].value.columns
    assert zh.dataframe[0].value["final loss"].tolist() == en.dataframe[0].value["final loss"].tolist()


def test_the_explorer_speaks_chinese_and_computes_the_same_run():
    query = {"surface": "rosenbrock", "opt": "adam", "steps": "40"}
    en, zh = _open("views/explorer.py", query), _open("views/explorer.py", {**query, "lang": "zh"})
    assert _errors(zh) == []
    assert zh.sidebar.header[0].value == "设置" and en.sidebar.header[0].value == "Settings"
    assert zh.number_input(key="explorer:steps").label == "步数"
    (stage_en,) = [e for e in en.main if e.type == "bidi_component"]
    (stage_zh,) = [e for e in zh.main if e.type == "bidi_component"]
    assert split(stage_zh.proto.bytes)[1]["losses"] == split(stage_en.proto.bytes)[1]["losses"]


def test_a_switch_keeps_the_choices_whose_labels_it_translates():
    """A choice box sends back the label it shows; after a switch the labels are another language's. (AppTest
    formats the labels it sends in this thread, outside the script: i18n.use gives it the page's language.)"""
    at = _open("views/compare.py", {"surface": "bowl", "steps": "20", "color_by": "steps", "opts": "sgd,adam"})
    for old, new in (("en", "zh"), ("zh", "en"), ("en", "zh")):
        with i18n.use(old):
            _switch(at).set_value(new)
            at.run()
        assert _errors(at) == []
        with i18n.use(new):
            assert at.radio(key="compare:color_by").value == "steps"
            assert at.selectbox(key="compare:preset").value == ""
            assert at.selectbox(key="compare:surface").value == "bowl"
        assert at.query_params["color_by"] in ("steps", ["steps"]) and at.query_params["lang"] in (new, [new])
