// Browser tests of kensaku's web UI, issue 4: the search page, the issue
// page, keyboard, safety and quality, in Debian's headless Chromium driven by
// playwright-core against the real kensakud (see harness.mjs and README.md).
//
//   node --test tests/browser/ui.test.mjs            (from the repo root)
//   node tests/browser/ui.test.mjs build/screenshots  (screenshots folder as argument)

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
	SHOTS, api, axeViolations, colourPairs, contrast, env, openPage, resultTitles, run, searchFor, trendBars, waitRendered,
	waitTrend,
} from './harness.mjs';

const RANSOM = 'ランサムウェア';

/* ---------- tests ---------- */

run('search page is served with a CSP and landmarks', async () => {
	const page = await openPage();
	const resp = await page.goto(env.base + '/');
	const csp = resp.headers()['content-security-policy'] || '';
	assert.match(csp, /default-src 'self'/, 'the UI must be served under default-src \'self\'');
	await waitRendered(page);
	assert.equal(await page.getAttribute('html', 'lang'), 'ja');
	assert.equal(await page.locator('main').count(), 1);
	assert.equal(await page.locator('search, [role=search]').count() >= 1, true);
	assert.equal(await page.locator('label[for=q]').count(), 1);
	assert.equal(await page.locator('link[rel=search][type="application/opensearchdescription+xml"]').count(), 1);
	const osd = await fetch(env.base + '/opensearch.xml');
	assert.equal(osd.status, 200);
	// kensakud names the origin the browser used (the file says the default one)
	assert.ok((await osd.text()).includes(`template="${env.base}/?q={searchTerms}"`));
	assert.equal((await fetch(env.base + '/favicon.svg')).status, 200);
	// An empty query browses everything.
	const all = await api('/api/search?q=&limit=1');
	assert.match(await page.locator('#status').textContent(), new RegExp(all.body.total.toLocaleString('ja-JP')));
	await page.check();
	await page.close2();
});

run('searching ランサムウェア shows highlighted results, total and time', async () => {
	const page = await openPage();
	await page.goto(env.base + '/');
	await searchFor(page, RANSOM);
	const want = await api('/api/search?q=' + encodeURIComponent(RANSOM) + '&limit=20');
	assert.ok(want.body.total > 20, 'the test archive should give more than 20 hits');
	assert.equal(await page.locator('.result').count(), 20);
	assert.ok(await page.locator('.results mark').count() >= 20, 'matches are wrapped in <mark>');
	const marks = await page.locator('.results mark').allTextContents();
	assert.ok(marks.some((m) => m.includes(RANSOM) || RANSOM.includes(m)), `marks: ${marks.slice(0, 5)}`);
	const status = await page.locator('#status').textContent();
	assert.match(status, new RegExp(`${want.body.total}`));
	assert.match(status, /ms/);
	const url = new URL(page.url());
	assert.equal(url.searchParams.get('q'), RANSOM);
	// Each result links to its item on its issue page.
	const first = want.body.hits[0];
	const [n, pos] = first.id.split('-');
	assert.equal(await page.locator('.result-link').first().getAttribute('href'), `/issue.html?n=${n}#item-${pos}`);
	assert.equal(await page.locator('.result .badge').first().textContent(), first.section);
	assert.match(await page.locator('.result-meta').first().textContent(), new RegExp(`Issue #${first.issue}`));
	const firstTitles = await resultTitles(page);

	// A second, two-word query (the UI encodes the space as "+"); Back then
	// restores the first query in the box and its results.
	const two = await api('/api/search?q=' + encodeURIComponent('VPN LockBit'));
	assert.ok(two.body.total > 0);
	await searchFor(page, 'VPN LockBit');
	assert.equal(await page.locator('.result').count(), Math.min(two.body.total, 20));
	assert.equal(new URL(page.url()).searchParams.get('q'), 'VPN LockBit');
	await page.goBack();
	await page.waitForURL((u) => u.searchParams.get('q') === RANSOM);
	await page.waitForFunction(() => document.querySelectorAll('.result').length === 20);
	assert.equal(await page.inputValue('#q'), RANSOM);
	assert.deepEqual(await resultTitles(page), firstTitles);
	await page.check();
	await page.close2();
});

