/* search-filters.js — the filters in force: the chips above the results
 * (each clears its filter; "Clear all" when more than one), the number of
 * filters on the phone disclosure, and that disclosure folding at phone
 * widths. */
import { el } from './dom.js';
import { entityHref } from './url.js';
import { filterCount, navLink, unfiltered } from './search-state.js';

/* Phone widths (≤ 52rem): the filters fold into a disclosure under the
 * results count; wider, it stays open. */
export function installPhoneFilters(filters) {
	if (!filters || typeof matchMedia !== 'function') return;
	const narrow = matchMedia('(max-width: 52rem)');
	filters.open = !narrow.matches;
	narrow.addEventListener('change', () => {
		filters.open = !narrow.matches;
	});
}

/* " (N)" after the disclosure's label for N filters in s, or nothing. */
export function renderFilterCount(countBox, s) {
	const n = filterCount(s);
	if (countBox) countBox.textContent = n ? ` (${n})` : '';
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

/* Fills box with a chip per filter of s (hidden when there is none). */
export function renderActiveFilters(box, s) {
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
	if (filterCount(s) > 1) {
		chips.push(navLink(unfiltered(s), 'すべて解除 Clear all', 'chip', 'all', { className: 'chip chip-plain' }));
	}
	box.hidden = chips.length === 0;
	box.replaceChildren(...(chips.length ? [el('span', { className: 'active-filters-label', text: '絞り込み中 Filters:' }), ...chips] : []));
}
