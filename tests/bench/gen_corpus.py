#!/usr/bin/env python3
"""gen_corpus.py - a deterministic synthetic corpus of security newsletters.

Writes, for one seed and size:
  OUT/issues/issue-N.txt   issues in the plain-text layout kensaku reads
                           (header, "Issue #N", "Date: YYYY-MM-DD", sections
                           事件、事故 / 攻撃、脅威 / 脆弱性 / その他, Japanese
                           headlines, English/Japanese quote lines, footer)
  OUT/items.jsonl          the same items, one per line, in kensaku's JSON
                           Lines format plus "id" and "position"
  OUT/truth-input.jsonl    {"id": "N-P", "text": title + "\\n" + quote}
  OUT/corpus-meta.json     counts, bytes, seed, size and filler source

Japanese filler sentences come from Debian's manpages-ja when it is installed
(/usr/share/man/ja, gzip'd roff: macros stripped, only sentences that end like
a sentence, ます。/です。/た。...), else from the generator's own templates.
Only the Python 3 standard library is used.

usage: gen_corpus.py --size small|medium|large [--seed N] --out DIR
       [--items N]  (override the size's item count)
"""
import argparse
import glob
import gzip
import json
import os
import random
import re
import sys
import unicodedata

SIZES = {"small": 3000, "medium": 100000, "large": 500000}

# ---- vocabulary ----------------------------------------------------------

VENDORS = [
    "Microsoft", "Google", "Apple", "Cisco", "Fortinet", "QNAP", "Synology", "VMware",
    "Citrix", "Ivanti", "Atlassian", "Zoom", "Okta", "Adobe", "Oracle", "SAP",
    "Palo Alto Networks", "F5", "SonicWall", "Zyxel", "Trend Micro", "HP", "Dell",
    "Lenovo", "Intel", "AMD", "NVIDIA", "Apache", "GitLab", "GitHub", "Mozilla",
    "WordPress", "Jenkins", "Samba", "OpenSSL", "Juniper", "Barracuda", "MOVEit",
    "Progress", "SolarWinds", "Kaseya", "Veeam", "ESET", "Sophos", "Check Point",
    "Twitter", "Meta", "Amazon", "Cloudflare", "Broadcom", "Siemens", "Schneider Electric",
    "Yahoo!", "AT&T", "T-Mobile", "Uber", "LastPass", "Twilio", "Rackspace", "NEC",
    "富士通", "日立", "トレンドマイクロ", "ラック", "NTTデータ", "ソフトバンク", "楽天",
]
PRODUCTS = [
    "Exchange Server", "Chrome", "Firefox", "iOS", "macOS", "Windows", "Confluence",
    "Jira", "FortiOS", "FortiGate", "QTS", "QuTS hero", "vCenter Server", "ESXi",
    "Pulse Connect Secure", "Zimbra", "Log4j", "Spring Framework", "OpenSSH", "Outlook",
    "Teams", "Android", "Edge", "Safari", "Struts", "BIG-IP", "PAN-OS", "Citrix ADC",
    "NetScaler", "SharePoint", "Active Directory", "Office", "Acrobat Reader", "WebLogic",
    "Tomcat", "Kubernetes", "Docker", "Node.js", ".NET Framework", "ASP.NET", "C++ Runtime",
    "Visual Studio", "WinRAR", "7-Zip", "Thunderbird", "PHP", "Python", "Redis", "MySQL",
    "PostgreSQL", "Elasticsearch", "Grafana", "Drupal", "Joomla!", "Sudo", "glibc",
    "Linux カーネル", "ルーター", "VPN 装置", "NAS", "ファイアウォール", "メールサーバー",
    "Web サーバー", "複合機", "監視カメラ",
]
ACTORS = [
    "LAPSUS$", "Lazarus", "APT29", "APT41", "APT28", "Kimsuky", "Conti", "LockBit",
    "BlackCat", "ALPHV", "Sandworm", "Fancy Bear", "TA505", "DEV-0537", "Hive", "REvil",
    "Cl0p", "Scattered Spider", "Killnet", "Anonymous Sudan", "Volt Typhoon", "MuddyWater",
    "Turla", "BlackTech", "Tick", "APT10", "Mustang Panda", "Black Basta", "Royal",
    "Play", "Vice Society", "Akira", "Rhysida", "8Base", "NoName057(16)", "Bl00dy",
]
MALWARE = [
    "Emotet", "Qakbot", "TrickBot", "Cobalt Strike", "IcedID", "Deadbolt", "AvosLocker",
    "Pegasus", "Mirai", "Industroyer2", "WannaCry", "RedLine", "Raccoon Stealer", "Dridex",
    "PlugX", "ShadowPad", "BazarLoader", "Bumblebee", "SmokeLoader", "AgentTesla",
    "Formbook", "njRAT", "AsyncRAT", "Sliver", "Brute Ratel", "Vidar", "Ursnif",
    "HermeticWiper", "WhisperGate", "CaddyWiper", "ESXiArgs", "Snake", "DarkGate",
]
JP_MALWARE = ["エモテット", "ランサムウェア", "マルウェア", "ワイパー", "バックドア",
              "情報窃取型マルウェア", "トロイの木馬", "ボットネット", "スパイウェア"]
