/* entity-page.js — one entity (a CVE id or a gazetteer name):
 *   /entity.html?name=Emotet&page=2
 * shows its name, kind, spellings and count (GET /api/entities/{name}), its
 * items per month or year (GET /api/trend?entity=) and its items newest
 * first, 20 a page (GET /api/search?entity=&sort=newest), each linking to
 * the item on its issue page. The page number is in the URL (pushState). */
import {
	PAGE_SIZE, backToLastSearch, byId, el, errorDetail, feedHref, fmtNumber, getJson, hideMessage,
	kindBadge, kindLabel, plainMarked, queryIsUtf8, setFeedLink, setText, showBadEncoding, showMessage,
} from './dom.js';
import { renderHit, renderPagination } from './hits.js';
import { drawTrend, fetchTrend, keyRange, trendModel } from './trend.js';

function readPage() {
	const p = Number.parseInt(new URLSearchParams(location.search).get('page') || '1', 10);
	return Number.isFinite(p) && p >= 1 ? p : 1;
}

export function entityPage() {
	const article = byId('entity');
	const heading = byId('entity-heading');
	const kindBox = byId('entity-kind');
	const meta = byId('entity-meta');
	const spellingsBox = byId('entity-spellings');
	const actions = byId('entity-actions');
	const message = byId('message');
	const timeline = byId('timeline');
	const itemsStatus = byId('items-status');
	const results = byId('results');
	const pagination = byId('pagination');
	const itemsArea = byId('entity-items');
	const trendPanel = byId('entity-trend');

	backToLastSearch(byId('back-link'));

	/* Without an entity there is no timeline or item list to show. */
	function fail(show) {
		article.removeAttribute('aria-busy');
		document.body.dataset.state = 'error';
		trendPanel.hidden = true;
		itemsArea.hidden = true;
		show();
	}

	if (!queryIsUtf8(location.search)) {
		fail(() => showBadEncoding(message));
		return;
	}
	const requested = (new URLSearchParams(location.search).get('name') || '').trim();
	if (!requested) {
		fail(() => showMessage(message, 'error', '名前が指定されていません。 No entity given.', '例 e.g. /entity.html?name=Emotet'));
		return;
	}
	setText(heading, requested);

	let name = requested;
	let seq = 0;
	let controller = null;

	function pageUrl(page) {
		const p = new URLSearchParams();
		p.set('name', name);
		if (page > 1) p.set('page', String(page));
		return '/entity.html?' + p.toString();
	}

	function renderEntity(e) {
		name = e.name;
		setText(heading, e.name);
		document.title = plainMarked(`${e.name} — kensaku 検索`);
		kindBox.replaceChildren(kindBadge(e.kind) || '');
		const count = typeof e.count === 'number' ? e.count : 0;
		meta.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(count) }), ' 件の記事',
			el('span', { lang: 'en', className: 'status-en', text: ` (${count} items)` }),
			e.kind ? el('span', { className: 'visually-hidden', text: ` · ${kindLabel(e.kind)}` }) : null);
		const spellings = (Array.isArray(e.spellings) ? e.spellings : []).filter((x) => typeof x === 'string' && x);
		if (spellings.length) {
			spellingsBox.replaceChildren(el('span', { className: 'spellings-label', text: '表記 Spellings: ' }),
				el('ul', { className: 'spellings' }, ...spellings.map((x) => el('li', { text: x }))));
			spellingsBox.hidden = false;
		}
		const feed = feedHref({ entity: e.name });
		setFeedLink(feed, `kensaku: ${e.name} (Atom)`);
		actions.replaceChildren(
			el('a', { className: 'button', href: '/?entity=' + encodeURIComponent(e.name), text: `「${e.name}」で絞り込んで検索 Search` }),
			el('a', { className: 'subscribe', id: 'subscribe', href: feed },
				'購読 Subscribe ', el('span', { className: 'feed-kind', text: 'Atom' }),
				el('span', { className: 'visually-hidden', text: `: 「${e.name}」の新着 newest items` })));
		if (location.search !== new URL(pageUrl(readPage()), location.href).search) {
			history.replaceState(null, '', pageUrl(readPage()));
		}
	}

	async function renderTrend() {
		timeline.dataset.state = 'loading';
		try {
			const body = await fetchTrend({ q: '', entity: name });
			drawTrend(timeline, trendModel([{ label: name, body }]), {
				caption: `「${name}」の件数の推移 Items over time`,
				hrefFor: (key) => '/?' + new URLSearchParams({ entity: name, ...keyRange(key) }).toString(),
			});
			timeline.dataset.state = 'ready';
		} catch (err) {
			timeline.dataset.state = 'error';
			timeline.replaceChildren(el('div', { className: 'message message-error', role: 'alert' },
				el('p', { className: 'message-title', text: '推移を表示できませんでした。 The timeline failed.' }), errorDetail(err)));
		}
	}

	async function renderItems(page, focus) {
		const mySeq = ++seq;
		if (controller) controller.abort();
		controller = new AbortController();
		const params = new URLSearchParams({ q: '', entity: name, sort: 'newest', limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });
		itemsArea.setAttribute('aria-busy', 'true');
		document.body.classList.add('is-loading');
		try {
			const body = await getJson('/api/search?' + params.toString(), controller.signal);
			if (mySeq !== seq) return;
			const total = typeof body.total === 'number' ? body.total : 0;
			const hits = Array.isArray(body.hits) ? body.hits : [];
			const offset = (page - 1) * PAGE_SIZE;
			itemsStatus.textContent = hits.length
				? `${fmtNumber(total)} 件中 ${fmtNumber(offset + 1)}–${fmtNumber(offset + hits.length)} 件目 (新しい順 newest first)`
				: `${fmtNumber(total)} 件`;
			results.replaceChildren(...hits.map(renderHit));
			renderPagination(pagination, page, total, (p, text, attrs) => {
				const { key, ...rest } = attrs;
				return el('a', { href: pageUrl(p), dataset: { nav: 'page', key }, ...rest }, text);
			});
			if (!hits.length) {
				showMessage(message, 'empty', 'このページには記事がありません。 No items on this page.', null, page > 1
					? el('p', null, el('a', { href: pageUrl(1), dataset: { nav: 'page', key: '1' }, text: '最初のページへ Go to page 1' }))
					: null);
			} else hideMessage(message);
			document.body.dataset.state = 'results';
		} catch (err) {
			if (err && err.name === 'AbortError') return;
			if (mySeq !== seq) return;
			document.body.dataset.state = 'error';
			showMessage(message, 'error', '記事を読み込めませんでした。 Could not load the items.', errorDetail(err));
		} finally {
			if (mySeq === seq) {
				itemsArea.removeAttribute('aria-busy');
				document.body.classList.remove('is-loading');
			}
		}
		if (mySeq === seq && focus) {
			byId('items-heading').focus({ preventScroll: true });
			itemsArea.scrollIntoView({ block: 'start' });
		}
	}

	document.addEventListener('click', (e) => {
		if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
		const a = e.target instanceof Element ? e.target.closest('a[data-nav="page"]') : null;
		if (!a) return;
		const url = new URL(a.getAttribute('href'), location.href);
		if (url.origin !== location.origin || url.pathname !== location.pathname) return;
		e.preventDefault();
		history.pushState(null, '', url.pathname + url.search);
		renderItems(readPage(), true);
	});
	window.addEventListener('popstate', () => renderItems(readPage(), false));

	getJson('/api/entities/' + encodeURIComponent(requested))
		.then((e) => {
			if (!e || typeof e.name !== 'string' || !e.name) throw Object.assign(new Error('invalid entity'), { code: 'bad_response' });
			renderEntity(e);
			article.removeAttribute('aria-busy');
			renderTrend();
			return renderItems(readPage(), false);
		})
		.catch((err) => {
			fail(() => showMessage(message, 'error', err && err.status === 404
				? '見つかりませんでした。 Unknown entity.'
				: '読み込めませんでした。 Could not load the entity.', errorDetail(err)));
		});
}
