// Browser tests of kensaku's web UI, issue 7: the timeline from /api/trend
// (months, years, a comparison series), entity and CVE facets, the entity
// page, autocomplete from /api/entities, the Atom feed link, and the
// expanded-terms line with its exact toggle; in Debian's headless Chromium
// against the real kensakud (see harness.mjs and README.md).
//
//   node --test tests/browser/explore.test.mjs

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
	SHOTS, api, axeViolations, colourPairs, contrast, env, openPage, resultTitles, run, trendBars, waitRendered, waitTrend,
} from './harness.mjs';

const enc = encodeURIComponent;
const hrefOf = (h) => `/issue.html?n=${h.issue}#item-${h.id.split('-')[1]}`;
const resultHrefs = (page) => page.locator('.result-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));

/* Asserts the drawn bars of series `si` are exactly model {key: count}. */
function assertSeries(bars, si, want, what) {
	const got = bars.filter((b) => b.series === si).map((b) => [b.key, b.count]);
	assert.deepEqual(got, want, `${what}: one bar per bucket with its count`);
	const max = Math.max(...bars.map((b) => b.count));
	const hmax = Math.max(...bars.map((b) => b.height));
	for (const b of bars.filter((x) => x.series === si)) {
		assert.equal(b.height > 0, b.count > 0, `${what} ${b.key}: height ${b.height} for ${b.count}`);
		assert.ok(Math.abs(b.height / hmax - b.count / max) < 0.02, `${what} ${b.key} is drawn to scale`);
	}
}

run('trend: months while the span is at most 48 months, years beyond, equal to /api/trend', async () => {
	const page = await openPage();
	// Emotet spans 2017-06..2019-12: months.
	await page.goto(env.base + '/?q=Emotet');
	await waitTrend(page);
	const month = (await api('/api/trend?interval=month&q=Emotet')).body;
	assert.equal(month.interval, 'month');
	assert.equal(month.total, 26);
	assert.equal(await page.getAttribute('#timeline svg.timeline-chart', 'data-interval'), 'month');
	assertSeries(await trendBars(page), 0, month.buckets.map((b) => [b.key, b.count]), 'Emotet per month');
	assert.match(await page.locator('#timeline .legend-0').textContent(), /Emotet\s*26件/);
	assert.match(await page.locator('#timeline .trend-interval').textContent(), /2017年6月〜2019年12月/);
	// The table holds the same numbers.
	await page.locator('#timeline .trend-table-box summary').click();
	// A narrower window redraws the chart narrower and leaves the table open.
	const w0 = Number(await page.getAttribute('#timeline svg.timeline-chart', 'width'));
	await page.setViewportSize({ width: 1000, height: 800 });
	await page.waitForFunction((w) => Number(document.querySelector('#timeline svg.timeline-chart').getAttribute('width')) < w, w0);
	assert.equal(await page.locator('#timeline .trend-table-box[open]').count(), 1);
	const rows = await page.locator('#timeline .trend-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.cells[1].textContent)));
	assert.deepEqual(rows, month.buckets.map((b) => b.count));

	// The whole archive spans 2016-01..2023-07 (91 months): years, equal to interval=year.
	await page.goto(env.base + '/?q=');
	await waitTrend(page);
	const all = (await api('/api/trend?interval=month&q=')).body;
	assert.ok(all.buckets.length > 48, `${all.buckets.length} months`);
	const years = (await api('/api/trend?interval=year&q=')).body;
	assert.equal(years.interval, 'year');
	assert.equal(await page.getAttribute('#timeline svg.timeline-chart', 'data-interval'), 'year');
	assertSeries(await trendBars(page), 0, years.buckets.map((b) => [b.key, b.count]), 'all per year');
	assert.match(await page.locator('#timeline .timeline-note').textContent(), new RegExp(`${years.undated}件`));
	// A year bar filters to that year, and the timeline then shows its months.
	await page.locator('#timeline a[data-key="2018"]').click();
	await page.waitForURL((u) => u.searchParams.get('from') === '2018-01-01' && u.searchParams.get('to') === '2018-12-31');
	await waitRendered(page);
	await page.waitForFunction(() => document.querySelector('#timeline svg.timeline-chart[data-interval=month]'));
	const y2018 = (await api('/api/trend?interval=month&q=&from=2018-01-01&to=2018-12-31')).body;
	assertSeries(await trendBars(page), 0, y2018.buckets.map((b) => [b.key, b.count]), '2018 per month');
	assert.equal(await page.locator('#status .status-total').textContent(), String(years.buckets.find((b) => b.key === '2018').count));
	await page.check();
	await page.close2();
});

run('trend: bars are reachable by keyboard (one tab stop, arrows move, Enter filters)', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=Emotet');
	await waitTrend(page);
	const links = page.locator('#timeline a.trend-bucket');
	const n = await links.count();
	assert.ok(n > 10);
	assert.equal(await page.locator('#timeline a.trend-bucket[tabindex="0"]').count(), 1, 'one tab stop for the chart');
	await page.locator('#q').focus();
	let reached = false;
	for (let i = 0; i < 40 && !reached; i++) {
		await page.keyboard.press('Tab');
		reached = await page.evaluate(() => document.activeElement.classList.contains('trend-bucket'));
	}
	assert.ok(reached, 'Tab reaches the chart');
	const first = await page.evaluate(() => document.activeElement.getAttribute('data-key'));
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	const key = await page.evaluate(() => document.activeElement.getAttribute('data-key'));
	assert.notEqual(key, first);
	const keys = await links.evaluateAll((as) => as.map((a) => a.getAttribute('data-key')));
	assert.equal(keys.indexOf(key), keys.indexOf(first) + 2);
	const ring = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector('.trend-hit')).strokeWidth);
	assert.ok(parseFloat(ring) >= 2, `visible focus on the bar (${ring})`);
	await page.keyboard.press('End');
	assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-key')), keys[keys.length - 1]);
	await page.keyboard.press('Home');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('Enter');
	await page.waitForURL((u) => u.searchParams.get('from') === `${key}-01`);
	await waitRendered(page);
	const dates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
	assert.ok(dates.length > 0 && dates.every((d) => d.startsWith(key)), dates.join(','));
	await waitTrend(page);
	assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-key')), key, 'focus stays on the bar');
	await page.check();
	await page.close2();
});