SYMBOL_NAMES = ["LAPSUS$", "C++", "C#", "F#", ".NET", "AT&T", "Yahoo!", "Joomla!",
                "Node.js", "ASP.NET", "Cl0p", "Bl00dy", "NoName057(16)", "7-Zip", "T-Mobile"]
VULN_KINDS = ["リモートコード実行", "権限昇格", "認証回避", "クロスサイトスクリプティング",
              "SQLインジェクション", "ディレクトリトラバーサル", "サービス拒否", "情報漏えい",
              "バッファオーバーフロー", "サーバーサイドリクエストフォージェリ",
              "コマンドインジェクション", "任意のファイル読み取り", "メモリ破損",
              "型の取り違え", "解放後使用 (Use-After-Free)", "境界外書き込み"]
COUNTRIES = ["米国", "英国", "ドイツ", "フランス", "韓国", "台湾", "オーストラリア", "カナダ",
             "国内", "インド", "ブラジル", "イタリア", "スペイン", "オランダ", "シンガポール",
             "ウクライナ", "ロシア", "中国", "北朝鮮", "イラン", "イスラエル", "ベトナム"]
SECTORS = ["製造業", "医療機関", "自治体", "大学", "病院", "物流", "金融機関", "通信事業者",
           "電力会社", "石油パイプライン", "小売", "ゲーム会社", "航空会社", "港湾",
           "保険会社", "地方銀行", "教育委員会", "警察", "国防省", "放送局", "半導体メーカー",
           "自動車メーカー", "暗号資産取引所", "クラウド事業者", "ホスティング事業者"]
ORGS_JP = ["大手電機メーカー", "地方の総合病院", "私立大学", "県の教育委員会", "市役所",
           "大手旅行会社", "通販サイト運営会社", "自動車部品メーカー", "出版社", "保険代理店",
           "食品メーカー", "ガス会社", "鉄道会社", "建設会社", "証券会社", "信用金庫",
           "人材派遣会社", "学習塾", "動物病院", "ホテルチェーン", "港湾運営会社",
           "医薬品卸", "半導体商社", "地方新聞社"]
IMPACTS = ["業務の一部が停止", "個人情報が流出した可能性", "システム障害が発生",
           "生産ラインが停止", "約{n}件の顧客情報が漏えい", "電子カルテが利用できない状態に",
           "ウェブサイトが改ざん", "サービスを一時停止", "最大{n}人分の情報が流出",
           "出荷業務に遅れ", "外来診療を制限", "決済サービスに影響", "社内ネットワークを遮断",
           "身代金を要求される", "メールアカウントに不正アクセス"]
