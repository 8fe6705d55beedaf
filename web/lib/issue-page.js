/* issue-page.js — one whole issue: /issue.html?n=59#item-3. Items are
 * grouped by section in the issue's order; each item is an <article
 * id="item-POS"> with a permalink; the target of the URL's fragment is
 * highlighted and scrolled to. */
import {
	byId, dateNode, el, errorDetail, quoteBlock, sectionBadge, sectionClass, showBadEncoding, showMessage, sourceLink,
} from './dom.js';
import { fetchIssue } from './api.js';
import { itemPlace, queryIsUtf8 } from './url.js';
import { backToLastSearch } from './store.js';

/* Marks the item the URL's fragment names (#item-3) as the target and,
 * when scroll, scrolls to it. */
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

/* <li> for item `it` of issue issueNo: an <article id="item-POS"> with its
 * title, permalink, quote, id and source link. */
function renderItem(it, issueNo, fallbackPos) {
	const { position } = itemPlace(it, issueNo);
	const pos = position || fallbackPos;
	const anchor = `item-${pos}`;
	const titleId = `${anchor}-title`;
	const permalink = el('a', {
		className: 'permalink',
		href: '#' + anchor,
		'aria-label': `この記事へのリンク Permalink to item ${pos}`,
		title: 'Permalink',
	}, el('span', { 'aria-hidden': 'true', text: '#' }), String(pos));
	const head = el('header', { className: 'item-header' },
		el('h3', { className: 'item-title', id: titleId, text: it.title || '(無題)' }), permalink);
	const art = el('article', { className: 'item', id: anchor, tabindex: '-1', 'aria-labelledby': titleId }, head);
	const q = quoteBlock(it.quote);
	if (q) art.append(q);
	const src = sourceLink(it);
	const foot = el('p', { className: 'item-meta' }, el('span', { className: 'item-id', text: `ID ${it.id || issueNo + '-' + pos}` }));
	if (src) foot.append(src);
	art.append(foot);
	return el('li', null, art);
}

/* Consecutive items of the same section, in the issue's order:
 * [{name, items: [[item, position], …]}]. */
function sectionGroups(items) {
	const groups = [];
	items.forEach((it, i) => {
		const name = typeof it.section === 'string' ? it.section : '';
		const last = groups[groups.length - 1];
		if (last && last.name === name) last.items.push([it, i + 1]);
		else groups.push({ name, items: [[it, i + 1]] });
	});
	return groups;
}

/* The issue's sections (#section-1, …) and, with more than one, the table
 * of contents in toc. */
function renderSections(toc, groups, issueNo) {
	const tocList = el('ol', { className: 'toc-list' });
	const seen = new Map();
	const sections = groups.map((g, gi) => {
		const secId = `section-${gi + 1}`;
		const title = g.name || 'その他 (セクションなし)';
		/* A section name met again later in the issue: "(続き)", so each
		 * section landmark has its own name. */
		const again = seen.has(title);
		seen.set(title, true);
		tocList.append(el('li', null, el('a', { href: '#' + secId, className: 'toc-link' },
			el('span', { className: 'badge ' + sectionClass(title), text: title }),
			el('span', { className: 'toc-count', text: ` ${g.items.length}` }))));
		const list = el('ol', { className: 'items' }, ...g.items.map(([it, i]) => renderItem(it, issueNo, i)));
		return el('section', { className: 'issue-section', id: secId, 'aria-labelledby': secId + '-h' },
			el('h2', { className: 'issue-section-heading', id: secId + '-h' }, sectionBadge(title) || title,
				again ? el('span', { className: 'section-again', text: ' (続き continued)' }) : null), list);
	});
	if (groups.length > 1) {
		toc.replaceChildren(el('h2', { className: 'visually-hidden', text: '目次 Contents' }), tocList);
		toc.hidden = false;
	}
	return sections;
}

/* The whole issue `data` (/api/issues/{n}; n the number asked for). */
function renderIssue(v, data, n) {
	const issueNo = typeof data.issue === 'number' ? data.issue : Number(n);
	v.heading.textContent = `Issue #${issueNo}`;
	document.title = `Issue #${issueNo}${data.date ? ' (' + data.date + ')' : ''} — kensaku 検索`;
	const items = Array.isArray(data.items) ? data.items : [];
	const metaParts = [dateNode(data.date), el('span', { text: ` · ${items.length} 件 items` })];
	if (typeof data.title === 'string' && data.title) metaParts.unshift(el('span', { className: 'issue-title', text: data.title }), el('br'));
	v.meta.replaceChildren(...metaParts);
	v.body.replaceChildren(...renderSections(v.toc, sectionGroups(items), issueNo));
	if (!items.length) showMessage(v.message, 'empty', 'この号には記事がありません。 This issue has no items.');
}

export function issuePage() {
	const v = {
		heading: byId('issue-heading'), meta: byId('issue-meta'), body: byId('issue-body'), toc: byId('issue-toc'),
		message: byId('message'), article: byId('issue'),
	};
	backToLastSearch(byId('back-link'));
	window.addEventListener('hashchange', () => markTarget(false));
	if (!queryIsUtf8(location.search)) {
		v.article.removeAttribute('aria-busy');
		showBadEncoding(v.message);
		return;
	}
	const n = new URLSearchParams(location.search).get('n') || '';
	if (!/^\d{1,12}$/.test(n)) {
		v.article.removeAttribute('aria-busy');
		v.heading.textContent = 'Issue';
		showMessage(v.message, 'error', '号数が指定されていません。 No issue number given.', '例 e.g. /issue.html?n=59');
		return;
	}
	v.heading.textContent = `Issue #${Number(n)}`;
	document.title = `Issue #${Number(n)} — kensaku 検索`;
	fetchIssue(n)
		.then((data) => {
			renderIssue(v, data, n);
			markTarget(true);
		})
		.catch((err) => {
			showMessage(v.message, 'error', err && err.status === 404
				? 'この号は見つかりませんでした。 Issue not found.'
				: '号を読み込めませんでした。 Could not load the issue.', errorDetail(err));
		})
		.finally(() => v.article.removeAttribute('aria-busy'));
}