run('compare: a second query is a second, hatched series in the same SVG, kept in the URL', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=Emotet');
	await waitRendered(page);
	await waitTrend(page);
	const titles = await resultTitles(page);
	await page.locator('#vs').fill('QakBot');
	await page.locator('#vs').press('Enter');
	await page.waitForURL((u) => u.searchParams.get('vs') === 'QakBot' && u.searchParams.get('q') === 'Emotet');
	await page.waitForFunction(() => document.querySelectorAll('#timeline .timeline-chart .trend-bar.series-1').length > 0);
	assert.deepEqual(await resultTitles(page), titles, 'the comparison leaves the results alone');
	const a = (await api('/api/trend?interval=month&q=Emotet')).body;
	const b = (await api('/api/trend?interval=month&q=QakBot')).body;
	assert.equal(b.total, 8);
	const bars = await trendBars(page);
	const keys = [...new Set(bars.map((x) => x.key))];
	const lo = [a.buckets[0].key, b.buckets[0].key].sort()[0];
	const hi = [a.buckets.at(-1).key, b.buckets.at(-1).key].sort()[1];
	assert.equal(keys[0], lo);
	assert.equal(keys.at(-1), hi);
	const count = (t, k) => (t.buckets.find((x) => x.key === k) || { count: 0 }).count;
	assertSeries(bars, 0, keys.map((k) => [k, count(a, k)]), 'Emotet');
	assertSeries(bars, 1, keys.map((k) => [k, count(b, k)]), 'QakBot');
	// Distinct in colour and in greyscale: series 0 solid, series 1 a hatch pattern with an outline.
	const look = await page.evaluate(() => {
		const s0 = document.querySelector('#timeline .timeline-chart .trend-bar.series-0');
		const s1 = document.querySelector('#timeline .timeline-chart .trend-bar.series-1');
		const pat = document.querySelector('#timeline .timeline-chart pattern');
		return {
			fill0: getComputedStyle(s0).fill, fill1: getComputedStyle(s1).fill, stroke1: getComputedStyle(s1).stroke,
			pattern: pat && s1.getAttribute('fill') === `url(#${pat.id})`, lines: pat ? pat.querySelectorAll('line').length : 0,
		};
	});
	assert.match(look.fill0, /^rgb/);
	assert.match(look.fill1, /^url\(/);
	assert.ok(look.pattern && look.lines > 0, 'series 1 is filled with the hatch pattern');
	assert.notEqual(look.stroke1, 'none');
	// Legend with both, and the bucket labels name both queries.
	const legend = await page.locator('#timeline .trend-legend li').allTextContents();
	assert.equal(legend.length, 2);
	assert.match(legend[0], /Emotet\s*26件/);
	assert.match(legend[1], /QakBot\s*8件/);
	assert.equal(await page.locator('#timeline .legend-1 .legend-swatch pattern').count(), 1, 'the legend swatch is hatched too');
	const both = b.buckets.find((x) => x.count > 0 && count(a, x.key) > 0);
	const label = await page.locator(`#timeline a[data-key="${both.key}"]`).getAttribute('aria-label');
	assert.ok(label.includes(`「Emotet」${count(a, both.key)} 件`) && label.includes(`「QakBot」${both.count} 件`), label);
	assert.match(await page.getAttribute('#timeline svg.timeline-chart', 'aria-label'), /Emotet.*QakBot/);
	// Remove the comparison, then Back brings it back.
	await page.locator('#compare-clear').click();
	await page.waitForURL((u) => !u.searchParams.has('vs'));
	await page.waitForFunction(() => document.activeElement.id === 'vs'); // focus goes back to the compare field
	await page.waitForFunction(() => document.querySelectorAll('#timeline .timeline-chart .trend-bar.series-1').length === 0
		&& document.querySelectorAll('#timeline .timeline-chart .trend-bar.series-0').length > 0);
	await page.goBack();
	await page.waitForURL((u) => u.searchParams.get('vs') === 'QakBot');
	await page.waitForFunction(() => document.querySelectorAll('#timeline .timeline-chart .trend-bar.series-1').length > 0);
	assert.equal(await page.inputValue('#vs'), 'QakBot');
	// A comparison across 2016-2023 (ランサムウェア vs Microsoft) falls back to years for both series.
	await page.goto(env.base + '/?q=' + enc('ランサムウェア') + '&vs=Microsoft');
	await page.waitForFunction(() => document.querySelector('#timeline svg.timeline-chart[data-interval=year] .series-1'));
	const ya = (await api('/api/trend?interval=year&q=' + enc('ランサムウェア'))).body;
	const yb = (await api('/api/trend?interval=year&q=Microsoft')).body;
	const ybars = await trendBars(page);
	const ykeys = [...new Set(ybars.map((x) => x.key))];
	assertSeries(ybars, 0, ykeys.map((k) => [k, count(ya, k)]), 'ランサムウェア per year');
	assertSeries(ybars, 1, ykeys.map((k) => [k, count(yb, k)]), 'Microsoft per year');
	await page.check();
	await page.close2();
});

