/* suggest.js — autocomplete of entity names in the search box from
 * GET /api/entities?prefix=, following the WAI-ARIA 1.2 combobox pattern
 * (list autocomplete, manual selection): the input keeps focus, the active
 * option is announced through aria-activedescendant.
 *
 * The word being completed is the last one of the box (when the caret is at
 * the end); a leading - or " is kept. Requests are debounced (DEBOUNCE_MS),
 * the previous one is aborted, stale answers are dropped and nothing is done
 * synchronously on a keystroke beyond starting a timer, so typing is never
 * held up. Keys: Down/Up move (and open), Enter takes the active option and
 * searches, Escape closes, Tab closes. */
import { el, fmtNumber, hasCjk, kindBadge } from './dom.js';

const DEBOUNCE_MS = 150;
const LIMIT = 8;

/* The word at the end of value: {start, lead, word} or null. */
function lastWord(value) {
	const m = /(^|\s)([-"]?)([^\s"]*)$/u.exec(value);
	if (!m) return null;
	const word = m[3];
	const enough = hasCjk(word) ? word.length >= 1 : word.length >= 2;
	if (!enough || word.length > 100 || /^(OR|AND)$/u.test(word) || word.includes('*')) return null;
	return { start: m.index + m[1].length, lead: m[2], word };
}

const fold = (s) => String(s || '').normalize('NFKC').toLowerCase();

/* Makes input (role=combobox, aria-controls=<listbox id>) suggest entity
 * names; choosing one replaces the last word and submits form. */
export function installSuggest(input, form) {
	const list = document.getElementById(input.getAttribute('aria-controls') || '');
	if (!list) return;
	const status = document.getElementById(list.id + '-status');
	const cache = new Map();
	let options = [];
	let active = -1;
	let timer = 0;
	let controller = null;
	let seq = 0;
	let composing = false;

	function close() {
		list.hidden = true;
		input.setAttribute('aria-expanded', 'false');
		input.removeAttribute('aria-activedescendant');
		active = -1;
	}

	function setActive(i) {
		active = i;
		const items = list.querySelectorAll('[role=option]');
		items.forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
		if (i >= 0 && items[i]) {
			input.setAttribute('aria-activedescendant', items[i].id);
			items[i].scrollIntoView({ block: 'nearest' });
		} else {
			input.removeAttribute('aria-activedescendant');
		}
	}

	function show(word, entities) {
		options = entities;
		active = -1;
		input.removeAttribute('aria-activedescendant');
		if (!entities.length) {
			close();
			list.replaceChildren();
			if (status) status.textContent = '';
			return;
		}
		const f = fold(word);
		list.replaceChildren(...entities.map((e, i) => {
			const spellings = Array.isArray(e.spellings) ? e.spellings.filter((x) => typeof x === 'string') : [];
			const matched = fold(e.name).startsWith(f) ? null : spellings.find((x) => fold(x).startsWith(f));
			return el('li', { id: `${list.id}-${i}`, role: 'option', 'aria-selected': 'false', className: 'suggest-option', dataset: { index: String(i) } },
				el('span', { className: 'suggest-name', text: e.name }),
				matched ? el('span', { className: 'suggest-spelling', text: matched }) : null,
				kindBadge(e.kind),
				el('span', { className: 'suggest-count', text: `${fmtNumber(e.count)}件` }));
		}));
		list.hidden = false;
		input.setAttribute('aria-expanded', 'true');
		if (status) status.textContent = `候補 ${entities.length} 件 ${entities.length} suggestions`;
	}

	async function lookup() {
		const w = lastWord(input.value);
		if (!w || input.selectionStart !== input.value.length) {
			close();
			return;
		}
		const mySeq = ++seq;
		if (cache.has(w.word)) {
			show(w.word, cache.get(w.word));
			return;
		}
		if (controller) controller.abort();
		controller = new AbortController();
		try {
			const res = await fetch(`/api/entities?prefix=${encodeURIComponent(w.word)}&limit=${LIMIT}`, {
				signal: controller.signal,
				headers: { Accept: 'application/json' },
			});
			if (!res.ok) throw new Error('HTTP ' + res.status);
			const body = await res.json();
			const entities = Array.isArray(body && body.entities)
				? body.entities.filter((e) => e && typeof e.name === 'string' && e.name) : [];
			cache.set(w.word, entities);
			if (cache.size > 100) cache.delete(cache.keys().next().value);
			const now = lastWord(input.value);
			if (mySeq !== seq || !now || now.word !== w.word || document.activeElement !== input) return;
			show(w.word, entities);
		} catch {
			/* aborted, or no suggestions available: the box works without */
			if (mySeq === seq) close();
		}
	}

	function schedule() {
		clearTimeout(timer);
		timer = setTimeout(lookup, DEBOUNCE_MS);
	}

	function choose(i) {
		const e = options[i];
		const w = lastWord(input.value);
		if (!e || !w) return;
		const name = e.name.replace(/"/g, '');
		const quoted = w.lead === '"' || /\s/u.test(name);
		input.value = input.value.slice(0, w.start) + (w.lead === '-' ? '-' : '') + (quoted ? `"${name}"` : name);
		close();
		clearTimeout(timer);
		++seq;
		form.requestSubmit();
	}

	input.addEventListener('input', () => {
		if (composing) return;
		schedule();
	});
	input.addEventListener('compositionstart', () => {
		composing = true;
	});
	input.addEventListener('compositionend', () => {
		composing = false;
		schedule();
	});
	input.addEventListener('keydown', (e) => {
		if (e.isComposing || e.keyCode === 229) return;
		const open = !list.hidden && options.length > 0;
		switch (e.key) {
		case 'ArrowDown':
		case 'ArrowUp': {
			if (!options.length) return;
			e.preventDefault();
			if (!open) {
				list.hidden = false;
				input.setAttribute('aria-expanded', 'true');
			}
			const n = options.length;
			const next = e.key === 'ArrowDown' ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1);
			setActive(e.altKey && !open ? -1 : next);
			break;
		}
		case 'Enter':
			if (open && active >= 0) {
				e.preventDefault();
				choose(active);
			} else {
				close();
			}
			break;
		case 'Escape':
			if (open) {
				e.preventDefault();
				close();
			}
			break;
		case 'Tab':
			close();
			break;
		case 'Home':
		case 'End':
		case 'ArrowLeft':
		case 'ArrowRight':
			if (active >= 0) setActive(-1);
			break;
		default:
			break;
		}
	});
	input.addEventListener('blur', () => {
		clearTimeout(timer);
		close();
	});
	list.addEventListener('mousedown', (e) => e.preventDefault());
	list.addEventListener('click', (e) => {
		const li = e.target instanceof Element ? e.target.closest('[role=option]') : null;
		if (li) choose(Number(li.dataset.index));
	});
	form.addEventListener('submit', () => {
		clearTimeout(timer);
		++seq;
		close();
	});
}
