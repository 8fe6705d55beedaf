/* search-results.js — an answer of /api/search on the search page: the
 * count line, expanded terms, notices, the hits, the facets, the
 * pagination and the message; or, on an error, everything emptied and the
 * API's message shown. v is the page's elements (search-page.js). */
import { el, errorDetail, showBadEncoding, showMessage } from './dom.js';
import { PAGE_SIZE } from './api.js';
import { renderHit, renderPagination } from './hits.js';
import { renderNotices } from './notices.js';
import { navLink } from './search-state.js';
import { clearFacets, renderEntityFacet, renderSectionFacets } from './search-facets.js';
import { renderExpanded, renderOutcome, renderStatus } from './search-summary.js';
import { renderSuggestions } from './search-suggest.js';

/* Shows body, the answer for state s. */
export function showResults(v, s, body) {
	const total = typeof body.total === 'number' ? body.total : 0;
	const hits = Array.isArray(body.hits) ? body.hits : [];
	const offset = typeof body.offset === 'number' ? body.offset : (s.page - 1) * PAGE_SIZE;
	document.body.dataset.state = total ? 'results' : 'empty';
	renderStatus(v.status, total, offset, hits.length, body.took_ms);
	renderExpanded(v.expandedLine, s, body);
	renderSuggestions(v.resultsArea, v.message, s, body);
	renderNotices(v.noticesBox, body);
	v.results.replaceChildren(...hits.map(renderHit));
	const facets = body.facets || {};
	renderSectionFacets(v.facetList, s, facets);
	renderEntityFacet(s, v.cvePanel, v.cveList, facets.cve, 'cve');
	renderEntityFacet(s, v.entityPanel, v.entityList, facets.entity, 'entity');
	renderPagination(v.pagination, s.page, total, (p, text, attrs) => {
		const { key, ...rest } = attrs;
		return navLink({ ...s, page: p }, text, 'page', key, rest);
	});
	renderOutcome(v.message, s, total, hits.length);
}

/* Empties the results, the lines above them and the facets. */
function clearResults(v) {
	document.body.dataset.state = 'error';
	document.body.classList.remove('is-loading');
	v.resultsArea.removeAttribute('aria-busy');
	v.status.textContent = '';
	v.expandedLine.hidden = true;
	renderSuggestions(v.resultsArea, v.message, null, null);
	renderNotices(v.noticesBox, null);
	v.results.replaceChildren();
	v.pagination.hidden = true;
	v.pagination.replaceChildren();
	clearFacets(v.facetList, [v.cvePanel, v.entityPanel]);
}

/* The search failed: the API's message (as text) and a way back. */
export function showSearchError(v, err) {
	clearResults(v);
	showMessage(v.message, 'error', '検索できませんでした。 The search failed.', errorDetail(err),
		el('p', null, el('a', { href: '/', text: 'トップに戻る Start over' })));
}

/* A link whose query is not UTF-8: say so instead of searching for the
 * U+FFFD characters URLSearchParams made of its bytes. The timeline is
 * emptied by the caller. */
export function showEncodingError(v) {
	clearResults(v);
	v.input.value = '';
	v.activeFilters.hidden = true;
	showBadEncoding(v.message);
}
