/* dom.js — small DOM and formatting helpers shared by every page.
 *
 * Safety rule of the whole UI: every string from the API is inserted as text
 * (textContent, createTextNode, setAttribute). The only HTML taken from the
 * server is title_html and snippet_html, and setMarkedHtml() copies even
 * those keeping nothing but text and <mark> elements.
 *
 * Bidi rule: the bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069) never take effect. In text they become a
 * visible marker, <span class="bidi-ctl">[U+202E RLO]</span>, so
 * `evil\u202Eexe.txt` reads "evil[U+202E RLO]exe.txt" rather than a
 * reversed file name; in attributes and the document title the marker is
 * plain text. el(), svgEl(), setText() and setMarkedHtml() apply it. */

export const SVG_NS = 'http://www.w3.org/2000/svg';
export const PAGE_SIZE = 20;
export const MAX_OFFSET = 100000;
export const LAST_SEARCH_KEY = 'kensaku:last-search';

export const byId = (id) => document.getElementById(id);

/* The bidi controls, by code point: [abbreviation, Unicode name]. */
const BIDI = new Map([
	[0x061c, ['ALM', 'ARABIC LETTER MARK']],
	[0x200e, ['LRM', 'LEFT-TO-RIGHT MARK']],
	[0x200f, ['RLM', 'RIGHT-TO-LEFT MARK']],
	[0x202a, ['LRE', 'LEFT-TO-RIGHT EMBEDDING']],
	[0x202b, ['RLE', 'RIGHT-TO-LEFT EMBEDDING']],
	[0x202c, ['PDF', 'POP DIRECTIONAL FORMATTING']],
	[0x202d, ['LRO', 'LEFT-TO-RIGHT OVERRIDE']],
	[0x202e, ['RLO', 'RIGHT-TO-LEFT OVERRIDE']],
	[0x2066, ['LRI', 'LEFT-TO-RIGHT ISOLATE']],
	[0x2067, ['RLI', 'RIGHT-TO-LEFT ISOLATE']],
	[0x2068, ['FSI', 'FIRST STRONG ISOLATE']],
	[0x2069, ['PDI', 'POP DIRECTIONAL ISOLATE']],
]);
const BIDI_RE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const MARKER_RE = /^\[U\+([0-9A-F]{4}) [A-Z]{3}\]$/;

function bidiLabel(cp) {
	return `[U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${BIDI.get(cp)[0]}]`;
}

/* s with every bidi control replaced by its marker text, "[U+202E RLO]";
 * for attributes, titles and SVG text. */
export function plainMarked(s) {
	return String(s).replace(BIDI_RE, (c) => bidiLabel(c.codePointAt(0)));
}

function markerNode(cp) {
	const span = document.createElement('span');
	span.className = 'bidi-ctl';
	span.title = `U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${BIDI.get(cp)[1]}`;
	span.textContent = bidiLabel(cp);
	return span;
}

/* s as a node: a text node, or a fragment of text and marker spans when s
 * holds bidi controls. */
export function visibleText(s) {
	const str = String(s);
	if (str.search(BIDI_RE) < 0) return document.createTextNode(str);
	const frag = document.createDocumentFragment();
	let at = 0;
	for (const m of str.matchAll(BIDI_RE)) {
		if (m.index > at) frag.append(str.slice(at, m.index));
		frag.append(markerNode(m[0].codePointAt(0)));
		at = m.index + m[0].length;
	}
	if (at < str.length) frag.append(str.slice(at));
	return frag;
}

/* Sets node's content to the text s (bidi controls as markers). */
export function setText(node, s) {
	node.replaceChildren(visibleText(s));
}

/* Elements that hold only text: their strings get marker text, not spans. */
const TEXT_ONLY = new Set(['option', 'title', 'textarea']);

function textNode(node, svg, v) {
	return svg || TEXT_ONLY.has(node.localName) ? document.createTextNode(plainMarked(v)) : visibleText(v);
}

