#!/usr/bin/env python3
"""Writes archive.jsonl, the browser tests' own small archive (run once; the
output is committed). 9 issues: 2020-2023 plus one undated. ランサムウェア
items sit in every section and year (30 of them, so the query pages), one quote
carries <script>alert(1)</script>, one title HTML metacharacters, and one item
a javascript: url that must never become a link."""
import json
import os

issues = [
    (101, "2020-06-07"), (102, "2020-11-15"), (103, "2021-03-21"), (104, "2021-08-29"),
    (105, "2022-02-13"), (106, "2022-09-04"), (107, "2023-01-22"), (108, "2023-07-30"),
    (109, None),
]
orgs = ["市立病院", "大手製造業", "物流会社", "地方自治体", "大学", "旅行代理店", "食品メーカー",
        "建設会社", "保険代理店", "通販サイト", "港湾管理組合", "出版社", "半導体商社", "水道事業者"]
gangs = ["LockBit", "Conti", "BlackCat", "Hive", "REvil", "Maze", "Ryuk", "Cl0p", "Royal", "Akira"]
incident_titles = [
    "{org}がランサムウェア被害を公表、一部業務を停止",
    "{org}のサーバーがランサムウェアに感染、復旧作業を継続中",
    "{org}で {g} ランサムウェアによる暗号化被害、取引先情報流出の可能性",
    "{org}、ランサムウェア攻撃を受け電子カルテ・受注システムが停止",
]
out = []


def add(issue, date, section, title, quote=None, url=None):
    o = {"issue": issue}
    if date:
        o["date"] = date
    o["section"] = section
    o["title"] = title
    if quote is not None:
        o["quote"] = quote
    if url is not None:
        o["url"] = url
    out.append(o)


k = 0
for idx, (n, d) in enumerate(issues):
    for j in range(2):
        org, g = orgs[k % len(orgs)], gangs[k % len(gangs)]
        add(n, d, "事件、事故", incident_titles[k % len(incident_titles)].format(org=org, g=g),
            f"{org}は、{g} ランサムウェアによりファイルサーバーが暗号化されたと発表した。\n"
            f"The organization said that {g} operators encrypted file servers and demanded a ransom; "
            f"systems were restored from backups within {3 + j} days.",
            f"https://example.com/news/{n}/{j + 1}")
        k += 1
    g = gangs[idx % len(gangs)]
    if idx % 2 == 0:
        add(n, d, "攻撃、脅威", f"{g} ランサムウェアの新たな亜種を確認、VPN 機器を悪用",
            f"Researchers observed a new {g} variant that gains initial access through unpatched "
            "VPN appliances and disables endpoint protection before encryption.")
    else:
        add(n, d, "攻撃、脅威", f"請求書を装うフィッシングメールでマルウェア配布 ({g} 関連)",
            "Phishing emails with password-protected ZIP attachments are being used to deliver loaders.\n"
            "The campaign impersonates invoices from logistics companies.")
    cve = f"CVE-20{20 + idx // 2}-{1000 + idx * 37}"
    quote = f"A vulnerability ({cve}) allows a remote unauthenticated attacker to bypass authentication."
    if idx % 3 == 0:
        quote += "\nこの脆弱性はランサムウェア攻撃グループによる悪用が確認されている。"
    add(n, d, "脆弱性", f"VPN 製品に認証回避の脆弱性 ({cve})", quote, f"https://example.com/advisory/{cve}")
    if idx % 2 == 1:
        add(n, d, "その他", "政府機関がランサムウェア対策の指針を公表",
            "ランサムウェアによる被害が続いていることから、バックアップの確保と多要素認証の導入を呼びかけた。\n"
            "身代金の支払いは推奨しないとしている。")
    else:
        add(n, d, "その他", "セキュリティ人材育成の取り組みについて報告書を公開",
            "報告書では、演習を通じた人材育成の重要性が強調されている。")

add(106, "2022-09-04", "攻撃、脅威", "スクリプト注入を試みる引用を含む記事 XSSPROBE",
    "このテキストは文字列として表示されなければならない <script>alert(1)</script>\n"
    "Second paragraph with <img src=x onerror=alert(2)> and & ampersand.",
    "javascript:alert(3)")
add(107, "2023-01-22", "その他", "<b>太字タグ</b> & \"引用符\" を含む見出し HTMLMETA",
    "Angle brackets <i>must</i> appear literally.")

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "archive.jsonl"), "w", encoding="utf-8") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
