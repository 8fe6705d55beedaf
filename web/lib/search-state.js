/* search-state.js — the search page's state and its URL:
 *   /?q=Q&section=S&entity=E&exact=1&sort=newest&from=D&to=D&vs=Q2&page=N
 * A state is {q, section, entity, exact, sort, from, to, vs, page}, every
 * field a string but page (a number from 1); '' means absent. Every view of
 * the page is a state, and every state a URL, so Back, Forward and shared
 * links work. Links between states carry data-nav and data-key, which the
 * page follows with pushState (search-page.js) and uses to put focus back. */
import { el } from './dom.js';
import { pageParam } from './url.js';

export const SORTS = ['relevance', 'newest', 'oldest'];

/* The state of location.search. */
export function readState() {
	const p = new URLSearchParams(location.search);
	return {
		q: p.get('q') || '',
		section: p.get('section') || '',
		entity: p.get('entity') || '',
		exact: p.get('exact') === '1' ? '1' : '',
		sort: p.get('sort') || '',
		from: p.get('from') || '',
		to: p.get('to') || '',
		vs: p.get('vs') || '',
		page: pageParam(p),
	};
}

/* The sort used when none is asked for: relevance for a query, newest when
 * browsing. */
export function defaultSort(s) {
	return s.q.trim() ? 'relevance' : 'newest';
}

/* The sort actually asked for. */
export function effectiveSort(s) {
	return s.sort || defaultSort(s);
}

/* The URL of state s: absent fields and page 1 left out. */
export function stateUrl(s) {
	const p = new URLSearchParams();
	for (const k of ['q', 'section', 'entity', 'exact', 'sort', 'from', 'to', 'vs']) if (s[k]) p.set(k, s[k]);
	if (s.page > 1) p.set('page', String(s.page));
	const qs = p.toString();
	return '/' + (qs ? '?' + qs : '');
}

/* A link to state next, followed in the page: data-nav names what it is
 * (facet, chip, page, exact, kana, period), data-key which one. text is a
 * string, a node or a list of them. */
export function navLink(next, text, nav, key, attrs) {
	return el('a', { href: stateUrl(next), dataset: { nav, key: key || '' }, ...(attrs || {}) }, ...[].concat(text));
}

/* What the search is for, in words: the query, else the entity, else
 * "すべて All". */
export function searchLabel(s) {
	if (s.q.trim()) return s.q.trim();
	return s.entity || 'すべて All';
}

/* How many filters are on: section, entity and the date range count one
 * each. */
export function filterCount(s) {
	return (s.section ? 1 : 0) + (s.entity ? 1 : 0) + (s.from || s.to ? 1 : 0);
}

/* s without any filter, on page 1. */
export function unfiltered(s) {
	return { ...s, section: '', entity: '', from: '', to: '', page: 1 };
}
