/* recall_check.c - does every query that is a substring of an item find it?
 *
 * Builds a real index file in a temp folder from the bundled sample archive
 * (sample/, through ks_build_index; a built-in issue when sample/ is
 * missing) plus a generated corpus of Japanese/English security headlines
 * and quotes (deterministic by --seed), then samples queries from the
 * indexed items' own text:
 *   cjk-1     one kana/kanji character (matched as a prefix of bigrams)
 *   cjk-2..6  2 to 6 consecutive characters of a kana/kanji run
 *   latin     a whole word (as ICU word break cuts it), sent in lower or
 *             upper case
 *   cve       a CVE id, sent as "CVE-2022-0609"
 *   variant   a latin word in full-width letters (ＱＮＡＰ) or a katakana
 *             substring in half-width forms (ﾗﾝｻﾑ)
 *   and       a kana/kanji substring and a latin word of one item: `a b`
 * Ground truth for a query is every item whose NFKC-casefolded
 * title + "\n" + quote holds the NFKC-casefolded query: as a substring for
 * kana/kanji, as a whole word (not glued to letters or digits, by the word
 * break rules for . ' : , _) for latin words and CVE ids; both parts for
 * "and". Each query runs
 * through ks_search_run, paged 100 at a time.
 *
 * Prints recall (share of ground-truth items returned; share of queries
 * that found the item they were taken from) and precision (share of
 * returned items in the ground truth) per class, the misses with the item
 * text and the FTS5 expression, and the least precise queries. Each class
 * is one check that passes when both recalls are 1.000 and every search
 * succeeded; one more check wants the pages of every query to add up to
 * r->total without repeats. Exits 0 when every check passes. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "kensaku/build.h"
#include "kensaku/ingest.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"

#ifndef KS_SOURCE_DIR
#define KS_SOURCE_DIR "."
#endif

#define SYN_FIRST_ISSUE 9001
#define PAGE KS_LIMIT_MAX
#define MAX_SHOWN 12 /* misses and imprecise queries printed per class */

/* ---- small helpers ------------------------------------------------------ */

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "recall: out of memory\n");
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "recall: out of memory\n");
		exit(1);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

/* A growable string; every append either fits or exits (out of memory). */
struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* Appends code point c as UTF-8. */
static void sb_cp(struct sbuf *b, UChar32 c)
{
	char o[4];
	size_t n;
	if (c < 0x80) {
		o[0] = (char)c, n = 1;
	} else if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6)), o[1] = (char)(0x80 | (c & 0x3F)), n = 2;
	} else if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12)), o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F)), n = 3;
	} else {
		o[0] = (char)(0xF0 | (c >> 18)), o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((c >> 6) & 0x3F)), o[3] = (char)(0x80 | (c & 0x3F)), n = 4;
	}
	sb_addn(b, o, n);
}

/* Deterministic xorshift64* generator. */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* A number in [0, n); n > 0. */
static size_t rnd_below(size_t n)
{
	return (size_t)(rnd() % n);
}

#define PICK(arr) ((arr)[rnd_below(sizeof(arr) / sizeof((arr)[0]))])

/* ---- normalization and character classes -------------------------------- */

/* NFKC_Casefold of UTF-8 s as a malloc'd UTF-32 array (*n code points).
 * Invalid UTF-8 becomes U+FFFD. Exits on ICU failure. */
static UChar32 *nfkc_cf32(const char *s, int32_t *n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&st);
	int32_t n16 = 0;
	u_strFromUTF8WithSub(NULL, 0, &n16, s, -1, 0xFFFD, NULL, &st);
	st = U_ZERO_ERROR;
	UChar *u = xmalloc(((size_t)n16 + 1) * sizeof *u);
	u_strFromUTF8WithSub(u, n16 + 1, NULL, s, -1, 0xFFFD, NULL, &st);
	int32_t cap = n16 * 18 + 1;
	UChar *v = xmalloc((size_t)cap * sizeof *v);
	int32_t nv = U_SUCCESS(st) ? unorm2_normalize(norm, u, n16, v, cap, &st) : 0;
	int32_t n32 = 0;
	UErrorCode st2 = U_ZERO_ERROR;
	u_strToUTF32(NULL, 0, &n32, v, nv, &st2);
	UChar32 *out = xmalloc(((size_t)n32 + 1) * sizeof *out);
	st2 = U_ZERO_ERROR;
	u_strToUTF32(out, n32 + 1, NULL, v, nv, &st2);
	if (U_FAILURE(st) || U_FAILURE(st2)) {
		fprintf(stderr, "recall: ICU normalization failed: %s\n", u_errorName(st));
		exit(1);
	}
	free(u);
	free(v);
	*n = n32;
	return out;
}

static int is_letter(UChar32 c)
{
	return !ks_tok_is_cjk(c) && (u_isalpha(c) || u_charType(c) == U_NON_SPACING_MARK ||
			      u_charType(c) == U_COMBINING_SPACING_MARK);
}

static int is_digit(UChar32 c)
{
	return u_isdigit(c);
}

