// Browser tests of kensaku's web UI: headless Chromium (Debian's package,
// never a downloaded browser) driven by playwright-core, against the real
// kensakud serving web/ over a temporary index of tests/browser/data/.
//
//   node --test tests/browser/ui.test.mjs            (from the repo root)
//   node tests/browser/ui.test.mjs build/screenshots  (screenshots folder as argument)
//
// Environment: KS_BIN (folder holding kensaku and kensakud, default
// <repo>/build/bin), KS_SRC (repo root), KS_SHOTS (screenshot folder, default
// <repo>/build/screenshots), KS_CHROMIUM (default /usr/bin/chromium).
// The suite is skipped, and passes, only when Chromium or node_modules is
// missing; missing kensaku binaries are a failure.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(process.env.KS_SRC || path.join(HERE, '..', '..'));
const BIN = path.resolve(process.env.KS_BIN || path.join(SRC, 'build', 'bin'));
const argShots = process.argv.slice(2).find((a) => !a.startsWith('-') && !a.endsWith('.mjs'));
const SHOTS = path.resolve(argShots || process.env.KS_SHOTS || path.join(SRC, 'build', 'screenshots'));
const CHROMIUM = process.env.KS_CHROMIUM || '/usr/bin/chromium';
const DATA = [path.join(HERE, 'data', 'archive.jsonl')];
const RANSOM = 'ランサムウェア';

/* ---------- may we run at all? ---------- */

let chromium = null;
let skipReason = '';
if (!existsSync(CHROMIUM)) {
	skipReason = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
} else {
	try {
		({ chromium } = await import('playwright-core'));
	} catch (e) {
		skipReason = `playwright-core is not installed (run "npm ci" in tests/browser): ${e.message}`;
	}
}
if (skipReason) {
	console.log(`# SKIP browser tests: ${skipReason}`);
	test('browser UI tests', { skip: skipReason }, () => {});
}
/* A test that, when it fails after kensakud died, says so with the server's
 * output (a crash or sanitizer report) instead of only the symptom. */
const run = skipReason ? () => {} : (name, fn) => test(name, async (t) => {
	try {
		await fn(t);
	} catch (e) {
		await new Promise((r) => setTimeout(r, 300));
		if (serverDied) e.message += `\n${serverDied}; its output:\n${serverLog.slice(-4000)}`;
		throw e;
	}
});

/* ---------- server and browser lifetime ---------- */

let tmp = '';
let server = null;
let serverLog = '';
let serverDied = '';

/* Fails with the server's own output when kensakud has died (a crash, a
 * sanitizer report) rather than leaving a bare "connection refused". */
function assertServerAlive() {
	assert.ok(!serverDied, `${serverDied}; its output:\n${serverLog.slice(-4000)}`);
}
let base = '';
let browser = null;

