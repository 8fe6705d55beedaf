/* trend.js — the timeline: matching items per month (or per year) from
 * GET /api/trend (fetched by api.js's fetchTrend), one series or two (a
 * comparison), drawn as inline SVG.
 *
 * Interval choice: the UI always asks for interval=month. When the buckets
 * of all series together span more than MAX_MONTH_BUCKETS months, the months
 * are summed into years (the same numbers interval=year returns), so a
 * short span reads month by month and a long archive year by year. */
import { el, errorDetail, svgEl } from './dom.js';
import { fmtNumber } from './text.js';

export const MAX_MONTH_BUCKETS = 48;

const isMonth = (k) => /^\d{4}-(0[1-9]|1[0-2])$/.test(k);
const isYear = (k) => /^\d{4}$/.test(k);
const monthIndex = (k) => Number(k.slice(0, 4)) * 12 + Number(k.slice(5, 7)) - 1;
const monthKey = (i) => `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;

/* Bucket key -> first and last day ("2022-03" -> 2022-03-01..2022-03-31). */
export function keyRange(key) {
	if (isYear(key)) return { from: `${key}-01-01`, to: `${key}-12-31` };
	const y = Number(key.slice(0, 4));
	const m = Number(key.slice(5, 7));
	const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
	return { from: `${key}-01`, to: `${key}-${String(last).padStart(2, '0')}` };
}

/* The bucket key whose whole range from..to is, if any. */
export function rangeKey(from, to) {
	const m = /^(\d{4})-(\d{2})-01$/.exec(from || '');
	if (!m) return null;
	if (m[2] === '01' && to === `${m[1]}-12-31`) return m[1];
	const k = `${m[1]}-${m[2]}`;
	return isMonth(k) && keyRange(k).to === to ? k : null;
}

export function keyLabel(key) {
	if (isYear(key)) return `${key}年`;
	return `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`;
}

/* One chart model from trend bodies: series is [{label, body}]. Returns
 * {interval: 'month'|'year', keys, series: [{label, counts: Map, total,
 * undated}]} with keys contiguous and ascending. */
export function trendModel(series) {
	const clean = series.map(({ label, body }) => {
		const buckets = Array.isArray(body && body.buckets) ? body.buckets : [];
		return {
			label,
			total: typeof body.total === 'number' ? body.total : 0,
			undated: typeof body.undated === 'number' ? body.undated : 0,
			buckets: buckets.filter((b) => b && typeof b.key === 'string' && (isMonth(b.key) || isYear(b.key))
				&& typeof b.count === 'number' && b.count >= 0),
		};
	});
	const all = clean.flatMap((s) => s.buckets.map((b) => b.key));
	let interval = all.some(isYear) ? 'year' : 'month';
	let keys = [];
	if (all.length && interval === 'month') {
		const idx = all.map(monthIndex);
		const lo = Math.min(...idx);
		const hi = Math.max(...idx);
		if (hi - lo + 1 > MAX_MONTH_BUCKETS) interval = 'year';
		else keys = Array.from({ length: hi - lo + 1 }, (_, i) => monthKey(lo + i));
	}
	if (all.length && interval === 'year') {
		const ys = all.map((k) => Number(k.slice(0, 4)));
		const lo = Math.min(...ys);
		const hi = Math.max(...ys);
		keys = Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i).padStart(4, '0'));
	}
	return {
		interval,
		keys,
		series: clean.map((s) => {
			const counts = new Map();
			for (const b of s.buckets) {
				const k = interval === 'year' ? b.key.slice(0, 4) : b.key;
				counts.set(k, (counts.get(k) || 0) + b.count);
			}
			return { label: s.label, counts, total: s.total, undated: s.undated };
		}),
	};
}

function niceMax(v) {
	if (v <= 4) return Math.max(1, v);
	const p = 10 ** Math.floor(Math.log10(v));
	for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
	return 10 * p;
}

let uid = 0;

function hatchPattern(id) {
	return svgEl('pattern', { id, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
		svgEl('rect', { className: 'hatch-bg', width: 6, height: 6 }),
		svgEl('line', { className: 'hatch-line', x1: 1.5, y1: 0, x2: 1.5, y2: 6 }));
}

/* A small legend swatch drawn like series i's bars. */
function swatch(i) {
	const id = `kt-swatch-${++uid}`;
	const svg = svgEl('svg', { className: 'legend-swatch', width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true', focusable: 'false' });
	if (i === 1) svg.append(svgEl('defs', null, hatchPattern(id)));
	svg.append(svgEl('rect', { className: `trend-bar series-${i}`, x: 1, y: 1, width: 14, height: 14, rx: 2, fill: i === 1 ? `url(#${id})` : null }));
	return svg;
}

