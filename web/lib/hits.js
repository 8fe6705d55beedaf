/* hits.js — one search hit as a list item, and the page links under a
 * list of hits; used by the search page and the entity page. */
import { dateNode, el, sectionBadge, setMarkedHtml, setText, sourceLink } from './dom.js';
import { MAX_OFFSET, PAGE_SIZE } from './api.js';
import { hasCjk } from './text.js';
import { issueHref, itemPlace } from './url.js';

/* <li> for one hit of /api/search: its highlighted title linking to the
 * item on its issue page, section, issue, date, source and snippet. */
export function renderHit(hit) {
	const { issue, position } = itemPlace(hit);
	const href = issueHref(issue, position);
	const titleId = 'hit-' + String(hit.id).replace(/[^0-9A-Za-z_-]/g, '_');
	const link = el('a', { href, id: titleId, className: 'result-link' });
	if (typeof hit.title_html === 'string' && hit.title_html) setMarkedHtml(link, hit.title_html);
	else setText(link, hit.title || '(無題)');

	const meta = el('p', { className: 'result-meta' },
		sectionBadge(hit.section),
		el('a', { href: issueHref(issue), className: 'issue-link', text: `Issue #${issue}` }),
		dateNode(hit.date));
	const src = sourceLink(hit);
	if (src) meta.append(src);

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

/* Fills nav with Prev, page numbers and Next for page `cur` of `total`
 * hits (PAGE_SIZE a page); link(page, text, attrs) builds each link. Hides
 * nav when everything fits on page 1, or when nothing matched at all (the
 * page's message links to page 1). Past the last page (a stale or edited
 * link), Prev goes to the last page that has results, not to another
 * empty one. */
export function renderPagination(nav, cur, total, link) {
	const last = Math.max(1, Math.min(Math.ceil(total / PAGE_SIZE), Math.floor(MAX_OFFSET / PAGE_SIZE) + 1));
	if ((total <= PAGE_SIZE && cur === 1) || total <= 0) {
		nav.hidden = true;
		nav.replaceChildren();
		return;
	}
	const prev = Math.min(cur - 1, last);
	const list = el('ul', { className: 'pages' });
	list.append(el('li', null, cur > 1
		? link(prev, '‹ 前へ Prev', { className: 'page page-prev', rel: 'prev', key: 'prev' })
		: el('span', { className: 'page page-prev is-disabled', 'aria-disabled': 'true', text: '‹ 前へ Prev' })));
	for (const p of pageWindow(Math.min(cur, last), last)) {
		if (p === null) list.append(el('li', { className: 'page-gap', 'aria-hidden': 'true' }, '…'));
		else list.append(el('li', null, link(p, String(p), {
			className: 'page page-num',
			'aria-current': p === cur ? 'page' : null,
			'aria-label': `${p} ページ目 Page ${p}`,
			key: String(p),
		})));
	}
	list.append(el('li', null, cur < last
		? link(cur + 1, '次へ Next ›', { className: 'page page-next', rel: 'next', key: 'next' })
		: el('span', { className: 'page page-next is-disabled', 'aria-disabled': 'true', text: '次へ Next ›' })));
	nav.replaceChildren(list);
	nav.hidden = false;
}