function setAttrs(node, attrs, svg) {
	if (!attrs) return;
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'className') {
			if (svg) node.setAttribute('class', v);
			else node.className = v;
		} else if (k === 'text') node.replaceChildren(textNode(node, svg, v));
		else if (k === 'dataset') Object.assign(node.dataset, v);
		else if (k === 'href') node.setAttribute(k, String(v));
		else node.setAttribute(k, v === true ? '' : plainMarked(v));
	}
}

function append(node, children, svg) {
	for (const c of children) {
		if (c === undefined || c === null || c === false) continue;
		node.append(c instanceof Node ? c : textNode(node, svg, c));
	}
}

/* el('a', {className: 'x', href: '/'}, 'text', child): attributes are set
 * with setAttribute (className, text and dataset are special); children are
 * nodes or strings, strings become text nodes. */
export function el(tag, attrs, ...children) {
	const node = document.createElement(tag);
	setAttrs(node, attrs, false);
	append(node, children, false);
	return node;
}

/* The same for SVG elements (createElementNS). */
export function svgEl(tag, attrs, ...children) {
	const node = document.createElementNS(SVG_NS, tag);
	setAttrs(node, attrs, true);
	append(node, children, true);
	return node;
}

/* Puts the server's highlighted HTML into target, keeping only text and
 * <mark>; anything else the string might hold is reduced to its text. The
 * server's bidi markers (<span class="bidi-ctl">[U+202E RLO]</span>) are
 * rebuilt here from their code point; raw controls become markers too. */
export function setMarkedHtml(target, html) {
	const tpl = document.createElement('template');
	tpl.innerHTML = typeof html === 'string' ? html : '';
	const copy = (from, to) => {
		for (const n of from.childNodes) {
			if (n.nodeType === Node.TEXT_NODE) {
				to.append(visibleText(n.data));
			} else if (n.nodeType === Node.ELEMENT_NODE) {
				const marker = n.localName === 'span' && n.classList.contains('bidi-ctl') ? MARKER_RE.exec(n.textContent) : null;
				if (marker && BIDI.has(Number.parseInt(marker[1], 16))) {
					to.append(markerNode(Number.parseInt(marker[1], 16)));
				} else if (n.localName === 'mark') {
					const m = document.createElement('mark');
					copy(n, m);
					to.append(m);
				} else {
					copy(n.localName === 'template' ? n.content : n, to);
				}
			}
		}
	};
	const frag = document.createDocumentFragment();
	copy(tpl.content, frag);
	target.replaceChildren(frag);
}

export function fmtNumber(n) {
	return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('ja-JP') : '0';
}

export function fmtMs(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
	return (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString()) + ' ms';
}

/* Only http(s) links from the data are made clickable. */
export function safeHttpUrl(u) {
	if (typeof u !== 'string' || !u) return null;
	try {
		const url = new URL(u, location.href);
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
	} catch {
		return null;
	}
}

/* An item's issue and position: its own fields when present, else its id
 * ("59-3" -> issue 59, position 3). */
export function itemPlace(it, fallbackIssue) {
	const m = /^(\d+)-(\d+)$/.exec(String((it && it.id) || ''));
	const issue = it && Number.isInteger(it.issue) ? it.issue : m ? Number(m[1]) : Number(fallbackIssue);
	const position = it && Number.isInteger(it.position) && it.position > 0 ? it.position : m ? Number(m[2]) : null;
	return { issue, position };
}

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

/* Points <link rel=alternate type=application/atom+xml id=feed-link> at
 * href with a title naming what it follows. */
export function setFeedLink(href, title) {
	const link = byId('feed-link');
	if (!link) return;
	link.setAttribute('href', href);
	link.setAttribute('title', plainMarked(title));
}

const SECTION_CLASS = {
	'事件、事故': 'sec-incident',
	'攻撃、脅威': 'sec-threat',
	'脆弱性': 'sec-vuln',
	'その他': 'sec-other',
};

