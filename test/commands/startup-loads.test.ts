// What the quick verbs load at start (their budgets: bench/lifecycle.bench.mjs, bench/dash.bench.mjs): `dash --once`
// and `server status` load no module they do not use, `--version` the entry's own chunk only, and the live dashboard
// one copy of the engine (its ES-module half's).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {CLI, FIXTURES, makeHome, show} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
const PRELOAD = {NODE_OPTIONS: `--import ${path.join(FIXTURES, 'loaded-modules.mjs')}`};

type Loaded = {builtins: string[]; required: string[]};

function loaded(stderr: string): Loaded {
	const line = stderr.split('\n').find((l) => l.startsWith('LOADED-MODULES '));
	assert.ok(line !== undefined, `the preload reports at exit:\n${stderr}`);
	return JSON.parse(line.slice('LOADED-MODULES '.length)) as Loaded;
}

/**
 * Loaded only on use: re2js (a `ready: {log}` pattern, --grep), crypto (an export's hashes), child_process (getconf),
 * yaml and zod (a config.yaml that changed since the cache), v8 and worker_threads (the live dashboard, `-n 0`).
 */
const UNUSED_BUILTINS = ['crypto', 'child_process', 'v8', 'worker_threads'];
const UNUSED_REQUIRES = [/^re2js$/, /^(node:)?crypto$/, /^(node:)?child_process$/, /^(yaml|zod)$/];

test('dash --once and server status load only what they use; --version only the entry', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	await home.start();
	for (const verb of [['dash', '--once'], ['dash', '--once', '--json'], ['server', 'status']]) {
		const result = await home.cli(verb, {env: PRELOAD});
		assert.equal(result.code, 0, `${verb.join(' ')}:\n${show(result)}`);
		const {builtins, required} = loaded(result.stderr);
		for (const name of UNUSED_BUILTINS) {
			assert.ok(!builtins.includes(name), `${verb.join(' ')} loads node:${name}: ${builtins.join(', ')}`);
		}

		for (const pattern of UNUSED_REQUIRES) {
			assert.deepEqual(required.filter((r) => pattern.test(r)), [], `${verb.join(' ')} requires ${pattern}: ${required.join(', ')}`);
		}
	}

	const version = await home.cli(['--version'], {env: PRELOAD});
	assert.equal(version.code, 0, show(version));
	const chunks = loaded(version.stderr).required.filter((r) => r.startsWith('./'));
	assert.deepEqual(chunks.map((c) => c.replace(/-[\w-]{8}\.js$/, '')), ['./base'], `--version loads the entry's own chunk only: ${chunks.join(', ')}`);
});

test('the live dashboard loads the engine once: dash picks its path before loading more than the entry\'s chunk', () => {
	const bin = path.dirname(CLI);
	const dashChunk = /dash: \{[^\n]*require\('\.\/(dash-[\w-]+\.js)'\)/.exec(fs.readFileSync(CLI, 'utf8'))?.[1];
	assert.ok(dashChunk !== undefined, 'cli.js requires the dash verb from a chunk of its own');
	// Top-level requires run as the chunk loads; the ones --once needs are inside its function, loaded on use.
	const topLevel = [...fs.readFileSync(path.join(bin, dashChunk), 'utf8').matchAll(/^(?:const \w+ = )?require\('(\.\/[^']+)'\);$/gm)].map((m) => m[1] ?? '');
	assert.deepEqual(topLevel.map((c) => c.replace(/-[\w-]{8}\.js$/, '')), ['./base'], `${dashChunk} loads at once: ${topLevel.join(', ')}`);
});
