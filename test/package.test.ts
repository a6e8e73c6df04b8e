// docs/cli.md: a fresh clone, `npm ci`, `npm pack`, no manual build: the tarball installs with `npm install -g`
// (which builds nothing) and its `stigmer` runs the built-in stack. Slow (a real npm ci and build): one test.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {collect, itemAt, makeHome, parseStarted, parseStopped, ROOT, which, type CliResult} from './helpers.js';

/** npm ci with its build, pack and install, on a loaded 2-core machine; past this something hangs. */
const STEP_TIMEOUT_MS = 150_000;
/** The whole test; run.mjs's per-file limit is above it. */
const TEST_TIMEOUT_MS = 220_000;
/** What npm prints when it cannot reach the registry (nothing cached to fall back on). */
const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED)\b/;

type Run = CliResult;

/** Run a command to its end (bounded), without npm's own npm_* variables leaking in from `npm test`. */
async function run(cwd: string, argv: string[], env: Record<string, string> = {}): Promise<Run> {
	const clean: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key) && !key.startsWith('STIGMER_') && key !== 'NODE_TEST_CONTEXT' && key !== 'INIT_CWD') {
			clean[key] = value;
		}
	}

	const searchPath = `${path.dirname(process.execPath)}${path.delimiter}${clean['PATH'] ?? ''}`;
	const child = spawn(itemAt(argv, 0), argv.slice(1), {cwd, env: {...clean, PATH: searchPath, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	return collect(child, argv.join(' '), STEP_TIMEOUT_MS);
}

const shown = (what: string, r: Run) => `${what}: exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

const missing = ['git', 'npm'].filter((tool) => which(tool) === undefined);
const notARepo = !fs.existsSync(path.join(ROOT, '.git'));

test(
	'a fresh clone packs with `npm ci && npm pack`; the tarball installs globally and runs the stack',
	{timeout: TEST_TIMEOUT_MS, skip: missing.length > 0 ? `${missing.join(' and ')} not installed` : notARepo && `${ROOT} is not a git clone`},
	async (t) => {
		const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-package-')));
		t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
		const clone = path.join(dir, 'clone');
		// The committed HEAD, as a new user gets it: no dist/, no node_modules/.
		const cloned = await run(dir, ['git', 'clone', '--quiet', '--no-hardlinks', ROOT, clone]);
		assert.equal(cloned.code, 0, shown('git clone', cloned));
		assert.equal(fs.existsSync(path.join(clone, 'dist')), false);

		const ci = await run(clone, ['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund']);
		if (ci.code !== 0 && OFFLINE.test(ci.stderr)) {
			t.skip(`the npm registry is unreachable and the cache lacks a package: ${OFFLINE.exec(ci.stderr)![0]}`);
			return;
		}

		assert.equal(ci.code, 0, shown('npm ci', ci));
		assert.ok(fs.existsSync(path.join(clone, 'dist', 'bin', 'cli.js')), 'npm ci built the CLI (prepare), with no manual step');

		// `npm pack` would run prepare again and rebuild the same files; the build was just proven above.
		const pack = await run(clone, ['npm', 'pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
		assert.equal(pack.code, 0, shown('npm pack', pack));
		const [report] = JSON.parse(pack.stdout) as Array<{filename: string; files: Array<{path: string}>}>;
		assert.ok(report);
		const files = report.files.map((f) => f.path);
		// dist/bin/package.json makes the bundle's .js CommonJS; dash.mjs is the ES-module half (rollup.config.mjs).
		for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/bin/cli.js', 'dist/bin/package.json', 'dist/bin/dash.mjs', 'dist/bin/worker.js', 'dist/bin/merge.wasm']) {
			assert.ok(files.includes(needed), `the tarball holds ${needed}`);
		}

		assert.ok(files.some((f) => /^dist\/bin\/server-[\w-]+\.js$/.test(f)), `the tarball holds the built-in server's chunk: ${files.join(' ')}`);
		assert.deepEqual(files.filter((f) => f.startsWith('dist/source/')), [], 'only the bundle ships, not tsc\'s unbundled output');

		// The packed README and docs link to each other: every relative link resolves inside the tarball. Images are
		// left to the repository (npmjs.com shows them from there; a screenshot is not worth every install's bytes).
		const markdown = files.filter((f) => f.endsWith('.md'));
		assert.ok(markdown.includes('docs/cli.md'), `the tarball holds docs/: ${files.join(' ')}`);
		for (const doc of markdown) {
			const text = fs.readFileSync(path.join(clone, doc), 'utf8');
			for (const [, target] of text.matchAll(/(?<!!)\[[^\]]*\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
				if (!/^[a-z]+:/i.test(target!)) {
					const linked = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target!));
					assert.ok(files.includes(linked), `${doc} links to ${target}, which the tarball holds`);
				}
			}
		}

		const maps = files.filter((f) => f.endsWith('.map'));
		assert.deepEqual(maps, [], 'no source maps (their sources are not shipped)');
		assert.deepEqual(files.filter((f) => f.startsWith('dist/test') || f.startsWith('source/') || f.startsWith('test/')), [], 'no tests, no sources');
		const manifest = JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8')) as Record<string, unknown>;
		assert.deepEqual(manifest['os'], ['linux', 'darwin']);
		assert.ok(manifest['repository'], 'package.json names its repository');
		assert.match(String((manifest['engines'] as Record<string, string>)['node']), />=\s*20/);

		const prefix = path.join(dir, 'prefix');
		const install = await run(dir, ['npm', 'install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, report.filename)]);
		if (install.code !== 0 && OFFLINE.test(install.stderr)) {
			t.skip(`the npm registry is unreachable for the install: ${OFFLINE.exec(install.stderr)![0]}`);
			return;
		}

		assert.equal(install.code, 0, shown('npm install -g', install));
		const installed = path.join(prefix, 'lib', 'node_modules', 'stigmer');
		assert.equal(fs.existsSync(path.join(installed, 'node_modules', 'typescript')), false, 'no devDependencies: the install builds nothing');
		const stigmer = path.join(prefix, 'bin', 'stigmer');
		const version = await run(dir, [stigmer, '--version']);
		assert.equal(version.code, 0, shown('stigmer --version', version));
		assert.equal(version.stdout.trim(), manifest['version']);

		const home = await makeHome(t);
		const env = {STIGMER_HOME: home.dir};
		const start = await run(dir, [stigmer, 'server', 'start'], env);
		assert.equal(start.code, 0, shown('stigmer server start', start) + home.logs());
		const started = parseStarted(start.stdout);
		assert.deepEqual([...started.keys()].sort(), ['agent-runner', 'stigmer-server', 'workflow-runner']);
		const serverPid = started.get('stigmer-server')!.pid;
		const cmdline = fs.readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0');
		assert.ok(cmdline.includes(path.join(fs.realpathSync(installed), 'dist', 'bin', 'cli.js')), `the server runs from the installed package: ${cmdline.join(' ')}`);
		const healthz = await fetch(`http://127.0.0.1:${home.port}/healthz`);
		assert.equal(healthz.status, 200);
		// Both halves of the bundle from the installed package: status (CommonJS) and the dashboard (ES modules).
		const status = await run(dir, [stigmer, 'server', 'status'], env);
		assert.equal(status.code, 0, shown('stigmer server status', status));
		const once = await run(dir, [stigmer, 'dash', '--once', '--json'], env);
		assert.equal(once.code, 0, shown('stigmer dash --once --json', once));
		assert.equal((JSON.parse(once.stdout) as {healthy: boolean}).healthy, true);

		const stop = await run(dir, [stigmer, 'server', 'stop'], env);
		assert.equal(stop.code, 0, shown('stigmer server stop', stop));
		assert.deepEqual([...parseStopped(stop.stdout).keys()].sort(), ['agent-runner', 'stigmer-server', 'workflow-runner']);
		assert.deepEqual(home.processes(), {}, 'nothing of the home runs after stop');
	},
);
