/* entity-page.js — one entity (a CVE id or a gazetteer name):
 *   /entity.html?name=Emotet&page=2
 * shows its name, kind, spellings and count (GET /api/entities/{name}), its
 * items per month or year (GET /api/trend?entity=) and its items newest
 * first, 20 a page (GET /api/search?entity=&sort=newest), each linking to
 * the item on its issue page. The page number is in the URL (pushState). */
import {
	byId, el, errorDetail, hideMessage, kindBadge, kindLabel, plainMarked, setFeedLink, setText, showBadEncoding,
	showMessage,
} from './dom.js';
import { PAGE_SIZE, fetchEntity, fetchSearch, fetchTrend, isAbort, newestOnly } from './api.js';
import { fmtNumber } from './text.js';
import { feedHref, pageParam, queryIsUtf8 } from './url.js';
import { backToLastSearch } from './store.js';
import { renderHit, renderPagination } from './hits.js';
import { drawTrend, drawTrendError, keyRange, trendModel } from './trend.js';

const readPage = () => pageParam(new URLSearchParams(location.search));

/* The page's elements, by role. */
function entityView() {
	return {
		article: byId('entity'), heading: byId('entity-heading'), kindBox: byId('entity-kind'), meta: byId('entity-meta'),
		spellingsBox: byId('entity-spellings'), actions: byId('entity-actions'), message: byId('message'),
		timeline: byId('timeline'), itemsStatus: byId('items-status'), results: byId('results'),
		pagination: byId('pagination'), itemsArea: byId('entity-items'), trendPanel: byId('entity-trend'),
	};
}

/* The URL of page `page` of the entity called name. */
function pageUrl(name, page) {
	const p = new URLSearchParams();
	p.set('name', name);
	if (page > 1) p.set('page', String(page));
	return '/entity.html?' + p.toString();
}

/* Without an entity there is no timeline or item list to show. */
function fail(v, show) {
	v.article.removeAttribute('aria-busy');
	document.body.dataset.state = 'error';
	v.trendPanel.hidden = true;
	v.itemsArea.hidden = true;
	show();
}

/* Name, kind, count, spellings, the search and feed links of entity e;
 * the URL is rewritten to its canonical name. */
function renderEntity(v, e) {
	setText(v.heading, e.name);
	document.title = plainMarked(`${e.name} — kensaku 検索`);
	v.kindBox.replaceChildren(kindBadge(e.kind) || '');
	const count = typeof e.count === 'number' ? e.count : 0;
	v.meta.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(count) }), ' 件の記事',
		el('span', { lang: 'en', className: 'status-en', text: ` (${count} items)` }),
		e.kind ? el('span', { className: 'visually-hidden', text: ` · ${kindLabel(e.kind)}` }) : null);
	const spellings = (Array.isArray(e.spellings) ? e.spellings : []).filter((x) => typeof x === 'string' && x);
	if (spellings.length) {
		v.spellingsBox.replaceChildren(el('span', { className: 'spellings-label', text: '表記 Spellings: ' }),
			el('ul', { className: 'spellings' }, ...spellings.map((x) => el('li', { text: x }))));
		v.spellingsBox.hidden = false;
	}
	const feed = feedHref({ entity: e.name });
	setFeedLink(feed, `kensaku: ${e.name} (Atom)`);
	v.actions.replaceChildren(
		el('a', { className: 'button', href: '/?entity=' + encodeURIComponent(e.name), text: `「${e.name}」で絞り込んで検索 Search` }),
		el('a', { className: 'subscribe', id: 'subscribe', href: feed },
			'購読 Subscribe ', el('span', { className: 'feed-kind', text: 'Atom' }),
			el('span', { className: 'visually-hidden', text: `: 「${e.name}」の新着 newest items` })));
	if (location.search !== new URL(pageUrl(e.name, readPage()), location.href).search) {
		history.replaceState(null, '', pageUrl(e.name, readPage()));
	}
}

/* The entity's timeline; each bar links to the search filtered by the
 * entity and that period. */
async function renderTrend(v, name) {
	v.timeline.dataset.state = 'loading';
	try {
		const body = await fetchTrend({ q: '', entity: name });
		drawTrend(v.timeline, trendModel([{ label: name, body }]), {
			caption: `「${name}」の件数の推移 Items over time`,
			hrefFor: (key) => '/?' + new URLSearchParams({ entity: name, ...keyRange(key) }).toString(),
		});
		v.timeline.dataset.state = 'ready';
	} catch (err) {
		drawTrendError(v.timeline, err);
	}
}

