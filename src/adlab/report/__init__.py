"""HTML reports: the weekly pages, the reporting-window pages, the index and the data-quality page.

Import the module you need (`from adlab.report import frames, html`); this package re-exports nothing.

- `frames`: which week a page shows and which days it reads, the roll-ups it shows (the campaign -> ad set -> ad
  tree, folded to its largest rows; best and worst ads) and the readers of the stage outputs. Pure polars.
- `html`: escaping, notes, tables, tiles, the embedded plotly script and the page shell every page shares.
- `weekly/`: the sections of a weekly page, one module each (`header`, `tiles`, `results`, `recommendations`,
  `why`, `campaigns`, `creatives`, `breakdowns`, `store`, `quality`). `notebooks/weekly_report.ipynb` lays them
  out with the charts of `adlab.charts`, one cell per section.
- `window`: the page of an export without days, one per reporting window, from the same section builders.
- `render`: papermill runs the notebook for one week and nbconvert makes it one offline HTML file.
- `build`: the report stage: which pages to write, the stale ones rendered on a worker pool, the index.
- `incremental`: which weeks get a page and the digest of each week's inputs and code, so unchanged weeks keep
  their pages.
- `index`, `quality_page`: reports/index.html and reports/quality.html, laid out by the Jinja templates of
  templates/pages/ through `templating`.
- `customers`: reports/customers.html, the customer cohorts (LTV heatmap and curves, payback, LTV:CAC).

A new section of the weekly page is a module in `weekly/` (a function that takes frames and settings and
returns HTML, every string from a file escaped) and a markdown heading plus a code cell in the notebook that
displays it; the reporting-window page calls the same function where the section makes sense without days.
"""
