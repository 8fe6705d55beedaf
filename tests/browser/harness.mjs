// Shared harness of the browser test files: indexes tests/browser/data/
// into a temporary database, starts the real kensakud on 127.0.0.1:0 serving
// web/, launches Debian's headless Chromium through playwright-core (never a
// downloaded browser), and gives each test a page that records dialogs,
// console errors, page errors and CSP violations.
//
// Environment: KS_BIN (folder holding kensaku and kensakud, default
// <repo>/build/bin), KS_SRC (repo root), KS_SHOTS (screenshot folder, default
// <repo>/build/screenshots), KS_CHROMIUM (default /usr/bin/chromium).
// A file is skipped, and passes, only when Chromium or node_modules is
// missing; missing kensaku binaries are a failure. Each file prints
// "N passed, M failed" last.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SRC = path.resolve(process.env.KS_SRC || path.join(HERE, '..', '..'));
export const BIN = path.resolve(process.env.KS_BIN || path.join(SRC, 'build', 'bin'));
const argShots = process.argv.slice(2).find((a) => !a.startsWith('-') && !a.endsWith('.mjs'));
export const SHOTS = path.resolve(argShots || process.env.KS_SHOTS || path.join(SRC, 'build', 'screenshots'));
const CHROMIUM = process.env.KS_CHROMIUM || '/usr/bin/chromium';
const DATA = [path.join(HERE, 'data', 'archive.jsonl')];

/* Filled by before(): env.base is the server's http://127.0.0.1:PORT. */
export const env = { base: '', browser: null };

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

let tmp = '';
let server = null;
let serverLog = '';
let serverDied = '';
let passed = 0;
let failed = 0;

/* Fails with the server's own output when kensakud has died (a crash, a
 * sanitizer report) rather than leaving a bare "connection refused". */
export function assertServerAlive() {
	assert.ok(!serverDied, `${serverDied}; its output:\n${serverLog.slice(-4000)}`);
}

/* A test that counts towards "N passed, M failed" and, when it fails after
 * kensakud died, says so with the server's output. */
export const run = skipReason ? () => {} : (name, fn) => test(name, async (t) => {
	try {
		await fn(t);
		passed++;
	} catch (e) {
		failed++;
		await new Promise((r) => setTimeout(r, 300));
		if (serverDied) e.message += `\n${serverDied}; its output:\n${serverLog.slice(-4000)}`;
		throw e;
	}
});

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
	env.base = await startServer(db);
	const health = await waitHealthy(env.base);
	assert.equal(health.items, 151, `index holds ${health.items} items, expected the 151 of the test archive`);
	env.browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
	if (env.browser) await env.browser.close().catch(() => {});
	if (server && server.exitCode === null && server.signalCode === null) {
		server.removeAllListeners('exit');
		const gone = new Promise((r) => server.once('close', r));
		server.kill('SIGTERM');
		const t = setTimeout(() => server.kill('SIGKILL'), 5000);
		await gone;
		clearTimeout(t);
	}
	if (tmp) rmSync(tmp, { recursive: true, force: true });
	// A sanitizer report from kensakud (ASan build) fails the file.
	if (/Sanitizer|runtime error:/.test(serverLog)) {
		console.log(`# kensakud reported a sanitizer error:\n${serverLog.slice(-4000)}`);
		failed++;
		process.exitCode = 1;
	}
	console.log(`${passed} passed, ${failed} failed`);
});

/* GET p on the server: {status, body} (body parsed as JSON). */
export async function api(p) {
	const r = await fetch(env.base + p);
	return { status: r.status, body: await r.json() };
}

/* A fresh page that records dialogs, console errors, page errors and CSP
 * violations; page.check() asserts none happened. `allow` lists console
 * error patterns a test expects (the browser logs a failed 4xx fetch). */
export async function openPage(opts = {}) {
	assertServerAlive();
	const ctx = await env.browser.newContext({
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

/* Waits until the search page (or entity page) has rendered its answer. */
export async function waitRendered(page) {
	await page.waitForFunction(() => document.body.dataset.state && !document.body.classList.contains('is-loading'));
}

/* Waits until the timeline has drawn (or failed). */
export async function waitTrend(page) {
	await page.waitForFunction(() => {
		const t = document.getElementById('timeline');
		return t && (t.dataset.state === 'ready' || t.dataset.state === 'error');
	});
}

export async function searchFor(page, q) {
	await page.locator('#q').fill(q);
	await page.locator('#q').press('Enter');
	await waitRendered(page);
}

export const resultTitles = (page) => page.locator('.result-title').allTextContents();

/* WCAG relative luminance contrast of two CSS rgb() colours. */
export function contrast(a, b) {
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

/* In the page: [{s, fg, bg}] for the first element matching each selector,
 * fg its colour (fill for SVG text) and bg the first opaque background up
 * its ancestors. */
export async function colourPairs(page, selectors) {
	return page.evaluate((sel) => {
		const bg = (el) => {
			for (let e = el; e; e = e.parentElement) {
				const c = getComputedStyle(e).backgroundColor;
				if (c && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') return c;
			}
			return getComputedStyle(document.body).backgroundColor;
		};
		const out = [];
		for (const s of sel) {
			const e = document.querySelector(s);
			if (!e) continue;
			const fg = e instanceof SVGElement ? getComputedStyle(e).fill : getComputedStyle(e).color;
			out.push({ s, fg, bg: bg(e instanceof SVGElement ? e.closest('.panel') || document.body : e) });
		}
		return out;
	}, selectors);
}

let axeSource = '';

/* axe-core's WCAG 2.2 A/AA and best-practice violations on the page as it
 * is now: ["rule (impact): target; …"]. axe is evaluated through the
 * DevTools protocol, so the page's CSP (no inline script) stays on. */
export async function axeViolations(page) {
	if (!axeSource) axeSource = readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
	await page.evaluate(axeSource);
	return page.evaluate(async () => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
		});
		return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
	});
}

/* The bars of the timeline, in order: [{key, series, count, height, fill}]. */
export async function trendBars(page) {
	return page.locator('#timeline .timeline-chart .trend-bar').evaluateAll((rs) => rs.map((r) => ({
		key: r.closest('.trend-bucket').getAttribute('data-key'),
		series: Number(r.getAttribute('data-series')),
		count: Number(r.getAttribute('data-count')),
		height: Number(r.getAttribute('height')),
		fill: r.getAttribute('fill') || '',
	})));
}
