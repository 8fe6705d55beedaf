/* kensaku web UI — plain JavaScript modules, no build step, no external
 * resources. Served under a Content-Security-Policy of default-src 'self':
 * nothing here uses eval, inline handlers or style attributes.
 *
 * Pages, picked by <body data-page> (see web/README.md):
 *   /?q=Q&section=S&entity=E&exact=1&sort=…&from=…&to=…&vs=Q2&page=N  search
 *   /issue.html?n=59#item-3                                          issue
 *   /entity.html?name=Emotet&page=2                                  entity
 *
 * lib/dom.js      element helpers; the text-only insertion rule
 * lib/api.js      the JSON API client (every fetch)
 * lib/url.js      links, the page's own URL, the UTF-8 check
 * lib/store.js    browser storage (the last search)
 * lib/text.js     string formats, fold, kana
 * lib/hits.js     a search hit, pagination
 * lib/trend.js    the timeline (GET /api/trend), one or two series in SVG
 * lib/suggest.js  autocomplete combobox (GET /api/entities?prefix=)
 * lib/*-page.js   one file per page; lib/search-*.js the search page's parts */
import { byId, installSlashKey } from './lib/dom.js';
import { installSuggest } from './lib/suggest.js';
import { searchPage } from './lib/search-page.js';
import { issuePage } from './lib/issue-page.js';
import { entityPage } from './lib/entity-page.js';

function start() {
	installSlashKey();
	const q = byId('q');
	const form = byId('search-form');
	if (q && form) installSuggest(q, form);
	const page = document.body.dataset.page;
	if (page === 'search') searchPage();
	else if (page === 'issue') issuePage();
	else if (page === 'entity') entityPage();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