/* Characters inside one word by themselves: letters, digits, '_'. */
static int is_wordch(UChar32 c)
{
	return is_letter(c) || is_digit(c) || c == '_';
}

/* 1 when mid glues a and b into one word (UAX #29 rules WB6/7, WB11/12:
 * MidLetter between letters, MidNum between digits, MidNumLet both). */
static int glues(UChar32 a, UChar32 mid, UChar32 b)
{
	int midnumlet = mid == '.' || mid == '\'' || mid == 0x2018 || mid == 0x2019 ||
			mid == 0x2024 || mid == 0xFE52;
	int midletter = mid == ':' || mid == 0x00B7 || mid == 0x0387 || mid == 0x2027 ||
			mid == 0xFE13 || mid == 0xFE55;
	int midnum = mid == ',' || mid == ';' || mid == 0x037E || mid == 0xFE10 || mid == 0xFE14 ||
		     mid == 0xFE50 || mid == 0xFE54;
	if (is_letter(a) && is_letter(b))
		return midnumlet || midletter;
	if (is_digit(a) && is_digit(b))
		return midnumlet || midnum;
	return 0;
}

/* 1 when nothing that joins a word touches t[i] from the left. */
static int free_left(const UChar32 *t, int32_t i)
{
	return i == 0 || (!is_wordch(t[i - 1]) && !(i >= 2 && glues(t[i - 2], t[i - 1], t[i])));
}

/* 1 when nothing that joins a word touches t[j - 1] from the right. */
static int free_right(const UChar32 *t, int32_t n, int32_t j)
{
	return j >= n || (!is_wordch(t[j]) && !(j + 1 < n && glues(t[j - 1], t[j], t[j + 1])));
}

/* 1 when t[i, j) is a whole word of t[0, n). */
static int whole_word(const UChar32 *t, int32_t n, int32_t i, int32_t j)
{
	return free_left(t, i) && free_right(t, n, j);
}

/* End of the word starting at t[i] (a word character). */
static int32_t word_end(const UChar32 *t, int32_t n, int32_t i)
{
	int32_t j = i;
	while (j < n) {
		if (is_wordch(t[j]))
			j++;
		else if (j > i && j + 1 < n && glues(t[j - 1], t[j], t[j + 1]))
			j += 2;
		else
			break;
	}
	return j;
}

/* ---- the corpus --------------------------------------------------------- */

struct item {
	long long issue;
	int position;
	char *text;  /* title + "\n" + quote, as indexed */
	UChar32 *nt; /* its NFKC_Casefold */
	int32_t nn;
};

struct corpus {
	struct item *v;
	size_t n;
	size_t n_sample; /* how many came from sample/ (or the built-in issue) */
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->issue != y->issue)
		return x->issue < y->issue ? -1 : 1;
	return (x->position > y->position) - (x->position < y->position);
}

/* Index of item issue-position, or -1. */
static long find_item(const struct corpus *c, long long issue, int position)
{
	struct item key = {.issue = issue, .position = position};
	const struct item *it = bsearch(&key, c->v, c->n, sizeof *c->v, item_cmp);
	return it ? (long)(it - c->v) : -1;
}

/* Used when sample/ is missing: one issue in the plain-text layout. */
static const char BUILTIN_ISSUE[] =
    "View profile\n\n"
    "週刊セキュリティニュースまとめ - Issue #1\n\n"
    "Date: 2022-03-27\n"
    "Weekly newsletter of Kensaku Recall Check\n"
    "事件、事故\n"
    "自治体のメール中継システムで設定不備による不正中継が発生\n"
    "攻撃、脅威\n"
    "QNAP 製 NAS を狙う Deadbolt ランサムウェアの活動が再び活発に\n"
    "Censys observed 869 newly infected services over three days.\n"
    "攻撃者グループ LAPSUS$ が Microsoft、Okta などのデータをリーク。\n"
    "Our investigation has found a single account had been compromised.\n"
    "脆弱性\n"
    "Google が Chrome のゼロデイ脆弱性 (CVE-2022-0609) を修正\n"
    "その他\n"
    "NISC がランサムウェアやエモテットの感染について注意喚起\n"
    "昨今のサイバー攻撃事案のリスクの高まりを踏まえ、注意喚起を行います。\n"
    "Did you enjoy this issue? Yes No\n";

/* Generated text: Japanese security vocabulary (kanji, katakana, hiragana)
 * and the Latin names readers search for, with width variants. */
