// Bad input through the built CLI (docs/config.md, docs/lifecycle.md#alive-and-ours, docs/lifecycle.md#durations-and-exit-codes; issue 2): config errors name file:line:col
// and the key and exit 2; bad command lines exit 2; garbage PID files are stale, not errors; and
// a refused command leaves a running stack untouched.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import {fixture, isAlive, makeHome, show, statusJson, type TestHome} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 90_000;

/** `line:col` (1-based) of the first occurrence of `needle` in `text`, as the error must name it. */
function where(text: string, needle: string): string {
	const offset = text.indexOf(needle);
	assert.ok(offset >= 0, `test bug: ${needle} not in the config text`);
	const before = text.slice(0, offset).split('\n');
	return `${before.length}:${before.at(-1)!.length + 1}`;
}

const sleeper = JSON.stringify(fixture('sleeper.mjs'));

type BadConfig = {
	name: string;
	text: (port: number) => string;
	/** The text the error must point at (its line and column); undefined: any line:col. */
	at?: string | ((port: number) => string);
	/** Each must appear in stderr. */
	says: RegExp[];
};

const BAD_CONFIGS: BadConfig[] = [
	{
		name: 'malformed YAML',
		text: (port) => `version: 1\ncomponents:\n  stigmer-server: {port: ${port}\n  temporal: {enabled: false}\n`,
		says: [/YAML/i],
	},
	{
		name: 'unknown key',
		text: (port) => `version: 1\ncomponents:\n  temporal:\n    enabled: false\n  stigmer-server:\n    port: ${port}\n    prot: 7234\n`,
		at: 'prot',
		says: [/unknown key/, /components\.stigmer-server\.prot/],
	},
	{
		name: 'unknown top-level key',
		text: (port) => `version: 1\ncomponent:\n  stigmer-server:\n    port: ${port}\n`,
		at: 'component:',
		says: [/unknown key/, /"component"/],
	},
	{
		name: 'wrong type',
		text: () => `version: 1\ncomponents:\n  temporal: {enabled: false}\n  stigmer-server:\n    port: seventy\n`,
		at: 'seventy',
		says: [/components\.stigmer-server\.port/],
	},
	{
		name: 'depends_on cycle',
		text: (port) => `version: 1\ncomponents:\n  temporal: {enabled: false}\n  stigmer-server: {port: ${port}}\n  alpha:\n    command: ${sleeper}\n    depends_on: [beta]\n  beta:\n    command: ${sleeper}\n    depends_on: [alpha]\n`,
		says: [/cycle/, /components\.(alpha|beta)\.depends_on/, /alpha/, /beta/],
	},
	{
		name: 'unknown depends_on',
		text: (port) => `version: 1\ncomponents:\n  temporal: {enabled: false}\n  stigmer-server: {port: ${port}}\n  web:\n    command: ${sleeper}\n    depends_on: [stigmer-server, nope]\n`,
		at: 'nope',
		says: [/components\.web\.depends_on/, /"nope"/],
	},
	{
		name: 'a boolean written as a word',
		text: (port) => `version: 1\ncomponents:\n  temporal:\n    enabled: nope\n  stigmer-server: {port: ${port}}\n`,
		at: 'nope',
		says: [/components\.temporal\.enabled: expected true or false/],
	},
	{
		name: 'two problems: the first named, the count of the rest',
		text: (port) => `version: 1\ncomponents:\n  temporal: {enabled: flase}\n  stigmer-server:\n    port: ${port}\n    prot: 7234\n`,
		at: 'flase',
		says: [/components\.temporal\.enabled/, /\(and 1 more: `stigmer config check` lists them all\)$/m],
	},
	{
		name: 'duplicate ports',
		text: (port) => `version: 1\ncomponents:\n  temporal: {enabled: false}\n  stigmer-server: {port: ${port}}\n  web:\n    command: ${sleeper}\n    port: ${port} \n`,
		at: (port) => `${port} \n`,
		says: [/components\.web\.port/, /port \d+/, /stigmer-server/],
	},
];

