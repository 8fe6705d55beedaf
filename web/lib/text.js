/* text.js — plain string helpers, no DOM: number and time formats, the
 * fold the search applies (NFKC + lower case), CJK detection, hiragana to
 * katakana. */

export function fmtNumber(n) {
	return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('ja-JP') : '0';
}

export function fmtMs(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
	return (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString()) + ' ms';
}

/* Width and case folded, as the search folds them (ＱＮＡＰ -> qnap). */
export const fold = (t) => String(t || '').normalize('NFKC').toLowerCase();

export function hasCjk(s) {
	return /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/u.test(s);
}

/* Hiragana (U+3041–U+3096, ゝ ゞ) as katakana: the same letters 0x60 higher. */
export const toKatakana = (t) => String(t || '').replace(/[\u3041-\u3096\u309d\u309e]/gu,
	(c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
