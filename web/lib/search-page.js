/* search-page.js — the search page:
 *   /?q=Q&section=S&entity=E&exact=1&sort=newest&from=D&to=D&vs=Q2&page=N
 * Every state is a URL (history.pushState), so Back and Forward work and any
 * search can be shared. See web/README.md for the parameters. */
import {
	PAGE_SIZE, byId, el, entityHref, errorDetail, feedHref, fmtMs, fmtNumber, getJson, hideMessage,
	plainMarked, queryIsUtf8, rememberSearch, sectionClass, setFeedLink, setText, showBadEncoding, showMessage,
} from './dom.js';
import { renderHit, renderPagination } from './hits.js';
import { renderNotices } from './notices.js';
import { drawTrend, fetchTrend, keyRange, rangeKey, trendModel } from './trend.js';

const SORTS = ['relevance', 'newest', 'oldest'];
const FACETS_SHOWN = 8;

function readState() {
	const p = new URLSearchParams(location.search);
	let page = Number.parseInt(p.get('page') || '1', 10);
	if (!Number.isFinite(page) || page < 1) page = 1;
	return {
		q: p.get('q') || '',
		section: p.get('section') || '',
		entity: p.get('entity') || '',
		exact: p.get('exact') === '1' ? '1' : '',
		sort: p.get('sort') || '',
		from: p.get('from') || '',
		to: p.get('to') || '',
		vs: p.get('vs') || '',
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
	for (const k of ['q', 'section', 'entity', 'exact', 'sort', 'from', 'to', 'vs']) if (s[k]) p.set(k, s[k]);
	if (s.page > 1) p.set('page', String(s.page));
	const qs = p.toString();
	return '/' + (qs ? '?' + qs : '');
}

const fold = (t) => String(t || '').normalize('NFKC').toLowerCase();

/* Hiragana (U+3041–U+3096, ゝ ゞ) as katakana: the same letters 0x60 higher. */
const toKatakana = (t) => String(t || '').replace(/[\u3041-\u3096\u309d\u309e]/gu,
	(c) => String.fromCharCode(c.charCodeAt(0) + 0x60));

export function searchPage() {
	const form = byId('search-form');
	const input = byId('q');
	const sortSel = byId('sort');
	const status = byId('status');
	const expandedLine = byId('expanded');
	const noticesBox = byId('notices');
	const subscribe = byId('subscribe');
	const subscribeWhat = byId('subscribe-what');
	const results = byId('results');
	const message = byId('message');
	const pagination = byId('pagination');
	const facetList = byId('section-facets');
	const cvePanel = byId('cve-panel');
	const cveList = byId('cve-facets');
	const entityPanel = byId('entity-panel');
	const entityList = byId('entity-facets');
	const timeline = byId('timeline');
	const compareForm = byId('compare-form');
	const vsInput = byId('vs');
	const compareClear = byId('compare-clear');
	const activeFilters = byId('active-filters');
	const resultsArea = results.closest('.results-area');
	const dateForm = byId('date-form');
	const fromInput = byId('from');
	const toInput = byId('to');
	const filters = byId('filters');
	const filtersCount = byId('filters-count');

	let seq = 0;
	let trendSeq = 0;
	let controller = null;
	let trendFocus = null;

	/* Phone widths: the filters fold into a disclosure under the results count. */
	if (filters && typeof matchMedia === 'function') {
		const narrow = matchMedia('(max-width: 52rem)');
		filters.open = !narrow.matches;
		narrow.addEventListener('change', () => {
			filters.open = !narrow.matches;
		});
	}

	function go(next, opts) {
		const url = stateUrl(next);
		if (url !== location.pathname + location.search) history.pushState(null, '', url);
		render(readState(), opts || {});
	}

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		go({ ...readState(), q: input.value.trim(), page: 1 });
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
			go({ ...readState(), from: fromInput.value, to: toInput.value, page: 1 }, { focus: 'date' });
		});
	}

	compareForm.addEventListener('submit', (e) => {
		e.preventDefault();
		go({ ...readState(), vs: vsInput.value.trim() }, { focus: 'compare' });
	});

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

	function searchLabel(s) {
		if (s.q.trim()) return s.q.trim();
		return s.entity || 'すべて All';
	}

	function syncForm(s) {
		rememberSearch();
		const heading = byId('results-heading');
		heading.replaceChildren(s.q.trim() ? '検索結果 ' : 'すべての記事 ',
			el('span', { lang: 'en', text: s.q.trim() ? 'Results' : 'All items' }));
		input.value = s.q;
		vsInput.value = s.vs;
		compareClear.hidden = !s.vs;
		compareClear.setAttribute('href', stateUrl({ ...s, vs: '' }));
		const eff = effectiveSort(s);
		sortSel.value = SORTS.includes(eff) ? eff : 'relevance';
		if (fromInput) fromInput.value = /^\d{4}-\d{2}-\d{2}$/.test(s.from) ? s.from : '';
		if (toInput) toInput.value = /^\d{4}-\d{2}-\d{2}$/.test(s.to) ? s.to : '';
		document.title = plainMarked((s.q ? `${s.q} — ` : s.entity ? `${s.entity} — ` : '') + 'kensaku 検索');
		const feed = feedHref(s);
		setFeedLink(feed, `kensaku: ${searchLabel(s)} (Atom)`);
		subscribe.setAttribute('href', feed);
		setText(subscribeWhat, `: 「${searchLabel(s)}」の新着 newest items`);
		const n = (s.section ? 1 : 0) + (s.entity ? 1 : 0) + (s.from || s.to ? 1 : 0);
		if (filtersCount) filtersCount.textContent = n ? ` (${n})` : '';
	}

	/* A filter chip: its visible label, then a hidden "clear" phrase, so
	 * the accessible name starts with the visible text (WCAG 2.5.3). */
	function chip(label, next, key) {
		return navLink(next, [
			el('span', { className: 'chip-label', text: label }),
			el('span', { className: 'visually-hidden', text: ' の絞り込みを解除 Clear filter' }),
			el('span', { className: 'chip-x', 'aria-hidden': 'true', text: '×' }),
		], 'chip', key, { className: 'chip' });
	}

	function renderActiveFilters(s) {
		const chips = [];
		if (s.section) {
			chips.push(chip('セクション: ' + s.section, { ...s, section: '', page: 1 }, 'section'));
		}
		if (s.entity) {
			chips.push(chip('名前: ' + s.entity, { ...s, entity: '', page: 1 }, 'entity'));
			chips.push(el('a', { className: 'chip chip-plain', href: entityHref(s.entity), text: `${s.entity} の詳細 ›` }));
		}
		if (s.from || s.to) {
			const label = `期間: ${s.from || '…'} 〜 ${s.to || '…'}`;
			chips.push(chip(label, { ...s, from: '', to: '', page: 1 }, 'date'));
		}
		if ((s.section ? 1 : 0) + (s.entity ? 1 : 0) + (s.from || s.to ? 1 : 0) > 1) {
			chips.push(navLink({ ...s, section: '', entity: '', from: '', to: '', page: 1 }, 'すべて解除 Clear all', 'chip', 'all', { className: 'chip chip-plain' }));
		}
		activeFilters.hidden = chips.length === 0;
		activeFilters.replaceChildren(...(chips.length ? [el('span', { className: 'active-filters-label', text: '絞り込み中 Filters:' }), ...chips] : []));
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
				el('span', { className: 'visually-hidden', text: ' 件 items' }),
			], 'facet', name, {
				className: 'facet ' + sectionClass(name),
				'aria-current': s.section === name ? 'true' : null,
			})));
		}
		facetList.replaceChildren(...items);
	}

	/* CVE or entity facet panel: each name filters (entity=NAME; the
	 * current one clears it) and has a link to its entity page. */
	function renderEntityFacet(s, panel, list, counts, nav) {
		const entries = Object.entries(counts && typeof counts === 'object' ? counts : {})
			.filter(([k, v]) => k && typeof v === 'number');
		entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
		panel.hidden = entries.length === 0;
		const rows = entries.map(([name, count], i) => {
			const current = s.entity === name;
			const filter = navLink({ ...s, entity: current ? '' : name, page: 1 }, [
				el('span', { className: 'facet-name', text: name }),
				el('span', { className: 'facet-count', text: fmtNumber(count) }),
				el('span', { className: 'visually-hidden', text: current ? ' 件 — 絞り込みを解除 Clear filter' : ' 件 — 絞り込む Filter' }),
			], nav, name, {
				className: 'facet',
				'aria-current': current ? 'true' : null,
			});
			const detail = el('a', {
				className: 'facet-detail', href: entityHref(name), title: '詳細 Details',
				'aria-label': `${name} の詳細 Details`,
			}, el('span', { 'aria-hidden': 'true', text: '›' }));
			return el('li', { className: 'facet-row' + (i >= FACETS_SHOWN && !current ? ' is-extra' : '') }, filter, detail);
		});
		list.replaceChildren(...rows);
		list.classList.remove('is-expanded');
		const more = panel.querySelector('.facet-more');
		const extra = rows.filter((r) => r.classList.contains('is-extra')).length;
		if (more) {
			more.hidden = extra === 0;
			more.setAttribute('aria-expanded', 'false');
			more.textContent = `さらに ${extra} 件 Show ${extra} more`;
		}
	}

	for (const panel of [cvePanel, entityPanel]) {
		const more = panel.querySelector('.facet-more');
		const list = panel.querySelector('.facets');
		more.addEventListener('click', () => {
			const open = list.classList.toggle('is-expanded');
			more.setAttribute('aria-expanded', String(open));
			const extra = list.querySelectorAll('.is-extra').length;
			more.textContent = open ? '少なく表示 Show fewer' : `さらに ${extra} 件 Show ${extra} more`;
		});
	}

	function renderExpanded(s, body) {
		const groups = Array.isArray(body && body.expanded) ? body.expanded : [];
		const shown = [];
		for (const g of groups) {
			if (!g || typeof g.term !== 'string' || !Array.isArray(g.variants)) continue;
			const variants = g.variants.filter((v) => typeof v === 'string' && v && fold(v) !== fold(g.term));
			if (variants.length) shown.push({ term: g.term, variants });
		}
		if (s.exact) {
			expandedLine.replaceChildren(
				el('span', { className: 'expanded-label', text: '完全一致 Exact: ' }),
				el('span', { text: '言い換え・表記ゆれを含めずに検索しています。 Variants are not searched. ' }),
				navLink({ ...s, exact: '', page: 1 }, '言い換えも検索 Include variants', 'exact', 'off', { className: 'exact-toggle' }));
			expandedLine.hidden = false;
		} else if (shown.length) {
			const parts = [el('span', { className: 'expanded-label', text: '次の語も検索 Also searched: ' })];
			shown.forEach((g, i) => {
				if (i) parts.push(' · ');
				g.variants.forEach((v, j) => {
					if (j) parts.push('、');
					parts.push(el('span', { className: 'expanded-term', text: v }));
				});
			});
			parts.push(' ', navLink({ ...s, exact: '1', page: 1 }, '完全一致で検索 Exact only', 'exact', 'on', { className: 'exact-toggle' }));
			expandedLine.replaceChildren(...parts);
			expandedLine.hidden = false;
		} else {
			expandedLine.hidden = true;
			expandedLine.replaceChildren();
		}
	}

	/* The no-results help. It claims only what the search does: width
	 * (ＱＮＡＰ, ﾌｨｯｼﾝｸﾞ) and case are folded, hiragana and katakana are not
	 * (らんさむうぇあ does not find ランサムウェア), so a query holding
	 * hiragana is offered in katakana. */
	function emptyTips(s) {
		const ul = el('ul', { className: 'tips' },
			el('li', { text: '別のキーワードや、より短い語句で検索してください。Try other or fewer words.' }),
			el('li', { text: '全角・半角と大文字・小文字の違いは区別しません。ひらがなとカタカナは区別します。Width and case do not matter; hiragana and katakana are different.' }));
		const kata = toKatakana(s.q);
		if (kata !== s.q) {
			ul.append(el('li', null, 'カタカナで検索 Search in katakana: ',
				navLink({ ...s, q: kata, page: 1 }, kata, 'kana', 'katakana', { className: 'kana-retry', lang: 'ja' })));
		}
		if (s.section || s.entity || s.from || s.to) {
			ul.append(el('li', null, navLink({ ...s, section: '', entity: '', from: '', to: '', page: 1 }, '絞り込みを解除して検索 Search without filters', 'chip', 'all')));
		}
		if (s.exact) ul.append(el('li', null, navLink({ ...s, exact: '', page: 1 }, '言い換えも検索 Include variants', 'exact', 'off')));
		return ul;
	}

	function applyFocus(opts) {
		if (opts.focus === 'page') {
			byId('results-heading').focus({ preventScroll: true });
			resultsArea.scrollIntoView({ block: 'start' });
		} else if (opts.focus === 'period') {
			trendFocus = opts.focusKey;
			focusTrend();
		} else if (opts.focus && opts.focus !== 'compare' && opts.focusKey !== undefined) {
			const sel = `[data-nav="${CSS.escape(opts.focus)}"][data-key="${CSS.escape(opts.focusKey)}"]`;
			const target = document.querySelector(sel);
			if (target) target.focus({ preventScroll: true });
			else if (opts.focus === 'chip' || opts.focus === 'exact') input.focus({ preventScroll: true });
		} else if (opts.focus === 'sort') {
			sortSel.focus({ preventScroll: true });
		}
	}

	/* After a timeline bar was followed: focus the same bar once redrawn. */
	function focusTrend() {
		if (trendFocus === null || timeline.dataset.state === 'loading') return;
		const a = timeline.querySelector(`a[data-key="${CSS.escape(trendFocus)}"]`);
		trendFocus = null;
		if (a) {
			for (const o of timeline.querySelectorAll('a.trend-bucket')) o.setAttribute('tabindex', o === a ? '0' : '-1');
			a.focus({ preventScroll: true });
		}
	}

	async function renderTrend(s) {
		const mySeq = ++trendSeq;
		const base = { q: s.q, section: s.section, from: s.from, to: s.to, entity: s.entity, exact: s.exact };
		timeline.dataset.state = 'loading';
		timeline.setAttribute('aria-busy', 'true');
		try {
			const wanted = [fetchTrend(base)];
			if (s.vs) wanted.push(fetchTrend({ ...base, q: s.vs }));
			const bodies = await Promise.all(wanted);
			if (mySeq !== trendSeq) return;
			const series = [{ label: searchLabel(s), body: bodies[0] }];
			if (s.vs) series.push({ label: s.vs, body: bodies[1] });
			drawTrend(timeline, trendModel(series), {
				nav: 'period',
				activeKey: rangeKey(s.from, s.to),
				hrefFor: (key) => stateUrl({ ...s, ...keyRange(key), page: 1 }),
				caption: s.vs ? `「${searchLabel(s)}」と「${s.vs}」の件数の推移 Items over time, compared` : `「${searchLabel(s)}」の件数の推移 Items over time`,
			});
			timeline.dataset.state = 'ready';
		} catch (err) {
			if (mySeq !== trendSeq) return;
			timeline.dataset.state = 'error';
			timeline.replaceChildren(el('div', { className: 'message message-error', role: 'alert' },
				el('p', { className: 'message-title', text: '推移を表示できませんでした。 The timeline failed.' }), errorDetail(err)));
		} finally {
			if (mySeq === trendSeq) timeline.removeAttribute('aria-busy');
		}
		if (mySeq === trendSeq) focusTrend();
	}

	/* A link whose query is not UTF-8: say so instead of searching for the
	 * U+FFFD characters URLSearchParams made of its bytes. */
	function showEncodingError() {
		clearResults();
		input.value = '';
		activeFilters.hidden = true;
		timeline.dataset.state = 'error';
		timeline.replaceChildren();
		showBadEncoding(message);
	}

	async function render(s, opts) {
		if (!queryIsUtf8(location.search)) {
			++seq;
			++trendSeq;
			if (controller) controller.abort();
			showEncodingError();
			return;
		}
		syncForm(s);
		if (opts.focus === 'compare') vsInput.focus({ preventScroll: true });
		renderActiveFilters(s);
		renderTrend(s);
		const mySeq = ++seq;
		if (controller) controller.abort();
		controller = new AbortController();
		const params = new URLSearchParams();
		params.set('q', s.q);
		params.set('limit', String(PAGE_SIZE));
		params.set('offset', String((s.page - 1) * PAGE_SIZE));
		params.set('sort', effectiveSort(s));
		if (s.section) params.set('section', s.section);
		if (s.entity) params.set('entity', s.entity);
		if (s.exact) params.set('exact', '1');
		if (s.from) params.set('from', s.from);
		if (s.to) params.set('to', s.to);
		resultsArea.setAttribute('aria-busy', 'true');
		document.body.classList.add('is-loading');
		try {
			const body = await getJson('/api/search?' + params.toString(), controller.signal);
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
		const tail = [el('span', { className: 'status-en', lang: 'en', text: ` (${total} results)` }),
			took ? el('span', { className: 'status-took', text: ` · ${took}` }) : null];
		if (hits.length) {
			const range = `${fmtNumber(offset + 1)}–${fmtNumber(offset + hits.length)}`;
			status.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(total) }), ' 件中 ', range, ' 件目', ...tail);
		} else {
			status.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(total) }), ' 件', ...tail);
		}
		renderExpanded(s, body);
		renderNotices(noticesBox, body);
		results.replaceChildren(...hits.map(renderHit));
		const facets = body.facets || {};
		renderFacets(s, facets);
		renderEntityFacet(s, cvePanel, cveList, facets.cve, 'cve');
		renderEntityFacet(s, entityPanel, entityList, facets.entity, 'entity');
		renderPagination(pagination, s.page, total, (p, text, attrs) => {
			const { key, ...rest } = attrs;
			return navLink({ ...s, page: p }, text, 'page', key, rest);
		});

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

	function clearResults() {
		document.body.dataset.state = 'error';
		document.body.classList.remove('is-loading');
		resultsArea.removeAttribute('aria-busy');
		status.textContent = '';
		expandedLine.hidden = true;
		renderNotices(noticesBox, null);
		results.replaceChildren();
		pagination.hidden = true;
		pagination.replaceChildren();
		facetList.replaceChildren();
		cvePanel.hidden = true;
		entityPanel.hidden = true;
	}

	function showError(err) {
		clearResults();
		showMessage(message, 'error', '検索できませんでした。 The search failed.', errorDetail(err),
			el('p', null, el('a', { href: '/', text: 'トップに戻る Start over' })));
	}

	render(readState(), {});
}
