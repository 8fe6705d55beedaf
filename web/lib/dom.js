/* dom.js — the element helpers every page builds with: el()/svgEl(), text
 * and the server's highlighted HTML put into the page, badges, dates,
 * quotes, source links, message boxes, the feed <link> and the "/" key. Fetching is in
 * api.js, links and the page's own URL in url.js, browser storage in
 * store.js, string formats in text.js.
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
import { hasCjk } from './text.js';
import { sourceOf } from './url.js';

export const SVG_NS = 'http://www.w3.org/2000/svg';

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

/* The colour class of a section: fixed for the four known ones, else one of
 * them picked by a hash of the name. */
export function sectionClass(name) {
	if (SECTION_CLASS[name]) return SECTION_CLASS[name];
	let h = 0;
	for (const ch of String(name || '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
	return ['sec-incident', 'sec-threat', 'sec-vuln', 'sec-other'][h % 4];
}

/* A section name as a coloured badge, or null without one. */
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

/* An entity kind in words ("malware" -> "マルウェア Malware"). */
export function kindLabel(kind) {
	return KIND_LABEL[kind] || String(kind || '');
}

/* An entity kind as a badge, or null without one. */
export function kindBadge(kind) {
	if (!kind) return null;
	const known = Object.prototype.hasOwnProperty.call(KIND_LABEL, kind);
	return el('span', { className: 'kind kind-' + (known ? kind : 'other'), text: kindLabel(kind) });
}

/* The link to an item's source (its url, else its first link: url.js
 * sourceOf), shown as the host name, opening the original without
 * telling it where the reader came from; null when it has no http(s) one. */
export function sourceLink(it) {
	const src = sourceOf(it);
	if (!src) return null;
	return el('a', {
		href: src.href, className: 'source-link', rel: 'noopener noreferrer', title: src.href,
		'aria-label': `出典 Source: ${src.host}`, text: src.host,
	});
}

/* A date as <time>, or "日付不明" (unknown) when missing. */
export function dateNode(date) {
	if (typeof date === 'string' && date) return el('time', { datetime: date, text: date });
	return el('span', { className: 'muted', text: '日付不明' });
}

/* Paragraphs of a quote, one <p> per non-empty line. */
export function quoteBlock(quote) {
	const lines = String(quote || '').split('\n').map((s) => s.trim()).filter(Boolean);
	if (!lines.length) return null;
	const bq = el('blockquote', { className: 'quote' });
	for (const line of lines) bq.append(el('p', { lang: hasCjk(line) ? null : 'en', text: line }));
	return bq;
}

/* The API's error message and code as a paragraph, both as text. */
export function errorDetail(err) {
	return el('p', { className: 'message-detail' },
		el('span', { className: 'error-message', text: err && err.message ? err.message : String(err) }),
		err && err.code ? el('code', { className: 'error-code', text: err.code }) : null);
}

/* Shows box as a message of kind ('error' -> role=alert, else status): a
 * title, a detail (text or a node) and an extra node, each optional but the
 * title. */
export function showMessage(box, kind, title, detail, extra) {
	box.hidden = false;
	box.className = 'message message-' + kind;
	box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
	const children = [el('p', { className: 'message-title', text: title })];
	if (detail) children.push(detail instanceof Node ? detail : el('p', { className: 'message-detail', text: detail }));
	if (extra) children.push(extra);
	box.replaceChildren(...children);
}

/* Hides and empties a message box. */
export function hideMessage(box) {
	box.hidden = true;
	box.removeAttribute('role');
	box.replaceChildren();
}

/* The error box for a link whose query is not valid UTF-8 (queryIsUtf8 in url.js). */
export function showBadEncoding(box) {
	showMessage(box, 'error', 'このリンクの検索語は UTF-8 として正しくありません。 This link\'s query is not valid UTF-8.',
		'Shift_JIS など別の文字コードで作られたリンクのようです。語句を入力し直してください。 The link was probably made in another encoding (such as Shift_JIS): type the words again.',
		el('p', null, el('a', { href: '/', text: 'トップに戻る Start over' })));
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