run('entity and CVE facets filter by entity= and link to the entity page', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=');
	await waitRendered(page);
	const all = (await api('/api/search?q=')).body;
	const names = await page.locator('#entity-facets a.facet .facet-name').allTextContents();
	const want = Object.entries(all.facets.entity).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([k]) => k);
	assert.deepEqual(names, want, 'every entity of facets.entity, most frequent first');
	assert.ok(await page.locator('#entity-facets a.facet[data-key="Emotet"]').isVisible());
	// Facets past the first 8 sit behind a button.
	if (want.length > 8) {
		assert.equal(await page.locator(`#entity-facets a.facet[data-key="${want[8]}"]`).isVisible(), false);
		await page.locator('#entity-panel .facet-more').click();
		assert.equal(await page.locator('#entity-panel .facet-more').getAttribute('aria-expanded'), 'true');
		assert.ok(await page.locator(`#entity-facets a.facet[data-key="${want[8]}"]`).isVisible());
	}
	await page.locator('#entity-facets a.facet[data-key="Emotet"]').click();
	await page.waitForURL((u) => u.searchParams.get('entity') === 'Emotet');
	await waitRendered(page);
	const emotet = (await api('/api/search?q=&entity=Emotet&sort=newest')).body;
	assert.equal(emotet.total, 26);
	assert.equal(await page.locator('#status .status-total').textContent(), '26');
	assert.deepEqual(await resultHrefs(page), emotet.hits.map(hrefOf));
	assert.equal(await page.locator('#entity-facets a.facet[data-key="Emotet"]').getAttribute('aria-current'), 'true');
	assert.match(await page.locator('.active-filters').textContent(), /Emotet/);
	await waitTrend(page);
	const t = (await api('/api/trend?interval=month&q=&entity=Emotet')).body;
	assertSeries(await trendBars(page), 0, t.buckets.map((b) => [b.key, b.count]), 'timeline follows the entity filter');
	// Back to the unfiltered list.
	await page.goBack();
	await page.waitForURL((u) => !u.searchParams.has('entity'));
	await page.waitForFunction((n) => document.querySelector('#status .status-total')?.textContent === n, String(all.total));

	// CVE facet of a query: filters, and its detail link opens the entity page.
	await page.goto(env.base + '/?q=VPN');
	await waitRendered(page);
	const vpn = (await api('/api/search?q=VPN')).body;
	const cves = await page.locator('#cve-facets a.facet .facet-name').allTextContents();
	assert.deepEqual(new Set(cves), new Set(Object.keys(vpn.facets.cve)));
	const cve = 'CVE-2019-11510';
	assert.equal(vpn.facets.cve[cve], 6);
	await page.locator(`#cve-facets a.facet[data-key="${cve}"]`).click();
	await page.waitForURL((u) => u.searchParams.get('entity') === cve && u.searchParams.get('q') === 'VPN');
	await waitRendered(page);
	const filtered = (await api(`/api/search?q=VPN&entity=${cve}`)).body;
	assert.equal(await page.locator('.result').count(), filtered.total);
	assert.equal(filtered.total, 6);
	const detail = page.locator(`#cve-facets a.facet[data-key="${cve}"] + a.facet-detail`);
	assert.equal(await detail.getAttribute('href'), `/entity.html?name=${cve}`);
	await detail.click();
	await page.waitForURL((u) => u.pathname === '/entity.html');
	await page.waitForSelector('#entity:not([aria-busy])');
	assert.equal(await page.locator('#entity-heading').textContent(), cve);
	await page.check();
	await page.close2();
});