AGENCIES = ["JPCERT/CC", "IPA", "警察庁", "NISC", "米CISA", "米FBI", "総務省", "経済産業省",
            "金融庁", "個人情報保護委員会", "英NCSC", "独BSI", "欧州刑事警察機構", "NSA",
            "内閣サイバーセキュリティセンター", "日本サイバー犯罪対策センター"]
TOPICS = ["フィッシングメール", "ランサムウェア対策", "エモテットの感染拡大", "不正ログイン",
          "サプライチェーン攻撃", "標的型攻撃", "ビジネスメール詐欺", "DDoS攻撃",
          "サポート詐欺", "偽のセキュリティ警告", "脆弱性を悪用した攻撃", "ゼロデイ攻撃",
          "クレジットカード情報の窃取", "SMS を悪用したフィッシング", "偽の請求書メール",
          "リモートデスクトップへの総当たり攻撃", "内部不正", "設定不備による情報漏えい"]
REPORTS = ["年次報告書", "脅威レポート", "インシデント報告", "調査結果", "分析記事",
           "技術的な解説", "ガイドライン", "注意喚起", "対策ガイド", "白書"]
ADJ = ["深刻な", "重大な", "複数の", "未修正の", "既知の", "新たな", "緊急度の高い",
       "影響の大きい", "悪用が確認された"]
KATAKANA_WORDS = ["ランサムウェア", "フィッシング", "エモテット", "マルウェア", "ウイルス",
                  "セキュリティ", "サイバー", "アップデート", "パスワード", "アカウント",
                  "バックドア", "ゼロデイ", "ボットネット", "サーバー", "ネットワーク",
                  "クラウド", "データ", "メール", "サポート", "インシデント"]

HEADLINES = [
    "{vendor} の {product} に{vkind}の脆弱性 ({cve})",
    "{vendor} が {product} の{adj}脆弱性を修正",
    "{vendor} が {product} のゼロデイ脆弱性 ({cve}) を修正。攻撃での悪用を確認",
    "{product} の{vkind}の脆弱性 {cve} を悪用する攻撃が観測される",
    "{actor} が{sector}を狙う攻撃キャンペーンを展開、{malware} を使用",
    "攻撃者グループ {actor} が {vendor} などのデータをリーク。{vendor2} は {actor} の分析記事を公開。",
    "{country}の{sector} {company} がサイバー攻撃を受け、{impact}",
    "{org}が{jpmal}の被害を公表、{impact}",
    "{org}で{jpmal}感染、{impact}",
    "{agency}が{topic}について注意喚起",
    "{agency} と {agency2} が {malware} {jpmal}の活動について注意喚起",
    "{vendor} が{country}の攻撃者による{topic}の{report}を公開",
    "{vendor} の{report}、{jpmal}の被害件数が前年比{pct}%増加",
    "{malware} の新たな亜種が出回る、{product} の脆弱性を悪用して感染を拡大",
    "{country}当局が {actor} のメンバーを逮捕、{jpmal}攻撃に関与した疑い",
    "{country}の{sector}に{malware}による攻撃、{impact}",
    "{vendor} が {product} の更新を公開、{cve} など{n2}件の脆弱性に対応",
    "{agency}、{product} の{vkind}の脆弱性 ({cve}) を既知の悪用された脆弱性カタログに追加",
    "{vendor} の {product} を狙う{jpmal}「{malware}」の活動が再び活発に",
    "{actor} によるとみられる{sector}への{topic}、{vendor} が報告",
    "{org}の委託先で{topic}、{impact}",
    "{vendor} が {symbol} に関する{adj}問題を修正",
    "{symbol} を悪用した{topic}を {vendor} が確認",
    "{org}のサーバーに不正アクセス、{jpmal}により{impact}",
    "{country}で{jpmal}「{malware}」による{sector}への攻撃が相次ぐ",
    "{vendor} の {product} に{adj}脆弱性、{agency}が早期のアップデートを呼びかけ",
    "{agency}が{report}を公開、{topic}の相談件数が過去最多に",
    "{org}の従業員アカウントに{topic}、約{n}件の情報が閲覧された可能性",
    "セキュリティ研究者が {product} の{vkind}の脆弱性を公表、PoC も公開",
    "{vendor} と {vendor2} が {actor} の攻撃基盤をテイクダウン",
]

