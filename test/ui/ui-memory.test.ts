// The log pane over a long day: distinct log rows must not pile up in Ink's text caches
// (measure-text and wrap-text keep every string they ever saw, with no eviction).
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {test} from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type {DashLine} from '../../source/ui/types.js';

// As `stigmer dash` runs (commands/dash.ts): React's production build, chosen when it is first loaded.
process.env['NODE_ENV'] = 'production';
const React = await import('react');
const {render} = await import('ink');
const {LogPane} = await import('../../source/ui/panels/log-pane.js');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

test('a log pane showing 12,000 distinct rows keeps the heap flat (no row reaches Ink\'s text caches)', () => {
	const height = 40;
	let seq = 0;
	// Each frame: 40 rows never seen before (the pane's own buffer is bounded; only what Ink keeps may grow).
	const frame = () => {
		const lines: DashLine[] = Array.from({length: height}, () => {
			const n = seq++;
			return {seq: n, time: Date.UTC(2026, 10, 26) + n, component: 'workflow-runner', stream: 'stdout', level: 'info', text: `task ${n} ${'abcdefghij'.repeat(12)} ${n * 7919}`};
		});
		return React.createElement(LogPane, {lines, version: seq, start: 0, height, width: 150, query: '', currentSeq: null, header: 'logs', nameWidth: 15});
	};

	// A terminal that keeps only its last frame (ink-testing-library's keeps them all).
	const stdout = Object.assign(new EventEmitter(), {columns: 160, rows: 50, isTTY: true, last: '', write(text: string) {
		stdout.last = text;
		return true;
	}});
	const {rerender, unmount} = render(frame(), {stdout: stdout as never, debug: true, patchConsole: false, exitOnCtrlC: false});
	for (let i = 0; i < 50; i++) {
		rerender(frame()); // warm up: module state, JIT
	}

	const before = heapAfterGc();
	for (let i = 0; i < 300; i++) {
		rerender(frame());
	}

	const grown = heapAfterGc() - before;
	assert.match(stdout.last, new RegExp(`task ${seq - 1} abcdefghij`), 'the last frame shows the newest rows');
	unmount();
	// Measured: about 2.5 MB when rows reach Ink's caches (~210 bytes a row, for ever), below 0 without.
	assert.ok(grown < 1024 * 1024, `heap grew ${(grown / 1024 / 1024).toFixed(1)} MB over 12,000 distinct rows`);
});

test('a row of wide characters or escapes is cut by display width, a plain one by length', async () => {
	const {rowText} = await import('../../source/ui/panels/log-pane.js');
	const {stripVTControlCharacters} = await import('node:util');
	const row = (text: string) => stripVTControlCharacters(rowText({line: {seq: 1, time: Date.UTC(2026, 10, 26), component: 'agent-runner', stream: 'stdout', level: null, text}, color: 'cyan', query: '', current: false, width: 60, nameWidth: 15}));
	const wide = row('日'.repeat(100));
	const ascii = wide.replaceAll('日', '');
	const columns = ascii.length + 2 * (wide.length - ascii.length);
	assert.ok(columns <= 60 && columns >= 58, `${columns} columns: ${wide}`);
	assert.equal(row('x'.repeat(100)).length, 60);
});

test('capYoungGeneration keeps V8\'s young generation from growing (the idle dashboard\'s 32 MB of empty semi-spaces)', async () => {
	const {spawnSync} = await import('node:child_process');
	const {pathToFileURL} = await import('node:url');
	const heap = pathToFileURL(new URL('../../source/ui/heap.js', import.meta.url).pathname).href;
	// Start-up in miniature: many objects that survive a few scavenges, then go.
	const program = (cap: boolean) => `
		import v8 from 'node:v8';
		${cap ? `(await import(${JSON.stringify(heap)})).capYoungGeneration();` : ''}
		let keep = [];
		for (let i = 0; i < 2e6; i++) { keep.push({i, s: 'x' + i}); if (keep.length > 2e5) keep = []; }
		keep = null;
		process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));`;
	const youngMb = (cap: boolean) => {
		const r = spawnSync(process.execPath, ['--input-type=module', '-e', program(cap)], {encoding: 'utf8', timeout: 30_000});
		assert.equal(r.status, 0, r.stderr);
		return Number(r.stdout) / 1024 / 1024;
	};

	const grown = youngMb(false);
	const capped = youngMb(true);
	assert.ok(grown >= 16, `without the cap the young generation grows (${grown} MB): the test measures something`);
	assert.ok(capped <= 4, `capped at ${capped} MB`);
});