for (const bad of BAD_CONFIGS) {
	test(`bad config (${bad.name}): start exits 2, stop and status go on after one warning, each naming file:line:col and the key`, {timeout: TEST_TIMEOUT_MS}, async (t) => {
		const home = await makeHome(t);
		const text = bad.text(home.port);
		home.writeConfigText(text);
		for (const verb of ['start', 'stop', 'status']) {
			const result = await home.cli(['server', verb]);
			// A broken file never locks the user out: stop and status use the last valid config (docs/decisions.md).
			if (verb !== 'start') {
				assert.notEqual(result.code, 2, `server ${verb}:\n${show(result)}`);
				assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one warning line:\n${show(result)}`);
				assert.match(result.stderr, /^stigmer: warning: /);
				continue;
			}

			assert.equal(result.code, 2, `server ${verb}:\n${show(result)}`);
			const needle = typeof bad.at === 'function' ? bad.at(home.port) : bad.at;
			const location = needle === undefined ? String.raw`\d+:\d+` : where(text, needle);
			assert.match(result.stderr, new RegExp(`${escape(home.configFile)}:${location}\\b`), `server ${verb} names the file, line and column:\n${show(result)}`);
			for (const says of bad.says) {
				assert.match(result.stderr, says, `server ${verb}:\n${show(result)}`);
			}

			assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace for an expected failure');
			assert.equal(result.stdout, '', 'errors go to stderr, not stdout');
		}

		assert.deepEqual(home.processes(), {}, 'nothing was started');
		assert.equal(fs.readFileSync(home.configFile, 'utf8'), text, 'the bad config is left as it was');
	});
}

test('bad command lines exit 2: unknown component, unknown flag, `server restart`', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	for (const args of [['server', 'start', 'nope'], ['server', 'stop', 'nope'], ['server', 'start', 'stigmer-server', 'nope']]) {
		const result = await home.cli(args);
		assert.equal(result.code, 2, `${args.join(' ')}:\n${show(result)}`);
		assert.match(result.stderr, /"nope"/, 'names the unknown component');
		assert.match(result.stderr, /stigmer-server/, 'lists the known ones');
	}

	const flag = await home.cli(['server', 'start', '--bogus']);
	assert.equal(flag.code, 2, show(flag));
	assert.match(flag.stderr, /unknown flag --bogus/);

	const restart = await home.cli(['server', 'restart']);
	assert.equal(restart.code, 2, show(restart));
	assert.match(restart.stderr, /`stigmer server start` restarts a running stack/, 'says that start restarts a running stack');
	assert.deepEqual(home.processes(), {}, 'nothing was started');
});

test('garbage PID files (abc, empty, -5, 99999999) are stale: status, stop and start carry on', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {components: {extra: {command: fixture('sleeper.mjs'), ready: {after: '100ms'}}}});
	const garbage: Record<string, string> = {'stigmer-server': 'abc', 'workflow-runner': '', 'agent-runner': '-5', extra: '99999999'};
	const plant = (): void => {
		fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});
		for (const [name, content] of Object.entries(garbage)) {
			fs.writeFileSync(home.pidFile(name), content, {mode: 0o600});
		}
	};

	plant();
	const status = await statusJson(home);
	assert.equal(status.result.code, 3, `nothing runs:\n${show(status.result)}`);
	for (const name of Object.keys(garbage)) {
		assert.notEqual(status.byName.get(name)!.state, 'running', name);
	}

	const table = await home.cli(['server', 'status']);
	assert.equal(table.code, 3, show(table));

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, `stop with stale PID files:\n${show(stop)}`);

	plant();
	const {started} = await home.start();
	for (const name of Object.keys(garbage)) {
		const record = JSON.parse(fs.readFileSync(home.pidFile(name), 'utf8')) as {pid: number};
		assert.equal(record.pid, started.get(name)?.pid, `data/${name}.pid now records the real process`);
	}

	const healthy = await statusJson(home);
	assert.equal(healthy.result.code, 0, show(healthy.result));
});

test('a refused command leaves a running stack untouched', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {started} = await home.start();
	const pids = Object.fromEntries([...started].map(([name, s]) => [name, s.pid]));
	assert.deepEqual(Object.keys(pids).sort(), BUILTINS);
	const pidFiles = snapshotPidFiles(home);
	const goodConfig = fs.readFileSync(home.configFile, 'utf8');

	const refusals: Array<[string, string[]]> = [
		['unknown component', ['server', 'start', 'nope']],
		['unknown component', ['server', 'stop', 'nope']],
		['unknown flag', ['server', 'stop', '--bogus']],
		['restart', ['server', 'restart']],
	];
	for (const [why, args] of refusals) {
		const result = await home.cli(args);
		assert.equal(result.code, 2, `${why}: ${args.join(' ')}:\n${show(result)}`);
	}

	// A broken config refuses start; stop would work from the last valid config (config-lockout.test.ts), so it is not run here.
	home.writeConfigText(`${goodConfig}  oops:\n    command: ["true"]\n    depends_on: [oops]\n`);
	const cyclic = await home.cli(['server', 'start']);
	assert.equal(cyclic.code, 2, `server start with a cyclic config:\n${show(cyclic)}`);
	home.writeConfigText(`${goodConfig}bogus: 1\n`);
	const refused = await home.cli(['server', 'start']);
	assert.equal(refused.code, 2, show(refused));

	const now = Object.fromEntries(Object.entries(home.processes()).map(([name, list]) => [name, list]));
	assert.deepEqual(now, Object.fromEntries(BUILTINS.map((n) => [n, [pids[n]]])), 'the same processes run');
	for (const pid of Object.values(pids)) {
		assert.ok(isAlive(pid));
	}

	assert.deepEqual(snapshotPidFiles(home), pidFiles, 'PID files are unchanged');
	home.writeConfigText(goodConfig);
	const status = await statusJson(home);
	assert.equal(status.result.code, 0, show(status.result));
});

function snapshotPidFiles(home: TestHome): Record<string, string> {
	return Object.fromEntries(BUILTINS.map((n) => [n, fs.readFileSync(home.pidFile(n), 'utf8')]));
}

function escape(text: string): string {
	return text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
}
