"""Every label of the dashboard in English and Japanese; ``t(key)`` picks the current language."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("Kizashi — technology horizon scanning", "兆し — 技術ホライズン・スキャニング"),
    "language": ("Language / 言語", "言語 / Language"),
    "profile": ("Alliance profile", "同盟プロファイル"),
    "window": ("Window", "期間"),
    "counting": ("Counting", "カウント方式"),
    "fractional": ("fractional", "分数カウント"),
    "full": ("full", "整数カウント"),
    "as_of": ("Data as of", "データ時点"),
    "method": ("counting", "カウント方式"),
    "api_down": ("The Kizashi API is not reachable", "Kizashi API に接続できません"),
    "api_hint": ("Start it with `kizashi serve api` (or `kizashi serve ui --api`) and set KIZASHI_API_URL / KIZASHI_API_KEY.",
                 "`kizashi serve api`（または `kizashi serve ui --api`）で起動し、KIZASHI_API_URL / KIZASHI_API_KEY を設定してください。"),
    # pages
    "overview": ("Overview", "概観"),
    "job_running": ("The main job is running: {step} ({done} of {total} steps done). Rankings shown are the last "
                    "complete ones; still to come: {pending}.",
                    "メインジョブ実行中：{step}（全{total}ステップ中{done}完了）。表示中のランキングは前回完了分です。"
                    "残り：{pending}。"),
    "technology": ("Technology", "技術"),
    "emerging": ("Emerging areas", "新興領域"),
    "shortlist": ("ES-X shortlist", "ES-X 候補リスト"),
    "country": ("Country profile", "国別プロファイル"),
    "graph": ("Graph explorer", "グラフ探索"),
    "search": ("Search", "検索"),
    # overview
    "overview_title": ("Who leads each critical technology", "重要技術ごとの主導国"),
    "score_kind": ("Score", "スコア"),
    "raw": ("raw", "素点"),
    "weighted": ("alliance-weighted", "同盟加重"),
    "lists": ("Official lists", "公式リスト"),
    "domain": ("Domain", "分野"),
    "heatmap": ("Lead score: technology × country", "主導スコア：技術 × 国"),
    "concern_share": ("China/concern share", "中国・懸念国シェア"),
    "monopoly_risk": ("Monopoly risk", "独占リスク"),
    "leader": ("Leader", "首位"),
    "hhi": ("HHI", "HHI"),
    "works": ("Papers", "論文"),
    "patents": ("Patents", "特許"),
    "open_tech": ("Open a technology", "技術を開く"),
    "open": ("Open", "開く"),
    "no_rankings": ("No rankings stored for this profile yet.", "このプロファイルのランキングはまだありません。"),
    "no_rankings_hint": ("Ingest documents (`kizashi ingest …`), map them (`kizashi taxonomy load`, `kizashi map`), then run `kizashi rank` (add `--profile NAME` for other profiles).",
                         "文書を取り込み（`kizashi ingest …`）、技術に対応付け（`kizashi taxonomy load`、`kizashi map`）、`kizashi rank` を実行してください（他のプロファイルは `--profile NAME`）。"),
    "countries_shown": ("Countries shown", "表示する国数"),
    "weighted_lens": ("Alliance-weighted lens", "同盟加重レンズ"),
    "weighted_help": ("Off: the raw score, who actually leads. On: scores scaled by the profile's country weights; "
                      "cells of countries of concern keep their raw score and are marked ⚠.",
                      "オフ：素点（実際の主導国）。オン：プロファイルの国別重みで加重。懸念国のセルは素点のまま ⚠ で表示。"),
    "raw_view_note": ("Raw score: who actually leads, with no alliance weighting.", "素点：同盟加重なしの実際の主導国。"),
    "weighted_view_note": ("Alliance-weighted lens: scores × profile weights. ⚠ marks a country of concern, shown with its raw score and paper share (its weight would draw it as 0).",
                           "同盟加重レンズ：スコア × プロファイル重み。⚠ は懸念国（重み 0 で 0 と描かれないよう素点と論文シェアで表示）。"),
    "concern_lead": ("Concern lead", "懸念国が首位"),
    "leader_share": ("Leader's paper share", "首位の論文シェア"),
    "weighted_leader": ("Alliance-weighted leader", "同盟加重の首位"),
    "basis": ("Basis", "基礎"),
    "basis_sample": ("ingested sample", "取り込みサンプル"),
    "basis_population": ("population counts", "母集団カウント"),
    "n_docs": ("N", "N"),
    "thin": ("too little evidence", "根拠不足"),
    "thin_note": ("Grey cells and rows marked “too little evidence” have fewer than {n} documents behind them: they are not ranked.",
                  "灰色のセルと「根拠不足」の行は根拠となる文書が {n} 件未満で、順位付けしていません。"),
    "thin_ranking": ("Too little evidence: {n} documents with a country ({basis}), fewer than {min}. The shares are shown "
                     "with their wide intervals; concentration, contest and monopoly risk are withheld.",
                     "根拠不足: 国の分かる文書が {n} 件（{basis}）で {min} 件未満です。シェアは幅の広い区間とともに示し、"
                     "集中度・競合・独占リスクは示しません。"),
    "lead": ("lead", "首位"),
    "concern_country": ("country of concern", "懸念国"),
    "one_corpus": ("All {kind} here come from one corpus: {where} ({n} of {total}). The shares describe that corpus, not the technology as a whole.",
                   "この{kind}はすべて単一のコーパス由来です：{where}（{total} 件中 {n} 件）。シェアはそのコーパスの値で、技術全体を表すものではありません。"),
    "corpora_note": ("{kind} from {k} corpora; largest {where} ({share})", "{kind}は {k} 個のコーパスから；最大 {where}（{share}）"),
    "technologies_ranked": ("technologies ranked", "件の技術をランキング済み"),
    "risk_high": ("high", "高"), "risk_medium": ("medium", "中"), "risk_low": ("low", "低"),
    "contested": ("contested", "拮抗"),
    # technology
    "choose_tech": ("Technology", "技術"),
    "output_by_country": ("Output by country and year (fractional papers)", "国別・年別の論文産出（分数カウント）"),
    "share_by_country": ("Share of the year's papers, with 90% bootstrap intervals", "各年の論文シェア（90% ブートストラップ区間）"),
    "patents_by_country": ("Patent publications by applicant country and year", "出願人国別・年別の特許公報"),
    "papers_vs_patents": ("Papers beside patents: share by country", "論文と特許の国別シェア"),
    "top_orgs": ("Top organizations", "主要機関"),
    "concentration": ("Concentration (HHI of paper shares)", "集中度（論文シェアの HHI）"),
    "bloc_shares": ("Bloc shares of papers (90% intervals)", "ブロック別論文シェア（90% 区間）"),
    "timeline": ("Policy signals and export controls", "政策シグナルと輸出管理"),
    "materials": ("Materials it depends on", "依存する素材"),
    "evidence": ("Evidence", "根拠資料"),
    "evidence_works": ("Papers (most cited first)", "論文（被引用数順）"),
    "evidence_patents": ("Patents", "特許"),
    "evidence_policy": ("Policy documents", "政策文書"),
    "no_docs": ("No papers or patents are mapped to this technology yet.", "この技術に対応付けられた論文・特許はまだありません。"),
    "no_docs_hint": ("Ingest papers/patents in this area and run `kizashi map`.", "この分野の論文・特許を取り込み、`kizashi map` を実行してください。"),
    "no_timeline": ("No policy documents or export-control events linked yet: ingest policy texts with `kizashi ingest policy`.",
                    "関連する政策文書・輸出管理措置はまだありません：`kizashi ingest policy` で政策文書を取り込んでください。"),
    "no_materials": ("No material dependencies recorded in the taxonomy.", "タクソノミーに素材依存は記録されていません。"),
    "lead_summary": ("Lead", "主導"),
    "ranking_source": ("ranking", "ランキング"),
    "computing": ("Computing the ranking…", "ランキングを計算中…"),
    "loading": ("Loading…", "読み込み中…"),
    # emerging
    "cluster_map": ("Research clusters: colour = growth, size = volume", "研究クラスター：色＝成長率、大きさ＝規模"),
    "no_clusters": ("No emerging-area clusters yet.", "新興領域クラスターはまだありません。"),
    "no_clusters_hint": ("Run `kizashi embed` and then `kizashi clusters` to find them.", "`kizashi embed` の後に `kizashi clusters` を実行してください。"),
    "cluster": ("Cluster", "クラスター"),
    "corpus": ("Corpus", "コーパス"),
    "growth_clipped": ("colour scale capped at the 90th percentile of growth", "色の上限は成長率の90パーセンタイル"),
    "keywords": ("Keywords", "キーワード"),
    "examples": ("Example documents", "代表的な文書"),
    "linked_techs": ("Linked technologies", "関連技術"),
    "leading_countries": ("Leading countries", "主要国"),
    "growth": ("growth", "成長率"),
    "volume": ("volume", "規模"),
    # shortlist
    "weights": ("Weights", "重み"),
    "autonomy_risk": ("Autonomy risk", "自律性リスク"),
    "indispensability": ("Japanese indispensability", "日本の不可欠性"),
    "emergence": ("Emergence", "新興性"),
    "policy": ("Policy attention", "政策的注目"),
    "quadrant": ("Autonomy risk × Japanese indispensability", "自律性リスク × 日本の不可欠性"),
    "priority": ("Priority", "優先度"),
    "explanation": ("Why", "理由"),
    "download_csv": ("Download CSV", "CSV をダウンロード"),
    "download_xlsx": ("Download XLSX", "XLSX をダウンロード"),
    "q_protect": ("Protect & build (high risk, low indispensability)", "保護・育成（高リスク・低不可欠性）"),
    "q_leverage": ("Leverage (high risk, high indispensability)", "交渉材料（高リスク・高不可欠性）"),
    "q_maintain": ("Maintain (low risk, high indispensability)", "維持（低リスク・高不可欠性）"),
    "q_watch": ("Watch (low risk, low indispensability)", "注視（低リスク・低不可欠性）"),
    "no_shortlist": ("The shortlist is empty.", "候補リストは空です。"),
    "formulas": ("How the scores are computed", "スコアの計算方法"),
    # country
    "choose_country": ("Country", "国"),
    "strengths": ("Strengths (highest share)", "強み（シェア上位）"),
    "weaknesses": ("Weaknesses (lowest share where present)", "弱み（シェア下位）"),
    "vs_bloc": ("Share vs its bloc, per technology", "技術別シェアとブロックシェア"),
    "trend": ("Trend (growth, CAGR over the window)", "トレンド（期間内の年平均成長率）"),
    "japan_vs_allies": ("Japan vs allies: paper share per technology", "日本と同盟国：技術別論文シェア"),
    "bloc": ("Bloc", "ブロック"),
    "share": ("share", "シェア"),
    "bloc_share": ("bloc share", "ブロックシェア"),
    "rank": ("rank", "順位"),
    "no_country": ("No country rankings yet.", "国別ランキングはまだありません。"),
    # graph
    "node_kind": ("Start from", "起点"),
    "kind_technology": ("technology", "技術"), "kind_organization": ("organization", "機関"), "kind_country": ("country", "国"),
    "find_node": ("Name contains", "名称に含む語"),
    "ego_network": ("Ego network", "エゴネットワーク"),
    "open_browser": ("Open in Neo4j Browser", "Neo4j Browser で開く"),
    "browser_unreachable": ("Neo4j Browser is not reachable: the local server serves it when its HTTP connector is on "
                            "(KIZASHI_HTTP_PORT not 0); for another server, set KIZASHI_NEO4J_BROWSER_URL.",
                            "Neo4j Browser に接続できません。ローカルサーバーでは HTTP コネクタ有効時（KIZASHI_HTTP_PORT が 0 以外）に"
                            "提供されます。別のサーバーでは KIZASHI_NEO4J_BROWSER_URL を設定してください。"),
    "no_match": ("Nothing matches.", "該当なし。"),
    "neighbours": ("Neighbours", "隣接ノード"),
    # search
    "search_box": ("Search papers, patents and policy documents (English or Japanese)", "論文・特許・政策文書を検索（英語・日本語）"),
    "results": ("Results", "結果"),
    "no_search": ("Semantic search is unavailable", "意味検索は利用できません"),
    "no_search_hint": ("Embed the documents first: `kizashi embed`.", "先に `kizashi embed` で文書を埋め込んでください。"),
    "no_results": ("No results.", "結果なし。"),
    "doc_types": ("Document types", "文書の種類"),
}

LANGS = ("en", "ja")


def t(key: str, lang: str | None = None) -> str:
    if lang is None:
        try:
            import streamlit as st

            lang = st.session_state.get("lang", "en")
        except Exception:   # outside a Streamlit run
            lang = "en"
    en, ja = LABELS.get(key, (key, key))
    return ja if lang == "ja" else en


def name(row: dict, lang: str | None = None) -> str:
    """An entity's display name in the current language, falling back to English and the key."""
    if lang is None:
        import streamlit as st

        lang = st.session_state.get("lang", "en")
    if lang == "ja" and row.get("name_ja"):
        return row["name_ja"]
    return row.get("name") or row.get("name_ja") or row.get("key") or row.get("id") or "?"
