/* url.js — the UI's links and the reading of its own URL: item, issue,
 * entity and feed links, the page number, the http(s)-only rule for links
 * taken from the data (an item's source), and the check that a link's query is UTF-8. Every
 * URL is built with URLSearchParams or encodeURIComponent. */

/* Only http(s) links from the data are made clickable: the absolute URL, or
 * null. */
export function safeHttpUrl(u) {
	if (typeof u !== 'string' || !u) return null;
	try {
		const url = new URL(u, location.href);
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
	} catch {
		return null;
	}
}

/* An item's source: its url, else its first link, when http(s):
 * { href, host } (host lower-cased, as the URL parser gives it), or null.
 * A javascript: or data: url, even one that reached the index, is none. */
export function sourceOf(it) {
	const cands = [it && it.url, ...(it && Array.isArray(it.links) ? it.links : [])];
	for (const u of cands) {
		const href = safeHttpUrl(u);
		if (href) return { href, host: new URL(href).hostname };
	}
	return null;
}

/* An item's issue and position: its own fields when present, else its id
 * ("59-3" -> issue 59, position 3). */
export function itemPlace(it, fallbackIssue) {
	const m = /^(\d+)-(\d+)$/.exec(String((it && it.id) || ''));
	const issue = it && Number.isInteger(it.issue) ? it.issue : m ? Number(m[1]) : Number(fallbackIssue);
	const position = it && Number.isInteger(it.position) && it.position > 0 ? it.position : m ? Number(m[2]) : null;
	return { issue, position };
}

/* The issue page, at the item in position when given. */
export function issueHref(issue, position) {
	const base = '/issue.html?n=' + encodeURIComponent(String(issue));
	return position ? base + '#item-' + position : base;
}

export function entityHref(name) {
	return '/entity.html?name=' + encodeURIComponent(String(name));
}

/* The Atom feed of a search: the newest items matching q, section, entity
 * and exact. Sort and paging do not apply, and the date range is left out:
 * a subscription is for what comes next. */
export function feedHref(s) {
	const p = new URLSearchParams();
	if (s.q) p.set('q', s.q);
	if (s.section) p.set('section', s.section);
	if (s.entity) p.set('entity', s.entity);
	if (s.exact) p.set('exact', '1');
	const qs = p.toString();
	return '/feed.atom' + (qs ? '?' + qs : '');
}

/* The 1-based page= of params (a URLSearchParams); 1 when absent or not a
 * positive number. */
export function pageParam(params) {
	const p = Number.parseInt(params.get('page') || '1', 10);
	return Number.isFinite(p) && p >= 1 ? p : 1;
}

/* True when the query string (location.search), once percent-decoded, is
 * valid UTF-8. A link made in another encoding (Shift_JIS: /?q=%FF%FE)
 * is not; URLSearchParams would quietly turn its bytes into U+FFFD and
 * decodeURIComponent would throw, so pages check this first. Malformed
 * escapes ("%zz") stay literal, as URLSearchParams reads them. */
export function queryIsUtf8(search) {
	const s = String(search || '').replace(/^\?/, '');
	if (!/%[89a-fA-F][0-9a-fA-F]/.test(s)) return true;
	const enc = new TextEncoder();
	const bytes = [];
	for (let i = 0; i < s.length;) {
		if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
			bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
			i += 3;
		} else {
			const ch = String.fromCodePoint(s.codePointAt(i));
			bytes.push(...enc.encode(ch));
			i += ch.length;
		}
	}
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
		return true;
	} catch {
		return false;
	}
}