run('a section facet filters, changes the URL, and Back restores the list', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
	await waitRendered(page);
	const before = await resultTitles(page);
	const beforeUrl = page.url();
	const section = '攻撃、脅威';
	const want = await api('/api/search?q=' + encodeURIComponent(RANSOM) + '&section=' + encodeURIComponent(section));
	assert.ok(want.body.total > 0 && want.body.total < 30);
	await page.locator(`a.facet[data-key="${section}"]`).click();
	await page.waitForURL((u) => u.searchParams.get('section') === section);
	await waitRendered(page);
	const badges = await page.locator('.result .badge').allTextContents();
	assert.equal(badges.length, Math.min(want.body.total, 20));
	assert.ok(badges.every((b) => b === section), `all results in ${section}: ${badges}`);
	assert.equal(await page.locator(`a.facet[data-key="${section}"]`).getAttribute('aria-current'), 'true');
	// Other sections stay clickable (their counts ignore the section filter).
	assert.ok(await page.locator('a.facet').count() >= 5);
	assert.ok(await page.locator('.active-filters .chip').count() >= 1);

	await page.goBack();
	await page.waitForURL((u) => !u.searchParams.has('section'));
	await page.waitForFunction((n) => document.querySelectorAll('.result').length === n, before.length);
	assert.equal(page.url(), beforeUrl);
	assert.deepEqual(await resultTitles(page), before);
	assert.equal(await page.inputValue('#q'), RANSOM);

	await page.goForward();
	await page.waitForURL((u) => u.searchParams.get('section') === section);
	await page.waitForFunction((n) => document.querySelectorAll('.result').length === n, badges.length);
	await page.check();
	await page.close2();
});

run('hostile text is shown as text: no dialog, no injected elements', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=XSSPROBE');
	await waitRendered(page);
	assert.equal(await page.locator('.result').count(), 1);
	assert.equal(await page.locator('.results script, .results img').count(), 0);
	assert.equal(await page.locator('a[href^="javascript:"]').count(), 0, 'a javascript: url must not become a link');
	assert.equal(await page.locator('.result .source-link').count(), 0, 'nor a source link');
	await page.locator('.result-link').first().click();
	await page.waitForURL(/\/issue\.html\?n=106#item-\d+/);
	await page.waitForSelector('.item.is-target');
	assert.equal(await page.getAttribute('#back-link', 'href'), '/?q=XSSPROBE', 'the back link returns to the search');
	const target = page.locator('.item.is-target');
	const text = await target.textContent();
	assert.ok(text.includes('<script>alert(1)</script>'), `quote shown as text: ${text}`);
	assert.ok(text.includes('<img src=x onerror=alert(2)>'));
	assert.equal(await page.locator('#issue-body script, #issue-body img').count(), 0);
	assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
	// HTML metacharacters in a title, through the search page's *_html path.
	await page.goto(env.base + '/?q=HTMLMETA');
	await waitRendered(page);
	assert.match(await page.locator('.result-title').first().textContent(), /<b>太字タグ<\/b> & "引用符"/);
	assert.equal(await page.locator('.result-title b').count(), 0);
	// Its source link: no url, so its first http(s) link (the javascript: one
	// never reached the index), shown as the host, escaped, noopener.
	const src = page.locator('.result .source-link');
	assert.equal(await src.count(), 1);
	assert.equal(await src.textContent(), 'sub.example.net');
	assert.equal(await src.getAttribute('rel'), 'noopener noreferrer');
	assert.equal(await src.getAttribute('href'), 'https://sub.example.net/a?x=%22%3Cb%3E%22&y=1');
	const hit = (await api('/api/search?q=HTMLMETA')).body.hits[0];
	assert.deepEqual(hit.links, ['https://Sub.Example.NET/a?x="<b>"&y=1', 'https://example.org/2']);
	assert.equal(hit.url, hit.links[0]);
	await page.waitForTimeout(200); // give any injected handler a chance to fire
	await page.check();
	await page.close2();
});