/* clang-format off */
static const char *const JA_NOUN[] = {
	"ランサムウェア", "脆弱性", "不正アクセス", "情報漏えい", "攻撃者", "標的型攻撃",
	"フィッシング", "サプライチェーン攻撃", "注意喚起", "ゼロデイ脆弱性", "エモテット",
	"マルウェア", "認証情報", "個人情報", "不正ログイン", "改ざん", "脅威", "侵入", "感染",
	"被害", "暗号資産", "委託先", "子会社", "従業員", "顧客情報", "設定不備",
	"修正プログラム", "身代金", "二重恐喝", "内部不正", "踏み台", "遠隔操作", "乗っ取り",
	"総当たり攻撃", "偽サイト", "迷惑メール", "多要素認証", "ソースコード",
	"クラウドサービス", "ネットワーク機器", "リモートデスクトップ", "バックドア",
	"ボットネット", "ｾｷｭﾘﾃｨ更新", "ﾗﾝｻﾑｳｪｱ", "ﾌｨｯｼﾝｸﾞ", "ｴﾓﾃｯﾄ", "脆弱性診断",
	"サポート詐欺", "ウェブサイト", "データベース", "パスワード", "アカウント",
};
static const char *const JA_VERB[] = {
	"公開", "修正", "悪用", "公表", "発表", "確認", "報告", "注意喚起", "逮捕", "起訴",
	"警告", "流出", "発生", "停止", "復旧", "検知", "分析",
};
static const char *const JA_ORG[] = {
	"警察庁", "経済産業省", "総務省", "情報処理推進機構", "地方自治体",
	"大手自動車メーカー", "国立大学", "総合病院", "米国土安全保障省", "研究者", "開発元",
	"運営会社", "ｾｷｭﾘﾃｨ企業", "通信事業者",
};
static const char *const LATIN[] = {
	"LAPSUS$", "Emotet", "Conti", "LockBit", "QNAP", "Microsoft Exchange", "Log4Shell",
	"Spring4Shell", "C++", "Apache Log4j", "VMware", "Fortinet", "Citrix", "Chrome", "Okta",
	"Cisco", "Zimbra", "BlackCat", "Hive", "REvil", "JPCERT/CC", "CISA", "FBI", "NISC",
	"Follina", "ProxyShell", "WordPress", "OpenSSL", "GitHub", "npm", "PyPI", "ＱＮＡＰ",
	"ＬｏｃｋＢｉｔ", "Ｅｍｏｔｅｔ", "SonicWall", "F5 BIG-IP", "Atlassian Confluence",
	"Windows", "Active Directory", "Cobalt Strike", "IcedID", "Qakbot",
};
static const char *const PARTICLE[] = {
	"の", "が", "を", "に", "で", "と", "も", "から",
};
static const char *const EN_SUBJ[] = {
	"The attackers", "Researchers", "The vendor", "The group", "Investigators", "Our team",
	"The company", "Security teams", "The agency",
};
static const char *const EN_VERB[] = {
	"exploited", "patched", "observed", "reported", "disclosed", "targeted", "analyzed",
	"confirmed", "leaked", "abused", "mitigated", "detected",
};
static const char *const EN_OBJ[] = {
	"a remote code execution flaw", "the VPN appliance", "stolen credentials",
	"customer data", "the build server", "an authentication bypass", "phishing emails",
	"the update mechanism", "unpatched servers", "a heap buffer overflow",
	"the supply chain", "exposed NAS devices", "internal help desks",
	"a zero-day vulnerability", "the ransomware payload",
};
static const char *const EN_TAIL[] = {
	"last week", "in March", "within hours", "across Japan", "without user interaction",
	"since 2021", "before the fix", "on February 10", "using SIM swapping",
	"via malicious macros",
};
static const char *const SECTIONS[] = {
	"事件、事故", "攻撃、脅威", "脆弱性", "その他", "注意喚起",
};
/* clang-format on */

static void add_cve(struct sbuf *b)
{
	char s[32];
	int year = 2014 + (int)rnd_below(10);
	int digits = rnd_below(3) == 0 ? 5 : 4;
	unsigned num =
	    (unsigned)rnd_below(digits == 5 ? 90000 : 9000) + (digits == 5 ? 10000 : 1000);
	int n = snprintf(s, sizeof s, "CVE-%d-%u", year, num);
	if (n > 0 && (size_t)n < sizeof s)
		sb_add(b, s);
}

/* One generated headline. */
static void gen_title(struct sbuf *b)
{
	switch (rnd_below(6)) {
	case 0:
		sb_add(b, PICK(JA_ORG));
		sb_add(b, "が");
		sb_add(b, PICK(LATIN));
		sb_add(b, " の");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "について");
		sb_add(b, PICK(JA_VERB));
		break;
	case 1:
		sb_add(b, PICK(LATIN));
		sb_add(b, " に");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, " (");
		add_cve(b);
		sb_add(b, ")、");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "を");
		sb_add(b, PICK(JA_VERB));
		break;
	case 2:
		sb_add(b, PICK(JA_ORG));
		sb_add(b, "で");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "による");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "が");
		sb_add(b, PICK(JA_VERB));
		sb_add(b, "、");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, PICK(PARTICLE));
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "の可能性");
		break;
	case 3:
		sb_add(b, PICK(LATIN));
		sb_add(b, " を狙う");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "の活動が再び活発に。");
		break;
	case 4:
		sb_add(b, PICK(LATIN));
		sb_add(b, PICK(PARTICLE));
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "、");
		add_cve(b);
		sb_add(b, " ");
		sb_add(b, PICK(JA_VERB));
		break;
	default:
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, PICK(PARTICLE));
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "、");
		sb_add(b, PICK(JA_ORG));
		sb_add(b, "が");
		sb_add(b, PICK(JA_VERB));
		break;
	}
}

