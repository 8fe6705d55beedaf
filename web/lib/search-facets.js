/* search-facets.js — the sidebar's facets from /api/search's "facets":
 * sections (counts that ignore the current section filter, so each stays
 * clickable; "すべて All" clears it), and the CVE and entity panels (each
 * name filters with entity=, the current one clears it, a › link opens its
 * entity page; the first FACETS_SHOWN shown, a button shows the rest). */
import { el, sectionClass } from './dom.js';
import { fmtNumber } from './text.js';
import { entityHref } from './url.js';
import { navLink } from './search-state.js';

const FACETS_SHOWN = 8;

/* [name, count] pairs of a facet object, names non-empty and counts
 * numbers, the largest count first, ties by name (compare). */
function facetEntries(counts, compare) {
	const entries = Object.entries(counts && typeof counts === 'object' ? counts : {})
		.filter(([k, v]) => k && typeof v === 'number');
	entries.sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
	return entries;
}

/* Fills list with "すべて All" and one link per section of facets.section;
 * the current section is listed even when it has no count. */
export function renderSectionFacets(list, s, facets) {
	const entries = facetEntries(facets && facets.section, (a, b) => a.localeCompare(b, 'ja'));
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
	list.replaceChildren(...items);
}

/* One row of an entity facet: the filter link and the › detail link. */
function entityRow(s, name, count, nav, extra) {
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
	return el('li', { className: 'facet-row' + (extra && !current ? ' is-extra' : '') }, filter, detail);
}

/* Fills a CVE or entity facet panel from counts (facets.cve or
 * facets.entity); links carry data-nav=nav. Hidden when empty. */
export function renderEntityFacet(s, panel, list, counts, nav) {
	const entries = facetEntries(counts, (a, b) => a.localeCompare(b));
	panel.hidden = entries.length === 0;
	const rows = entries.map(([name, count], i) => entityRow(s, name, count, nav, i >= FACETS_SHOWN));
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

/* Makes each panel's "Show N more" button show and hide the rest. */
export function installFacetMore(panels) {
	for (const panel of panels) {
		const more = panel.querySelector('.facet-more');
		const list = panel.querySelector('.facets');
		more.addEventListener('click', () => {
			const open = list.classList.toggle('is-expanded');
			more.setAttribute('aria-expanded', String(open));
			const extra = list.querySelectorAll('.is-extra').length;
			more.textContent = open ? '少なく表示 Show fewer' : `さらに ${extra} 件 Show ${extra} more`;
		});
	}
}

/* Empties every facet (an error or a link not in UTF-8). */
export function clearFacets(sectionList, panels) {
	sectionList.replaceChildren();
	for (const panel of panels) panel.hidden = true;
}