run('the issue page shows every item, each with a permalink, and highlights the target', async () => {
	const want = await api('/api/issues/106');
	assert.equal(want.status, 200);
	const page = await openPage();
	await page.goto(env.base + '/issue.html?n=106#item-3');
	await page.waitForSelector('#issue:not([aria-busy])');
	const items = page.locator('.item');
	assert.equal(await items.count(), want.body.items.length);
	const titles = await page.locator('.item-title').allTextContents();
	assert.deepEqual(titles, want.body.items.map((i) => i.title));
	for (const it of want.body.items) {
		const pos = it.id.split('-')[1];
		const link = page.locator(`#item-${pos} .permalink`);
		assert.equal(await link.getAttribute('href'), `#item-${pos}`);
		assert.ok(await link.isVisible());
	}
	assert.equal(await page.locator('.item.is-target').getAttribute('id'), 'item-3');
	assert.match(await page.locator('#issue-heading').textContent(), /Issue #106/);
	// Quotes are paragraphs split on "\n".
	const multi = want.body.items.find((i) => i.quote && i.quote.includes('\n'));
	const mpos = multi.id.split('-')[1];
	assert.equal(await page.locator(`#item-${mpos} .quote p`).count(), multi.quote.split('\n').filter((s) => s.trim()).length);
	// Following another permalink moves the highlight.
	await page.locator('#item-1 .permalink').click();
	await page.waitForSelector('#item-1.is-target');
	assert.equal(await page.locator('.item.is-target').count(), 1);
	await page.check();
	await page.close2();

	const missing = await openPage({ allow: [/status of 404/] });
	await missing.goto(env.base + '/issue.html?n=99999');
	await missing.waitForSelector('.message-error');
	const apiMissing = await api('/api/issues/99999');
	assert.equal(apiMissing.status, 404);
	assert.ok((await missing.locator('.message-error').textContent()).includes(apiMissing.body.error.message));
	await missing.check();
	await missing.close2();
});

run('"/" focuses the search box unless typing in a field; results are reachable by Tab', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
	await waitRendered(page);
	await page.locator('#results-heading').focus();
	await page.keyboard.press('/');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
	// Typing "/" in the box types it.
	await page.locator('#q').fill('a');
	await page.locator('#q').press('End');
	await page.keyboard.type('/');
	assert.equal(await page.inputValue('#q'), 'a/');
	// Tab from the box reaches a result link, with a visible focus outline.
	let reached = false;
	for (let i = 0; i < 60 && !reached; i++) {
		await page.keyboard.press('Tab');
		reached = await page.evaluate(() => document.activeElement.classList.contains('result-link'));
	}
	assert.ok(reached, 'a result link is reachable by Tab');
	const outline = await page.evaluate(() => {
		const s = getComputedStyle(document.activeElement);
		return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
	});
	assert.equal(outline.style, 'solid');
	assert.ok(outline.width >= 2);
	// On the issue page too.
	await page.goto(env.base + '/issue.html?n=101');
	await page.waitForSelector('#issue:not([aria-busy])');
	await page.locator('body').press('/');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
	await page.check();
	await page.close2();
});

run('pagination: page 2 holds the rest, Back returns to page 1', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
	await waitRendered(page);
	const total = (await api('/api/search?q=' + encodeURIComponent(RANSOM))).body.total;
	const page1 = await resultTitles(page);
	assert.ok(await page.locator('#pagination').isVisible());
	await page.locator('#pagination a[rel=next]').click();
	await page.waitForURL((u) => u.searchParams.get('page') === '2');
	await page.waitForFunction((n) => document.querySelectorAll('.result').length === n, Math.min(total - 20, 20));
	const page2 = await resultTitles(page);
	const ids2 = await page.locator('.result-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
	const api2 = await api('/api/search?q=' + encodeURIComponent(RANSOM) + '&offset=20');
	assert.deepEqual(ids2, api2.body.hits.map((h) => `/issue.html?n=${h.issue}#item-${h.id.split('-')[1]}`));
	assert.notDeepEqual(page2, page1);
	assert.equal(await page.locator('.page[aria-current=page]').textContent(), '2');
	assert.match(await page.locator('#status').textContent(), /21–/);
	assert.equal(await page.evaluate(() => document.activeElement.id), 'results-heading');
	await page.goBack();
	await page.waitForURL((u) => !u.searchParams.has('page'));
	await page.waitForFunction((n) => document.querySelectorAll('.result').length === n, 20);
	assert.deepEqual(await resultTitles(page), page1);
	await page.check();
	await page.close2();
});