/* One generated quote paragraph: an English or a Japanese sentence. */
static void gen_quote(struct sbuf *b)
{
	if (rnd_below(3) == 0) {
		sb_add(b, PICK(JA_ORG));
		sb_add(b, "によると、");
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, PICK(PARTICLE));
		sb_add(b, PICK(JA_NOUN));
		sb_add(b, "が");
		sb_add(b, PICK(JA_VERB));
		sb_add(b, "されました。");
		return;
	}
	sb_add(b, PICK(EN_SUBJ));
	sb_add(b, " ");
	sb_add(b, PICK(EN_VERB));
	sb_add(b, " ");
	sb_add(b, PICK(EN_OBJ));
	sb_add(b, " in ");
	sb_add(b, PICK(LATIN));
	if (rnd_below(3) == 0) {
		sb_add(b, " (");
		add_cve(b);
		sb_add(b, ")");
	}
	sb_add(b, " ");
	sb_add(b, PICK(EN_TAIL));
	sb_add(b, rnd_below(4) ? "." : "; it's version 2.5.1, not 1,146.");
}

/* Fills b with n_issues generated issues of 8 to 15 items each. */
static void gen_batch(struct ks_batch *b, int n_issues)
{
	for (int i = 0; i < n_issues; i++) {
		struct ks_issue *is = ks_batch_add_issue(b);
		char date[16];
		if (!is)
			exit(1);
		is->number = SYN_FIRST_ISSUE + i;
		int n = snprintf(date, sizeof date, "2023-%02d-%02d", 1 + i % 12, 1 + i % 28);
		is->date = n > 0 && (size_t)n < sizeof date ? xstrdup(date) : NULL;
		size_t k = 8 + rnd_below(8);
		for (size_t j = 0; j < k; j++) {
			struct ks_item *it = ks_issue_add_item(is);
			struct sbuf t = {0}, q = {0};
			if (!it)
				exit(1);
			it->section = xstrdup(PICK(SECTIONS));
			gen_title(&t);
			it->title = t.p;
			for (size_t p = rnd_below(3); p > 0; p--) {
				if (q.n)
					sb_add(&q, "\n");
				gen_quote(&q);
			}
			it->quote = q.p; /* NULL when no paragraph */
		}
	}
}

/* Removes the files of dir (no subfolders are made there) and dir. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char p[1024];
		int n = snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && n > 0 && (size_t)n < sizeof p)
			unlink(p);
	}
	if (d)
		closedir(d);
	if (rmdir(dir) != 0)
		fprintf(stderr, "recall: could not remove %s: %s\n", dir, strerror(errno));
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes the built-in issue to dir/issue-1.txt; returns its path. */
static char *write_builtin(const char *dir)
{
	char path[1024];
	int n = snprintf(path, sizeof path, "%s/issue-1.txt", dir);
	FILE *f = n > 0 && (size_t)n < sizeof path ? fopen(path, "w") : NULL;
	if (!f ||
	    fwrite(BUILTIN_ISSUE, 1, sizeof BUILTIN_ISSUE - 1, f) != sizeof BUILTIN_ISSUE - 1 ||
	    fclose(f) != 0) {
		fprintf(stderr, "recall: cannot write %s\n", path);
		exit(1);
	}
	return xstrdup(path);
}

/* Builds the index at db from sample_dir (or the built-in issue) and the
 * generated corpus, and opens it. Exits on failure. */
static struct ks_store *build(const char *db, const char *tmp, const char *sample_dir, int n_issues)
{
	struct ks_err err = {""};
	struct ks_build_report rep;
	struct ks_build_opts o = {.db = db, .fmt = KS_FMT_AUTO, .log = stderr};
	char *path = is_dir(sample_dir) ? xstrdup(sample_dir) : write_builtin(tmp);
	if (!is_dir(sample_dir))
		printf("note: %s is missing; using a built-in issue instead\n", sample_dir);
	memset(&rep, 0, sizeof rep);
	int rc = ks_build_index(&o, &path, 1, &rep, &err);
	if (rc != KS_OK && rc != KS_ERR_PARSE) {
		fprintf(stderr, "recall: indexing %s failed: %s: %s\n", path, ks_rc_name(rc),
			err.msg);
		exit(1);
	}
	if (rc == KS_ERR_PARSE)
		printf("note: some files of %s were malformed (see above)\n", path);
	printf("indexed %s: %ld files, %lld items\n", path, rep.files_indexed, rep.items);
	free(path);

	struct ks_store *s = NULL;
	if ((rc = ks_store_open(db, 0, &s, &err)) != KS_OK) {
		fprintf(stderr, "recall: opening %s: %s\n", db, err.msg);
		exit(1);
	}
	struct ks_batch b = {0};
	gen_batch(&b, n_issues);
	if ((rc = ks_store_begin(s, &err)) != KS_OK ||
	    (rc = ks_store_put_source(s, "/recall/generated", "0", &b, &err)) != KS_OK ||
	    (rc = ks_store_commit(s, &err)) != KS_OK) {
		fprintf(stderr, "recall: writing the generated corpus: %s\n", err.msg);
		exit(1);
	}
	printf("generated %d issues, %zu items\n", n_issues, ks_batch_count_items(&b));
	ks_batch_clear(&b);
	return s;
}

