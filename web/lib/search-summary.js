/* search-summary.js — what the search page says about an answer: the count
 * line ("151 件中 1–20 件目 (151 results) · 3.2 ms"), the expanded-terms
 * line ("次の語も検索 Also searched: …" or the exact-only note), and the
 * message when a page has no hits (the no-results help, or a page past the
 * last one). */
import { el, hideMessage, showMessage } from './dom.js';
import { fmtMs, fmtNumber, fold, toKatakana } from './text.js';
import { navLink, unfiltered } from './search-state.js';

/* The count line of a search answer: total, the range shown and the time. */
export function renderStatus(status, total, offset, shown, tookMs) {
	const took = fmtMs(tookMs);
	const tail = [el('span', { className: 'status-en', lang: 'en', text: ` (${total} results)` }),
		took ? el('span', { className: 'status-took', text: ` · ${took}` }) : null];
	if (shown) {
		const range = `${fmtNumber(offset + 1)}–${fmtNumber(offset + shown)}`;
		status.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(total) }), ' 件中 ', range, ' 件目', ...tail);
	} else {
		status.replaceChildren(el('strong', { className: 'status-total', text: fmtNumber(total) }), ' 件', ...tail);
	}
}

/* The answer's expanded groups that add a spelling other than the term's
 * own (after the fold): [{term, variants}]. */
function extraSpellings(body) {
	const groups = Array.isArray(body && body.expanded) ? body.expanded : [];
	const shown = [];
	for (const g of groups) {
		if (!g || typeof g.term !== 'string' || !Array.isArray(g.variants)) continue;
		const variants = g.variants.filter((v) => typeof v === 'string' && v && fold(v) !== fold(g.term));
		if (variants.length) shown.push({ term: g.term, variants });
	}
	return shown;
}

/* Fills line with the exact-only note (exact=1), the extra spellings that
 * were searched with a link to exact only, or hides it. */
export function renderExpanded(line, s, body) {
	const shown = extraSpellings(body);
	if (s.exact) {
		line.replaceChildren(
			el('span', { className: 'expanded-label', text: '完全一致 Exact: ' }),
			el('span', { text: '言い換え・表記ゆれを含めずに検索しています。 Variants are not searched. ' }),
			navLink({ ...s, exact: '', page: 1 }, '言い換えも検索 Include variants', 'exact', 'off', { className: 'exact-toggle' }));
		line.hidden = false;
	} else if (shown.length) {
		const parts = [el('span', { className: 'expanded-label', text: '次の語も検索 Also searched: ' })];
		shown.forEach((g, i) => {
			if (i) parts.push(' · ');
			g.variants.forEach((v, j) => {
				if (j) parts.push('、');
				parts.push(el('span', { className: 'expanded-term', text: v }));
			});
		});
		parts.push(' ', navLink({ ...s, exact: '1', page: 1 }, '完全一致で検索 Exact only', 'exact', 'on', { className: 'exact-toggle' }));
		line.replaceChildren(...parts);
		line.hidden = false;
	} else {
		line.hidden = true;
		line.replaceChildren();
	}
}

/* The no-results help. It claims only what the search does: width
 * (ＱＮＡＰ, ﾌｨｯｼﾝｸﾞ) and case are folded, hiragana and katakana are not
 * (らんさむうぇあ does not find ランサムウェア), so a query holding
 * hiragana is offered in katakana. */
function emptyTips(s) {
	const ul = el('ul', { className: 'tips' },
		el('li', { text: '別のキーワードや、より短い語句で検索してください。Try other or fewer words.' }),
		el('li', { text: s.exact
			? '全角・半角と大文字・小文字の違いは区別しません。完全一致ではひらがなとカタカナは区別します。Width and case do not matter; with exact matching hiragana and katakana are different.'
			: '全角・半角、大文字・小文字、ひらがな・カタカナの違いは区別しません。Width, case and kana script do not matter.' }));
	const kata = toKatakana(s.q);
	if (s.exact && kata !== s.q) {
		ul.append(el('li', null, 'カタカナで検索 Search in katakana: ',
			navLink({ ...s, q: kata, page: 1 }, kata, 'kana', 'katakana', { className: 'kana-retry', lang: 'ja' })));
	}
	if (s.section || s.entity || s.from || s.to) {
		ul.append(el('li', null, navLink(unfiltered(s), '絞り込みを解除して検索 Search without filters', 'chip', 'all')));
	}
	if (s.exact) ul.append(el('li', null, navLink({ ...s, exact: '', page: 1 }, '言い換えも検索 Include variants', 'exact', 'off')));
	return ul;
}

/* The message box for an answer of total matches with shown hits on this
 * page: the no-results help, "this page has no results" with a link to
 * page 1, or nothing. */
export function renderOutcome(box, s, total, shown) {
	if (total === 0) {
		const what = s.q ? `「${s.q}」に一致する記事は見つかりませんでした。` : '表示できる記事がありません。';
		showMessage(box, 'empty', what + ' No items found.', null, emptyTips(s));
	} else if (!shown) {
		showMessage(box, 'empty', 'このページには結果がありません。 This page has no results.', null,
			el('p', null, navLink({ ...s, page: 1 }, '最初のページへ Go to page 1', 'page', '1')));
	} else {
		hideMessage(box);
	}
}