function startServer(db) {
	return new Promise((resolve, reject) => {
		const args = ['--db', db, '--listen', '127.0.0.1:0', '--web', path.join(SRC, 'web'), '--quiet'];
		const child = spawn(path.join(BIN, 'kensakud'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
		server = child;
		const timer = setTimeout(() => reject(new Error('kensakud printed no "listening on" line within 15 s\n' + serverLog)), 15000);
		child.stderr.on('data', (d) => {
			serverLog += d.toString();
		});
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('exit', (code, sig) => {
			clearTimeout(timer);
			serverDied = `kensakud exited (${code ?? sig})`;
			reject(new Error(`${serverDied} before listening\n${serverLog}`));
		});
		const rl = createInterface({ input: child.stdout });
		rl.once('line', (line) => {
			clearTimeout(timer);
			const m = /listening on (http:\/\/\S+)/.exec(line);
			if (!m) reject(new Error(`unexpected first line from kensakud: ${line}`));
			else resolve(m[1].replace(/\/$/, ''));
		});
		rl.on('line', (line) => {
			serverLog += line + '\n';
		});
	});
}

async function waitHealthy(url) {
	const until = Date.now() + 15000;
	let last = '';
	while (Date.now() < until) {
		try {
			const r = await fetch(url + '/healthz');
			if (r.ok) return await r.json();
			last = `HTTP ${r.status}`;
		} catch (e) {
			last = e.message;
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`/healthz never answered 200 (${last})`);
}

before(async () => {
	if (skipReason) return;
	for (const b of ['kensaku', 'kensakud']) {
		assert.ok(existsSync(path.join(BIN, b)), `${path.join(BIN, b)} is missing: build the project first`);
	}
	tmp = mkdtempSync(path.join(tmpdir(), 'ks-browser-'));
	const db = path.join(tmp, 'ui.db');
	const ix = spawnSync(path.join(BIN, 'kensaku'), ['index', '--db', db, ...DATA], { encoding: 'utf8', timeout: 60000 });
	assert.equal(ix.status, 0, `kensaku index failed (${ix.status}):\n${ix.stdout}\n${ix.stderr}`);
	base = await startServer(db);
	const health = await waitHealthy(base);
	assert.ok(health.items >= 40, `index holds ${health.items} items, expected the 47 of the test archive`);
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
	if (browser) await browser.close().catch(() => {});
	if (server && server.exitCode === null && server.signalCode === null) {
		server.removeAllListeners('exit');
		const gone = new Promise((r) => server.once('exit', r));
		server.kill('SIGTERM');
		const t = setTimeout(() => server.kill('SIGKILL'), 5000);
		await gone;
		clearTimeout(t);
	}
	if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/* ---------- helpers ---------- */

async function api(p) {
	const r = await fetch(base + p);
	return { status: r.status, body: await r.json() };
}

/* A fresh page that records dialogs, console errors, page errors and CSP
 * violations; check(page) asserts none happened. `allow` lists console error
 * patterns a test expects (the browser logs a failed 4xx fetch). */
async function openPage(opts = {}) {
	assertServerAlive();
	const ctx = await browser.newContext({
		viewport: opts.viewport || { width: 1280, height: 800 },
		colorScheme: opts.colorScheme || 'light',
		locale: 'ja-JP',
	});
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	const problems = [];
	page.on('dialog', async (d) => {
		problems.push(`dialog fired: ${d.type()} ${d.message()}`);
		await d.dismiss().catch(() => {});
	});
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() !== 'error' && m.type() !== 'warning') return;
		const text = m.text();
		if (m.type() === 'warning' && !/Content.Security.Policy|Refused/i.test(text)) return;
		if ((opts.allow || []).some((re) => re.test(text))) return;
		problems.push(`console ${m.type()}: ${text}`);
	});
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
		});
	});
	page.check = async () => {
		const csp = await page.evaluate(() => window.__csp || []).catch(() => []);
		for (const v of csp) problems.push(`CSP violation: ${v}`);
		assertServerAlive();
		assert.deepEqual(problems, [], 'the page had problems');
	};
	page.close2 = () => ctx.close();
	return page;
}

async function searchFor(page, q) {
	await page.locator('#q').fill(q);
	await page.locator('#q').press('Enter');
	await page.waitForFunction(() => document.body.dataset.state && !document.body.classList.contains('is-loading'));
}

async function waitRendered(page) {
	await page.waitForFunction(() => document.body.dataset.state && !document.body.classList.contains('is-loading'));
}

const resultTitles = (page) => page.locator('.result-title').allTextContents();

/* WCAG relative luminance contrast of two CSS rgb() colours. */
function contrast(a, b) {
	const lum = (c) => {
		const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
			const s = v / 255;
			return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
		});
		return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
	};
	const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
	return (x + 0.05) / (y + 0.05);
}

/* ---------- tests ---------- */