/* Reads every item back from the index, so the ground truth is what was
 * indexed, whatever the parsers made of the files. */
static void load_corpus(struct ks_store *s, struct corpus *c)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = ks_store_db(s);
	if (sqlite3_prepare_v2(db, "SELECT issue, position, title, quote FROM items", -1, &st,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "recall: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	size_t cap = 0;
	memset(c, 0, sizeof *c);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->v = xrealloc(c->v, cap * sizeof *c->v);
		}
		struct item *it = &c->v[c->n++];
		struct sbuf t = {0};
		const char *title = (const char *)sqlite3_column_text(st, 2);
		const char *quote = (const char *)sqlite3_column_text(st, 3);
		it->issue = sqlite3_column_int64(st, 0);
		it->position = sqlite3_column_int(st, 1);
		sb_add(&t, title ? title : "");
		sb_add(&t, "\n");
		sb_add(&t, quote ? quote : "");
		it->text = t.p;
		it->nt = nfkc_cf32(it->text, &it->nn);
		if (it->issue < SYN_FIRST_ISSUE)
			c->n_sample++;
	}
	sqlite3_finalize(st);
	qsort(c->v, c->n, sizeof *c->v, item_cmp);
}

/* ---- queries -------------------------------------------------------------- */

enum qclass { Q_CJK1, Q_CJK, Q_LATIN, Q_CVE, Q_VARIANT, Q_AND, N_CLASSES };
static const char *const CLASS_NAME[N_CLASSES] = {"cjk-1", "cjk-2..6", "latin",
						  "cve",   "variant",  "and"};
static const int CLASS_WANT[N_CLASSES] = {150, 450, 300, 120, 150, 100};

/* One query: one part, or (class "and") two parts joined by a space, each
 * with its own ground-truth rule. */
struct query {
	enum qclass cls;
	char *part[2]; /* as sent; part[1] is NULL for one part */
	int word[2];   /* ground truth by whole words, not substrings */
	char *text;    /* the parts joined by a space */
	size_t src;    /* the item it was taken from */
	/* results */
	long gt, found_gt, returned;
	int src_found, error, paging_bad;
	char *fts;
	long first_miss; /* an item of the ground truth not returned, or -1 */
};

struct qset {
	struct query *v;
	size_t n, cap;
};

static int seen_query(const struct qset *qs, enum qclass cls, const char *text)
{
	for (size_t i = 0; i < qs->n; i++)
		if (qs->v[i].cls == cls && !strcmp(qs->v[i].text, text))
			return 1;
	return 0;
}

/* Adds a query of parts p0 (and p1 unless NULL), taking them over; a
 * query already in qs is dropped. */
static void add_query(struct qset *qs, enum qclass cls, char *p0, int w0, char *p1, int w1,
		      size_t src)
{
	struct sbuf t = {0};
	sb_add(&t, p0);
	if (p1) {
		sb_add(&t, " ");
		sb_add(&t, p1);
	}
	if (seen_query(qs, cls, t.p)) {
		free(t.p);
		free(p0);
		free(p1);
		return;
	}
	if (qs->n == qs->cap) {
		qs->cap = qs->cap ? qs->cap * 2 : 1024;
		qs->v = xrealloc(qs->v, qs->cap * sizeof *qs->v);
	}
	struct query *q = &qs->v[qs->n++];
	memset(q, 0, sizeof *q);
	q->cls = cls;
	q->part[0] = p0, q->word[0] = w0;
	q->part[1] = p1, q->word[1] = w1;
	q->text = t.p;
	q->src = src;
	q->first_miss = -1;
}

/* Half-width form of a katakana letter as UTF-8 ("" when it has none):
 * voiced and semi-voiced letters take a separate ﾞ or ﾟ. */
static const char *halfwidth_kana(UChar32 c)
{
	static const char *const hw[] = {
	    /* U+30A1 ァ .. U+30F6 ヶ */
	    "ｧ",  "ｱ",	"ｨ",  "ｲ",  "ｩ",  "ｳ",	"ｪ",  "ｴ", "ｫ",	 "ｵ",  "ｶ",  "ｶﾞ", "ｷ",	 "ｷﾞ", "ｸ",
	    "ｸﾞ", "ｹ",	"ｹﾞ", "ｺ",  "ｺﾞ", "ｻ",	"ｻﾞ", "ｼ", "ｼﾞ", "ｽ",  "ｽﾞ", "ｾ",  "ｾﾞ", "ｿ",  "ｿﾞ",
	    "ﾀ",  "ﾀﾞ", "ﾁ",  "ﾁﾞ", "ｯ",  "ﾂ",	"ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ",  "ﾄﾞ", "ﾅ",  "ﾆ",	 "ﾇ",  "ﾈ",
	    "ﾉ",  "ﾊ",	"ﾊﾞ", "ﾊﾟ", "ﾋ",  "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ",  "ﾍﾞ", "ﾍﾟ", "ﾎ",  "ﾎﾞ",
	    "ﾎﾟ", "ﾏ",	"ﾐ",  "ﾑ",  "ﾒ",  "ﾓ",	"ｬ",  "ﾔ", "ｭ",	 "ﾕ",  "ｮ",  "ﾖ",  "ﾗ",	 "ﾘ",  "ﾙ",
	    "ﾚ",  "ﾛ",	"",   "ﾜ",  "",	  "",	"ｦ",  "ﾝ", "ｳﾞ", "",   ""};
	if (c == 0x30FC)
		return "ｰ";
	if (c >= 0x30A1 && c <= 0x30F6)
		return hw[c - 0x30A1];
	return "";
}