run('entity page: name, kind, spellings, count, trend, and its items newest first with paging', async () => {
	const page = await openPage();
	// Any spelling finds the entity; the URL is rewritten to its canonical name.
	await page.goto(env.base + '/entity.html?name=' + enc('エモテット'));
	await page.waitForSelector('#entity:not([aria-busy])');
	await waitRendered(page);
	const info = (await api('/api/entities/' + enc('エモテット'))).body;
	assert.equal(info.name, 'Emotet');
	assert.equal(new URL(page.url()).searchParams.get('name'), 'Emotet');
	assert.equal(await page.locator('#entity-heading').textContent(), 'Emotet');
	assert.match(await page.title(), /^Emotet/);
	assert.match(await page.locator('#entity-kind').textContent(), /マルウェア Malware/);
	assert.equal(info.kind, 'malware');
	assert.deepEqual(await page.locator('#entity-spellings li').allTextContents(), info.spellings);
	assert.match(await page.locator('#entity-meta').textContent(), new RegExp(`${info.count}\\s*件`));
	// Its trend.
	await waitTrend(page);
	const t = (await api('/api/trend?interval=month&q=&entity=Emotet')).body;
	assertSeries(await trendBars(page), 0, t.buckets.map((b) => [b.key, b.count]), 'entity trend');
	assert.equal(await page.locator('#timeline a.trend-bucket').first().getAttribute('href'),
		'/?' + new URLSearchParams({ entity: 'Emotet', from: `${t.buckets[0].key}-01`, to: `${t.buckets[0].key}-30` }).toString());
	// Items newest first, 20 a page, each linking to its item.
	const p1 = (await api('/api/search?q=&entity=Emotet&sort=newest&limit=20&offset=0')).body;
	assert.equal(p1.total, info.count);
	assert.deepEqual(await resultHrefs(page), p1.hits.map(hrefOf));
	const dates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')));
	assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
	await page.locator('#pagination a[rel=next]').click();
	await page.waitForURL((u) => u.searchParams.get('page') === '2' && u.searchParams.get('name') === 'Emotet');
	await page.waitForFunction(() => document.querySelectorAll('.result').length === 6);
	const p2 = (await api('/api/search?q=&entity=Emotet&sort=newest&limit=20&offset=20')).body;
	assert.deepEqual(await resultHrefs(page), p2.hits.map(hrefOf));
	assert.equal(await page.evaluate(() => document.activeElement.id), 'items-heading');
	assert.match(await page.locator('#items-status').textContent(), /21–26/);
	await page.goBack();
	await page.waitForURL((u) => !u.searchParams.has('page'));
	await page.waitForFunction(() => document.querySelectorAll('.result').length === 20);
	// A result goes to its item on the issue page.
	await page.locator('.result-link').first().click();
	await page.waitForURL((u) => u.pathname === '/issue.html' && u.hash === `#item-${p1.hits[0].id.split('-')[1]}`);
	await page.waitForSelector('.item.is-target');
	// "Search with this filter" and the feed link.
	await page.goBack();
	await page.waitForSelector('#entity:not([aria-busy])');
	assert.equal(await page.locator('#entity-actions a.button').getAttribute('href'), '/?entity=Emotet');
	assert.equal(await page.locator('link[rel=alternate][type="application/atom+xml"]').getAttribute('href'), '/feed.atom?entity=Emotet');
	await page.check();
	await page.close2();

	// An unknown name: the API's 404 message.
	const missing = await openPage({ allow: [/status of 404/] });
	await missing.goto(env.base + '/entity.html?name=' + enc('NoSuchThing<b>'));
	await missing.waitForSelector('#message.message-error');
	const nf = await api('/api/entities/' + enc('NoSuchThing<b>'));
	assert.equal(nf.status, 404);
	assert.ok((await missing.locator('#message').textContent()).includes(nf.body.error.message));
	assert.equal(await missing.locator('#entity-heading b').count(), 0, 'the name is shown as text');
	await missing.check();
	await missing.close2();
});

