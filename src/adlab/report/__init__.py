"""HTML reports: the weekly pages, the reporting-window pages, the index and the data-quality page."""

from adlab.report.frames import (  # noqa: F401
    ENTITY_KEYS,
    RECOMMENDATION_EVIDENCE,
    Days,
    _read,
    _with_account_if_several,
    account_names,
    ads_without_purchase,
    best_and_worst_ads,
    currency_warning_count,
    data_through,
    days_with_data,
    entity_tree,
    has_store_data,
    previous_week,
    read_kpis,
    read_optional,
    read_recommendations,
    read_sessions,
    read_store,
    read_summary,
    resolve_week,
    scan_optional,
    shown_for_week,
    trend_days,
    week_days,
    week_results,
    week_summaries,
    week_tables,
)
from adlab.report.html import (  # noqa: F401
    CSS_PATH,
    SAMPLE_BANNER,
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    PlotlyEmbed,
    Tile,
    banner_html,
    esc,
    fmt_dates,
    html_table,
    info_html,
    note_html,
    page_html,
    report_css,
    sparkline_svg,
    tiles_html,
)
from adlab.report.incremental import _frame_digest, code_version, week_fingerprint, week_window  # noqa: F401
from adlab.report.index import render_index  # noqa: F401
from adlab.report.quality_page import render_quality  # noqa: F401
from adlab.report.render import (  # noqa: F401
    FALLBACK_KERNEL,
    KERNEL,
    _kernel_config,
    _park_html_outputs,
    _unpark_html_outputs,
    kernel_name,
    render_week,
)
from adlab.report.weekly.breakdowns import BREAKDOWN_EXPORTS, breakdown_html, regions_html  # noqa: F401
from adlab.report.weekly.campaigns import (  # noqa: F401
    AD_COLUMNS,
    NO_PURCHASE_COLUMNS,
    TREE_COLUMNS,
    ads_table_html,
    best_worst_html,
    entity_table_html,
    platform_table_html,
)
from adlab.report.weekly.creatives import CREATIVE_METRICS, CREATIVES_STAGE_NOTE, creative_leaderboard_html  # noqa: F401
from adlab.report.weekly.header import (  # noqa: F401
    META_EXPORT,
    NO_ADS_NOTES,
    UNKNOWN_METRICS,
    accounts_html,
    accounts_note_html,
    currency_line_html,
    footer_html,
    no_ads_html,
    page_header_html,
    unknown_metrics_html,
)
from adlab.report.weekly.quality import data_quality_html, week_sources  # noqa: F401
from adlab.report.weekly.recommendations import (  # noqa: F401
    ACTION_ORDER,
    RECOMMEND_STAGE_NOTE,
    _action_key,
    _period_note,
    action_tone,
    recommendations_html,
)
from adlab.report.weekly.results import results_html, results_tiles, shows_results, with_results  # noqa: F401
from adlab.report.weekly.store import NO_ORDERS_NOTE, _store_gaps_html, customer_split_html, store_section_html  # noqa: F401
from adlab.report.weekly.tiles import (  # noqa: F401
    HEADLINE,
    STORE_HEADLINE,
    _Figure,
    _format,
    _tiles,
    headline,
    headline_notes_html,
    platforms_summed,
    store_tiles,
)
from adlab.report.weekly.why import FACTOR_NAMES, _factor_value, roas_change_html  # noqa: F401
from adlab.report.window import (  # noqa: F401
    BREAKDOWN_DIMS,
    BREAKDOWN_LABELS,
    DAILY_EXPORT,
    MISSING_COLUMNS,
    NEEDS_DAYS,
    WINDOW_TILES,
    _label,
    _this_week_to_window,
    breakdown_section_html,
    data_quality_window_html,
    fmt_window,
    header_html,
    left_out_html,
    missing_notes,
    needs_days_html,
    period_page_html,
    store_window_html,
    window_kpis_spend,
    window_results_html,
    window_stem,
    window_tables,
    window_tiles,
)
