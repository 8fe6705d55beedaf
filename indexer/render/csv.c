/* csv.c - one page of an export (csv.h).
 *
 * A page walks the matching rowids from its cursor's key onwards and stops
 * as soon as it holds limit + 1 of them (the extra one says whether more
 * remain): date sorts read no more of the doclists than the page needs. A
 * relevance page has to score every match and keeps the best limit + 1 of
 * those ranking below the key in a heap. Only the page's rows are read.
 *
 * Cursor: "1.<sort>.<watermark>.<key>.<check>", sort n|o|r, the key a rowid
 * (date sorts) or "<score bits in hex>.<rowid>" (relevance), check the
 * first 32 hex digits of an HMAC-SHA256, under a secret kept in the index,
 * of the key, the watermark, the query, its filters, the sort and the
 * index's generation: a client can neither forge nor alter a cursor. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kensaku/build.h"
#include "kensaku/csv.h"
#include "kensaku/buf.h"
#include "rowid.h"
#include "hit.h"
#include "scan.h"
#include "topk.h"

/* One field: formula guard for text fields, then RFC 4180 quoting. */
static void field(struct ks_buf *b, const char *s, int guard)
{
	if (!s)
		s = "";
	int g = guard && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
			  s[0] == '\t' || s[0] == '\r');
	int q = strpbrk(s, ",\"\r\n") != NULL;
	if (q)
		ks_buf_add(b, "\"", 1);
	if (g)
		ks_buf_add(b, "'", 1);
	for (const char *p = s; *p;) {
		const char *e = q ? strchr(p, '"') : NULL;
		if (!e) {
			ks_buf_str(b, p);
			break;
		}
		ks_buf_add(b, p, (size_t)(e - p) + 1);
		ks_buf_add(b, "\"", 1);
		p = e + 1;
	}
	if (q)
		ks_buf_add(b, "\"", 1);
}

static void row(struct ks_buf *b, const struct ks_hit *h, double score)
{
	char num[64];
	field(b, h->id, 1);
	snprintf(num, sizeof num, ",%lld,", h->issue);
	ks_buf_str(b, num);
	field(b, h->date, 1);
	ks_buf_add(b, ",", 1);
	field(b, h->section, 1);
	ks_buf_add(b, ",", 1);
	field(b, h->title, 1);
	ks_buf_add(b, ",", 1);
	field(b, h->quote, 1);
	ks_buf_add(b, ",", 1);
	field(b, h->url, 1);
	snprintf(num, sizeof num, ",%.6g\r\n", score);
	ks_buf_str(b, num);
}

/* ---- cursors ------------------------------------------------------------ */

#define KS_CSV_KEY_BYTES 32
#define KS_CSV_CHECK_HEX 32

struct key {
	char sort; /* 'n' newest, 'o' oldest, 'r' relevance */
	long long wm;
	sqlite3_int64 rowid;
	double score;
};

/* What a cursor is bound to besides the request: the index build and its
 * secret. */
struct cursor_ctx {
	const char *gen;
	unsigned char key[KS_CSV_KEY_BYTES];
};

static uint64_t score_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

/* The index's MAC key (KS_META_MAC_KEY) as bytes. An index made before
 * it existed and not yet opened by a writer has none: such a server keys
 * its cursors with a random key of its own process (valid until it
 * restarts). */
static pthread_once_t g_proc_key_once = PTHREAD_ONCE_INIT;
static unsigned char g_proc_key[KS_CSV_KEY_BYTES];
static int g_proc_key_ok;