run('autocomplete: combobox from /api/entities, debounced, keyboard navigable', async () => {
	const page = await openPage();
	await page.clock.install(); // the page's timers, under the test's control below
	await page.goto(env.base + '/');
	await waitRendered(page);
	const requests = [];
	page.on('request', (r) => {
		if (r.url().includes('/api/entities?')) requests.push(new URL(r.url()).searchParams.get('prefix'));
	});
	const q = page.locator('#q');
	assert.equal(await q.getAttribute('role'), 'combobox');
	assert.equal(await q.getAttribute('aria-expanded'), 'false');
	await q.focus();
	// Typing is never held up: a burst lands whole, and is one request (debounce). The
	// page's timers stand still while the keys go in (Playwright's clock), so a busy
	// machine can't spread the burst past the debounce; then time moves past it.
	await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
	await page.keyboard.type('Microso', { delay: 15 });
	assert.equal(await q.inputValue(), 'Microso');
	assert.deepEqual(requests, [], 'no request while the keys come in');
	await page.clock.runFor(1000);
	await page.clock.resume();
	await page.waitForSelector('#q-suggest:not([hidden]) [role=option]');
	assert.deepEqual(requests, ['Microso'], 'one request after the burst');
	const want = (await api('/api/entities?prefix=Microso&limit=8')).body.entities.map((e) => e.name);
	const names = await page.locator('#q-suggest [role=option] .suggest-name').allTextContents();
	assert.deepEqual(names, want);
	assert.equal(await q.getAttribute('aria-expanded'), 'true');
	// Down, Down, Up: the active option is announced through aria-activedescendant.
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowUp');
	const active = await q.getAttribute('aria-activedescendant');
	const opt = page.locator(`#${active}`);
	assert.equal(await opt.getAttribute('aria-selected'), 'true');
	assert.equal(await page.locator('#q-suggest [aria-selected=true]').count(), 1);
	assert.equal(await opt.locator('.suggest-name').textContent(), want[0]);
	assert.equal(await page.evaluate(() => document.activeElement.id), 'q', 'focus stays in the box');
	// Escape closes; Down opens again.
	await page.keyboard.press('Escape');
	assert.equal(await q.getAttribute('aria-expanded'), 'false');
	assert.ok(await page.locator('#q-suggest').isHidden());
	assert.equal(await q.inputValue(), 'Microso');
	await page.keyboard.press('ArrowDown');
	assert.equal(await q.getAttribute('aria-expanded'), 'true');
	// Enter takes it and searches.
	await page.keyboard.press('Enter');
	await page.waitForURL((u) => u.searchParams.get('q') === want[0]);
	await waitRendered(page);
	assert.equal(await q.getAttribute('aria-expanded'), 'false');
	const res = (await api('/api/search?q=' + enc(want[0]))).body;
	assert.equal(await page.locator('#status .status-total').textContent(), String(res.total));

	// A Japanese prefix finds the entity by its Japanese spelling, which is shown;
	// only the last word is completed.
	await q.fill('');
	await q.focus();
	await page.keyboard.type('VPN エモ');
	await page.waitForSelector('#q-suggest:not([hidden]) [role=option]');
	const first = page.locator('#q-suggest [role=option]').first();
	assert.equal(await first.locator('.suggest-name').textContent(), 'Emotet');
	assert.equal(await first.locator('.suggest-spelling').textContent(), 'エモテット');
	assert.match(await first.textContent(), /26件/);
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await page.waitForURL((u) => u.searchParams.get('q') === 'VPN Emotet');
	// Tab closes the list and moves on.
	await q.fill('');
	await q.focus();
	await page.keyboard.type('Emo');
	await page.waitForSelector('#q-suggest:not([hidden])');
	await page.keyboard.press('Tab');
	assert.ok(await page.locator('#q-suggest').isHidden());
	assert.notEqual(await page.evaluate(() => document.activeElement.id), 'q');
	// On the issue page too (the same header): choosing goes to the search page.
	await page.goto(env.base + '/issue.html?n=40');
	await page.waitForSelector('#issue:not([aria-busy])');
	await page.locator('#q').focus();
	await page.keyboard.type('Lazar');
	await page.waitForSelector('#q-suggest:not([hidden]) [role=option]');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('q') === '"Lazarus Group"');
	await waitRendered(page);
	assert.ok(await page.locator('.result').count() > 0);
	await page.check();
	await page.close2();
});

