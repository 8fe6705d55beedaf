/* api.js — the JSON API client: every request the UI makes goes through
 * here, and every answer comes back as an object or as an Error carrying
 * the API's {code, message} and the HTTP status. Nothing here touches the
 * DOM. */

/* Hits a page (the API's limit=) and the deepest offset the API accepts. */
export const PAGE_SIZE = 20;
export const MAX_OFFSET = 100000;

/* The body of a fetch response as an object; throws an Error carrying the
 * API's {code, message} (and the HTTP status) on a non-2xx answer. */
export async function readJson(res) {
	const text = await res.text();
	let body = null;
	try {
		body = text ? JSON.parse(text) : null;
	} catch {
		body = null;
	}
	if (!res.ok) {
		const e = body && body.error ? body.error : {};
		const err = new Error(typeof e.message === 'string' && e.message ? e.message : `HTTP ${res.status} ${res.statusText || ''}`.trim());
		err.code = typeof e.code === 'string' ? e.code : 'http_' + res.status;
		err.status = res.status;
		throw err;
	}
	if (body === null || typeof body !== 'object') {
		const err = new Error('サーバーの応答を読み取れませんでした (invalid JSON)');
		err.code = 'bad_response';
		throw err;
	}
	return body;
}

/* GET url as JSON (see readJson); signal (optional) aborts it. */
export async function getJson(url, signal) {
	const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
	return readJson(res);
}

/* GET /api/search with the parameters p (an object of strings). */
export function fetchSearch(p, signal) {
	return getJson('/api/search?' + new URLSearchParams(p).toString(), signal);
}

/* GET /api/issues/{n}. */
export function fetchIssue(n) {
	return getJson('/api/issues/' + encodeURIComponent(n));
}

/* GET /api/entities/{name}: the entity under any of its spellings. */
export function fetchEntity(name) {
	return getJson('/api/entities/' + encodeURIComponent(name));
}

/* The entities whose name or a spelling starts with prefix (at most limit),
 * from GET /api/entities?prefix=: only those with a non-empty string name.
 * Rejects on an error answer or when aborted. */
export async function fetchSuggestions(prefix, limit, signal) {
	const body = await getJson(`/api/entities?prefix=${encodeURIComponent(prefix)}&limit=${limit}`, signal);
	return Array.isArray(body && body.entities)
		? body.entities.filter((e) => e && typeof e.name === 'string' && e.name) : [];
}

/* /api/trend URL for a query state {q, section, from, to, entity, exact}. */
export function trendUrl(p) {
	const params = new URLSearchParams();
	params.set('q', p.q || '');
	params.set('interval', 'month');
	if (p.section) params.set('section', p.section);
	if (p.from) params.set('from', p.from);
	if (p.to) params.set('to', p.to);
	if (p.entity) params.set('entity', p.entity);
	if (p.exact) params.set('exact', '1');
	return '/api/trend?' + params.toString();
}

const trendCache = new Map();

/* The trend body for p; answers are cached (a page change of the same
 * search does not ask again). Rejects with the API's error. */
export function fetchTrend(p) {
	const url = trendUrl(p);
	if (trendCache.has(url)) return trendCache.get(url);
	const pr = getJson(url).catch((e) => {
		trendCache.delete(url);
		throw e;
	});
	trendCache.set(url, pr);
	if (trendCache.size > 40) trendCache.delete(trendCache.keys().next().value);
	return pr;
}

/* Requests where only the newest counts: start() aborts the one before and
 * returns {signal, current()}; current() is false once a newer request has
 * started or cancel() was called, so a stale answer is dropped. */
export function newestOnly() {
	let seq = 0;
	let controller = null;
	return {
		start() {
			const mine = ++seq;
			if (controller) controller.abort();
			controller = new AbortController();
			return { signal: controller.signal, current: () => mine === seq };
		},
		cancel() {
			++seq;
			if (controller) controller.abort();
		},
	};
}

/* True for the rejection of an aborted fetch. */
export const isAbort = (err) => !!err && err.name === 'AbortError';