static void make_proc_key(void)
{
	g_proc_key_ok = getrandom(g_proc_key, sizeof g_proc_key, 0) == (ssize_t)sizeof g_proc_key;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int mac_key(struct ks_store *s, unsigned char key[KS_CSV_KEY_BYTES], struct ks_err *err)
{
	char *hex = NULL;
	int rc = ks_store_meta_get(s, KS_META_MAC_KEY, &hex, err);
	if (rc != KS_OK)
		return rc;
	if (hex && strlen(hex) == 2 * KS_CSV_KEY_BYTES) {
		for (size_t i = 0; i < KS_CSV_KEY_BYTES && rc == KS_OK; i++) {
			int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
			if (hi < 0 || lo < 0)
				rc = ks_err_set(err, KS_ERR_CORRUPT,
						"[csv] the index's MAC key is malformed");
			key[i] = (unsigned char)(hi << 4 | lo);
		}
		free(hex);
		return rc;
	}
	free(hex);
	pthread_once(&g_proc_key_once, make_proc_key);
	if (!g_proc_key_ok)
		return ks_err_set(err, KS_ERR_IO, "[csv] no random bytes for a cursor key");
	memcpy(key, g_proc_key, KS_CSV_KEY_BYTES);
	return KS_OK;
}

/* The check of a cursor: HMAC-SHA256 under the index's secret of what it
 * was made for (the key, the watermark, the query, its filters, the sort
 * and the index's generation), first 128 bits in hex. */
static int check_of(const struct ks_search_params *p, const struct cursor_ctx *cc,
		    const struct key *k, char out[KS_CSV_CHECK_HEX + 1])
{
	const char *parts[] = {cc->gen ? cc->gen : "",	     p->q ? p->q : "",
			       p->section ? p->section : "", p->from ? p->from : "",
			       p->to ? p->to : "",	     p->entity ? p->entity : ""};
	char tail[128];
	snprintf(tail, sizeof tail, "%d\x1f%c\x1f%lld\x1f%lld\x1f%016llx", p->expand ? 1 : 0,
		 k->sort, k->wm, (long long)k->rowid,
		 (unsigned long long)(k->sort == 'r' ? score_bits(k->score) : 0));
	struct ks_buf b = {0};
	ks_buf_str(&b, "kensaku-csv-2");
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		ks_buf_add(&b, "\x1f", 1);
		ks_buf_str(&b, parts[i]);
	}
	ks_buf_add(&b, "\x1f", 1);
	ks_buf_str(&b, tail);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	int ok = !b.oom && HMAC(EVP_sha256(), cc->key, KS_CSV_KEY_BYTES, (const unsigned char *)b.p,
				b.len, mac, &mac_len) != NULL;
	ks_buf_free(&b);
	if (!ok || mac_len < KS_CSV_CHECK_HEX / 2)
		return -1;
	for (size_t i = 0; i < KS_CSV_CHECK_HEX / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

static int encode(const struct ks_search_params *p, const struct cursor_ctx *cc,
		  const struct key *k, char out[KS_CSV_CURSOR_MAX + 1])
{
	char chk[KS_CSV_CHECK_HEX + 1];
	if (check_of(p, cc, k, chk) < 0)
		return -1;
	int n;
	if (k->sort == 'r')
		n = snprintf(out, KS_CSV_CURSOR_MAX + 1, "1.r.%lld.%016llx.%lld.%s", k->wm,
			     (unsigned long long)score_bits(k->score), (long long)k->rowid, chk);
	else
		n = snprintf(out, KS_CSV_CURSOR_MAX + 1, "1.%c.%lld.%lld.%s", k->sort, k->wm,
			     (long long)k->rowid, chk);
	return n > 0 && n <= KS_CSV_CURSOR_MAX ? 0 : -1;
}

/* Reads a non-negative decimal int64 ended by '.'; NULL if there is none. */
static const char *dec(const char *s, long long *out)
{
	long long v = 0;
	int n = 0;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return NULL;
		v = v * 10 + (*s - '0');
	}
	if (!n || *s != '.')
		return NULL;
	*out = v;
	return s + 1;
}

/* 1 when k's numbers are ones a page of ours can hold: a rowid another
 * page can resume from without overflow, a watermark within the sequence
 * range, a finite score. */
static int key_in_range(const struct key *k)
{
	return k->rowid >= 1 && k->rowid < INT64_MAX && k->wm >= 0 &&
	       k->wm <= KS_ROWID_SEQ_MAX + 1 && isfinite(k->score);
}

/* Parses and verifies a cursor; 0 when it is one of ours for p and cc. */
static int decode(const char *c, const struct ks_search_params *p, const struct cursor_ctx *cc,
		  char sort, struct key *k)
{
	if (strlen(c) > KS_CSV_CURSOR_MAX || c[0] != '1' || c[1] != '.' || c[2] != sort ||
	    c[3] != '.')
		return -1;
	k->sort = sort;
	k->score = 0;
	long long v;
	const char *s = dec(c + 4, &k->wm);
	if (!s)
		return -1;
	if (sort == 'r') {
		uint64_t u = 0;
		int i;
		for (i = 0; i < 16; i++) {
			char ch = s[i];
			int d = ch >= '0' && ch <= '9'	 ? ch - '0'
				: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
							 : -1;
			if (d < 0)
				return -1;
			u = u << 4 | (uint64_t)d;
		}
		if (s[16] != '.')
			return -1;
		memcpy(&k->score, &u, sizeof u);
		s += 17;
	}
	if (!(s = dec(s, &v)))
		return -1;
	k->rowid = v;
	char chk[KS_CSV_CHECK_HEX + 1];
	if (!key_in_range(k) || strlen(s) != KS_CSV_CHECK_HEX || check_of(p, cc, k, chk) < 0 ||
	    CRYPTO_memcmp(chk, s, KS_CSV_CHECK_HEX) != 0)
		return -1;
	return 0;
}

/* ---- collecting a page ---------------------------------------------------- */

struct pagectx {
	char sort;
	long long wm;	   /* rows with seq >= wm came after the export began */
	struct ks_cand *c; /* date sorts: in order; relevance: a min-heap of the best */
	size_t n, k;	   /* k = limit + 1 */
	int has_key;
	struct key key;
};

static int after_wm(const struct pagectx *x, sqlite3_int64 rowid)
{
	return ((rowid >> KS_ROWID_SEQ_SHIFT) & KS_ROWID_SEQ_MAX) >= x->wm;
}

static int take_in_order(void *ctx, sqlite3_int64 rowid, double score)
{
	struct pagectx *x = ctx;
	if (after_wm(x, rowid))
		return 0;
	x->c[x->n++] = (struct ks_cand){rowid, score};
	return x->n == x->k;
}

static int take_ranked(void *ctx, sqlite3_int64 rowid, double score)
{
	struct pagectx *x = ctx;
	if (after_wm(x, rowid))
		return 0;
	struct ks_cand c = {rowid, score};
	if (x->has_key && !ks_cand_worse(&c, &(struct ks_cand){x->key.rowid, x->key.score}))
		return 0; /* on an earlier page */
	ks_topk_push(x->c, &x->n, x->k, c);
	return 0;
}

/* Fills x->c with up to x->k rows after the key, in page order. */
static int collect(struct ks_store *s, const struct ks_scan *sc, struct pagectx *x,
		   struct ks_err *err)
{
	const sqlite3_int64 first_dated = ks_rowid_day_start(1);
	int rc;
	if (x->sort == 'r') {
		rc = ks_scan_walk(s, sc, 0, INT64_MAX, KS_SCAN_ASC, KS_SCORE_FULL, take_ranked, x,
				  err);
		if (rc == KS_OK)
			ks_topk_sort(x->c, x->n);
		return rc;
	}
	if (x->sort == 'n')
		return ks_scan_walk(s, sc, 0, x->has_key ? x->key.rowid - 1 : INT64_MAX,
				    KS_SCAN_DESC, KS_SCORE_CHEAP, take_in_order, x, err);
	/* oldest: the dated items in ascending order, then the undated ones */
	rc = KS_OK;
	int in_undated = x->has_key && x->key.rowid < first_dated;
	if (!in_undated)
		rc = ks_scan_walk(s, sc, x->has_key ? x->key.rowid + 1 : first_dated, INT64_MAX,
				  KS_SCAN_ASC, KS_SCORE_CHEAP, take_in_order, x, err);
	if (rc == KS_OK && x->n < x->k)
		rc = ks_scan_walk(s, sc, in_undated ? x->key.rowid + 1 : 0, first_dated - 1,
				  KS_SCAN_ASC, KS_SCORE_CHEAP, take_in_order, x, err);
	return rc;
}

static char sort_char(const struct ks_scan *sc, enum ks_sort sort)
{
	if (sort == KS_SORT_OLDEST)
		return 'o';
	if (sort == KS_SORT_RELEVANCE && sc->q.kind == KS_Q_MATCH)
		return 'r';
	return 'n';
}

/* Sets up x for the page of p and o: its sort, its size, and where it
 * starts (the cursor's key, or the first page: the watermark, and the BOM
 * and header in b). */
static int page_start(struct ks_store *s, const struct ks_search_params *p,
		      const struct ks_csv_opts *o, const struct ks_scan *sc,
		      const struct cursor_ctx *cc, struct pagectx *x, struct ks_buf *b,
		      struct ks_err *err)
{
	char *seq = NULL;
	x->sort = sort_char(sc, p->sort);
	x->k = (size_t)o->limit + 1;
	if (o->cursor) {
		if (decode(o->cursor, p, cc, x->sort, &x->key) < 0)
			return ks_err_set(err, KS_ERR_ARG,
					  "cursor is not one of this export's: malformed, made for "
					  "another query or sort, or the index was rebuilt since; "
					  "start again without it");
		x->has_key = 1;
		x->wm = x->key.wm;
	} else {
		/* items committed from now on have a sequence number >= seq */
		int rc = ks_store_meta_get(s, "seq", &seq, err);
		if (rc != KS_OK)
			return rc;
		x->wm = seq ? atoll(seq) : KS_ROWID_SEQ_MAX + 1;
		free(seq);
		if (o->bom)
			ks_buf_add(b, "\xEF\xBB\xBF", 3);
		ks_buf_str(b, KS_CSV_HEADER);
	}
	if (!(x->c = calloc(x->k, sizeof *x->c)))
		return ks_err_set(err, KS_ERR_NOMEM, "[csv] out of memory");
	return KS_OK;
}

/* Writes the rows of x->c to b, at most limit of them and until b holds
 * KS_CSV_PAGE_BYTES; *considered: how many of x->c were looked at. */
static int page_rows(struct ks_store *s, const struct ks_scan *sc, const struct pagectx *x,
		     int limit, struct ks_buf *b, struct ks_csv_page *out, size_t *considered,
		     struct ks_err *err)
{
	size_t i, n = x->n < (size_t)limit ? x->n : (size_t)limit;
	int rc = KS_OK;
	for (i = 0; i < n && rc == KS_OK && !b->oom; i++) {
		if (i % 64 == 63 && ks_deadline_passed(s, &sc->dl)) {
			rc = ks_err_set(err, KS_ERR_TIMEOUT, "[csv] the export page took too long");
			break;
		}
		struct ks_hit h;
		rc = ks_hit_by_rowid(s, x->c[i].rowid, &h, err);
		if (rc == KS_ERR_NOTFOUND) {
			rc = KS_OK; /* removed by a writer since the walk: not a match any more */
			continue;
		}
		if (rc != KS_OK)
			break;
		row(b, &h, x->c[i].score);
		ks_hit_clear(&h);
		out->rows++;
		if (b->len >= KS_CSV_PAGE_BYTES) {
			i++;
			break;
		}
	}
	if (rc == KS_OK && b->oom)
		rc = ks_err_set(err, KS_ERR_NOMEM, "[csv] out of memory");
	*considered = i;
	return rc;
}

/* Hands b to out as the page's bytes, with the cursor of the next page
 * when rows remain after the first considered ones of x->c. */
static int page_finish(const struct ks_search_params *p, const struct cursor_ctx *cc,
		       const struct pagectx *x, size_t considered, struct ks_buf *b,
		       struct ks_csv_page *out, struct ks_err *err)
{
	out->next[0] = 0;
	if (considered < x->n) {
		/* more remain: resume after the last row considered */
		const struct ks_cand *last = &x->c[considered - 1];
		struct key k = {x->sort, x->wm, last->rowid, last->score};
		if (encode(p, cc, &k, out->next) < 0)
			return ks_err_set(err, KS_ERR_NOMEM, "[csv] out of memory");
	}
	size_t len = b->len;
	if (!(out->data = ks_buf_take(b)))
		return ks_err_set(err, KS_ERR_NOMEM, "[csv] out of memory");
	out->len = len;
	return KS_OK;
}

int ks_csv_page(struct ks_store *s, const struct ks_search_params *p, const struct ks_csv_opts *o,
		struct ks_csv_page *out, struct ks_err *err)
{
	struct ks_scan sc;
	struct pagectx x = {0};
	struct ks_buf b = {0};
	char *gen = NULL;
	struct cursor_ctx cc = {0};
	size_t considered = 0;
	memset(out, 0, sizeof *out);
	if (o->limit < 1 || o->limit > KS_CSV_LIMIT_MAX)
		return ks_err_set(err, KS_ERR_ARG, "limit must be between 1 and %d",
				  KS_CSV_LIMIT_MAX);
	int rc = ks_scan_init(s, p, &sc, err);
	if (rc == KS_OK)
		rc = ks_store_meta_get(s, "generation", &gen, err);
	if (rc == KS_OK)
		rc = mac_key(s, cc.key, err);
	cc.gen = gen;
	if (rc != KS_OK || (rc = page_start(s, p, o, &sc, &cc, &x, &b, err)) != KS_OK ||
	    (rc = collect(s, &sc, &x, err)) != KS_OK ||
	    (rc = page_rows(s, &sc, &x, o->limit, &b, out, &considered, err)) != KS_OK)
		goto out;
	rc = page_finish(p, &cc, &x, considered, &b, out, err);
out:
	ks_scan_clear(s, &sc);
	free(x.c);
	ks_buf_free(&b);
	free(gen);
	OPENSSL_cleanse(cc.key, sizeof cc.key);
	return rc;
}

void ks_csv_page_clear(struct ks_csv_page *pg)
{
	if (!pg)
		return;
	free(pg->data);
	memset(pg, 0, sizeof *pg);
}