run('feed: <link rel=alternate> and a visible subscribe link follow the search', async () => {
	const page = await openPage();
	const section = '攻撃、脅威';
	await page.goto(env.base + `/?q=Emotet&section=${enc(section)}&sort=oldest&page=1`);
	await waitRendered(page);
	const want = `/feed.atom?q=Emotet&section=${enc(section)}`;
	const link = page.locator('link[rel=alternate][type="application/atom+xml"]');
	assert.equal(await link.count(), 1);
	assert.equal(await link.getAttribute('href'), want);
	assert.match(await link.getAttribute('title'), /Emotet/);
	const sub = page.locator('#subscribe');
	assert.ok(await sub.isVisible());
	assert.equal(await sub.getAttribute('href'), want);
	// Following the search changes the feed.
	await page.locator('#entity-facets a.facet[data-key="Emotet"]').click();
	await page.waitForURL((u) => u.searchParams.get('entity') === 'Emotet');
	assert.equal(await link.getAttribute('href'), `/feed.atom?q=Emotet&section=${enc(section)}&entity=Emotet`);
	// exact=1 goes along; the date range does not (a subscription is for what comes next).
	await page.goto(env.base + '/?q=ransomware&exact=1&from=2020-01-01&to=2021-12-31');
	await waitRendered(page);
	assert.equal(await link.getAttribute('href'), '/feed.atom?q=ransomware&exact=1');
	assert.equal(await page.getAttribute('#subscribe', 'href'), '/feed.atom?q=ransomware&exact=1');
	// The feed itself: Atom, well-formed, its newest entry is the newest matching item.
	const r = await fetch(env.base + want);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^application\/atom\+xml/);
	const xml = await r.text();
	assert.match(xml, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
	const xl = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
	if (xl.error) console.log('# xmllint not installed: well-formedness not checked');
	else assert.equal(xl.status, 0, `xmllint: ${xl.stderr}`);
	const newest = (await api(`/api/search?q=Emotet&section=${enc(section)}&sort=newest&limit=1`)).body.hits[0];
	const firstEntry = xml.slice(xml.indexOf('<entry>'));
	assert.ok(firstEntry.includes(`issue.html?n=${newest.issue}#item-${newest.id.split('-')[1]}`), 'first entry is the newest hit');
	// The search page's static markup has a site-wide feed before any script runs.
	const html = await (await fetch(env.base + '/')).text();
	assert.match(html, /<link id="feed-link" rel="alternate" type="application\/atom\+xml" href="\/feed\.atom"/);
	await page.check();
	await page.close2();
});