const seriesName = (s) => (s.label ? `「${s.label}」` : '');

function bucketText(model, key) {
	/* the count as its own word, as the bar's label shows it (WCAG 2.5.3) */
	const parts = model.series.map((s) => `${seriesName(s)}${fmtNumber(s.counts.get(key) || 0)} 件`);
	return `${keyLabel(key)}: ${parts.join('、')}`;
}

/* Replaces box's chart with the API's error (err) in an alert. */
export function drawTrendError(box, err) {
	box.dataset.state = 'error';
	box.replaceChildren(el('div', { className: 'message message-error', role: 'alert' },
		el('p', { className: 'message-title', text: '推移を表示できませんでした。 The timeline failed.' }), errorDetail(err)));
}

const observed = new WeakSet();

/* Draws model into box: a legend, the SVG chart (one bar per series and
 * bucket; buckets with matches are links from opts.hrefFor(key) with
 * roving focus: arrow keys, Home, End), the undated counts and a table of
 * the same numbers. opts: {hrefFor(key, interval) -> href|null, nav (the
 * links' data-nav), activeKey, caption}. Redraws when box is resized. */
export function drawTrend(box, model, opts) {
	box.ktTrend = { model, opts };
	if (!observed.has(box) && typeof ResizeObserver === 'function') {
		observed.add(box);
		let lastW = box.clientWidth;
		let pending = 0;
		new ResizeObserver(() => {
			const w = box.clientWidth;
			if (Math.abs(w - lastW) < 8 || !box.ktTrend) return;
			lastW = w;
			cancelAnimationFrame(pending);
			pending = requestAnimationFrame(() => redrawChart(box));
		}).observe(box);
	}
	render(box, model, opts);
}

/* On a resize only the SVG is redrawn (the legend, the open state of the
 * table and the focused bar stay). */
function redrawChart(box) {
	const scroll = box.querySelector('.timeline-scroll');
	if (!scroll || !box.ktTrend) return;
	const focused = scroll.contains(document.activeElement) ? document.activeElement.getAttribute('data-key') : null;
	scroll.replaceChildren(chart(box, box.ktTrend.model, box.ktTrend.opts));
	if (focused) {
		const a = scroll.querySelector(`a[data-key="${CSS.escape(focused)}"]`);
		if (a) {
			for (const o of scroll.querySelectorAll('a.trend-bucket')) o.setAttribute('tabindex', o === a ? '0' : '-1');
			a.focus({ preventScroll: true });
		}
	}
}

function render(box, model, opts) {
	const nodes = [];
	const perLabel = model.interval === 'year' ? '年別 per year' : '月別 per month';
	const legend = el('ul', { className: 'trend-legend', 'aria-label': '凡例 Legend' });
	model.series.forEach((s, i) => {
		legend.append(el('li', { className: `legend-item legend-${i}` }, swatch(i),
			el('span', { className: 'legend-label', text: s.label || 'すべて All' }),
			el('span', { className: 'legend-total', text: ` ${fmtNumber(s.total)}件` })));
	});
	const head = el('div', { className: 'trend-head' }, legend);
	nodes.push(head);

	if (!model.keys.length) {
		nodes.push(el('p', { className: 'muted trend-empty', text: '日付のある記事はありません No dated items' }));
	} else {
		head.append(el('p', { className: 'trend-interval muted', text: `${perLabel} · ${keyLabel(model.keys[0])}〜${keyLabel(model.keys[model.keys.length - 1])}` }));
		nodes.push(el('div', { className: 'timeline-scroll' }, chart(box, model, opts)));
	}
	const undated = model.series.filter((s) => s.undated > 0);
	if (undated.length) {
		nodes.push(el('p', { className: 'muted timeline-note', text: '日付不明 Undated: '
			+ undated.map((s) => `${model.series.length > 1 ? seriesName(s) : ''}${fmtNumber(s.undated)}件`).join('、') }));
	}
	if (model.keys.length) nodes.push(table(model));
	box.replaceChildren(...nodes);
}

/* The sizes of the chart of model in box: bar groups as wide as the box
 * allows within bounds, the y axis up to a round maximum. */