/* A query of class cls (not Q_AND) taken from the normalized text t of
 * one item at a random position: a malloc'd string, or NULL when nothing
 * of that class is at that position. *word tells the ground-truth rule. */
static char *sample_part(const UChar32 *t, int32_t n, enum qclass cls, int *word)
{
	struct sbuf b = {0};
	if (n == 0)
		return NULL;
	int32_t at = (int32_t)rnd_below((size_t)n);
	*word = 0;
	if (cls == Q_CJK1 || cls == Q_CJK || (cls == Q_VARIANT && rnd_below(2))) {
		/* 1 to 6 characters of the kana/kanji run around a random position */
		if (!ks_tok_is_cjk(t[at]))
			return NULL;
		int32_t rs = at, re = at;
		while (rs > 0 && ks_tok_is_cjk(t[rs - 1]))
			rs--;
		while (re < n && ks_tok_is_cjk(t[re]))
			re++;
		int32_t len = cls == Q_CJK1 ? 1 : 2 + (int32_t)rnd_below(5);
		if (len > re - rs)
			return NULL;
		int32_t s = rs + (int32_t)rnd_below((size_t)(re - rs - len + 1));
		for (int32_t k = s; k < s + len; k++) {
			if (cls != Q_VARIANT) {
				sb_cp(&b, t[k]);
				continue;
			}
			const char *h = halfwidth_kana(t[k]);
			if (!*h) { /* not katakana */
				free(b.p);
				return NULL;
			}
			sb_add(&b, h);
		}
		return b.p;
	}
	*word = 1;
	if (cls == Q_LATIN || cls == Q_VARIANT) {
		/* the whole word at a random position, when it is ASCII */
		if (!is_wordch(t[at]))
			return NULL;
		int32_t s = -1, e = 0;
		for (int32_t k = 0; k < n && s < 0;) {
			if (!is_wordch(t[k])) {
				k++;
				continue;
			}
			e = word_end(t, n, k);
			if (at >= k && at < e)
				s = k;
			k = e;
		}
		int ascii = s >= 0 && e - s <= 40, alnum = 0;
		for (int32_t k = s; ascii && k < e; k++) {
			ascii &= t[k] < 0x80;
			alnum |= t[k] < 0x80 && (u_isalnum(t[k]) != 0);
		}
		if (!ascii || !alnum)
			return NULL;
		int upper = rnd_below(2) == 0;
		for (int32_t k = s; k < e; k++) {
			UChar32 ch = upper && t[k] >= 'a' && t[k] <= 'z' ? t[k] - 32 : t[k];
			if (cls == Q_VARIANT && ch > 0x20 && ch < 0x7F)
				ch += 0xFEE0; /* the full-width form */
			sb_cp(&b, ch);
		}
		return b.p;
	}
	/* the first CVE id from a random position on, wrapping around */
	static const UChar32 cve[] = {'c', 'v', 'e', '-'};
	for (int32_t step = 0, k = at; step < n; step++, k = (k + 1) % n) {
		if (k + 8 > n || memcmp(t + k, cve, sizeof cve) != 0 || !free_left(t, k))
			continue;
		int32_t d = k + 4, y = 0, m = 0;
		while (d < n && t[d] >= '0' && t[d] <= '9')
			d++, y++;
		if (y != 4 || d >= n || t[d] != '-')
			continue;
		for (d++; d < n && t[d] >= '0' && t[d] <= '9'; d++)
			m++;
		if (m < 4 || !free_right(t, n, d))
			continue;
		for (int32_t j = k; j < d; j++)
			sb_cp(&b, t[j] >= 'a' && t[j] <= 'z' ? t[j] - 32 : t[j]);
		return b.p;
	}
	return NULL;
}

/* Samples up to want distinct queries of class cls from random items;
 * class "and" pairs a kana/kanji substring with a latin word of the same
 * item. */
