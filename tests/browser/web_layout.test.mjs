// The layout of web/ (issue 11, point 7): each module keeps to its job and
// no function grows past MAX_LINES. Reads the files only: no server, no
// browser, so it never skips.
//   - fetch() only in lib/api.js, browser storage only in lib/store.js,
//     lib/dom.js without fetch, storage or URL building;
//   - every function (declaration, block-bodied arrow function or method)
//     at most MAX_LINES lines, from its first line to its closing brace;
//   - every name a module imports is exported by the module it names, and
//     used (a split that dropped or renamed a helper fails here, not in
//     the browser);
//   - no import cycle between the modules.
// KS_WEB names the folder to check (default <repo>/web).
//   node --test tests/browser/web_layout.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(process.env.KS_WEB || path.join(HERE, '..', '..', 'web'));
const MAX_LINES = 80;

/* {name: source} of app.js and every lib/*.js, names relative to web/. */
function sources() {
	const out = { 'app.js': readFileSync(path.join(WEB, 'app.js'), 'utf8') };
	for (const f of readdirSync(path.join(WEB, 'lib')).filter((x) => x.endsWith('.js'))) {
		out[`lib/${f}`] = readFileSync(path.join(WEB, 'lib', f), 'utf8');
	}
	return out;
}

/* The source without comments (their contents become spaces). */
function noComments(src) {
	return src
		.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
		.replace(/(^|[^:])\/\/[^\n]*/g, (m, p) => p);
}

/* The source without comments, strings and template literals (their
 * contents become spaces), so a word in a comment or a message is not
 * taken for code. Line breaks are kept. */
function codeOnly(src) {
	return noComments(src).replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (m) => m.replace(/[^\n]/g, ' '));
}

const START = [
	/^(\t*)(?:export )?(?:async )?function\*? (\w+)\s*\(/,
	/^(\t*)(?:export )?(?:const|let) (\w+) = (?:async )?(?:\([^)]*\)|\w+) => \{\s*$/,
	/^(\t*)(?:async )?(\w+)\([^)]*\) \{\s*$/,
];

/* [{file, line, name, lines}] of every function: from its first line to
 * the first line after it that closes a brace at its indentation (the
 * tree is formatted with one tab per level). */
function functionLengths(files) {
	const out = [];
	for (const [file, src] of Object.entries(files)) {
		const lines = src.split('\n');
		lines.forEach((l, i) => {
			const m = START.map((re) => re.exec(l)).find(Boolean);
			if (!m || ['if', 'for', 'while', 'switch', 'catch'].includes(m[2])) return;
			const close = new RegExp(`^${m[1]}[}\\])]`);
			let j = i + 1;
			while (j < lines.length && !close.test(lines[j])) j++;
			out.push({ file, line: i + 1, name: m[2], lines: j - i + 1 });
		});
	}
	return out.sort((a, b) => b.lines - a.lines);
}

test(`no function in web/ is longer than ${MAX_LINES} lines`, () => {
	const all = functionLengths(sources());
	assert.ok(all.length > 20, `found only ${all.length} functions in ${WEB}: the scanner is broken`);
	const long = all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.file}:${f.line} ${f.name}() ${f.lines} lines`);
	assert.deepEqual(long, []);
	console.log(`# longest: ${all[0].file}:${all[0].line} ${all[0].name}() ${all[0].lines} lines`);
});

test('fetch only in lib/api.js, storage only in lib/store.js, dom.js only DOM', () => {
	const problems = [];
	for (const [file, src] of Object.entries(sources())) {
		const code = codeOnly(src);
		if (/\bfetch\s*\(/.test(code) && file !== 'lib/api.js') problems.push(`${file} calls fetch()`);
		if (/\b(?:sessionStorage|localStorage)\b/.test(code) && file !== 'lib/store.js') problems.push(`${file} uses browser storage`);
	}
	const dom = codeOnly(sources()['lib/dom.js']);
	for (const word of ['URLSearchParams', 'encodeURIComponent', 'new URL', 'TextDecoder', 'JSON.parse']) {
		if (dom.includes(word)) problems.push(`lib/dom.js uses ${word}`);
	}
	assert.deepEqual(problems, []);
});

test('every imported name is exported by its module, and used', () => {
	const files = sources();
	const exported = {};
	for (const [file, src] of Object.entries(files)) {
		exported[file] = new Set([...src.matchAll(/^export (?:async )?(?:function\*?|const|let|class) (\w+)/gm)].map((m) => m[1]));
	}
	const problems = [];
	for (const [file, src] of Object.entries(files)) {
		for (const m of src.matchAll(/^import \{([^}]*)\} from '([^']+)';/gm)) {
			const target = path.posix.join(path.posix.dirname(file), m[2]);
			const rest = noComments(src.replace(m[0], ''));
			for (const name of m[1].split(',').map((x) => x.trim()).filter(Boolean)) {
				if (!exported[target]) problems.push(`${file}: imports from ${m[2]}, which is not in web/`);
				else if (!exported[target].has(name)) problems.push(`${file}: ${name} is not exported by ${target}`);
				else if (!new RegExp(`\\b${name}\\b`).test(rest)) problems.push(`${file}: ${name} is imported but not used`);
			}
		}
	}
	assert.deepEqual(problems, []);
});

test('no import cycle between the modules of web/', () => {
	const files = sources();
	const deps = {};
	for (const [file, src] of Object.entries(files)) {
		deps[file] = [...src.matchAll(/^import [^;]* from '([^']+)';/gm)]
			.map((m) => path.posix.join(path.posix.dirname(file), m[1]));
	}
	const state = {};
	const cycles = [];
	const visit = (f, trail) => {
		if (state[f] === 'done') return;
		if (state[f] === 'open') {
			cycles.push([...trail.slice(trail.indexOf(f)), f].join(' -> '));
			return;
		}
		state[f] = 'open';
		for (const d of deps[f] || []) visit(d, [...trail, f]);
		state[f] = 'done';
	};
	for (const f of Object.keys(deps)) visit(f, []);
	assert.deepEqual(cycles, []);
});
