/* test_words.c - word maps (indexer/store/words.h, private to the
 * library): a katakana loanword is one word with MeCab and three with ICU,
 * English gives an empty map, the item blob splits back into its columns,
 * and - the point - the map's positions are FTS5's own: checked against
 * the positions an fts5vocab 'instance' table reports for mixed Japanese,
 * English, symbols, full-width and half-width text. */
#include <stdlib.h>
#include <string.h>

#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/segment.h"
#include "kensaku/tokenizer.h"
#include "words.h"

static char path[64];

static const char *const g_mixed[] = {
    "ランサムウェア対策としてCVE-2021-44228を修正、Log4jの脆弱性",
    "ＡＢＣ株式会社のＷｉｎｄｏｗｓ１１向け更新（ＫＢ５０１２３４５）を配信",
    "ﾊﾟｽﾜｰﾄﾞ管理ｿﾌﾄの ｶﾞｲﾄﾞﾗｲﾝ ｶﾞ",
    "C++とC#、.NETやASP.NET、Yahoo! JAPANとLAPSUS$の攻撃 ㍿ テスト",
    "東京都の京都支社で不適切な設定、ガイドラインと生産ラインの違い",
    "日々の運用々 \xf0\x9f\x94\xa5ランサム 2.5.1版 v1.2 e-mail",
    "単",
    "The botnet is back.",
    "ｶﾞ",
};

/* The map of text as a string of bits "0111111" (one per position up to
 * the last set one). */
static const char *bits(struct ks_tok *tok, struct ks_seg *g, const char *text, char *out, size_t n)
{
	struct ks_buf b = {0};
	CHECK(ks_words_map(tok, g, text, (int)strlen(text), &b) == 0);
	size_t k = 0;
	for (size_t i = 0; i < b.len * 8 && k + 1 < n; i++)
		out[k++] = (b.p[i / 8] >> (i % 8)) & 1 ? '1' : '0';
	while (k > 0 && out[k - 1] == '0')
		k--;
	out[k] = 0;
	CHECK(b.len == 0 || b.p[b.len - 1] != 0); /* trailing zero bytes trimmed */
	ks_buf_free(&b);
	return out;
}

static void test_maps(void)
{
	struct ks_tok *tok = ks_tok_new();
	struct ks_seg *mecab = ks_seg_new(KS_SEG_MECAB), *icu = ks_seg_new(KS_SEG_ICU);
	char o[256];
	CHECK(tok && mecab && icu);
	if (!tok || !mecab || !icu)
		goto out;
	/* ラ ン サ ム ウ ェ ア 対 策: positions 0..8 */
	CHECK_STR(bits(tok, mecab, "ランサムウェア対策", o, sizeof o), "011111101");
	CHECK_STR(bits(tok, icu, "ランサムウェア対策", o, sizeof o), "010101101");
	/* English positions always start words: an empty map */
	CHECK_STR(bits(tok, mecab, "The botnet is back, C++ and .NET.", o, sizeof o), "");
	/* 東京 都 の 京都: the 京 of 京都 starts a word, the 京 of 東京都 does not */
	CHECK_STR(bits(tok, mecab, "東京都の京都", o, sizeof o), "010001");
	/* English words before take their positions: "log4j" is 0, "の" 1 */
	CHECK_STR(bits(tok, mecab, "log4j のランサムウェア", o, sizeof o), "000111111");
	/* ㍿ is four characters after NFKC, one word start */
	CHECK_STR(bits(tok, mecab, "㍿", o, sizeof o), "0111");
	/* the item blob: varint title length, title bitmap, quote bitmap */
	struct ks_buf b = {0};
	const unsigned char *t, *q;
	int nt, nq;
	CHECK(ks_words_item(tok, mecab, "ランサムウェア", "English only. 対策", &b) == 0);
	CHECK(ks_words_split((const unsigned char *)b.p, (int)b.len, &t, &nt, &q, &nq) == 0);
	CHECK(nt == 1 && t[0] == 0x7e);
	CHECK(nq == 1 && q[0] == 0x08); /* english only 対 策: 策 at position 3 */
	b.len = 0;
	CHECK(ks_words_item(tok, mecab, "English", NULL, &b) == 0 && b.len == 1 && b.p[0] == 0);
	CHECK(ks_words_split((const unsigned char *)b.p, (int)b.len, &t, &nt, &q, &nq) == 0);
	CHECK(nt == 0 && nq == 0);
	ks_buf_free(&b);
	/* malformed blobs are refused */
	CHECK(ks_words_split((const unsigned char *)"\x05\x01", 2, &t, &nt, &q, &nq) < 0);
	CHECK(ks_words_split((const unsigned char *)"\x85", 1, &t, &nt, &q, &nq) < 0);
	CHECK(ks_words_split(NULL, 0, &t, &nt, &q, &nq) < 0);
out:
	ks_seg_free(mecab);
	ks_seg_free(icu);
	ks_tok_free(tok);
}

/* ---- positions against FTS5 */