static void sample_class(struct qset *qs, const struct corpus *c, enum qclass cls, int want)
{
	size_t start = qs->n;
	for (long tries = 0; (int)(qs->n - start) < want && tries < 200L * want; tries++) {
		size_t src = rnd_below(c->n);
		const struct item *it = &c->v[src];
		int w0 = 0, w1 = 0;
		if (cls != Q_AND) {
			char *p = sample_part(it->nt, it->nn, cls, &w0);
			if (p)
				add_query(qs, cls, p, w0, NULL, 0, src);
			continue;
		}
		char *p0 = NULL, *p1 = NULL;
		for (int k = 0; k < 50 && !p0; k++)
			p0 = sample_part(it->nt, it->nn, Q_CJK, &w0);
		for (int k = 0; k < 50 && p0 && !p1; k++)
			p1 = sample_part(it->nt, it->nn, Q_LATIN, &w1);
		if (p0 && p1)
			add_query(qs, cls, p0, w0, p1, w1, src);
		else
			free(p0);
	}
}

/* 1 when the normalized text t holds q (substring, or whole word). */
static int holds(const UChar32 *t, int32_t n, const UChar32 *q, int32_t m, int word)
{
	if (m == 0 || m > n)
		return 0;
	for (int32_t i = 0; i + m <= n; i++) {
		if (t[i] != q[0] || memcmp(t + i, q, (size_t)m * sizeof *q) != 0)
			continue;
		if (!word || whole_word(t, n, i, i + m))
			return 1;
	}
	return 0;
}

/* Runs q page by page and scores it against the ground truth. */
static void run_query(struct ks_store *s, const struct corpus *c, struct query *q,
		      unsigned char *gt, unsigned char *got)
{
	int32_t m[2] = {0, 0};
	UChar32 *nq[2] = {NULL, NULL};
	for (int k = 0; k < 2 && q->part[k]; k++)
		nq[k] = nfkc_cf32(q->part[k], &m[k]);
	for (size_t i = 0; i < c->n; i++) {
		const struct item *it = &c->v[i];
		gt[i] = 1;
		for (int k = 0; k < 2 && nq[k]; k++)
			gt[i] &= (unsigned char)holds(it->nt, it->nn, nq[k], m[k], q->word[k]);
		got[i] = 0;
		q->gt += gt[i];
	}
	free(nq[0]);
	free(nq[1]);

	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = q->text;
	p.limit = PAGE;
	long long total = -1;
	long distinct = 0;
	for (;;) {
		struct ks_err err = {""};
		struct ks_result *r = NULL;
		int rc = ks_search_params_check(&p, &err);
		if (rc == KS_OK)
			rc = ks_search_run(s, &p, &r, &err);
		if (rc != KS_OK) {
			fprintf(stderr, "recall: query [%s] offset %d: %s: %s\n", q->text, p.offset,
				ks_rc_name(rc), err.msg);
			q->error = 1;
			return;
		}
		if (!q->fts && r->fts)
			q->fts = xstrdup(r->fts);
		if (total < 0)
			total = r->total;
		else if (total != r->total)
			q->paging_bad = 1;
		for (size_t i = 0; i < r->n_hits; i++) {
			long k = find_item(c, r->hits[i].issue, r->hits[i].position);
			if (k < 0 || got[k]) {
				q->paging_bad = 1;
				continue;
			}
			got[k] = 1;
			distinct++;
		}
		size_t n_hits = r->n_hits;
		ks_result_free(r);
		if (n_hits == 0 || p.offset + (long long)n_hits >= total ||
		    p.offset + PAGE > KS_OFFSET_MAX)
			break;
		p.offset += PAGE;
	}
	if (distinct != total)
		q->paging_bad = 1;
	for (size_t i = 0; i < c->n; i++) {
		q->returned += got[i];
		q->found_gt += got[i] && gt[i];
		if (gt[i] && !got[i] && q->first_miss < 0)
			q->first_miss = (long)i;
	}
	q->src_found = got[q->src];
}

/* ---- the report ------------------------------------------------------------ */

static double ratio(long a, long b)
{
	return b ? (double)a / (double)b : 1.0;
}

static double precision(const struct query *q)
{
	return ratio(q->found_gt, q->returned);
}

static void print_text(const char *label, const char *s)
{
	size_t n = strlen(s);
	printf("      %s%.*s%s\n", label, (int)(n > 400 ? 400 : n), s, n > 400 ? " ..." : "");
}

static void print_miss(const struct corpus *c, const struct query *q)
{
	long k = q->src_found ? q->first_miss : (long)q->src;
	const struct item *it = &c->v[k];
	printf("    MISS [%s]: %ld of %ld items found, %s %lld-%d not found\n", q->text,
	       q->found_gt, q->gt, q->src_found ? "item" : "source item", it->issue, it->position);
	print_text("fts:  ", q->fts ? q->fts : "(none)");
	print_text("text: ", it->text);
}