run('search page is served with a CSP and landmarks', async () => {
	const page = await openPage();
	const resp = await page.goto(base + '/');
	const csp = resp.headers()['content-security-policy'] || '';
	assert.match(csp, /default-src 'self'/, 'the UI must be served under default-src \'self\'');
	await waitRendered(page);
	assert.equal(await page.getAttribute('html', 'lang'), 'ja');
	assert.equal(await page.locator('main').count(), 1);
	assert.equal(await page.locator('search, [role=search]').count() >= 1, true);
	assert.equal(await page.locator('label[for=q]').count(), 1);
	assert.equal(await page.locator('link[rel=search][type="application/opensearchdescription+xml"]').count(), 1);
	const osd = await fetch(base + '/opensearch.xml');
	assert.equal(osd.status, 200);
	assert.match(await osd.text(), /template="http:\/\/127\.0\.0\.1:8080\/\?q=\{searchTerms\}"/);
	assert.equal((await fetch(base + '/favicon.svg')).status, 200);
	// An empty query browses everything.
	const all = await api('/api/search?q=&limit=1');
	assert.match(await page.locator('#status').textContent(), new RegExp(all.body.total.toLocaleString('ja-JP')));
	await page.check();
	await page.close2();
});

run('searching ランサムウェア shows highlighted results, total and time', async () => {
	const page = await openPage();
	await page.goto(base + '/');
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
	await page.goto(base + '/?q=' + encodeURIComponent(RANSOM));
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
	await page.goto(base + '/?q=XSSPROBE');
	await waitRendered(page);
	assert.equal(await page.locator('.result').count(), 1);
	assert.equal(await page.locator('.results script, .results img').count(), 0);
	assert.equal(await page.locator('a[href^="javascript:"]').count(), 0, 'a javascript: url must not become a link');
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
	await page.goto(base + '/?q=HTMLMETA');
	await waitRendered(page);
	assert.match(await page.locator('.result-title').first().textContent(), /<b>太字タグ<\/b> & "引用符"/);
	assert.equal(await page.locator('.result-title b').count(), 0);
	await page.waitForTimeout(200); // give any injected handler a chance to fire
	await page.check();
	await page.close2();
});

run('the issue page shows every item, each with a permalink, and highlights the target', async () => {
	const want = await api('/api/issues/106');
	assert.equal(want.status, 200);
	const page = await openPage();
	await page.goto(base + '/issue.html?n=106#item-3');
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
	await missing.goto(base + '/issue.html?n=99999');
	await missing.waitForSelector('.message-error');
	const apiMissing = await api('/api/issues/99999');
	assert.equal(apiMissing.status, 404);
	assert.ok((await missing.locator('.message-error').textContent()).includes(apiMissing.body.error.message));
	await missing.check();
	await missing.close2();
});

run('"/" focuses the search box unless typing in a field; results are reachable by Tab', async () => {
	const page = await openPage();
	await page.goto(base + '/?q=' + encodeURIComponent(RANSOM));
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
	await page.goto(base + '/issue.html?n=101');
	await page.waitForSelector('#issue:not([aria-busy])');
	await page.locator('body').press('/');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
	await page.check();
	await page.close2();
});