export function sectionClass(name) {
	if (SECTION_CLASS[name]) return SECTION_CLASS[name];
	let h = 0;
	for (const ch of String(name || '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
	return ['sec-incident', 'sec-threat', 'sec-vuln', 'sec-other'][h % 4];
}

export function sectionBadge(name) {
	if (!name) return null;
	return el('span', { className: 'badge ' + sectionClass(name), text: name });
}

const KIND_LABEL = {
	cve: 'CVE',
	vendor: 'ベンダー Vendor',
	product: '製品 Product',
	actor: '攻撃グループ Actor',
	malware: 'マルウェア Malware',
	vuln: '脆弱性 Vulnerability',
	org: '組織 Organisation',
};

export function kindLabel(kind) {
	return KIND_LABEL[kind] || String(kind || '');
}

export function kindBadge(kind) {
	if (!kind) return null;
	const known = Object.prototype.hasOwnProperty.call(KIND_LABEL, kind);
	return el('span', { className: 'kind kind-' + (known ? kind : 'other'), text: kindLabel(kind) });
}

export function dateNode(date) {
	if (typeof date === 'string' && date) return el('time', { datetime: date, text: date });
	return el('span', { className: 'muted', text: '日付不明' });
}

export function hasCjk(s) {
	return /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/u.test(s);
}

/* Paragraphs of a quote, one <p> per non-empty line. */
export function quoteBlock(quote) {
	const lines = String(quote || '').split('\n').map((s) => s.trim()).filter(Boolean);
	if (!lines.length) return null;
	const bq = el('blockquote', { className: 'quote' });
	for (const line of lines) bq.append(el('p', { lang: hasCjk(line) ? null : 'en', text: line }));
	return bq;
}

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

/* GET url as JSON (see readJson). */
export async function getJson(url, signal) {
	const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
	return readJson(res);
}

/* The API's error message and code as a paragraph, both as text. */
export function errorDetail(err) {
	return el('p', { className: 'message-detail' },
		el('span', { className: 'error-message', text: err && err.message ? err.message : String(err) }),
		err && err.code ? el('code', { className: 'error-code', text: err.code }) : null);
}

export function showMessage(box, kind, title, detail, extra) {
	box.hidden = false;
	box.className = 'message message-' + kind;
	box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
	const children = [el('p', { className: 'message-title', text: title })];
	if (detail) children.push(detail instanceof Node ? detail : el('p', { className: 'message-detail', text: detail }));
	if (extra) children.push(extra);
	box.replaceChildren(...children);
}

export function hideMessage(box) {
	box.hidden = true;
	box.removeAttribute('role');
	box.replaceChildren();
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

/* The error box for a link whose query is not valid UTF-8 (queryIsUtf8). */
export function showBadEncoding(box) {
	showMessage(box, 'error', 'このリンクの検索語は UTF-8 として正しくありません。 This link\'s query is not valid UTF-8.',
		'Shift_JIS など別の文字コードで作られたリンクのようです。語句を入力し直してください。 The link was probably made in another encoding (such as Shift_JIS): type the words again.',
		el('p', null, el('a', { href: '/', text: 'トップに戻る Start over' })));
}

/* Remembers the current search page URL, so other pages can link back. */
export function rememberSearch() {
	try {
		sessionStorage.setItem(LAST_SEARCH_KEY, location.pathname + location.search);
	} catch {
		/* storage unavailable */
	}
}

/* Sets link's href to the search the reader came from, if any (the server
 * sends Referrer-Policy: no-referrer, so the search page remembers it). */
export function backToLastSearch(link) {
	if (!link) return;
	try {
		const last = sessionStorage.getItem(LAST_SEARCH_KEY) || '';
		if (last === '/' || last.startsWith('/?')) link.href = last;
	} catch {
		/* storage unavailable: keep "/" */
	}
}

function isTypingTarget(t) {
	if (!t || !(t instanceof Element)) return false;
	if (t.isContentEditable) return true;
	return !!t.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])');
}

/* "/" anywhere outside a text field focuses (and selects) the search box. */
export function installSlashKey() {
	document.addEventListener('keydown', (e) => {
		if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
		if (isTypingTarget(e.target)) return;
		const q = byId('q');
		if (!q) return;
		e.preventDefault();
		q.focus();
		q.select();
	});
}
