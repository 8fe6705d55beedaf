/* store.js — what the UI keeps in the browser's storage: the last search
 * page's URL (sessionStorage), so the issue and entity pages can link back
 * (the server sends Referrer-Policy: no-referrer). Storage may be
 * unavailable (private modes, disabled): every call then does nothing. */

export const LAST_SEARCH_KEY = 'kensaku:last-search';

/* Remembers the current search page URL, so other pages can link back. */
export function rememberSearch() {
	try {
		sessionStorage.setItem(LAST_SEARCH_KEY, location.pathname + location.search);
	} catch {
		/* storage unavailable */
	}
}

/* Sets link's href to the search the reader came from, if any; a link
 * left alone keeps its "/". */
export function backToLastSearch(link) {
	if (!link) return;
	try {
		const last = sessionStorage.getItem(LAST_SEARCH_KEY) || '';
		if (last === '/' || last.startsWith('/?')) link.href = last;
	} catch {
		/* storage unavailable: keep "/" */
	}
}
