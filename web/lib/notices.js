/* notices.js — the bounds a query ran into, as notes above the results.
 *
 * /api/search (and /api/trend) carry "notices" when the query asked for more
 * than the query language allows (README "Query language"):
 *   [{"code": "prefix_short", "term": "h*", "searched": "h",
 *     "message": "a prefix needs at least 3 characters: h* was searched as h"}]
 * Each becomes one paragraph: a Japanese sentence built here from its code,
 * term and searched, then the server's English message. Everything is text
 * (el()), never HTML; the query in the search box is left as typed. */
import { el } from './dom.js';

/* The codes whose sentence names what was searched instead. */
const SEARCHED_AS = ['prefix_short', 'prefixes', 'phrase_long'];

const term = (t) => el('span', { className: 'notice-term', text: t });

/* The Japanese sentence of notice n as nodes; a generic one for a code this
 * page does not know. The limits' numbers are left to the server's message. */
function japanese(n) {
	const t = n.term;
	const s = n.searched;
	const code = typeof s === 'string' || !SEARCHED_AS.includes(n.code) ? n.code : '';
	switch (code) {
	case 'prefix_short':
		return [term(t), ' は前方一致には短すぎるため、', term(s), ' として検索しました。'];
	case 'prefixes':
		return ['前方一致が多すぎるため、', term(t), ' は ', term(s), ' として検索しました。'];
	case 'phrase_long':
		return ['フレーズが長すぎるため、', term(t), ' は ', term(s), ' として検索しました。'];
	case 'terms':
		return ['検索語が多すぎるため、', term(t), ' から後の語は検索していません。'];
	case 'spellings':
		return ['検索語と表記ゆれが多すぎるため、', term(t), ' の表記ゆれの一部は検索していません。'];
	default:
		return ['検索語の一部を変えて検索しました。'];
	}
}

/* The usable notices of an API body: objects with a string message and
 * term. */
function notices(body) {
	const list = Array.isArray(body && body.notices) ? body.notices : [];
	return list.filter((n) => n && typeof n.message === 'string' && typeof n.term === 'string');
}

/* Fills box with one note per notice of body, or empties it. The box is a
 * role=status region that stays in the page, so a new note is announced. */
export function renderNotices(box, body) {
	const list = notices(body);
	box.replaceChildren(...list.map((n) => el('p', { className: 'notice', dataset: { code: String(n.code || '') } },
		el('span', { className: 'notice-label', text: '検索の上限 Query limit: ' }),
		...japanese(n), ' ',
		el('span', { className: 'notice-en', lang: 'en', text: n.message }))));
}
