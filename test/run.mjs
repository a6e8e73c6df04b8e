#!/usr/bin/env node
// `npm test` (after `npm run build`): run every compiled suite dist/test/*.test.js with node's
// test runner. The suites start and kill real processes, so as root, where `unshare` works,
// they run inside a PID namespace of their own whose PID 1 reaps orphans: nothing they start
// can outlive the run or reach a process outside it.
// Usage: node test/run.mjs [SUBSTRING...]   (only suites whose file name contains one)
// TEST_INIT=own uses test/init.c even where tini is installed; TEST_INIT=none runs without a namespace.
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const suiteDir = path.join(root, 'dist', 'test');
/** Suites run in parallel, one per core: they are mostly waiting on real processes, and more makes readiness timing flaky on 2 cores. */
const CONCURRENCY = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, os.availableParallelism()));
/**
 * A test, or a whole suite file (node 20 applies --test-timeout to each file too), running longer
 * than this is hung: a file whose tests pass but whose process never exits (a watcher or child left
 * open) fails here instead of stalling the run. The slowest suite file, package.test (a real npm ci and build), takes 30–150 s.
 */
const TEST_TIMEOUT_MS = 240_000;
/**
 * The whole run takes 4–5 minutes on 2 quiet cores (8 minutes is the budget); past this it is hung: end it and fail.
 * Generous because a machine shared with other work ran the same suites in 8.4 minutes.
 */
const WATCHDOG_MS = 15 * 60_000;

function suites(filters) {
	// Suites sit in rooms that mirror source/ (dist/test/engine/lifecycle.test.js); a filter matches the path under dist/test.
	let files;
	try {
		files = fs.readdirSync(suiteDir, {recursive: true}).map(String).filter((f) => f.endsWith('.test.js')).sort();
	} catch {
		files = [];
	}

	if (filters.length > 0) {
		files = files.filter((f) => filters.some((s) => f.includes(s)));
	}

	return files.map((f) => path.join(suiteDir, f));
}

function onPath(name) {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {}
	}

	return undefined;
}

/** `unshare` can make a PID namespace here (root, and the kernel or container allows it). */
function canUnshare() {
	if (process.getuid?.() !== 0 || onPath('unshare') === undefined) {
		return false;
	}

	const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'true'], {stdio: 'ignore', timeout: 10_000});
	return probe.status === 0;
}

/** argv prefix of a PID 1 that reaps: Debian's tini, else our test/init.c compiled now; undefined if neither. */
function initCommand() {
	const tini = onPath('tini');
	// TEST_INIT=own forces test/init.c, to exercise the fallback where tini is installed.
	if (tini !== undefined && process.env.TEST_INIT !== 'own') {
		return [tini, '-s', '--'];
	}

	const cc = onPath('cc') ?? onPath('gcc') ?? onPath('clang');
	if (cc === undefined) {
		return undefined;
	}

	const out = path.join(root, 'dist', 'test-init');
	fs.mkdirSync(path.dirname(out), {recursive: true});
	const built = spawnSync(cc, ['-O2', '-o', out, path.join(root, 'test', 'init.c')], {stdio: 'inherit', timeout: 60_000});
	return built.status === 0 ? [out, '--'] : undefined;
}

function main() {
	const files = suites(process.argv.slice(2));
	if (files.length === 0) {
		process.stderr.write(`test/run.mjs: no test suites in ${suiteDir}; run \`npm run build\` first (npm test does).\n`);
		return Promise.resolve(1);
	}

	const nodeTest = [
		process.execPath,
		'--test',
		`--test-concurrency=${CONCURRENCY}`,
		`--test-timeout=${TEST_TIMEOUT_MS}`,
		'--test-reporter=spec',
		'--test-reporter-destination=stdout',
		...files,
	];

	let argv = nodeTest;
	// TEST_INIT=none runs without a PID namespace, as on a machine where `unshare` is refused.
	const init = process.env.TEST_INIT !== 'none' && canUnshare() ? initCommand() : undefined;
	if (init === undefined) {
		const why = process.env.TEST_INIT === 'none' ? 'TEST_INIT=none' : 'needs root, a working `unshare`, and tini or a C compiler';
		process.stdout.write(`test/run.mjs: no PID namespace here (${why}): running the suites directly.\n`);
	} else {
		argv = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...init, ...nodeTest];
	}

	process.stdout.write(`test/run.mjs: ${files.length} suites, concurrency ${CONCURRENCY}${init ? `, in a PID namespace under ${path.basename(init[0])}` : ''}\n`);
	const env = {...process.env};
	// A stray STIGMER_HOME must never point a test at a real home: tests set their own.
	delete env.STIGMER_HOME;
	const child = spawn(argv[0], argv.slice(1), {stdio: 'inherit', env, cwd: root});
	const forward = (signal) => () => child.kill(signal);
	process.on('SIGINT', forward('SIGINT'));
	process.on('SIGTERM', forward('SIGTERM'));
	const watchdog = setTimeout(() => {
		process.stderr.write(`test/run.mjs: the run took longer than ${WATCHDOG_MS / 60_000} minutes; ending it.\n`);
		child.kill('SIGKILL');
	}, WATCHDOG_MS);
	watchdog.unref();

	return new Promise((resolve) => {
		child.on('error', (error) => {
			process.stderr.write(`test/run.mjs: cannot run ${argv[0]}: ${error.message}\n`);
			resolve(1);
		});
		child.on('exit', (code, signal) => {
			clearTimeout(watchdog);
			resolve(code ?? 128 + (os.constants.signals[signal] ?? 0));
		});
	});
}

process.exitCode = await main();