static int by_precision(const void *a, const void *b)
{
	double x = precision(*(struct query *const *)a), y = precision(*(struct query *const *)b);
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 20220327;
	int n_issues = 30, keep = 0, failed = 0, passed = 0;
	const char *sample_dir = KS_SOURCE_DIR "/sample";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--issues") && i + 1 < argc)
			n_issues = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sample") && i + 1 < argc)
			sample_dir = argv[++i];
		else if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else {
			fprintf(stderr,
				"usage: %s [--seed N] [--issues N] [--sample DIR] [--keep]\n",
				argv[0]);
			return 2;
		}
	}
	if (n_issues < 1 || n_issues > 10000) {
		fprintf(stderr, "recall: --issues must be 1..10000\n");
		return 2;
	}
	rng_state ^= seed * 0x9E3779B97F4A7C15ULL;
	if (!rng_state)
		rng_state = 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	const char *tmpdir = getenv("TMPDIR");
	char tmp[512], db[600];
	int w =
	    snprintf(tmp, sizeof tmp, "%s/ks-recall-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (w < 0 || (size_t)w >= sizeof tmp || !mkdtemp(tmp)) {
		fprintf(stderr, "recall: cannot make a temp folder: %s\n", strerror(errno));
		return 1;
	}
	w = snprintf(db, sizeof db, "%s/recall.db", tmp);
	if (w < 0 || (size_t)w >= sizeof db)
		return 1;
	printf("recall check: seed %llu, index %s\n", seed, db);

	struct ks_store *s = build(db, tmp, sample_dir, n_issues);
	struct corpus c;
	load_corpus(s, &c);
	printf("%zu items in the index (%zu from the archive, %zu generated)\n", c.n, c.n_sample,
	       c.n - c.n_sample);
	if (c.n == 0) {
		fprintf(stderr, "recall: nothing was indexed\n");
		return 1;
	}

	struct qset qs = {0};
	for (int k = 0; k < N_CLASSES; k++)
		sample_class(&qs, &c, (enum qclass)k, CLASS_WANT[k]);
	unsigned char *gt = xmalloc(c.n), *got = xmalloc(c.n);
	for (size_t i = 0; i < qs.n; i++)
		run_query(s, &c, &qs.v[i], gt, got);

	printf("\n%-10s %7s %10s %13s %13s %10s\n", "class", "queries", "gt items", "recall(items)",
	       "recall(source)", "precision");
	long all_q = 0, paging_bad = 0;
	for (int k = 0; k < N_CLASSES; k++) {
		long nq = 0, gt_n = 0, found = 0, src = 0, ret = 0, errors = 0;
		for (size_t i = 0; i < qs.n; i++) {
			const struct query *q = &qs.v[i];
			if ((int)q->cls != k)
				continue;
			nq++, gt_n += q->gt, found += q->found_gt, src += q->src_found;
			ret += q->returned, errors += q->error;
			paging_bad += q->paging_bad;
		}
		all_q += nq;
		printf("%-10s %7ld %10ld %13.3f %13.3f %10.3f%s\n", CLASS_NAME[k], nq, gt_n,
		       ratio(found, gt_n), ratio(src, nq), ratio(found, ret),
		       errors ? "  (search errors)" : "");
	}
	printf("%-10s %7ld\n", "total", all_q);

	for (int k = 0; k < N_CLASSES; k++) {
		struct query **v = xmalloc(qs.n * sizeof *v);
		size_t nv = 0, misses = 0, nq = 0;
		int ok = 1;
		for (size_t i = 0; i < qs.n; i++) {
			struct query *q = &qs.v[i];
			if ((int)q->cls != k)
				continue;
			nq++;
			if (q->error || !q->src_found || q->found_gt < q->gt) {
				ok = 0;
				if (misses++ < MAX_SHOWN && !q->error)
					print_miss(&c, q);
			}
			if (precision(q) < 1.0)
				v[nv++] = q;
		}
		qsort(v, nv, sizeof *v, by_precision);
		if (nv)
			printf("\n  %s: %zu queries return items without the text; the worst:\n",
			       CLASS_NAME[k], nv);
		for (size_t i = 0; i < nv && i < MAX_SHOWN; i++)
			printf("    [%s] precision %.3f (%ld of %ld returned items hold it)  fts: "
			       "%s\n",
			       v[i]->text, precision(v[i]), v[i]->found_gt, v[i]->returned,
			       v[i]->fts ? v[i]->fts : "(none)");
		free(v);
		if (nq < (size_t)CLASS_WANT[k] / 2) {
			printf("  %s: only %zu distinct queries could be sampled\n", CLASS_NAME[k],
			       nq);
			ok = 0;
		}
		printf("%s: recall %s (%zu queries)\n", ok ? "PASS" : "FAIL", CLASS_NAME[k], nq);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("%s: paging adds up to r->total without repeats (%ld queries off)\n",
	       paging_bad ? "FAIL" : "PASS", paging_bad);
	if (paging_bad)
		failed++;
	else
		passed++;

	for (size_t i = 0; i < qs.n; i++) {
		free(qs.v[i].text);
		free(qs.v[i].part[0]);
		free(qs.v[i].part[1]);
		free(qs.v[i].fts);
	}
	free(qs.v);
	free(gt);
	free(got);
	for (size_t i = 0; i < c.n; i++) {
		free(c.v[i].text);
		free(c.v[i].nt);
	}
	free(c.v);
	ks_store_close(s);
	if (!keep)
		remove_tree(tmp);
	else
		printf("kept %s\n", db);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("time: %.1f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
