from pathlib import Path

import pytest

from adlab.errors import AdlabError
from adlab.params import load_params

PROJECT = Path(__file__).resolve().parents[1]


def test_load_params_reads_the_project_file():
    params = load_params(PROJECT / "params.yaml")
    assert params.report.weeks >= 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("targets:\n  roas: fast\n", r"`targets.roas` = 'fast' should be a float"),
        ("targets:\n  gross_margin: 45\n", r"gross_margin` must be a fraction"),
        ("report:\n  weeks: 0\n", r"`report.weeks` must be at least 1"),
        ("reprot:\n  weeks: 2\n", r"`reprot` is not a section"),
        ("report:\n  wekes: 2\n", r"`report.wekes` is not a setting"),
        ("report:\n  extra_weeks: ['2026-30']\n", r"not an ISO week"),
        ("targets: [1, 2\n", r"cannot read settings"),
    ],
)
def test_load_params_rejects_bad_values_in_one_line(tmp_path, text, message):
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(AdlabError, match=message) as err:
        load_params(path)
    assert "\n" not in str(err.value)


def test_load_params_accepts_integers_for_floats(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("targets:\n  cpa: 35\n")
    assert load_params(path).targets.cpa == 35.0