/* Page `page` of the entity's items (body, /api/search's answer). */
function showItems(v, name, page, body) {
	const total = typeof body.total === 'number' ? body.total : 0;
	const hits = Array.isArray(body.hits) ? body.hits : [];
	const offset = (page - 1) * PAGE_SIZE;
	v.itemsStatus.textContent = hits.length
		? `${fmtNumber(total)} 件中 ${fmtNumber(offset + 1)}–${fmtNumber(offset + hits.length)} 件目 (新しい順 newest first)`
		: `${fmtNumber(total)} 件`;
	v.results.replaceChildren(...hits.map(renderHit));
	renderPagination(v.pagination, page, total, (p, text, attrs) => {
		const { key, ...rest } = attrs;
		return el('a', { href: pageUrl(name, p), dataset: { nav: 'page', key }, ...rest }, text);
	});
	if (!hits.length) {
		showMessage(v.message, 'empty', 'このページには記事がありません。 No items on this page.', null, page > 1
			? el('p', null, el('a', { href: pageUrl(name, 1), dataset: { nav: 'page', key: '1' }, text: '最初のページへ Go to page 1' }))
			: null);
	} else hideMessage(v.message);
	document.body.dataset.state = 'results';
}

/* Fetches and shows page `page` of the entity's items, newest first; only
 * the newest request is shown; focus moves to the list when asked. */
async function renderItems(v, requests, name, page, focus) {
	const req = requests.start();
	const params = { q: '', entity: name, sort: 'newest', limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) };
	v.itemsArea.setAttribute('aria-busy', 'true');
	document.body.classList.add('is-loading');
	try {
		const body = await fetchSearch(params, req.signal);
		if (!req.current()) return;
		showItems(v, name, page, body);
	} catch (err) {
		if (isAbort(err)) return;
		if (!req.current()) return;
		document.body.dataset.state = 'error';
		showMessage(v.message, 'error', '記事を読み込めませんでした。 Could not load the items.', errorDetail(err));
	} finally {
		if (req.current()) {
			v.itemsArea.removeAttribute('aria-busy');
			document.body.classList.remove('is-loading');
		}
	}
	if (req.current() && focus) {
		byId('items-heading').focus({ preventScroll: true });
		v.itemsArea.scrollIntoView({ block: 'start' });
	}
}

/* Page links navigate with pushState; Back and Forward show their page. */
function installPageLinks(show) {
	document.addEventListener('click', (e) => {
		if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
		const a = e.target instanceof Element ? e.target.closest('a[data-nav="page"]') : null;
		if (!a) return;
		const url = new URL(a.getAttribute('href'), location.href);
		if (url.origin !== location.origin || url.pathname !== location.pathname) return;
		e.preventDefault();
		history.pushState(null, '', url.pathname + url.search);
		show(readPage(), true);
	});
	window.addEventListener('popstate', () => show(readPage(), false));
}

export function entityPage() {
	const v = entityView();
	backToLastSearch(byId('back-link'));
	if (!queryIsUtf8(location.search)) {
		fail(v, () => showBadEncoding(v.message));
		return;
	}
	const requested = (new URLSearchParams(location.search).get('name') || '').trim();
	if (!requested) {
		fail(v, () => showMessage(v.message, 'error', '名前が指定されていません。 No entity given.', '例 e.g. /entity.html?name=Emotet'));
		return;
	}
	setText(v.heading, requested);
	let name = requested;
	const requests = newestOnly();
	installPageLinks((page, focus) => renderItems(v, requests, name, page, focus));
	fetchEntity(requested)
		.then((e) => {
			if (!e || typeof e.name !== 'string' || !e.name) throw Object.assign(new Error('invalid entity'), { code: 'bad_response' });
			name = e.name;
			renderEntity(v, e);
			v.article.removeAttribute('aria-busy');
			renderTrend(v, name);
			return renderItems(v, requests, name, readPage(), false);
		})
		.catch((err) => {
			fail(v, () => showMessage(v.message, 'error', err && err.status === 404
				? '見つかりませんでした。 Unknown entity.'
				: '読み込めませんでした。 Could not load the entity.', errorDetail(err)));
		});
}
