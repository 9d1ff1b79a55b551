"""symlab.notebook.labels: one table of the widgets' words, every row in every language."""

import re
import string

import pytest

import symlab
from symlab.notebook import labels
from symlab.notebook.labels import LABELS, LANGUAGES, text, widget_texts

CJK = re.compile(r"[\u3400-\u9fff]")


def _fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_row_speaks_every_language_with_the_same_fields(key):
    row = LABELS[key]
    assert len(row) == len(LANGUAGES)
    assert all(isinstance(t, str) and t.strip() == t and t for t in row), row
    assert len({frozenset(_fields(t)) for t in row}) == 1, row
    english, chinese = row[LANGUAGES.index("en")], row[LANGUAGES.index("zh")]
    assert not CJK.search(english), english
    assert CJK.search(chinese), chinese
    # Chinese prose: no space between two CJK characters (issue 21)
    assert not re.search(r"[\u3400-\u9fff] +[\u3400-\u9fff]", chinese), chinese


def test_keys_name_their_widget():
    assert all(k.split("_")[0] in ("common", "rng", "shared", "graph") for k in LABELS)


def test_text_fills_fields_in_the_chosen_language():
    assert text("rng_step", "en", position=2, draws=5) == "step 2 of 5"
    assert text("rng_step", "zh", position=2, draws=5) == "第 2 步，共 5 步"
    assert text("rng_draw", "en") == "draw"


def test_the_config_chooses_the_language():
    assert symlab.config.language == "en"
    assert labels.language() == "en"
    symlab.config.language = "zh"
    try:
        assert labels.language() == "zh"
        assert text("shared_value") == "值"
        assert widget_texts("rng")["rng_reseed"] == LABELS["rng_reseed"][1]
    finally:
        symlab.config.language = "en"
    with pytest.raises(ValueError, match="config.language: expected one of en, zh; got 'fr'"):
        symlab.config.language = "fr"
    assert symlab.config.language == "en"


def test_unknown_keys_and_languages_are_named():
    with pytest.raises(KeyError, match="no label 'rng_nothing'"):
        text("rng_nothing")
    with pytest.raises(ValueError, match="unknown language 'de'; expected one of en, zh"):
        text("rng_draw", "de")


def test_widget_texts_hold_the_common_rows_and_the_groups():
    graph = widget_texts("graph", lang="en")
    assert graph["common_saved_notice"] == "saved view: run the cell to use it"
    assert graph["graph_step"] == "step {step} / {count}"  # fields left for the view
    assert not any(k.startswith(("rng_", "shared_")) for k in graph)


def test_the_extension_carries_the_table_as_generated():
    """extension/src/widgets/labels.generated.ts is typescript() of the table (the words
    of views with no widget state: the MIME renderer, states saved before a key existed)."""
    import os
    from pathlib import Path
    path = (Path(__file__).resolve().parents[2] / "extension" / "src" / "widgets"
            / "labels.generated.ts")
    if os.environ.get("SYMLAB_WRITE_LABELS") == "1":
        path.write_text(labels.typescript(), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == labels.typescript(), (
        f"{path} is out of date: run SYMLAB_WRITE_LABELS=1 pytest {__file__}")
