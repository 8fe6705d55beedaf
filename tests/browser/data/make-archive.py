#!/usr/bin/env python3
"""Writes archive.jsonl, the browser tests' own small archive (run once; the
output is committed). Issues 101-109: 2020-2023 plus one undated; issues
11-58: one a month through 2016-2019 (entities, CVE ids, trends). ランサムウェア
items sit in every section and year (30 of them, so the query pages), one quote
carries <script>alert(1)</script>, one title HTML metacharacters, and one item
a javascript: url that must never become a link, and one (HTMLMETA) only
links, the first with HTML metacharacters: its source link is its host. Issue 110: a long hash and a
URL that must wrap, and bidi controls that must show as markers."""
import hashlib
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


def add(issue, date, section, title, quote=None, url=None, links=None):
    o = {"issue": issue}
    if date:
        o["date"] = date
    o["section"] = section
    o["title"] = title
    if quote is not None:
        o["quote"] = quote
    if url is not None:
        o["url"] = url
    if links is not None:
        o["links"] = links
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
    "Angle brackets <i>must</i> appear literally.", None,
    ["javascript:alert(4)", "https://Sub.Example.NET/a?x=\"<b>\"&y=1", "https://example.org/2"])

# Two English "ransomware" items (the exact toggle: with expansion the
# query ransomware also finds the ランサムウェア items, with exact=1 only these).
add(103, "2021-03-21", "その他", "サイバー保険の請求動向に関する報告書",
    "Insurers report that ransomware claims rose sharply while the average payout fell.")
add(105, "2022-02-13", "その他", "英国当局が企業向け指針を改訂",
    "The revised guidance tells boards to rehearse their response to a ransomware incident.")

# Issue 110 (issue 10 of the bug tracker, "what readers trip over"): long
# unbroken strings (a SHA-256 chain and a URL far wider than a phone) that
# must wrap on the issue page, and bidi controls (U+202E and the rest) in a
# title and a quote that must show as visible markers, never reorder text.
# Dated in a month that already has items, free of ransomware and gazetteer
# names, so the counts the other tests rely on stay as they are.
LONG_HASH = "".join(hashlib.sha256(b"kensaku-%d" % i).hexdigest() for i in range(3))
LONG_URL = "https://downloads.example.org/ioc/" + "a1b2c3d4e5f6" * 16 + "/payload.bin?sig=" + "Z" * 80
add(110, "2022-09-04", "攻撃、脅威", f"ハッシュ値の一覧 LONGPROBE sha256:{LONG_HASH}",
    f"Indicators: {LONG_HASH}\nDownload location: {LONG_URL}", LONG_URL)
add(110, "2022-09-04", "攻撃、脅威", "添付ファイル evil\u202eexe.txt に注意 BIDIPROBE",
    "The attachment is named invoice\u202egpj.exe and \u2067isolated\u2069 text hides "
    "\u200f\u200e\u061c\u202a\u202b\u202c\u202d\u2066\u2068 controls.")

# Issues 11-58, monthly from 2016-01 to 2019-12 (issue 11+i in month i), for
# the trend chart and the entity pages. None of them says ransomware in any
# script, so the ランサムウェア hits above keep their 2020-2023 span (months)
# while the whole archive spans 2016-2023 (years). Gazetteer names appear in
# both scripts: Microsoft/マイクロソフト every month (48 items), Emotet/
# エモテット in 26 months of 2017-06..2019-12 (two entity pages), QakBot/
# キューボット in 8 months of 2018-2019 (a comparison inside 48 months),
# Lazarus/ラザルス, and CVE ids (CVE-2019-11510 six times, CVE-2018-13379,
# CVE-2017-0144) in Japanese titles and English quotes.
EMOTET = [17, 18, 20, 21, 22, 24, 25, 26, 27, 29, 30, 31, 32, 33, 34, 36, 37, 38, 39, 40, 41, 42, 43, 45, 46, 47]
QAKBOT = {26: 0, 28: 1, 31: 0, 35: 1, 39: 0, 41: 1, 44: 0, 46: 1}
LAZARUS = {5: 0, 14: 1, 23: 0, 35: 1, 44: 0}
PULSE = [40, 41, 42, 44, 45, 47]
FORTI = [31, 38, 43, 46]
ETERNAL = [16, 17, 22]
for i in range(48):
    n = 11 + i
    d = f"{2016 + i // 12}-{i % 12 + 1:02d}-{10 + i % 15:02d}"
    ym = f"{2016 + i // 12}年{i % 12 + 1}月"
    if i % 2 == 0:
        add(n, d, "その他", f"マイクロソフトが{ym}の月例セキュリティ更新を公開",
            f"Microsoft released its monthly security updates for {d[:7]}, fixing flaws in Windows and Office.")
    else:
        add(n, d, "脆弱性", f"Microsoft、{ym}のセキュリティ更新プログラムを公開",
            "マイクロソフトは、Windows などの脆弱性を修正する更新プログラムを公開した。")
    if i in EMOTET:
        j = EMOTET.index(i)
        if j % 2 == 0:
            add(n, d, "攻撃、脅威", f"エモテットの感染を狙うメールが再び増加 ({ym})",
                f"Emotet spam wave #{j + 1}: macro-laden Word documents deliver the loader.\n"
                "エモテットは取引先を装った返信メールで広がっている。",
                f"https://example.com/emotet/{j + 1}")
        else:
            add(n, d, "事件、事故", f"Emotet 感染で取引先にメールが送信される被害 ({ym})",
                f"An organisation reported that Emotet harvested its mail threads (case {j + 1}).")
    if i in QAKBOT:
        if QAKBOT[i]:
            add(n, d, "攻撃、脅威", f"QakBot が銀行利用者を標的に ({ym})",
                "QakBot operators send invoice-themed lures.")
        else:
            add(n, d, "攻撃、脅威", f"キューボットの新たな配布手口を確認 ({ym})",
                "研究者は、キューボットが HTML ファイルを使って配布されていると報告した。")
    if i in LAZARUS:
        if LAZARUS[i]:
            add(n, d, "攻撃、脅威", f"Lazarus Group が暗号資産取引所を標的に ({ym})",
                "The Lazarus Group sent fake job offers to exchange employees.")
        else:
            add(n, d, "攻撃、脅威", f"ラザルスによる標的型攻撃を確認 ({ym})",
                "北朝鮮の攻撃グループ、ラザルスが防衛産業を狙っている。")
    if i in PULSE:
        add(n, d, "脆弱性", f"Pulse Connect Secure の脆弱性 CVE-2019-11510 の悪用が続く ({ym})",
            "Unpatched VPN servers remain exposed to CVE-2019-11510, an arbitrary file read.")
    if i in FORTI:
        add(n, d, "脆弱性", f"FortiOS の SSL VPN に脆弱性 (CVE-2018-13379) ({ym})",
            "フォーティネットは CVE-2018-13379 を修正するアップデートを公開した。")
    if i in ETERNAL:
        add(n, d, "脆弱性", f"EternalBlue (CVE-2017-0144) を悪用する攻撃が拡大 ({ym})",
            "Attackers keep scanning for SMBv1 hosts vulnerable to CVE-2017-0144.")

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "archive.jsonl"), "w", encoding="utf-8") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