run('expanded terms are listed under the count, with a one-click exact toggle', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=ransomware');
	await waitRendered(page);
	const wide = (await api('/api/search?q=ransomware')).body;
	const exact = (await api('/api/search?q=ransomware&exact=1')).body;
	assert.ok(wide.total > exact.total && exact.total > 0, `${wide.total} > ${exact.total}`);
	const variants = wide.expanded[0].variants.filter((v) => v !== 'ransomware');
	assert.ok(variants.includes('ランサムウェア'));
	const line = page.locator('#expanded');
	assert.ok(await line.isVisible());
	assert.deepEqual(await line.locator('.expanded-term').allTextContents(), variants);
	assert.match(await line.textContent(), /Also searched/);
	assert.equal(await page.locator('#status .status-total').textContent(), String(wide.total));
	// One click: exact=1 in the URL, only the literal matches.
	await line.locator('.exact-toggle').click();
	await page.waitForURL((u) => u.searchParams.get('exact') === '1' && u.searchParams.get('q') === 'ransomware');
	await waitRendered(page);
	assert.equal(await page.locator('#status .status-total').textContent(), String(exact.total));
	assert.deepEqual(await resultHrefs(page), exact.hits.map(hrefOf));
	assert.equal(await line.locator('.expanded-term').count(), 0);
	assert.match(await line.textContent(), /完全一致 Exact/);
	assert.equal(await line.locator('.exact-toggle').getAttribute('href'), '/?q=ransomware');
	const et = (await api('/api/trend?interval=month&q=ransomware&exact=1')).body;
	await page.waitForFunction((n) => {
		const bars = [...document.querySelectorAll('#timeline .timeline-chart .trend-bar')];
		return bars.reduce((s, b) => s + Number(b.getAttribute('data-count')), 0) === n;
	}, et.buckets.reduce((s, b) => s + b.count, 0));
	// Back, and the toggle the other way.
	await page.goBack();
	await page.waitForURL((u) => !u.searchParams.has('exact'));
	await page.waitForFunction((n) => document.querySelector('#status .status-total')?.textContent === n, String(wide.total));
	await page.goForward();
	await page.waitForURL((u) => u.searchParams.get('exact') === '1');
	await page.waitForFunction((n) => document.querySelector('#status .status-total')?.textContent === n
		&& document.querySelector('#expanded .exact-toggle')?.getAttribute('href') === '/?q=ransomware', String(exact.total));
	await line.locator('.exact-toggle').click();
	await page.waitForURL((u) => !u.searchParams.has('exact'));
	await page.waitForFunction((n) => document.querySelector('#status .status-total')?.textContent === n, String(wide.total));
	// No expansion, no line.
	await page.goto(env.base + '/?q=XSSPROBE');
	await waitRendered(page);
	assert.ok(await line.isHidden());
	await page.check();
	await page.close2();
});

run('new views fit 360px, meet WCAG AA contrast in light and dark, and load without errors', async () => {
	for (const colorScheme of ['light', 'dark']) {
		const page = await openPage({ viewport: { width: 360, height: 740 }, colorScheme });
		for (const p of ['/?q=Emotet&vs=QakBot', '/?q=', '/entity.html?name=Emotet', '/entity.html?name=CVE-2019-11510']) {
			await page.goto(env.base + p);
			await waitRendered(page);
			await waitTrend(page);
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			assert.ok(overflow <= 0, `${p} overflows 360px by ${overflow}px (${colorScheme})`);
		}
		await page.goto(env.base + '/?q=ransomware&vs=Microsoft');
		await waitRendered(page);
		await waitTrend(page);
		await page.locator('#filters summary').click();
		let pairs = await colourPairs(page, ['.legend-label', '.legend-total', '.trend-ylabel', '.timeline-year',
			'.trend-interval', '.expanded-term', '.expanded-label', '.exact-toggle', '.subscribe', '.facet-detail',
			'.compare-label', '.facet-more', '.trend-table-box summary']);
		const entity = await openPage({ viewport: { width: 360, height: 740 }, colorScheme });
		await entity.goto(env.base + '/entity.html?name=Emotet');
		await waitRendered(entity);
		pairs = pairs.concat(await colourPairs(entity, ['.kind', '.entity-heading', '.entity-meta', '.spellings li', '.spellings-label', '#items-status']));
		await entity.locator('#q').focus();
		await entity.keyboard.type('Emo');
		await entity.waitForSelector('#q-suggest:not([hidden]) [role=option]');
		await entity.keyboard.press('ArrowDown');
		pairs = pairs.concat(await colourPairs(entity, ['.suggest-name', '.suggest-spelling', '.suggest-count', '.suggest .kind']));
		assert.ok(pairs.length >= 20, pairs.map((x) => x.s).join(' '));
		for (const { s, fg, bg } of pairs) {
			const ratio = contrast(fg, bg);
			assert.ok(ratio >= 4.5, `${colorScheme}: ${s} contrast ${ratio.toFixed(2)} (${fg} on ${bg})`);
		}
		// Non-text contrast (3:1) of the two series against the panel.
		const bars = await page.evaluate(() => {
			const panel = getComputedStyle(document.querySelector('.trend-panel')).backgroundColor;
			const s0 = getComputedStyle(document.querySelector('.timeline-chart .series-0')).fill;
			const s1 = getComputedStyle(document.querySelector('.timeline-chart .series-1')).stroke;
			return { panel, s0, s1 };
		});
		assert.ok(contrast(bars.s0, bars.panel) >= 3, `${colorScheme}: series 0 ${bars.s0} on ${bars.panel}`);
		assert.ok(contrast(bars.s1, bars.panel) >= 3, `${colorScheme}: series 1 ${bars.s1} on ${bars.panel}`);
		await page.check();
		await entity.check();
		await page.close2();
		await entity.close2();
	}
});