run('the sort select orders newest first', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
	await waitRendered(page);
	await page.selectOption('#sort', 'newest');
	await page.waitForURL((u) => u.searchParams.get('sort') === 'newest');
	await waitRendered(page);
	const dates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
	assert.ok(dates.length > 0);
	assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');

	await page.check();
	await page.close2();
});

run('the timeline draws /api/trend per month as SVG bars; a bar filters to its month', async () => {
	const page = await openPage();
	await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
	await waitRendered(page);
	await waitTrend(page);
	const trend = (await api('/api/trend?interval=month&q=' + encodeURIComponent(RANSOM))).body;
	assert.equal(trend.interval, 'month');
	assert.ok(trend.buckets.length > 12 && trend.buckets.length <= 48, `${trend.buckets.length} months`);
	const svg = page.locator('#timeline svg.timeline-chart');
	assert.equal(await svg.count(), 1);
	assert.equal(await svg.getAttribute('data-interval'), 'month');
	assert.match(await svg.getAttribute('aria-label'), new RegExp(`${trend.total}件`));
	const bars = await trendBars(page);
	assert.deepEqual(bars.map((b) => [b.key, b.count]), trend.buckets.map((b) => [b.key, b.count]),
		'one bar per month of /api/trend with its count');
	const max = Math.max(...bars.map((b) => b.count));
	const hmax = Math.max(...bars.map((b) => b.height));
	for (const b of bars) {
		assert.equal(b.height > 0, b.count > 0, `bar ${b.key}: height ${b.height} for ${b.count}`);
		assert.ok(Math.abs(b.height / hmax - b.count / max) < 0.02, `bar ${b.key} is drawn to scale`);
	}
	if (trend.undated) assert.match(await page.locator('#timeline .timeline-note').textContent(), new RegExp(`${trend.undated}件`));
	// Months with matches are links whose labels carry the count; one click filters.
	const month = trend.buckets.filter((b) => b.count > 0)[2];
	const link = page.locator(`#timeline a[data-key="${month.key}"]`);
	assert.match(await link.getAttribute('aria-label'), new RegExp(`${month.count} 件`));
	await link.click();
	const [y, m] = month.key.split('-').map(Number);
	const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
	await page.waitForURL((u) => u.searchParams.get('from') === `${month.key}-01` && u.searchParams.get('to') === `${month.key}-${last}`);
	await waitRendered(page);
	const dates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
	assert.equal(dates.length, month.count);
	assert.ok(dates.every((d) => d.startsWith(month.key)), dates.join(','));
	assert.ok(await page.locator('.active-filters .chip').count() >= 1);
	await page.check();
	await page.close2();
});

run('empty state and error state show messages', async () => {
	const page = await openPage({ allow: [/status of 400/] });
	await page.goto(env.base + '/?q=zzqxnothingmatcheszz');
	await waitRendered(page);
	assert.equal(await page.locator('.result').count(), 0);
	const empty = page.locator('#message.message-empty');
	assert.ok(await empty.isVisible());
	assert.match(await empty.textContent(), /zzqxnothingmatcheszz/);
	assert.match(await page.locator('#status').textContent(), /0/);

	// An invalid date in the URL: the server answers 400 and its message shows.
	const bad = await api('/api/search?q=x&from=yesterday&limit=20&offset=0&sort=relevance');
	assert.equal(bad.status, 400);
	await page.goto(env.base + '/?q=x&from=yesterday');
	await page.waitForSelector('#message.message-error');
	const text = await page.locator('#message').textContent();
	assert.ok(text.includes(bad.body.error.message), `error message shown: ${text}`);
	assert.equal(await page.locator('#message').getAttribute('role'), 'alert');
	assert.equal(await page.locator('.result').count(), 0);
	// A bogus sort too.
	await page.goto(env.base + '/?q=x&sort=sideways');
	await page.waitForSelector('#message.message-error');
	await page.check();
	await page.close2();
});