function geometry(box, model) {
	const n = model.keys.length;
	const ns = model.series.length;
	const g = { n, ns, yW: 30, top: 18, chartH: 96, axisH: model.interval === 'month' ? 34 : 22 };
	const avail = Math.max(200, (box.clientWidth || 600) - 4);
	const minG = ns > 1 ? 8 : 5;
	const maxG = ns > 1 ? 64 : 56;
	g.groupW = Math.max(minG, Math.min(maxG, (avail - g.yW - 4) / n));
	g.W = Math.ceil(g.yW + n * g.groupW + 4);
	g.H = g.top + g.chartH + g.axisH;
	g.yMax = niceMax(Math.max(1, ...model.series.flatMap((s) => [...s.counts.values()])));
	g.gap = Math.max(1, Math.min(8, g.groupW * 0.22));
	g.barW = (g.groupW - g.gap) / ns;
	return g;
}

/* The y grid: 0, half and the maximum, with their labels. */
function yGrid(svg, g) {
	const ys = g.yMax >= 2 && g.yMax % 2 === 0 ? [0, g.yMax / 2, g.yMax] : [0, g.yMax];
	for (const v of ys) {
		const y = g.top + g.chartH - (v / g.yMax) * g.chartH + 0.5;
		svg.append(svgEl('line', { className: v ? 'trend-grid' : 'timeline-axis', x1: g.yW, x2: g.W, y1: y, y2: y }),
			svgEl('text', { className: 'trend-ylabel', x: g.yW - 5, y: y + 4, 'text-anchor': 'end', text: String(v) }));
	}
}

/* The bucket of key (the i-th): one bar per series, a link to its period
 * when the first series has matches (else an aria-hidden group); the counts
 * over the bars go into countLabels. hatch is the second series' fill. */
function bucket(model, opts, g, key, i, hatch, countLabels) {
	const x0 = g.yW + i * g.groupW;
	const counts = model.series.map((s) => s.counts.get(key) || 0);
	const label = bucketText(model, key);
	const href = counts[0] > 0 && opts.hrefFor ? opts.hrefFor(key, model.interval) : null;
	const title = href ? `${label} — この期間で絞り込む Filter` : label;
	const parts = [svgEl('title', { text: title }),
		svgEl('rect', { className: 'trend-hit', x: x0, y: 0, width: g.groupW, height: g.top + g.chartH, rx: 2 })];
	counts.forEach((c, si) => {
		const h = c ? Math.max(2, (c / g.yMax) * g.chartH) : 0;
		const x = x0 + g.gap / 2 + si * g.barW;
		parts.push(svgEl('rect', {
			className: `trend-bar series-${si}`,
			x: x.toFixed(2), y: (g.top + g.chartH - h).toFixed(2), width: Math.max(1, g.barW - (g.ns > 1 ? 1 : 0)).toFixed(2), height: h.toFixed(2),
			fill: si === 1 ? `url(#${hatch})` : null,
			'data-series': si,
			'data-count': c,
		}));
		if (c && g.barW >= (g.ns > 1 ? 18 : 22)) {
			countLabels.append(svgEl('text', { className: 'trend-count', x: (x + g.barW / 2).toFixed(2), y: (g.top + g.chartH - h - 4).toFixed(2), 'text-anchor': 'middle', text: fmtNumber(c) }));
		}
	});
	const active = opts.activeKey === key;
	const cls = 'trend-bucket' + (active ? ' is-active' : '');
	if (!href) return svgEl('g', { className: cls, 'data-key': key, 'aria-hidden': 'true' }, ...parts);
	const a = svgEl('a', { className: cls, href, tabindex: -1, 'data-key': key, 'aria-label': title }, ...parts);
	if (opts.nav) a.dataset.nav = opts.nav;
	if (active) a.setAttribute('aria-current', 'true');
	return a;
}

/* The x labels: month numbers (every one, or every third when narrow) and
 * years, or years alone; labels that would collide are left out. */
