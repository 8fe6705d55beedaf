/* issue-page.js — one whole issue: /issue.html?n=59#item-3. Items are
 * grouped by section in the issue's order; each item is an <article
 * id="item-POS"> with a permalink; the target of the URL's fragment is
 * highlighted and scrolled to. */
import {
	backToLastSearch, byId, dateNode, el, errorDetail, getJson, itemPlace, queryIsUtf8, quoteBlock, safeHttpUrl,
	sectionBadge, sectionClass, showBadEncoding, showMessage,
} from './dom.js';

export function issuePage() {
	const heading = byId('issue-heading');
	const meta = byId('issue-meta');
	const body = byId('issue-body');
	const toc = byId('issue-toc');
	const message = byId('message');
	const article = byId('issue');

	backToLastSearch(byId('back-link'));

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

	if (!queryIsUtf8(location.search)) {
		article.removeAttribute('aria-busy');
		showBadEncoding(message);
		return;
	}
	const n = new URLSearchParams(location.search).get('n') || '';
	if (!/^\d{1,12}$/.test(n)) {
		article.removeAttribute('aria-busy');
		heading.textContent = 'Issue';
		showMessage(message, 'error', '号数が指定されていません。 No issue number given.', '例 e.g. /issue.html?n=59');
		return;
	}
	heading.textContent = `Issue #${Number(n)}`;
	document.title = `Issue #${Number(n)} — kensaku 検索`;

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
		const src = safeHttpUrl(it.url);
		const foot = el('p', { className: 'item-meta' }, el('span', { className: 'item-id', text: `ID ${it.id || issueNo + '-' + pos}` }));
		if (src) foot.append(el('a', { href: src, className: 'source-link', rel: 'noopener noreferrer', text: '出典 Source' }));
		art.append(foot);
		return el('li', null, art);
	}

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
		items.forEach((it, i) => {
			const name = typeof it.section === 'string' ? it.section : '';
			const last = groups[groups.length - 1];
			if (last && last.name === name) last.items.push([it, i + 1]);
			else groups.push({ name, items: [[it, i + 1]] });
		});

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
		body.replaceChildren(...sections);
		if (!items.length) showMessage(message, 'empty', 'この号には記事がありません。 This issue has no items.');
	}

	getJson('/api/issues/' + encodeURIComponent(n))
		.then((data) => {
			renderIssue(data);
			markTarget(true);
		})
		.catch((err) => {
			showMessage(message, 'error', err && err.status === 404
				? 'この号は見つかりませんでした。 Issue not found.'
				: '号を読み込めませんでした。 Could not load the issue.', errorDetail(err));
		})
		.finally(() => article.removeAttribute('aria-busy'));
}
