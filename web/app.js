/* kensaku web UI — plain JavaScript, no build step, no external resources.
 *
 * Served under a Content-Security-Policy of default-src 'self': nothing here
 * uses eval, inline handlers or HTML style attributes.
 *
 * Safety rule: every string from the API is inserted as text (textContent,
 * createTextNode, setAttribute), except title_html and snippet_html, which the
 * server escapes and marks up with <mark>. Even those are parsed in an inert
 * <template> and copied over keeping only text and <mark> elements.
 *
 * Pages (see web/README.md):
 *   /?q=Q&section=S&sort=newest&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N  search
 *   /issue.html?n=59#item-3                                          issue
 */
'use strict';

(() => {
	const PAGE_SIZE = 20;
	const SORTS = ['relevance', 'newest', 'oldest'];
	const MAX_OFFSET = 100000;
	const LAST_SEARCH_KEY = 'kensaku:last-search';

	const byId = (id) => document.getElementById(id);
	const SVG_NS = 'http://www.w3.org/2000/svg';

	/* ---------- small DOM helpers ---------- */

	/* el('a', {className: 'x', href: '/'}, 'text', child) — properties are
	 * set as attributes except className/textContent; children are nodes or
	 * strings (strings become text nodes). */
	function el(tag, attrs, ...children) {
		const node = document.createElement(tag);
		if (attrs) {
			for (const [k, v] of Object.entries(attrs)) {
				if (v === undefined || v === null || v === false) continue;
				if (k === 'className') node.className = v;
				else if (k === 'text') node.textContent = v;
				else if (k === 'dataset') Object.assign(node.dataset, v);
				else node.setAttribute(k, v === true ? '' : String(v));
			}
		}
		for (const c of children) {
			if (c === undefined || c === null || c === false) continue;
			node.append(c instanceof Node ? c : document.createTextNode(String(c)));
		}
		return node;
	}

	function svgEl(tag, attrs, ...children) {
		const node = document.createElementNS(SVG_NS, tag);
		if (attrs) {
			for (const [k, v] of Object.entries(attrs)) {
				if (v === undefined || v === null) continue;
				if (k === 'className') node.setAttribute('class', v);
				else if (k === 'text') node.textContent = v;
				else node.setAttribute(k, String(v));
			}
		}
		for (const c of children) {
			if (c === undefined || c === null) continue;
			node.append(c instanceof Node ? c : document.createTextNode(String(c)));
		}
		return node;
	}

	/* Puts the server's highlighted HTML into target, keeping only text and
	 * <mark>; anything else the string might hold is reduced to its text. */
	function setMarkedHtml(target, html) {
		const tpl = document.createElement('template');
		tpl.innerHTML = typeof html === 'string' ? html : '';
		const copy = (from, to) => {
			for (const n of from.childNodes) {
				if (n.nodeType === Node.TEXT_NODE) {
					to.append(document.createTextNode(n.data));
				} else if (n.nodeType === Node.ELEMENT_NODE) {
					if (n.localName === 'mark') {
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

	function fmtNumber(n) {
		return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('ja-JP') : '0';
	}

	function fmtMs(ms) {
		if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
		return (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString()) + ' ms';
	}

	/* Only http(s) links from the data are made clickable. */
	function safeHttpUrl(u) {
		if (typeof u !== 'string' || !u) return null;
		try {
			const url = new URL(u, location.href);
			return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
		} catch {
			return null;
		}
	}

	/* An item's issue and position: its own fields when present, else its
	 * id ("59-3" -> issue 59, position 3). */
	function itemPlace(it, fallbackIssue) {
		const m = /^(\d+)-(\d+)$/.exec(String((it && it.id) || ''));
		const issue = it && Number.isInteger(it.issue) ? it.issue : m ? Number(m[1]) : Number(fallbackIssue);
		const position = it && Number.isInteger(it.position) && it.position > 0 ? it.position : m ? Number(m[2]) : null;
		return { issue, position };
	}

	function issueHref(issue, position) {
		const base = '/issue.html?n=' + encodeURIComponent(String(issue));
		return position ? base + '#item-' + position : base;
	}

	const SECTION_CLASS = {
		'事件、事故': 'sec-incident',
		'攻撃、脅威': 'sec-threat',
		'脆弱性': 'sec-vuln',
		'その他': 'sec-other',
	};
	function sectionClass(name) {
		if (SECTION_CLASS[name]) return SECTION_CLASS[name];
		let h = 0;
		for (const ch of String(name || '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
		return ['sec-incident', 'sec-threat', 'sec-vuln', 'sec-other'][h % 4];
	}

	function sectionBadge(name) {
		if (!name) return null;
		return el('span', { className: 'badge ' + sectionClass(name), text: name });
	}

	function dateNode(date) {
		if (typeof date === 'string' && date) {
			return el('time', { datetime: date, text: date });
		}
		return el('span', { className: 'muted', text: '日付不明' });
	}

	function hasCjk(s) {
		return /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/u.test(s);
	}

	/* Paragraphs of a quote, one <p> per non-empty line. */
	function quoteBlock(quote) {
		const lines = String(quote || '').split('\n').map((s) => s.trim()).filter(Boolean);
		if (!lines.length) return null;
		const bq = el('blockquote', { className: 'quote' });
		for (const line of lines) bq.append(el('p', { lang: hasCjk(line) ? null : 'en', text: line }));
		return bq;
	}

	/* Reads {code, message} out of an error response. */
	async function readJson(res) {
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

	function showMessage(box, kind, title, detail, extra) {
		box.hidden = false;
		box.className = 'message message-' + kind;
		box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
		const children = [el('p', { className: 'message-title', text: title })];
		if (detail) children.push(detail instanceof Node ? detail : el('p', { className: 'message-detail', text: detail }));
		if (extra) children.push(extra);
		box.replaceChildren(...children);
	}

	function hideMessage(box) {
		box.hidden = true;
		box.removeAttribute('role');
		box.replaceChildren();
	}

	/* ---------- keyboard: "/" focuses the search box ---------- */

	function isTypingTarget(t) {
		if (!t || !(t instanceof Element)) return false;
		if (t.isContentEditable) return true;
		return !!t.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])');
	}

	function installSlashKey() {
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

	/* =====================================================================
	 * Search page
	 * ===================================================================== */

	function readState() {
		const p = new URLSearchParams(location.search);
		let page = Number.parseInt(p.get('page') || '1', 10);
		if (!Number.isFinite(page) || page < 1) page = 1;
		return {
			q: p.get('q') || '',
			section: p.get('section') || '',
			sort: p.get('sort') || '',
			from: p.get('from') || '',
			to: p.get('to') || '',
			page,
		};
	}

	/* The sort actually asked for: relevance for a query, newest when browsing. */
	function effectiveSort(s) {
		if (s.sort) return s.sort;
		return s.q.trim() ? 'relevance' : 'newest';
	}

	function stateUrl(s) {
		const p = new URLSearchParams();
		if (s.q) p.set('q', s.q);
		if (s.section) p.set('section', s.section);
		if (s.sort) p.set('sort', s.sort);
		if (s.from) p.set('from', s.from);
		if (s.to) p.set('to', s.to);
		if (s.page > 1) p.set('page', String(s.page));
		const qs = p.toString();
		return '/' + (qs ? '?' + qs : '');
	}

	function searchPage() {
		const form = byId('search-form');
		const input = byId('q');
		const sortSel = byId('sort');
		const status = byId('status');
		const results = byId('results');
		const message = byId('message');
		const pagination = byId('pagination');
		const facetList = byId('section-facets');
		const timeline = byId('timeline');
		const activeFilters = byId('active-filters');
		const resultsArea = results.closest('.results-area');
		const dateForm = byId('date-form');
		const fromInput = byId('from');
		const toInput = byId('to');

		let seq = 0;
		let controller = null;

		function go(next, opts) {
			const url = stateUrl(next);
			if (url !== location.pathname + location.search) history.pushState(null, '', url);
			render(readState(), opts || {});
		}

		form.addEventListener('submit', (e) => {
			e.preventDefault();
			const cur = readState();
			go({ ...cur, q: input.value.trim(), page: 1 });
		});

		sortSel.addEventListener('change', () => {
			const cur = readState();
			const wanted = sortSel.value;
			const def = cur.q.trim() ? 'relevance' : 'newest';
			go({ ...cur, sort: wanted === def ? '' : wanted, page: 1 }, { focus: 'sort' });
		});

		if (dateForm) {
			dateForm.addEventListener('submit', (e) => {
				e.preventDefault();
				const cur = readState();
				go({ ...cur, from: fromInput.value, to: toInput.value, page: 1 }, { focus: 'date' });
			});
		}

		/* Same-page links (facets, pagination, chips, timeline bars) navigate
		 * with pushState; modified clicks open normally. */
		document.addEventListener('click', (e) => {
			if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
			const a = e.target instanceof Element ? e.target.closest('a[data-nav]') : null;
			if (!a) return;
			const href = a.getAttribute('href');
			if (!href) return;
			const url = new URL(href, location.href);
			if (url.origin !== location.origin || url.pathname !== '/') return;
			e.preventDefault();
			if (url.pathname + url.search !== location.pathname + location.search) {
				history.pushState(null, '', url.pathname + url.search);
			}
			render(readState(), { focus: a.dataset.nav, focusKey: a.dataset.key });
		});

		window.addEventListener('popstate', () => render(readState(), {}));

		function navLink(next, text, nav, key, attrs) {
			return el('a', { href: stateUrl(next), dataset: { nav, key: key || '' }, ...(attrs || {}) }, ...[].concat(text));
		}

		function rememberSearch() {
			try {
				sessionStorage.setItem(LAST_SEARCH_KEY, location.pathname + location.search);
			} catch {
				/* storage unavailable */
			}
		}

		function syncForm(s) {
			rememberSearch();
			const heading = byId('results-heading');
			heading.replaceChildren(s.q.trim() ? '検索結果 ' : 'すべての記事 ',
				el('span', { lang: 'en', text: s.q.trim() ? 'Results' : 'All items' }));
			input.value = s.q;
			const eff = effectiveSort(s);
			sortSel.value = SORTS.includes(eff) ? eff : 'relevance';
			if (fromInput) fromInput.value = /^\d{4}-\d{2}-\d{2}$/.test(s.from) ? s.from : '';
			if (toInput) toInput.value = /^\d{4}-\d{2}-\d{2}$/.test(s.to) ? s.to : '';
			document.title = (s.q ? `${s.q} — ` : '') + 'kensaku 検索';
		}

		function renderActiveFilters(s) {
			const chips = [];
			if (s.section) {
				chips.push(navLink({ ...s, section: '', page: 1 }, [
					el('span', { className: 'chip-label', text: 'セクション: ' + s.section }),
					el('span', { className: 'chip-x', 'aria-hidden': 'true', text: '×' }),
				], 'chip', 'section', { className: 'chip', 'aria-label': `セクション「${s.section}」の絞り込みを解除 Clear section filter` }));
			}
			if (s.from || s.to) {
				const label = `期間: ${s.from || '…'} 〜 ${s.to || '…'}`;
				chips.push(navLink({ ...s, from: '', to: '', page: 1 }, [
					el('span', { className: 'chip-label', text: label }),
					el('span', { className: 'chip-x', 'aria-hidden': 'true', text: '×' }),
				], 'chip', 'date', { className: 'chip', 'aria-label': `${label} の絞り込みを解除 Clear date filter` }));
			}
			if (chips.length > 1) {
				chips.push(navLink({ ...s, section: '', from: '', to: '', page: 1 }, 'すべて解除 Clear all', 'chip', 'all', { className: 'chip chip-plain' }));
			}
			activeFilters.hidden = chips.length === 0;
			activeFilters.replaceChildren(...(chips.length ? [el('span', { className: 'active-filters-label', text: '絞り込み中 Filters:' }), ...chips] : []));
		}

		function renderHit(hit) {
			const { issue, position } = itemPlace(hit);
			const href = issueHref(issue, position);
			const titleId = 'hit-' + String(hit.id).replace(/[^0-9A-Za-z_-]/g, '_');
			const link = el('a', { href, id: titleId, className: 'result-link' });
			if (typeof hit.title_html === 'string' && hit.title_html) setMarkedHtml(link, hit.title_html);
			else link.textContent = hit.title || '(無題)';

			const meta = el('p', { className: 'result-meta' },
				sectionBadge(hit.section),
				el('a', { href: issueHref(issue), className: 'issue-link', text: `Issue #${issue}` }),
				dateNode(hit.date));
			const src = safeHttpUrl(hit.url);
			if (src) meta.append(el('a', { href: src, className: 'source-link', rel: 'noopener noreferrer', text: '出典 Source' }));

			const article = el('article', { className: 'result', 'aria-labelledby': titleId },
				el('h2', { className: 'result-title' }, link), meta);
			const snippetHtml = typeof hit.snippet_html === 'string' ? hit.snippet_html : '';
			if (snippetHtml) {
				const p = el('p', { className: 'result-snippet', lang: hasCjk(hit.quote || hit.title || '') ? null : 'en' });
				setMarkedHtml(p, snippetHtml);
				article.append(p);
			}
			return el('li', { className: 'result-item' }, article);
		}

		function renderFacets(s, facets) {
			const counts = facets && facets.section && typeof facets.section === 'object' ? facets.section : {};
			const entries = Object.entries(counts).filter(([k, v]) => k && typeof v === 'number');
			entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'ja'));
			if (s.section && !entries.some(([k]) => k === s.section)) entries.push([s.section, 0]);
			const items = [];
			items.push(el('li', null, navLink({ ...s, section: '', page: 1 },
				[el('span', { className: 'facet-name', text: 'すべて All' })],
				'facet', '', { className: 'facet', 'aria-current': s.section ? null : 'true' })));
			for (const [name, count] of entries) {
				items.push(el('li', null, navLink({ ...s, section: name, page: 1 }, [
					el('span', { className: 'facet-name', text: name }),
					el('span', { className: 'facet-count', text: fmtNumber(count) }),
				], 'facet', name, {
					className: 'facet ' + sectionClass(name),
					'aria-current': s.section === name ? 'true' : null,
					'aria-label': `${name} ${fmtNumber(count)}件`,
				})));
			}
			facetList.replaceChildren(...items);
		}

		function renderTimeline(s, facets, total) {
			const counts = facets && facets.year && typeof facets.year === 'object' ? facets.year : {};
			const years = new Map();
			let unknown = 0;
			for (const [k, v] of Object.entries(counts)) {
				if (typeof v !== 'number') continue;
				if (/^\d{4}$/.test(k)) years.set(Number(k), v);
				else unknown += v;
			}
			/* Undated items have no year facet: what the years don't cover. */
			const dated = [...years.values()].reduce((a, b) => a + b, 0);
			if (typeof total === 'number' && total - dated > unknown) unknown = total - dated;
			const nodes = [];
			if (years.size === 0) {
				nodes.push(el('p', { className: 'muted', text: '年ごとのデータはありません No dated items' }));
			} else {
				let keys = [...years.keys()].sort((a, b) => a - b);
				const lo = keys[0];
				const hi = keys[keys.length - 1];
				if (hi - lo < 60) keys = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
				const max = Math.max(...years.values(), 1);
				const barW = 34;
				const gap = 10;
				const padX = 6;
				const top = 18;
				const chartH = 90;
				const bottom = 22;
				const W = padX * 2 + keys.length * barW + (keys.length - 1) * gap;
				const H = top + chartH + bottom;
				const total = [...years.values()].reduce((a, b) => a + b, 0);
				const desc = keys.map((y) => `${y}年 ${years.get(y) || 0}件`).join('、');
				const svg = svgEl('svg', {
					className: 'timeline-chart',
					viewBox: `0 0 ${W} ${H}`,
					width: W,
					height: H,
					role: 'group',
					'aria-label': `年別の件数 Items per year: ${desc}`,
				}, svgEl('title', { text: `年別の件数 (合計 ${total}件)` }));
				svg.append(svgEl('line', { className: 'timeline-axis', x1: 0, x2: W, y1: top + chartH + 0.5, y2: top + chartH + 0.5 }));
				const activeYear = /^(\d{4})-01-01$/.test(s.from) && s.to === s.from.slice(0, 4) + '-12-31' ? Number(s.from.slice(0, 4)) : null;
				keys.forEach((y, i) => {
					const c = years.get(y) || 0;
					const h = c ? Math.max(2, Math.round((c / max) * chartH)) : 0;
					const x = padX + i * (barW + gap);
					const label = `${y}年: ${c}件`;
					const g = svgEl('g', { className: 'timeline-bar' + (activeYear === y ? ' is-active' : '') },
						svgEl('title', { text: c ? `${label} — この年で絞り込む Filter to ${y}` : label }),
						svgEl('rect', { className: 'timeline-hit', x, y: top - 18, width: barW, height: chartH + 18 + bottom, rx: 3 }),
						svgEl('rect', { className: 'timeline-rect', x, y: top + chartH - h, width: barW, height: h, rx: 3 }),
						svgEl('text', { className: 'timeline-count', x: x + barW / 2, y: top + chartH - h - 5, 'text-anchor': 'middle', text: String(c) }),
						svgEl('text', { className: 'timeline-year', x: x + barW / 2, y: top + chartH + 16, 'text-anchor': 'middle', text: String(y) }));
					if (c > 0) {
						const next = { ...s, from: `${y}-01-01`, to: `${y}-12-31`, page: 1 };
						const a = svgEl('a', { href: stateUrl(next), 'data-nav': 'year', 'data-key': String(y), 'aria-label': `${label} — この年で絞り込む Filter to ${y}` }, g);
						svg.append(a);
					} else {
						g.setAttribute('aria-label', label);
						g.setAttribute('role', 'img');
						svg.append(g);
					}
				});
				nodes.push(el('div', { className: 'timeline-scroll' }, svg));
			}
			if (unknown) nodes.push(el('p', { className: 'muted timeline-note', text: `日付不明 Undated: ${fmtNumber(unknown)}件` }));
			timeline.replaceChildren(...nodes);
		}

		function pageWindow(cur, last) {
			const pages = new Set([1, last, cur - 2, cur - 1, cur, cur + 1, cur + 2]);
			const list = [...pages].filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
			const out = [];
			for (let i = 0; i < list.length; i++) {
				if (i && list[i] - list[i - 1] > 1) out.push(null);
				out.push(list[i]);
			}
			return out;
		}

		function renderPagination(s, total) {
			const last = Math.max(1, Math.min(Math.ceil(total / PAGE_SIZE), Math.floor(MAX_OFFSET / PAGE_SIZE) + 1));
			if (total <= PAGE_SIZE && s.page === 1) {
				pagination.hidden = true;
				pagination.replaceChildren();
				return;
			}
			const list = el('ul', { className: 'pages' });
			const cur = s.page;
			list.append(el('li', null, cur > 1
				? navLink({ ...s, page: cur - 1 }, '‹ 前へ Prev', 'page', 'prev', { className: 'page page-prev', rel: 'prev' })
				: el('span', { className: 'page page-prev is-disabled', 'aria-disabled': 'true', text: '‹ 前へ Prev' })));
			for (const p of pageWindow(Math.min(cur, last), last)) {
				if (p === null) list.append(el('li', { className: 'page-gap', 'aria-hidden': 'true' }, '…'));
				else list.append(el('li', null, navLink({ ...s, page: p }, String(p), 'page', String(p), {
					className: 'page page-num',
					'aria-current': p === cur ? 'page' : null,
					'aria-label': `${p} ページ目 Page ${p}`,
				})));
			}
			list.append(el('li', null, cur < last
				? navLink({ ...s, page: cur + 1 }, '次へ Next ›', 'page', 'next', { className: 'page page-next', rel: 'next' })
				: el('span', { className: 'page page-next is-disabled', 'aria-disabled': 'true', text: '次へ Next ›' })));
			pagination.replaceChildren(list);
			pagination.hidden = false;
		}

		function emptyTips(s) {
			const ul = el('ul', { className: 'tips' },
				el('li', { text: '別のキーワードや、より短い語句で検索してください。Try other or fewer words.' }),
				el('li', { text: '全角・半角、カタカナ・ひらがなの違いは吸収されます。Width and case do not matter.' }));
			if (s.section || s.from || s.to) {
				ul.append(el('li', null, navLink({ ...s, section: '', from: '', to: '', page: 1 }, '絞り込みを解除して検索 Search without filters', 'chip', 'all')));
			}
			return ul;
		}

		function clearResults() {
			results.replaceChildren();
			pagination.hidden = true;
			pagination.replaceChildren();
		}

		function applyFocus(opts) {
			if (opts.focus === 'page') {
				const h = byId('results-heading');
				h.focus({ preventScroll: true });
				resultsArea.scrollIntoView({ block: 'start' });
			} else if (opts.focus && opts.focusKey !== undefined) {
				const sel = `[data-nav="${CSS.escape(opts.focus)}"][data-key="${CSS.escape(opts.focusKey)}"]`;
				const target = document.querySelector(sel);
				if (target) target.focus({ preventScroll: true });
				else if (opts.focus === 'chip') input.focus({ preventScroll: true });
			} else if (opts.focus === 'sort') {
				sortSel.focus({ preventScroll: true });
			}
		}

		async function render(s, opts) {
			syncForm(s);
			renderActiveFilters(s);
			const mySeq = ++seq;
			if (controller) controller.abort();
			controller = new AbortController();
			const params = new URLSearchParams();
			params.set('q', s.q);
			params.set('limit', String(PAGE_SIZE));
			params.set('offset', String((s.page - 1) * PAGE_SIZE));
			params.set('sort', effectiveSort(s));
			if (s.section) params.set('section', s.section);
			if (s.from) params.set('from', s.from);
			if (s.to) params.set('to', s.to);
			resultsArea.setAttribute('aria-busy', 'true');
			document.body.classList.add('is-loading');
			try {
				const res = await fetch('/api/search?' + params.toString(), {
					signal: controller.signal,
					headers: { Accept: 'application/json' },
				});
				const body = await readJson(res);
				if (mySeq !== seq) return;
				show(s, body);
			} catch (err) {
				if (err && err.name === 'AbortError') return;
				if (mySeq !== seq) return;
				showError(err);
			} finally {
				if (mySeq === seq) {
					resultsArea.removeAttribute('aria-busy');
					document.body.classList.remove('is-loading');
				}
			}
			if (mySeq === seq) applyFocus(opts);
		}

		function show(s, body) {
			const total = typeof body.total === 'number' ? body.total : 0;
			const hits = Array.isArray(body.hits) ? body.hits : [];
			const offset = typeof body.offset === 'number' ? body.offset : (s.page - 1) * PAGE_SIZE;
			const took = fmtMs(body.took_ms);
			document.body.dataset.state = total ? 'results' : 'empty';

			if (hits.length) {
				const range = `${fmtNumber(offset + 1)}–${fmtNumber(offset + hits.length)}`;
				status.replaceChildren(
					el('strong', { className: 'status-total', text: fmtNumber(total) }), ' 件中 ', range, ' 件目',
					el('span', { className: 'status-en', lang: 'en', text: ` (${total} results)` }),
					took ? el('span', { className: 'status-took', text: ` · ${took}` }) : null);
			} else {
				status.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(total) }), ' 件',
					el('span', { className: 'status-en', lang: 'en', text: ` (${total} results)` }),
					took ? el('span', { className: 'status-took', text: ` · ${took}` }) : null);
			}

			results.replaceChildren(...hits.map(renderHit));
			renderFacets(s, body.facets);
			renderTimeline(s, body.facets, total);
			renderPagination(s, total);

			if (total === 0) {
				const what = s.q ? `「${s.q}」に一致する記事は見つかりませんでした。` : '表示できる記事がありません。';
				showMessage(message, 'empty', what + ' No items found.', null, emptyTips(s));
			} else if (!hits.length) {
				showMessage(message, 'empty', 'このページには結果がありません。 This page has no results.', null,
					el('p', null, navLink({ ...s, page: 1 }, '最初のページへ Go to page 1', 'page', '1')));
			} else {
				hideMessage(message);
			}
		}

		function showError(err) {
			document.body.dataset.state = 'error';
			status.textContent = '';
			clearResults();
			facetList.replaceChildren();
			timeline.replaceChildren();
			const detail = el('p', { className: 'message-detail' },
				el('span', { className: 'error-message', text: err && err.message ? err.message : String(err) }),
				err && err.code ? el('code', { className: 'error-code', text: err.code }) : null);
			showMessage(message, 'error', '検索できませんでした。 The search failed.', detail,
				el('p', null, el('a', { href: '/', text: 'トップに戻る Start over' })));
		}

		render(readState(), {});
	}

	/* =====================================================================
	 * Issue page: /issue.html?n=59#item-3
	 * ===================================================================== */

	function issuePage() {
		const heading = byId('issue-heading');
		const meta = byId('issue-meta');
		const body = byId('issue-body');
		const toc = byId('issue-toc');
		const message = byId('message');
		const article = byId('issue');
		const back = byId('back-link');

		/* Back to the search the reader came from, if any (the server sends
		 * Referrer-Policy: no-referrer, so the search page remembers it). */
		try {
			const last = sessionStorage.getItem(LAST_SEARCH_KEY) || '';
			if (last === '/' || last.startsWith('/?')) back.href = last;
		} catch {
			/* storage unavailable: keep "/" */
		}

		function markTarget(scroll) {
			for (const old of document.querySelectorAll('.item.is-target')) old.classList.remove('is-target');
			let id = '';
			try {
				id = decodeURIComponent(location.hash.slice(1));
			} catch {
				id = '';
			}
			if (!id) return;
			const t = document.getElementById(id);
			if (!t) return;
			if (t.classList.contains('item')) t.classList.add('is-target');
			if (scroll) t.scrollIntoView({ block: 'start' });
		}
		window.addEventListener('hashchange', () => markTarget(false));

		const n = new URLSearchParams(location.search).get('n') || '';
		if (!/^\d{1,12}$/.test(n)) {
			article.removeAttribute('aria-busy');
			heading.textContent = 'Issue';
			showMessage(message, 'error', '号数が指定されていません。 No issue number given.',
				'例 e.g. /issue.html?n=59');
			return;
		}
		heading.textContent = `Issue #${Number(n)}`;
		document.title = `Issue #${Number(n)} — kensaku 検索`;

		function renderIssue(data) {
			const issueNo = typeof data.issue === 'number' ? data.issue : Number(n);
			heading.textContent = `Issue #${issueNo}`;
			document.title = `Issue #${issueNo}${data.date ? ' (' + data.date + ')' : ''} — kensaku 検索`;
			const items = Array.isArray(data.items) ? data.items : [];
			const metaParts = [dateNode(data.date), el('span', { text: ` · ${items.length} 件 items` })];
			if (typeof data.title === 'string' && data.title) metaParts.unshift(el('span', { className: 'issue-title', text: data.title }), el('br'));
			meta.replaceChildren(...metaParts);

			/* Group consecutive items by section, in the issue's order. */
			const groups = [];
			for (const it of items) {
				const name = typeof it.section === 'string' ? it.section : '';
				const last = groups[groups.length - 1];
				if (last && last.name === name) last.items.push(it);
				else groups.push({ name, items: [it] });
			}

			const tocList = el('ol', { className: 'toc-list' });
			const sections = groups.map((g, gi) => {
				const secId = `section-${gi + 1}`;
				const title = g.name || 'その他 (セクションなし)';
				tocList.append(el('li', null, el('a', { href: '#' + secId, className: 'toc-link' },
					el('span', { className: 'badge ' + sectionClass(title), text: title }),
					el('span', { className: 'toc-count', text: ` ${g.items.length}` }))));
				const list = el('ol', { className: 'items' });
				for (const it of g.items) {
					const { position } = itemPlace(it, issueNo);
					const pos = position || (items.indexOf(it) + 1);
					const anchor = `item-${pos}`;
					const titleId = `${anchor}-title`;
					const permalink = el('a', {
						className: 'permalink',
						href: '#' + anchor,
						'aria-label': `この記事へのリンク Permalink to item ${pos}`,
						title: 'Permalink',
					}, el('span', { 'aria-hidden': 'true', text: '#' }), String(pos));
					const head = el('header', { className: 'item-header' },
						el('h3', { className: 'item-title', id: titleId, text: it.title || '(無題)' }),
						permalink);
					const art = el('article', { className: 'item', id: anchor, tabindex: '-1', 'aria-labelledby': titleId }, head);
					const q = quoteBlock(it.quote);
					if (q) art.append(q);
					const src = safeHttpUrl(it.url);
					const foot = el('p', { className: 'item-meta' }, el('span', { className: 'item-id', text: `ID ${it.id || issueNo + '-' + pos}` }));
					if (src) foot.append(el('a', { href: src, className: 'source-link', rel: 'noopener noreferrer', text: '出典 Source' }));
					art.append(foot);
					list.append(el('li', null, art));
				}
				return el('section', { className: 'issue-section', id: secId, 'aria-labelledby': secId + '-h' },
					el('h2', { className: 'issue-section-heading', id: secId + '-h' }, sectionBadge(title) || title), list);
			});
			if (groups.length > 1) {
				toc.replaceChildren(el('h2', { className: 'visually-hidden', text: '目次 Contents' }), tocList);
				toc.hidden = false;
			}
			body.replaceChildren(...sections);
			if (!items.length) showMessage(message, 'empty', 'この号には記事がありません。 This issue has no items.');
		}

		fetch('/api/issues/' + encodeURIComponent(n), { headers: { Accept: 'application/json' } })
			.then(readJson)
			.then((data) => {
				renderIssue(data);
				markTarget(true);
			})
			.catch((err) => {
				const detail = el('p', { className: 'message-detail' },
					el('span', { className: 'error-message', text: err && err.message ? err.message : String(err) }),
					err && err.code ? el('code', { className: 'error-code', text: err.code }) : null);
				showMessage(message, 'error', err && err.status === 404
					? 'この号は見つかりませんでした。 Issue not found.'
					: '号を読み込めませんでした。 Could not load the issue.', detail);
			})
			.finally(() => article.removeAttribute('aria-busy'));
	}

	/* ---------- start ---------- */

	function start() {
		installSlashKey();
		const page = document.body.dataset.page;
		if (page === 'search') searchPage();
		else if (page === 'issue') issuePage();
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
	else start();
})();