EN_QUOTES = [
    "The vulnerability, tracked as {cve}, allows a remote attacker to execute arbitrary code on affected {product} devices.",
    "{vendor} said it was aware of reports that an exploit for {cve} exists in the wild.",
    "We strongly recommend that customers apply the latest security update for {product} as soon as possible.",
    "The threat actor, known as {actor}, used {malware} to move laterally and deploy ransomware across the network.",
    "Our investigation found no evidence that customer data was accessed, but we continue to monitor the situation.",
    "The campaign targeted {sector_en} organizations in {country_en} with spear-phishing emails carrying malicious attachments.",
    "{actor} claimed responsibility for the attack on its leak site and threatened to publish the stolen data.",
    "Attackers chained {cve} with {cve2} to gain initial access and escalate privileges on {product}.",
    "The update addresses {n2} vulnerabilities, including {n3} rated critical and one that is being actively exploited.",
    "Researchers observed {malware} being distributed through malicious macros in Microsoft Office documents.",
    "The flaw resides in the authentication component and can be triggered without user interaction.",
    "Administrators should review logs for suspicious activity and rotate credentials for privileged accounts.",
    "The incident affected approximately {n} customers, whose names, email addresses and phone numbers may have been exposed.",
    "{agency_en} added {cve} to its Known Exploited Vulnerabilities catalog based on evidence of active exploitation.",
    "According to the report, the group has been active since {year} and primarily targets {sector_en} and government entities.",
    "Indicators of compromise and detection rules are available in the appendix of the advisory.",
    "The malware communicates with its command and control server over HTTPS and uses a custom encryption scheme.",
    "Customers running {product} versions prior to {ver} are affected and should upgrade immediately.",
    "The attackers exfiltrated source code and internal documents before encrypting the file servers.",
    "{vendor} has released patches for supported versions and published mitigations for those who cannot update.",
    "A proof-of-concept exploit was published on {site} shortly after the patch was released.",
    "The botnet, built on {malware}, has been used to launch distributed denial-of-service attacks peaking at {n} Gbps.",
    "The operation involved law enforcement agencies from {n3} countries and resulted in the seizure of servers and domains.",
    "Users are advised not to open attachments or click links in unexpected messages, even if they appear to come from known contacts.",
    "Our telemetry shows that the number of infections has risen sharply since {month_en}.",
    "The vulnerable code path was introduced in version {ver} and affects both the desktop and mobile builds.",
    "Several components written in {symbol} were found to contain memory safety issues that could lead to remote code execution.",
    "Threat intelligence teams linked the activity to {actor} based on infrastructure overlaps and shared tooling.",
    "The stolen credentials were later sold on an underground forum for a few hundred dollars.",
    "Security teams should prioritize patching internet-facing systems, especially {product} appliances.",
    "The ransomware note demanded payment in Bitcoin and threatened to leak the data within seven days.",
    "We are working closely with law enforcement and have engaged a leading forensic firm to assist with the investigation.",
    "The phishing pages impersonated {vendor} login portals and used valid TLS certificates to appear legitimate.",
    "No workaround is available; the only remediation is to install the fixed release.",
    "Exploitation requires the attacker to be authenticated, which lowers the severity to medium.",
    "The issue was reported by an external researcher through the {vendor} bug bounty program.",
]

