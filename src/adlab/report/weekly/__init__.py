"""The sections of a weekly page, one module each; notebooks/weekly_report.ipynb shows them in this order:
`header`, `tiles` and `results` (the week at a glance), `recommendations`, `why`, `campaigns`, `creatives`,
`breakdowns`, `store`, `quality`."""
