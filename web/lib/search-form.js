/* search-form.js — the search page's fields and everything that names the
 * current search: the box, sort, dates and compare field filled from a
 * state, the heading, the document title, the feed links and the filter
 * count; and the forms turned into new states (go). */
import { byId, el, plainMarked, setFeedLink, setText } from './dom.js';
import { feedHref } from './url.js';
import { rememberSearch } from './store.js';
import { renderFilterCount } from './search-filters.js';
import { SORTS, defaultSort, effectiveSort, readState, searchLabel, stateUrl } from './search-state.js';

const isDate = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d);

/* Fills the page's fields and labels (v: the page's elements) from s. */
export function syncForm(v, s) {
	rememberSearch();
	const heading = byId('results-heading');
	heading.replaceChildren(s.q.trim() ? '検索結果 ' : 'すべての記事 ',
		el('span', { lang: 'en', text: s.q.trim() ? 'Results' : 'All items' }));
	v.input.value = s.q;
	v.vsInput.value = s.vs;
	v.compareClear.hidden = !s.vs;
	v.compareClear.setAttribute('href', stateUrl({ ...s, vs: '' }));
	const eff = effectiveSort(s);
	v.sortSel.value = SORTS.includes(eff) ? eff : 'relevance';
	if (v.fromInput) v.fromInput.value = isDate(s.from) ? s.from : '';
	if (v.toInput) v.toInput.value = isDate(s.to) ? s.to : '';
	document.title = plainMarked((s.q ? `${s.q} — ` : s.entity ? `${s.entity} — ` : '') + 'kensaku 検索');
	const feed = feedHref(s);
	setFeedLink(feed, `kensaku: ${searchLabel(s)} (Atom)`);
	v.subscribe.setAttribute('href', feed);
	setText(v.subscribeWhat, `: 「${searchLabel(s)}」の新着 newest items`);
	renderFilterCount(v.filtersCount, s);
}

/* Calls handler on form's submit instead of submitting it. */
function onSubmit(form, handler) {
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		handler();
	});
}

/* The search box, sort select, date form and compare form each go to a
 * new state: go(state, {focus}) (see search-page.js). */
export function installForms(v, go) {
	onSubmit(v.form, () => go({ ...readState(), q: v.input.value.trim(), page: 1 }));
	v.sortSel.addEventListener('change', () => {
		const cur = readState();
		const wanted = v.sortSel.value;
		go({ ...cur, sort: wanted === defaultSort(cur) ? '' : wanted, page: 1 }, { focus: 'sort' });
	});
	if (v.dateForm) {
		onSubmit(v.dateForm, () => go({ ...readState(), from: v.fromInput.value, to: v.toInput.value, page: 1 }, { focus: 'date' }));
	}
	onSubmit(v.compareForm, () => go({ ...readState(), vs: v.vsInput.value.trim() }, { focus: 'compare' }));
}