function xLabels(svg, model, g) {
	const yLabelY = g.top + g.chartH + (model.interval === 'month' ? 30 : 16);
	let lastLabelX = -Infinity;
	model.keys.forEach((key, i) => {
		const x0 = g.yW + i * g.groupW;
		if (model.interval === 'month') {
			const m = Number(key.slice(5, 7));
			if (g.groupW >= 16 || (g.groupW >= 9 && m % 3 === 1)) {
				svg.append(svgEl('text', { className: 'trend-xlabel', x: (x0 + g.groupW / 2).toFixed(2), y: g.top + g.chartH + 14, 'text-anchor': 'middle', text: String(m) }));
			}
			if (m === 1 || i === 0) {
				svg.append(svgEl('line', { className: 'trend-tick', x1: x0, x2: x0, y1: g.top + g.chartH, y2: g.top + g.chartH + 20 }));
				if (x0 - lastLabelX >= 36 && (m === 1 || g.groupW * (13 - m) >= 36)) {
					svg.append(svgEl('text', { className: 'timeline-year', x: x0 + 2, y: yLabelY, text: key.slice(0, 4) }));
					lastLabelX = x0;
				}
			}
		} else if (x0 - lastLabelX >= 34) {
			svg.append(svgEl('text', { className: 'timeline-year', x: (x0 + g.groupW / 2).toFixed(2), y: yLabelY, 'text-anchor': 'middle', text: key }));
			lastLabelX = x0;
		}
	});
}

/* Roving focus over the bucket links: one tab stop (the active bucket's,
 * else the first), moved with the arrow keys, Home and End. */
function rovingFocus(svg, links) {
	if (!links.length) return;
	const start = links.find((a) => a.classList.contains('is-active')) || links[0];
	start.setAttribute('tabindex', '0');
	svg.addEventListener('keydown', (e) => {
		const i = links.indexOf(e.target instanceof Element ? e.target.closest('a') : null);
		if (i < 0) return;
		let j = -1;
		if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = Math.min(links.length - 1, i + 1);
		else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = Math.max(0, i - 1);
		else if (e.key === 'Home') j = 0;
		else if (e.key === 'End') j = links.length - 1;
		if (j < 0) return;
		e.preventDefault();
		links[i].setAttribute('tabindex', '-1');
		links[j].setAttribute('tabindex', '0');
		links[j].focus();
	});
}

/* The SVG chart of model sized to box (see drawTrend for opts). */
function chart(box, model, opts) {
	const g = geometry(box, model);
	const hatch = `kt-hatch-${++uid}`;
	const hintId = `kt-hint-${uid}`;
	const caption = opts.caption || (model.interval === 'year' ? '年別の件数 Items per year' : '月別の件数 Items per month');
	const totals = model.series.map((s) => `${seriesName(s)}${fmtNumber(s.total)}件`).join('、');
	const svg = svgEl('svg', {
		className: 'timeline-chart',
		viewBox: `0 0 ${g.W} ${g.H}`,
		width: g.W,
		height: g.H,
		role: 'group',
		'aria-label': `${caption}: ${keyLabel(model.keys[0])}〜${keyLabel(model.keys[g.n - 1])}、${totals}`,
		'aria-describedby': hintId,
		'data-interval': model.interval,
	}, svgEl('title', { text: caption }),
	svgEl('desc', { id: hintId, text: '矢印キーで期間を移動、Enter でその期間に絞り込み。Arrow keys move between periods, Enter filters to one.' }));
	if (g.ns > 1) svg.append(svgEl('defs', null, hatchPattern(hatch)));
	yGrid(svg, g);
	/* counts over the bars: outside the links, so a link's text is only its
	 * label */
	const countLabels = svgEl('g', { className: 'trend-counts', 'aria-hidden': 'true' });
	const buckets = model.keys.map((key, i) => bucket(model, opts, g, key, i, hatch, countLabels));
	svg.append(...buckets, countLabels);
	xLabels(svg, model, g);
	rovingFocus(svg, buckets.filter((b) => b.localName === 'a'));
	return svg;
}

function table(model) {
	const head = el('tr', null, el('th', { scope: 'col', text: model.interval === 'year' ? '年 Year' : '月 Month' }),
		...model.series.map((s) => el('th', { scope: 'col', text: s.label || '件数 Items' })));
	const rows = model.keys.map((k) => el('tr', null, el('th', { scope: 'row', text: keyLabel(k) }),
		...model.series.map((s) => el('td', { text: fmtNumber(s.counts.get(k) || 0) }))));
	return el('details', { className: 'trend-table-box' },
		el('summary', null, '表で表示 ', el('span', { lang: 'en', text: 'Show as table' })),
		el('div', { className: 'table-scroll' },
			el('table', { className: 'trend-table' }, el('thead', null, head), el('tbody', null, ...rows))));
}