run('pagination: page 2 holds the rest, Back returns to page 1', async () => {
	const page = await openPage();
	await page.goto(base + '/?q=' + encodeURIComponent(RANSOM));
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

run('sort select and timeline filter the results', async () => {
	const page = await openPage();
	await page.goto(base + '/?q=' + encodeURIComponent(RANSOM));
	await waitRendered(page);
	await page.selectOption('#sort', 'newest');
	await page.waitForURL((u) => u.searchParams.get('sort') === 'newest');
	await waitRendered(page);
	const dates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
	assert.ok(dates.length > 0);
	assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');

	// Timeline: one bar per year of facets.year, drawn as SVG.
	const facets = (await api('/api/search?q=' + encodeURIComponent(RANSOM))).body.facets.year;
	const years = Object.keys(facets).filter((y) => /^\d{4}$/.test(y));
	const svg = page.locator('#timeline svg');
	assert.equal(await svg.count(), 1);
	assert.ok((await svg.getAttribute('aria-label')).includes('年'));
	assert.equal(await page.locator('#timeline a[data-nav=year]').count(), years.length);
	const year = years.sort()[1];
	const label = await page.locator(`#timeline a[data-key="${year}"]`).getAttribute('aria-label');
	assert.ok(label.includes(`${facets[year]}件`), label);
	await page.locator(`#timeline a[data-key="${year}"]`).click();
	await page.waitForURL((u) => u.searchParams.get('from') === `${year}-01-01` && u.searchParams.get('to') === `${year}-12-31`);
	await waitRendered(page);
	const ydates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
	assert.equal(ydates.length, facets[year]);
	assert.ok(ydates.every((d) => d.startsWith(year)), ydates.join(','));
	await page.check();
	await page.close2();
});

run('empty state and error state show messages', async () => {
	const page = await openPage({ allow: [/status of 400/] });
	await page.goto(base + '/?q=zzqxnothingmatcheszz');
	await waitRendered(page);
	assert.equal(await page.locator('.result').count(), 0);
	const empty = page.locator('#message.message-empty');
	assert.ok(await empty.isVisible());
	assert.match(await empty.textContent(), /zzqxnothingmatcheszz/);
	assert.match(await page.locator('#status').textContent(), /0/);

	// An invalid date in the URL: the server answers 400 and its message shows.
	const bad = await api('/api/search?q=x&from=yesterday&limit=20&offset=0&sort=relevance');
	assert.equal(bad.status, 400);
	await page.goto(base + '/?q=x&from=yesterday');
	await page.waitForSelector('#message.message-error');
	const text = await page.locator('#message').textContent();
	assert.ok(text.includes(bad.body.error.message), `error message shown: ${text}`);
	assert.equal(await page.locator('#message').getAttribute('role'), 'alert');
	assert.equal(await page.locator('.result').count(), 0);
	// A bogus sort too.
	await page.goto(base + '/?q=x&sort=sideways');
	await page.waitForSelector('#message.message-error');
	await page.check();
	await page.close2();
});

run('layout fits 360px, colours meet WCAG AA in light and dark', async () => {
	for (const colorScheme of ['light', 'dark']) {
		const page = await openPage({ viewport: { width: 360, height: 740 }, colorScheme });
		for (const p of ['/?q=' + encodeURIComponent(RANSOM), '/issue.html?n=106#item-6']) {
			await page.goto(base + p);
			await page.waitForSelector('.result, .item');
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			assert.ok(overflow <= 0, `${p} overflows 360px by ${overflow}px (${colorScheme})`);
		}
		await page.goto(base + '/?q=' + encodeURIComponent(RANSOM));
		await waitRendered(page);
		const pairs = await page.evaluate(() => {
			const bg = (el) => {
				for (let e = el; e; e = e.parentElement) {
					const c = getComputedStyle(e).backgroundColor;
					if (c && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') return c;
				}
				return 'rgb(255, 255, 255)';
			};
			const sel = ['body', '.status', '.result-link', '.results mark', '.result-meta time', '.result-snippet',
				'.badge', '.facet-count', '.facet-name', '.page[aria-current=page]', '.page-next', '.timeline-year',
				'.search-label', '.chip', '.site-footer'];
			const out = [];
			for (const s of sel) {
				const e = document.querySelector(s);
				if (!e) continue;
				const fg = e instanceof SVGElement ? getComputedStyle(e).fill : getComputedStyle(e).color;
				out.push({ s, fg, bg: bg(e instanceof SVGElement ? e.closest('.panel') : e) });
			}
			return out;
		});
		assert.ok(pairs.length >= 10);
		for (const { s, fg, bg } of pairs) {
			const ratio = contrast(fg, bg);
			assert.ok(ratio >= 4.5, `${colorScheme}: ${s} contrast ${ratio.toFixed(2)} (${fg} on ${bg})`);
		}
		await page.check();
		await page.close2();
	}
});

run('screenshots: search results and issue page, desktop and phone, light and dark', async () => {
	const shots = [];
	for (const [vw, vh, size] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
		for (const colorScheme of ['light', 'dark']) {
			const page = await openPage({ viewport: { width: vw, height: vh }, colorScheme });
			await page.goto(base + '/?q=' + encodeURIComponent(RANSOM));
			await waitRendered(page);
			let f = path.join(SHOTS, `search-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.goto(base + '/issue.html?n=106#item-6');
			await page.waitForSelector('.item.is-target');
			f = path.join(SHOTS, `issue-${size}-${colorScheme}.png`);
			await page.screenshot({ path: f });
			shots.push(f);
			await page.goto(base + '/issue.html?n=107');
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
