"""The whole pipeline on real Shopify exports: no e-mail, name, address or phone reaches any output."""

from __future__ import annotations

import shutil

import pytest

from conftest import copy_project, dvc

pytestmark = [pytest.mark.real, pytest.mark.slow]

# (files, stages to run): an orders export alone has no week of ads to report, so it stops at kpis.
CASES = {
    "monfrere": (("monfrere_us/shopify/Shopify_orders_export_2_REDACTED.csv",
                  "monfrere_us/meta/Meta Daily MONFRERE-Ads-Jan-1-2026-Mar-15-2026.csv"), ()),
    "maison_maria": (("shopify_maison_maria_gbp/orders_export_1_REDACTED.csv",), ("kpis",)),
}
# The real files were redacted before they reached us: e-mails became cust_<hash>@example.invalid and
# names, streets, phones and notes became REDACTED. Neither may appear in anything adlab writes.
SECRETS = (b"@example.invalid", b"cust_", b"REDACTED")


@pytest.mark.parametrize("case", sorted(CASES))
def test_pipeline_outputs_hold_no_personal_data_from_real_orders(real_data, tmp_path, case):
    project = copy_project(tmp_path / "project")
    files, stages = CASES[case]
    for n, name in enumerate(files):
        shutil.copy2(real_data / name, project / "data" / "raw" / f"export_{n}.csv")
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("weeks: 8 ", "weeks: 1 "))
    result = dvc(project, "repro", *stages)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    scanned = 0
    for folder in ("data/interim", "data/processed", "data/quarantine", "reports", "metrics"):
        for path in (project / folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                scanned += 1
                for secret in SECRETS:
                    assert secret not in data, f"{secret!r} found in {path.relative_to(project)}"
    assert scanned >= 10