run('layout fits 360px, colours meet WCAG AA in light and dark', async () => {
	for (const colorScheme of ['light', 'dark']) {
		const page = await openPage({ viewport: { width: 360, height: 740 }, colorScheme });
		for (const p of ['/?q=' + encodeURIComponent(RANSOM), '/issue.html?n=106#item-6']) {
			await page.goto(env.base + p);
			await page.waitForSelector('.result, .item');
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			assert.ok(overflow <= 0, `${p} overflows 360px by ${overflow}px (${colorScheme})`);
		}
		await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
		await waitRendered(page);
		await page.waitForSelector('#timeline svg.timeline-chart');
		const pairs = await colourPairs(page, ['body', '.status', '.result-link', '.results mark', '.result-meta time',
			'.result-snippet', '.badge', '.facet-count', '.facet-name', '.page[aria-current=page]', '.page-next',
			'.timeline-year', '.trend-ylabel', '.legend-total', '.search-label', '.subscribe', '.expanded-term',
			'.exact-toggle', '.site-footer']);
		assert.ok(pairs.length >= 16, pairs.map((p) => p.s).join(' '));
		for (const { s, fg, bg } of pairs) {
			const ratio = contrast(fg, bg);
			assert.ok(ratio >= 4.5, `${colorScheme}: ${s} contrast ${ratio.toFixed(2)} (${fg} on ${bg})`);
		}
		await page.check();
		await page.close2();
	}
});

run('axe-core: no WCAG 2.2 A/AA or best-practice violations on the search, issue and error pages', async () => {
	// light at desktop width, dark at phone width: both themes, both layouts
	for (const [colorScheme, viewport] of [['light', { width: 1280, height: 800 }], ['dark', { width: 360, height: 740 }]]) {
		{
			const page = await openPage({ viewport, colorScheme, allow: [/status of 40[04]/] });
			for (const p of ['/?q=' + encodeURIComponent(RANSOM) + '&section=' + encodeURIComponent('事件、事故'), '/?q=zzqxnothing',
				'/?q=x&from=yesterday', '/issue.html?n=106#item-3', '/issue.html?n=99999']) {
				await page.goto(env.base + p);
				await page.waitForFunction(() => (document.body.dataset.state && !document.body.classList.contains('is-loading'))
					|| document.querySelector('.item, .message-error'));
				if (p.startsWith('/?')) await waitTrend(page);
				assert.deepEqual(await axeViolations(page), [], `${p} ${colorScheme} ${viewport.width}px`);
			}
			await page.check();
			await page.close2();
		}
	}
});

run('screenshots: search results and issue page, desktop and phone, light and dark', async () => {
	const shots = [];
	for (const [vw, vh, size] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
		for (const colorScheme of ['light', 'dark']) {
			const page = await openPage({ viewport: { width: vw, height: vh }, colorScheme });
			await page.goto(env.base + '/?q=' + encodeURIComponent(RANSOM));
			await waitRendered(page);
			await waitTrend(page);
			let f = path.join(SHOTS, `search-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.goto(env.base + '/issue.html?n=106#item-6');
			await page.waitForSelector('.item.is-target');
			f = path.join(SHOTS, `issue-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.goto(env.base + '/issue.html?n=107');
			await page.waitForSelector('#issue:not([aria-busy]) .item');
			f = path.join(SHOTS, `issue-full-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f, fullPage: true });
			shots.push(f);
			await page.check();
			await page.close2();
		}
	}
	for (const f of shots) assert.ok(existsSync(f), f);
	console.log(`# screenshots in ${SHOTS}`);
});
