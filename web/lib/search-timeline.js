/* search-timeline.js — the search page's timeline: the trend of the
 * state's query (and of vs=, the comparison) drawn by trend.js, its bars
 * linking to their period (data-nav=period), and focus put back on the bar
 * that was followed once the chart is redrawn. Only the newest state's
 * answer is drawn. */
import { fetchTrend, newestOnly } from './api.js';
import { drawTrend, drawTrendError, keyRange, rangeKey, trendModel } from './trend.js';
import { searchLabel, stateUrl } from './search-state.js';

/* The caption of the chart of state s. */
function caption(s) {
	return s.vs ? `「${searchLabel(s)}」と「${s.vs}」の件数の推移 Items over time, compared` : `「${searchLabel(s)}」の件数の推移 Items over time`;
}

/* The timeline in box: {render(s), focusBar(key), clear()}. */
export function searchTimeline(box) {
	const requests = newestOnly();
	let focusKey = null;

	/* After a timeline bar was followed: focus the same bar once redrawn. */
	function focusPending() {
		if (focusKey === null || box.dataset.state === 'loading') return;
		const a = box.querySelector(`a[data-key="${CSS.escape(focusKey)}"]`);
		focusKey = null;
		if (a) {
			for (const o of box.querySelectorAll('a.trend-bucket')) o.setAttribute('tabindex', o === a ? '0' : '-1');
			a.focus({ preventScroll: true });
		}
	}

	function draw(s, bodies) {
		const series = [{ label: searchLabel(s), body: bodies[0] }];
		if (s.vs) series.push({ label: s.vs, body: bodies[1] });
		drawTrend(box, trendModel(series), {
			nav: 'period',
			activeKey: rangeKey(s.from, s.to),
			hrefFor: (key) => stateUrl({ ...s, ...keyRange(key), page: 1 }),
			caption: caption(s),
		});
		box.dataset.state = 'ready';
	}

	async function render(s) {
		const req = requests.start();
		const base = { q: s.q, section: s.section, from: s.from, to: s.to, entity: s.entity, exact: s.exact };
		box.dataset.state = 'loading';
		box.setAttribute('aria-busy', 'true');
		try {
			const wanted = [fetchTrend(base)];
			if (s.vs) wanted.push(fetchTrend({ ...base, q: s.vs }));
			const bodies = await Promise.all(wanted);
			if (!req.current()) return;
			draw(s, bodies);
		} catch (err) {
			if (!req.current()) return;
			drawTrendError(box, err);
		} finally {
			if (req.current()) box.removeAttribute('aria-busy');
		}
		if (req.current()) focusPending();
	}

	return {
		render,
		/* Focuses the bar of key now, or once the chart being drawn is. */
		focusBar(key) {
			focusKey = key;
			focusPending();
		},
		/* Drops any answer still coming and empties the box. */
		clear() {
			requests.cancel();
			box.dataset.state = 'error';
			box.replaceChildren();
		},
	};
}
