/* search-suggest.js — "did you mean" on the search page. When a query has
 * no or very few hits the API may add "suggestions": ["…"] to the answer
 * (never replacing the query); this shows them as links above the message
 * box, each a search for that query with the state's other fields (page
 * 1). The line is made with el() (text nodes only, never innerHTML of API
 * text) and kept in a <p id="did-you-mean"> made on first use. Not to be
 * confused with suggest.js, the autocomplete of the search box. */
import { el } from './dom.js';
import { navLink } from './search-state.js';

const MAX_SHOWN = 5;

/* The answer's suggestions worth a link: distinct non-empty strings (at
 * most 200 characters) other than the query itself, at most MAX_SHOWN. */
export function suggestionsOf(body, q) {
	const list = body && Array.isArray(body.suggestions) ? body.suggestions : [];
	const own = typeof q === 'string' ? q.trim() : '';
	const out = [];
	for (const t of list) {
		if (typeof t !== 'string') continue;
		const v = t.trim();
		if (!v || v.length > 200 || v === own || out.includes(v)) continue;
		out.push(v);
		if (out.length === MAX_SHOWN) break;
	}
	return out;
}

/* Shows the suggestions of body (the answer for state s) in the line just
 * before the element `before` inside `area`, or hides the line when there
 * are none (body or s null: after an error). */
export function renderSuggestions(area, before, s, body) {
	let box = document.getElementById('did-you-mean');
	const list = s ? suggestionsOf(body, s.q) : [];
	if (!list.length) {
		if (box) {
			box.hidden = true;
			box.replaceChildren();
		}
		return;
	}
	if (!box) {
		box = el('p', { id: 'did-you-mean', className: 'expanded did-you-mean' });
		area.insertBefore(box, before && before.parentNode === area ? before : area.firstChild);
	}
	const parts = [el('span', { className: 'expanded-label', text: 'もしかして Did you mean: ' })];
	list.forEach((q, i) => {
		if (i) parts.push(' · ');
		parts.push(navLink({ ...s, q, page: 1 }, q, 'suggestion', String(i), { className: 'did-you-mean-link' }));
	});
	box.replaceChildren(...parts);
	box.hidden = false;
}
