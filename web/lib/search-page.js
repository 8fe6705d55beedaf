/* search-page.js — the search page:
 *   /?q=Q&section=S&entity=E&exact=1&sort=newest&from=D&to=D&vs=Q2&page=N
 * Every state is a URL (history.pushState), so Back and Forward work and any
 * search can be shared. See web/README.md for the parameters. This file
 * wires the parts together: the state and its URL (search-state.js), the
 * fields (search-form.js), the filter chips (search-filters.js), the
 * timeline (search-timeline.js), the answer (search-results.js, with
 * search-facets.js and search-summary.js); it fetches /api/search, follows
 * same-page links and puts focus where the reader acted. */
import { byId } from './dom.js';
import { PAGE_SIZE, fetchSearch, isAbort, newestOnly } from './api.js';
import { queryIsUtf8 } from './url.js';
import { effectiveSort, readState, stateUrl } from './search-state.js';
import { installForms, syncForm } from './search-form.js';
import { installPhoneFilters, renderActiveFilters } from './search-filters.js';
import { installFacetMore } from './search-facets.js';
import { searchTimeline } from './search-timeline.js';
import { showEncodingError, showResults, showSearchError } from './search-results.js';

/* The page's elements, by role. */
function searchView() {
	const results = byId('results');
	return {
		form: byId('search-form'), input: byId('q'), sortSel: byId('sort'),
		status: byId('status'), expandedLine: byId('expanded'), noticesBox: byId('notices'),
		subscribe: byId('subscribe'), subscribeWhat: byId('subscribe-what'),
		results, resultsArea: results.closest('.results-area'), message: byId('message'), pagination: byId('pagination'),
		facetList: byId('section-facets'), cvePanel: byId('cve-panel'), cveList: byId('cve-facets'),
		entityPanel: byId('entity-panel'), entityList: byId('entity-facets'),
		timeline: byId('timeline'), compareForm: byId('compare-form'), vsInput: byId('vs'), compareClear: byId('compare-clear'),
		activeFilters: byId('active-filters'),
		dateForm: byId('date-form'), fromInput: byId('from'), toInput: byId('to'),
		filters: byId('filters'), filtersCount: byId('filters-count'),
	};
}

/* The /api/search parameters of state s, in the order the page always sent
 * them. */
function searchParams(s) {
	const p = { q: s.q, limit: String(PAGE_SIZE), offset: String((s.page - 1) * PAGE_SIZE), sort: effectiveSort(s) };
	for (const k of ['section', 'entity', 'exact', 'from', 'to']) if (s[k]) p[k] = k === 'exact' ? '1' : s[k];
	return p;
}

/* Same-page links (facets, pagination, chips, timeline bars) navigate
 * with pushState; modified clicks open normally. Back and Forward render
 * the state they land on. */
function installLinks(render) {
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
}

/* Once the answer is shown, focus goes where the reader acted: the results
 * heading after a page link, the same bar, link or field otherwise. */
function applyFocus(v, timeline, opts) {
	if (opts.focus === 'page') {
		byId('results-heading').focus({ preventScroll: true });
		v.resultsArea.scrollIntoView({ block: 'start' });
	} else if (opts.focus === 'period') {
		timeline.focusBar(opts.focusKey);
	} else if (opts.focus && opts.focus !== 'compare' && opts.focusKey !== undefined) {
		const sel = `[data-nav="${CSS.escape(opts.focus)}"][data-key="${CSS.escape(opts.focusKey)}"]`;
		const target = document.querySelector(sel);
		if (target) target.focus({ preventScroll: true });
		else if (opts.focus === 'chip' || opts.focus === 'exact') v.input.focus({ preventScroll: true });
	} else if (opts.focus === 'sort') {
		v.sortSel.focus({ preventScroll: true });
	}
}

/* Fetches and shows the answer for s; only the newest state's answer is
 * shown, and focus follows opts once it is. */
async function showAnswer(v, timeline, requests, s, opts) {
	const req = requests.start();
	v.resultsArea.setAttribute('aria-busy', 'true');
	document.body.classList.add('is-loading');
	try {
		const body = await fetchSearch(searchParams(s), req.signal);
		if (!req.current()) return;
		showResults(v, s, body);
	} catch (err) {
		if (isAbort(err)) return;
		if (!req.current()) return;
		showSearchError(v, err);
	} finally {
		if (req.current()) {
			v.resultsArea.removeAttribute('aria-busy');
			document.body.classList.remove('is-loading');
		}
	}
	if (req.current()) applyFocus(v, timeline, opts);
}

export function searchPage() {
	const v = searchView();
	const timeline = searchTimeline(v.timeline);
	const requests = newestOnly();

	function render(s, opts) {
		if (!queryIsUtf8(location.search)) {
			requests.cancel();
			timeline.clear();
			showEncodingError(v);
			return;
		}
		syncForm(v, s);
		if (opts.focus === 'compare') v.vsInput.focus({ preventScroll: true });
		renderActiveFilters(v.activeFilters, s);
		timeline.render(s);
		showAnswer(v, timeline, requests, s, opts);
	}

	function go(next, opts) {
		const url = stateUrl(next);
		if (url !== location.pathname + location.search) history.pushState(null, '', url);
		render(readState(), opts || {});
	}

	installPhoneFilters(v.filters);
	installForms(v, go);
	installFacetMore([v.cvePanel, v.entityPanel]);
	installLinks(render);
	render(readState(), {});
}