JP_QUOTE_TEMPLATES = [
    "{agency}は、{product}の利用者に対して速やかにアップデートを適用するよう呼びかけています。",
    "現時点で二次被害は確認されていませんが、引き続き調査を進めています。",
    "不審なメールの添付ファイルを開かないよう、改めて注意を呼びかけています。",
    "{org}によると、{impact}したとのことです。",
    "攻撃者は{product}の脆弱性を悪用して内部ネットワークに侵入したとみられます。",
    "被害に遭われたお客様には個別にご連絡を差し上げております。",
    "同社は外部の専門家と協力して原因の究明と再発防止策の策定を進めるとしています。",
    "{jpmal}の感染を確認した場合は、ネットワークから端末を切り離すことが推奨されます。",
    "関係機関と連携し、被害の拡大防止に努めてまいります。",
    "今回の攻撃では{topic}の手口が使われたと報告されています。",
    "{country}の当局は、{actor}の関与を示す証拠を確認したと発表しました。",
    "多くの組織で対策が進んでいない実態が明らかになりました。",
]

JP_FALLBACK_FILLER = [
    "このオプションを指定すると、詳細な情報が標準出力に表示されます。",
    "設定ファイルが存在しない場合は、既定値が使用されます。",
    "ファイルの所有者とグループは変更されません。",
    "エラーが発生した場合、終了ステータスは 0 以外になります。",
    "この機能は以前のバージョンとの互換性のために残されています。",
    "環境変数が設定されていない場合は、ホームディレクトリが使われます。",
    "権限のないユーザーはこの操作を実行できません。",
    "処理は指定された順番に実行されます。",
    "詳しくは関連するマニュアルページを参照してください。",
    "入力が端末でない場合、この動作は無効になります。",
]

ASCII_VENDORS = [v for v in VENDORS if v.isascii()]
SECTOR_EN = ["healthcare", "manufacturing", "financial", "education", "energy", "telecommunications",
             "government", "retail", "logistics", "defense", "semiconductor", "aviation"]
COUNTRY_EN = ["Japan", "the United States", "Germany", "South Korea", "Taiwan", "Ukraine",
              "the United Kingdom", "France", "Australia", "India", "Brazil", "Canada"]
AGENCY_EN = ["CISA", "the FBI", "the NSA", "NCSC", "Europol", "JPCERT/CC", "BSI", "ENISA"]
MONTH_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"]
SITES = ["GitHub", "a Chinese-language forum", "Exploit-DB", "a researcher's blog", "Telegram"]

SECTIONS = [("事件、事故", 2, 6), ("攻撃、脅威", 5, 12), ("脆弱性", 5, 12), ("その他", 1, 5)]
SENT_END = set("すただるいうんよねぬずくぐつぶむ")

FOOTER = """Did you enjoy this issue? Yes No
Weekly newsletter of Kensaku Bench Desk

Kensaku Bench Desk: kensaku のベンチマーク用に生成した架空のニュースレターです。

In order to unsubscribe, click here.
If you were forwarded this newsletter and you like it, you can subscribe here.
Created with kensaku bench tools."""


# ---- width variants ------------------------------------------------------

def _half_width_map():
    """Full-width katakana -> half-width sequence, built by inverting NFKC."""
    m = {}
    for cp in range(0xFF66, 0xFF9E):
        h = chr(cp)
        full = unicodedata.normalize("NFKC", h)
        if len(full) == 1:
            m.setdefault(full, h)
        for mark in ("\uFF9E", "\uFF9F"):
            f2 = unicodedata.normalize("NFKC", h + mark)
            if len(f2) == 1:
                m.setdefault(f2, h + mark)
    m["ー"] = "\uFF70"
    return m


HALF = _half_width_map()


def to_half_width(s):
    return "".join(HALF.get(c, c) for c in s)


def to_full_width(s):
    out = []
    for c in s:
        o = ord(c)
        if 0x21 <= o <= 0x7E:
            out.append(chr(o + 0xFEE0))
        elif c == " ":
            out.append("\u3000")
        else:
            out.append(c)
    return "".join(out)


# ---- filler from manpages-ja ---------------------------------------------

