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
import { el, kindBadge } from './dom.js';
import { fetchSuggestions } from './api.js';
import { fmtNumber, fold, hasCjk } from './text.js';

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

/* A combobox c is {input, form, list, status, cache, options, active,
 * timer, controller, seq, composing}: the state every function below
 * shares. */

function close(c) {
	c.list.hidden = true;
	c.input.setAttribute('aria-expanded', 'false');
	c.input.removeAttribute('aria-activedescendant');
	c.active = -1;
}

/* Makes option i the active one (-1: none). */
function setActive(c, i) {
	c.active = i;
	const items = c.list.querySelectorAll('[role=option]');
	items.forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
	if (i >= 0 && items[i]) {
		c.input.setAttribute('aria-activedescendant', items[i].id);
		items[i].scrollIntoView({ block: 'nearest' });
	} else {
		c.input.removeAttribute('aria-activedescendant');
	}
}

/* One option: the name, the spelling that matched word when it is not the
 * name, the kind and the count. */
function option(c, e, i, f) {
	const spellings = Array.isArray(e.spellings) ? e.spellings.filter((x) => typeof x === 'string') : [];
	const matched = fold(e.name).startsWith(f) ? null : spellings.find((x) => fold(x).startsWith(f));
	return el('li', { id: `${c.list.id}-${i}`, role: 'option', 'aria-selected': 'false', className: 'suggest-option', dataset: { index: String(i) } },
		el('span', { className: 'suggest-name', text: e.name }),
		matched ? el('span', { className: 'suggest-spelling', text: matched }) : null,
		kindBadge(e.kind),
		el('span', { className: 'suggest-count', text: `${fmtNumber(e.count)}件` }));
}

/* Shows the entities found for word (closes the list when none). */
function show(c, word, entities) {
	c.options = entities;
	c.active = -1;
	c.input.removeAttribute('aria-activedescendant');
	if (!entities.length) {
		close(c);
		c.list.replaceChildren();
		if (c.status) c.status.textContent = '';
		return;
	}
	const f = fold(word);
	c.list.replaceChildren(...entities.map((e, i) => option(c, e, i, f)));
	c.list.hidden = false;
	c.input.setAttribute('aria-expanded', 'true');
	if (c.status) c.status.textContent = `候補 ${entities.length} 件 ${entities.length} suggestions`;
}

/* Looks the box's last word up (cached answers at once) and shows the
 * answer if the box still ends with that word and has focus. */
async function lookup(c) {
	const w = lastWord(c.input.value);
	if (!w || c.input.selectionStart !== c.input.value.length) {
		close(c);
		return;
	}
	const mySeq = ++c.seq;
	if (c.cache.has(w.word)) {
		show(c, w.word, c.cache.get(w.word));
		return;
	}
	if (c.controller) c.controller.abort();
	c.controller = new AbortController();
	try {
		const entities = await fetchSuggestions(w.word, LIMIT, c.controller.signal);
		c.cache.set(w.word, entities);
		if (c.cache.size > 100) c.cache.delete(c.cache.keys().next().value);
		const now = lastWord(c.input.value);
		if (mySeq !== c.seq || !now || now.word !== w.word || document.activeElement !== c.input) return;
		show(c, w.word, entities);
	} catch {
		/* aborted, or no suggestions available: the box works without */
		if (mySeq === c.seq) close(c);
	}
}

function schedule(c) {
	clearTimeout(c.timer);
	c.timer = setTimeout(() => lookup(c), DEBOUNCE_MS);
}

/* Puts option i in place of the last word (a name with spaces, or after a
 * ", as a phrase) and searches. */
function choose(c, i) {
	const e = c.options[i];
	const w = lastWord(c.input.value);
	if (!e || !w) return;
	const name = e.name.replace(/"/g, '');
	const quoted = w.lead === '"' || /\s/u.test(name);
	c.input.value = c.input.value.slice(0, w.start) + (w.lead === '-' ? '-' : '') + (quoted ? `"${name}"` : name);
	close(c);
	clearTimeout(c.timer);
	++c.seq;
	c.form.requestSubmit();
}

/* Down/Up move through the options (opening the list), Alt+Down opens it
 * with none active. */
function move(c, e, open) {
	if (!c.options.length) return;
	e.preventDefault();
	if (!open) {
		c.list.hidden = false;
		c.input.setAttribute('aria-expanded', 'true');
	}
	const n = c.options.length;
	const next = e.key === 'ArrowDown' ? (c.active + 1) % n : (c.active <= 0 ? n - 1 : c.active - 1);
	setActive(c, e.altKey && !open ? -1 : next);
}

function onKeydown(c, e) {
	if (e.isComposing || e.keyCode === 229) return;
	const open = !c.list.hidden && c.options.length > 0;
	switch (e.key) {
	case 'ArrowDown':
	case 'ArrowUp':
		move(c, e, open);
		break;
	case 'Enter':
		if (open && c.active >= 0) {
			e.preventDefault();
			choose(c, c.active);
		} else {
			close(c);
		}
		break;
	case 'Escape':
		if (open) {
			e.preventDefault();
			close(c);
		}
		break;
	case 'Tab':
		close(c);
		break;
	case 'Home':
	case 'End':
	case 'ArrowLeft':
	case 'ArrowRight':
		if (c.active >= 0) setActive(c, -1);
		break;
	default:
		break;
	}
}

/* Makes input (role=combobox, aria-controls=<listbox id>) suggest entity
 * names; choosing one replaces the last word and submits form. */
export function installSuggest(input, form) {
	const list = document.getElementById(input.getAttribute('aria-controls') || '');
	if (!list) return;
	const c = {
		input, form, list, status: document.getElementById(list.id + '-status'), cache: new Map(),
		options: [], active: -1, timer: 0, controller: null, seq: 0, composing: false,
	};
	input.addEventListener('input', () => {
		if (c.composing) return;
		schedule(c);
	});
	input.addEventListener('compositionstart', () => {
		c.composing = true;
	});
	input.addEventListener('compositionend', () => {
		c.composing = false;
		schedule(c);
	});
	input.addEventListener('keydown', (e) => onKeydown(c, e));
	input.addEventListener('blur', () => {
		clearTimeout(c.timer);
		close(c);
	});
	list.addEventListener('mousedown', (e) => e.preventDefault());
	list.addEventListener('click', (e) => {
		const li = e.target instanceof Element ? e.target.closest('[role=option]') : null;
		if (li) choose(c, Number(li.dataset.index));
	});
	form.addEventListener('submit', () => {
		clearTimeout(c.timer);
		++c.seq;
		close(c);
	});
}