static int is_unigram(const char *term, int len)
{
	int k = 0;
	UChar32 c;
	U8_NEXT((const uint8_t *)term, k, len, c);
	if (c < 0 || k != len)
		return 0;
	return uscript_hasScript(c, USCRIPT_HAN) || uscript_hasScript(c, USCRIPT_HIRAGANA) ||
	       uscript_hasScript(c, USCRIPT_KATAKANA);
}

#define MAXU 256

/* The tokenizer's CJK unigrams in order (text, source offset), and
 * whether each is inside a word by the segmenter's starts (the rule of
 * words.h, computed here without counting positions). */
struct unis {
	struct ks_tok *tok;
	const int *starts;
	int n_starts, n, last;
	char text[MAXU][8];
	int inside[MAXU];
};

static int on_uni(void *ctx, const char *text, int len, int start, int end)
{
	struct unis *u = ctx;
	(void)end;
	if (ks_tok_colocated(u->tok) || !is_unigram(text, len) || u->n == MAXU || len >= 8)
		return 0;
	int word = 0;
	for (int i = 0; i < u->n_starts; i++)
		word |= u->starts[i] == start;
	memcpy(u->text[u->n], text, (size_t)len);
	u->text[u->n][len] = 0;
	u->inside[u->n++] = !(word && start != u->last);
	u->last = start;
	return 0;
}

/* Checks the map of text against FTS5's positions for row rowid of wt. */
static void against_fts5(sqlite3 *db, struct ks_tok *tok, struct ks_seg *g, const char *text,
			 int rowid)
{
	struct ks_buf b = {0};
	struct unis u = {0};
	int *starts = NULL, n = 0, last_off = -1, k = 0, bad = 0;
	CHECK(ks_words_map(tok, g, text, (int)strlen(text), &b) == 0);
	CHECK(ks_seg_starts(g, text, (int)strlen(text), &starts, &n) == 0);
	u.tok = tok, u.starts = starts, u.n_starts = n, u.last = -1;
	CHECK(ks_tok_run(tok, KS_TOK_DOCUMENT, text, (int)strlen(text), on_uni, &u) == 0);
	sqlite3_stmt *st = NULL;
	CHECK(sqlite3_prepare_v2(db, "SELECT term, offset FROM wv WHERE doc = ?1 ORDER BY offset",
				 -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int(st, 1, rowid);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *term = (const char *)sqlite3_column_text(st, 0);
		int len = sqlite3_column_bytes(st, 0), off = sqlite3_column_int(st, 1);
		int bit = (size_t)off / 8 < b.len && (b.p[off / 8] >> (off % 8)) & 1;
		if (off > last_off + 1)
			bad |= 1; /* FTS5 skipped a position */
		last_off = off > last_off ? off : last_off;
		if (!is_unigram(term, len)) {
			continue;
		}
		/* the k-th unigram FTS5 stores sits where the map has its bit */
		if (k >= u.n || strcmp(term, u.text[k]) || bit != u.inside[k])
			bad |= 2;
		k++;
	}
	sqlite3_finalize(st);
	/* every set bit is at a unigram FTS5 stores; none past its last position */
	for (size_t i = 0; i < b.len * 8; i++)
		if ((b.p[i / 8] >> (i % 8)) & 1 && (int)i > last_off)
			bad |= 4;
	if (bad || k != u.n)
		fprintf(stderr, "  mismatch (%d, %d of %d unigrams) in: %s\n", bad, k, u.n, text);
	CHECK(bad == 0 && k == u.n);
	free(starts);
	ks_buf_free(&b);
}

static void test_fts5_positions(void)
{
	struct ks_store *s = fx_open(path, "words");
	struct ks_tok *tok = ks_tok_new();
	struct ks_seg *segs[2] = {ks_seg_new(KS_SEG_MECAB), ks_seg_new(KS_SEG_ICU)};
	sqlite3 *db = s ? ks_store_db(s) : NULL;
	CHECK(db && tok && segs[0] && segs[1]);
	if (!db || !tok || !segs[0] || !segs[1])
		goto out;
	CHECK(sqlite3_exec(db,
			   "CREATE VIRTUAL TABLE wt USING fts5(x, tokenize='" KS_TOKENIZER_NAME
			   "'); CREATE VIRTUAL TABLE wv USING fts5vocab(wt, instance)",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_stmt *ins = NULL;
	CHECK(sqlite3_prepare_v2(db, "INSERT INTO wt(rowid, x) VALUES (?1, ?2)", -1, &ins, NULL) ==
	      SQLITE_OK);
	size_t n = sizeof g_mixed / sizeof g_mixed[0];
	for (size_t i = 0; ins && i < n; i++) {
		sqlite3_bind_int(ins, 1, (int)i + 1);
		sqlite3_bind_text(ins, 2, g_mixed[i], -1, SQLITE_STATIC);
		CHECK(sqlite3_step(ins) == SQLITE_DONE);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < n; i++)
			against_fts5(db, tok, segs[k], g_mixed[i], (int)i + 1);
out:
	ks_seg_free(segs[0]);
	ks_seg_free(segs[1]);
	ks_tok_free(tok);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_maps), TEST(test_fts5_positions))