ROFF_ESC = re.compile(r"\\f(\[[^\]]*\]|\(..|.)|\\\(..|\\\*(\(..|\[[^\]]*\]|.)|\\[&%|^ ~0]|\\s[-+]?\d+|\\[,/]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def manpage_sentences(root="/usr/share/man/ja"):
    files = sorted(glob.glob(os.path.join(root, "man*", "*.gz")))
    seen, out = set(), []
    for f in files:
        try:
            with gzip.open(f, "rb") as fh:
                raw = fh.read()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        para = []
        for line in text.split("\n") + ["."]:
            if line.startswith((".", "'")):
                joined = ""
                for p in para:
                    if joined and not (CJK.match(joined[-1]) or CJK.match(p[:1] or " ")):
                        joined += " "
                    joined += p
                para = []
                for sent in re.findall(r"[^。]*。", joined):
                    sent = sent.strip()
                    if not (15 <= len(sent) <= 90) or sent in seen:
                        continue
                    if len(sent) < 2 or sent[-2] not in SENT_END:
                        continue
                    if any(ch in sent for ch in '\\"\t<>{}[]|') or sent.startswith(("「", "『", "(", "（")):
                        continue
                    if len(CJK.findall(sent)) < 0.6 * len(sent):
                        continue
                    seen.add(sent)
                    out.append(sent)
                continue
            line = ROFF_ESC.sub("", line).replace("\\-", "-").replace("\\e", "").strip()
            if line:
                para.append(line)
    return out


# ---- the generator -------------------------------------------------------

class Gen:
    def __init__(self, seed, filler):
        self.r = random.Random(seed)
        self.filler = filler
        self.cves = []

    def cve(self):
        r = self.r
        if self.cves and r.random() < 0.35:  # recurring CVEs across issues
            return r.choice(self.cves)
        year = r.randint(2014, 2024)
        num = r.randint(1000, 49999) if r.random() < 0.8 else r.randint(100000, 199999)
        c = "CVE-%d-%04d" % (year, num)
        if len(self.cves) < 5000:
            self.cves.append(c)
        return c

    def vary_latin(self, name):
        """Full-width or case variants of a Latin name, a few percent of the time."""
        r = self.r.random()
        if r < 0.03:
            return to_full_width(name)
        if r < 0.05:
            return name.lower()
        if r < 0.06:
            return name.upper()
        return name

    def vary_kana(self, s):
        if self.r.random() < 0.04:
            for w in KATAKANA_WORDS:
                if w in s:
                    s = s.replace(w, to_half_width(w), 1)
                    break
        return s

    def fields(self, jp):
        r = self.r
        v = r.choice(VENDORS)
        v2 = r.choice(VENDORS)
        return dict(
            vendor=self.vary_latin(v) if jp else r.choice(ASCII_VENDORS), vendor2=v2,
            product=self.vary_latin(r.choice(PRODUCTS)) if jp else r.choice(
                [p for p in PRODUCTS if not CJK.search(p)]),
            actor=r.choice(ACTORS), malware=r.choice(MALWARE), jpmal=r.choice(JP_MALWARE),
            symbol=r.choice(SYMBOL_NAMES), vkind=r.choice(VULN_KINDS), cve=self.cve(),
            cve2=self.cve(), country=r.choice(COUNTRIES), sector=r.choice(SECTORS),
            company=r.choice(VENDORS) + r.choice(["", " Inc.", " Group", " Holdings"]),
            org=r.choice(ORGS_JP), impact=r.choice(IMPACTS).format(n=r.randint(2, 999) * 100),
            agency=r.choice(AGENCIES), agency2=r.choice(AGENCIES), topic=r.choice(TOPICS),
            report=r.choice(REPORTS), adj=r.choice(ADJ), pct=r.randint(5, 300),
            n=r.randint(2, 9000) * 10, n2=r.randint(2, 130), n3=r.randint(2, 12),
            sector_en=r.choice(SECTOR_EN), country_en=r.choice(COUNTRY_EN),
            agency_en=r.choice(AGENCY_EN), month_en=r.choice(MONTH_EN), year=r.randint(2009, 2023),
            ver="%d.%d.%d" % (r.randint(1, 20), r.randint(0, 9), r.randint(0, 30)),
            site=r.choice(SITES))

    def headline(self):
        r = self.r
        while True:
            h = r.choice(HEADLINES).format(**self.fields(True))
            h = self.vary_kana(h)
            if r.random() < 0.08 and not h.endswith("。") and h[-1] not in SENT_END:
                h += "。"
            if len(h) > 14:
                return h

    def en_paragraph(self):
        r = self.r
        k = r.choice((1, 1, 2, 2, 3))
        return " ".join(r.choice(EN_QUOTES).format(**self.fields(False)) for _ in range(k))

    def jp_sentence(self):
        r = self.r
        if self.filler and r.random() < 0.6:
            return r.choice(self.filler)
        if r.random() < 0.7:
            s = r.choice(JP_QUOTE_TEMPLATES).format(**self.fields(True))
            return self.vary_kana(s)
        return r.choice(JP_FALLBACK_FILLER)

    def quote(self):
        r = self.r
        if r.random() < 0.42:
            return None
        paras = []
        for _ in range(r.choice((1, 1, 1, 2, 2, 3))):
            if r.random() < 0.25:
                paras.append(self.jp_sentence())
            else:
                paras.append(self.en_paragraph())
        return paras


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--items", type=int, help="number of items (overrides --size)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--manpages", default="/usr/share/man/ja",
                    help="manpages-ja root for filler ('' to use only built-in filler)")
    a = ap.parse_args()
    target = a.items or SIZES[a.size]

    filler = manpage_sentences(a.manpages) if a.manpages and os.path.isdir(a.manpages) else []
    g = Gen(a.seed, filler)
    os.makedirs(os.path.join(a.out, "issues"), exist_ok=True)
    for old in glob.glob(os.path.join(a.out, "issues", "*.txt")):
        os.remove(old)

    import datetime
    base = datetime.date(2000, 1, 1)
    n_items = 0
    text_bytes = 0
    file_bytes = 0
    issue = 0
    with open(os.path.join(a.out, "items.jsonl"), "w", encoding="utf-8") as jf, \
            open(os.path.join(a.out, "truth-input.jsonl"), "w", encoding="utf-8") as tf:
        while n_items < target:
            issue += 1
            date = (base + datetime.timedelta(days=issue)).isoformat()
            lines = ["View profile", "", "週刊セキュリティニュース (bench) - Issue #%d" % issue, "",
                     "Date: " + date, "Weekly newsletter of Kensaku Bench Desk"]
            pos = 0
            for sec, lo, hi in SECTIONS:
                k = g.r.randint(lo, hi)
                k = min(k, target - n_items)
                if k <= 0:
                    continue
                lines.append(sec)
                for _ in range(k):
                    pos += 1
                    n_items += 1
                    title = g.headline()
                    q = g.quote()
                    lines.append(title)
                    if q:
                        lines.extend(q)
                    quote = "\n".join(q) if q else None
                    item = {"id": "%d-%d" % (issue, pos), "issue": issue, "position": pos,
                            "date": date, "section": sec, "title": title, "quote": quote}
                    jf.write(json.dumps(item, ensure_ascii=False) + "\n")
                    text = title + ("\n" + quote if quote else "")
                    tf.write(json.dumps({"id": item["id"], "text": text}, ensure_ascii=False) + "\n")
                    text_bytes += len(title.encode()) + (len(quote.encode()) if quote else 0)
            body = "\n".join(lines) + "\n" + FOOTER + "\n"
            data = body.encode("utf-8")
            file_bytes += len(data)
            with open(os.path.join(a.out, "issues", "issue-%d.txt" % issue), "wb") as fh:
                fh.write(data)
    meta = {"size": a.size, "seed": a.seed, "items": n_items, "issues": issue,
            "text_bytes": text_bytes, "file_bytes": file_bytes,
            "filler": "manpages-ja (%d sentences)" % len(filler) if filler else "built-in"}
    with open(os.path.join(a.out, "corpus-meta.json"), "w") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=1)
    print(json.dumps(meta, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