run('axe-core: no WCAG 2.2 A/AA or best-practice violations on the new views', async () => {
	// light at desktop width, dark at phone width: both themes, both layouts
	for (const [colorScheme, viewport] of [['light', { width: 1280, height: 800 }], ['dark', { width: 360, height: 740 }]]) {
		{
			const page = await openPage({ viewport, colorScheme, allow: [/status of 404/] });
			for (const p of ['/?q=Emotet&vs=QakBot&entity=Emotet', '/?q=', '/?q=ransomware&exact=1', '/entity.html?name=Emotet',
				'/entity.html?name=NoSuchThing']) {
				await page.goto(env.base + p);
				await page.waitForFunction(() => (document.body.dataset.state && !document.body.classList.contains('is-loading')));
				if (!p.includes('NoSuch')) await waitTrend(page);
				if (p === '/?q=') {
					// with the filters, the "show more" lists and the table open
					if (viewport.width < 800) await page.locator('#filters summary').click();
					await page.locator('#cve-panel .facet-more').click();
					await page.locator('#timeline .trend-table-box summary').click();
				}
				assert.deepEqual(await axeViolations(page), [], `${p} ${colorScheme} ${viewport.width}px`);
			}
			// the open autocomplete list with an active option
			await page.locator('#q').focus();
			await page.keyboard.type('Emo');
			await page.waitForSelector('#q-suggest:not([hidden]) [role=option]');
			await page.keyboard.press('ArrowDown');
			assert.deepEqual(await axeViolations(page), [], `autocomplete ${colorScheme} ${viewport.width}px`);
			await page.check();
			await page.close2();
		}
	}
});

run('screenshots: compare timeline, entity page and autocomplete, desktop and phone, light and dark', async () => {
	const shots = [];
	for (const [vw, vh, size] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
		for (const colorScheme of ['light', 'dark']) {
			const page = await openPage({ viewport: { width: vw, height: vh }, colorScheme });
			await page.goto(env.base + '/?q=Emotet&vs=QakBot');
			await waitRendered(page);
			await waitTrend(page);
			let f = path.join(SHOTS, `compare-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.goto(env.base + '/entity.html?name=Emotet');
			await waitRendered(page);
			await waitTrend(page);
			f = path.join(SHOTS, `entity-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.goto(env.base + '/?q=');
			await waitRendered(page);
			await waitTrend(page);
			if (size === 'phone') await page.locator('#filters summary').click();
			f = path.join(SHOTS, `browse-full-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f, fullPage: true });
			shots.push(f);
			await page.locator('#q').focus();
			await page.keyboard.type('ラ');
			await page.waitForSelector('#q-suggest:not([hidden]) [role=option]');
			await page.keyboard.press('ArrowDown');
			f = path.join(SHOTS, `suggest-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.check();
			await page.close2();
		}
	}
	for (const f of shots) assert.ok(existsSync(f), f);
	console.log(`# screenshots in ${SHOTS}`);
});
