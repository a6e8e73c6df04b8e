// Config mutants (truncations, wrong types, huge values, unicode, duplicate keys, aliases, null documents, E2BIG,
// bad patterns and URLs) through `config check`, `server start` and `server stop` against a running stack: every
// error is one line, check and start agree, a refused start leaves the stack untouched, stop always works.
import assert from 'node:assert/strict';
import test from 'node:test';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {cleanEnv, collect, fixture, isAlive, makeHome, readPidFile, show, waitFor, type TestHome} from '../helpers.js';
import type {DriverResult} from './fuzz-driver.js';

const TEST_TIMEOUT_MS = 120_000;
/** Homes working through the mutants side by side: the runs mostly wait on node starting up. */
const WORKERS = 2;
/** Besides one refusal of each family, every this-many-th mutant goes through the real CLI too. */
const CLI_EVERY = 15;
/** The in-process driver (fuzz-driver.ts), beside this file in dist/. */
const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fuzz-driver.js');
/** The driver's whole run over ~90 mutants (a few MB of YAML among them) on a loaded machine. */
const DRIVER_TIMEOUT_MS = 60_000;
/** Valid mutants a worker really starts (each restarts its stack): the rest are checked only. */
const VALID_STARTS = 1;

type Mutant = {family: string; text: string; start?: boolean};

function base(port: number): string {
	return [
		'version: 1',
		'components:',
		'  temporal: {enabled: false}',
		`  stigmer-server: {enabled: false, port: ${port}}`,
		'  workflow-runner: {enabled: false}',
		'  agent-runner: {enabled: false}',
		'  sleeper:',
		`    command: ${JSON.stringify(fixture('sleeper.mjs'))}`,
		'    ready: {after: 100ms}',
		'    ready_timeout: 5s',
		'    stop_timeout: 2s',
		'    env: {GREETING: hello}',
		'',
	].join('\n');
}

/** A small deterministic generator (mulberry32), so a failure names a mutant that can be rebuilt. */
function random(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6D_2B_79_F5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

function mutants(port: number): Mutant[] {
	const good = base(port);
	const sleeperLine = (line: string) => good.replace('    env: {GREETING: hello}\n', `    env: {GREETING: hello}\n    ${line}\n`);
	const list: Mutant[] = [];
	const rand = random(18);
	for (let i = 1; i <= 30; i++) {
		list.push({family: 'truncation', text: good.slice(0, Math.floor((good.length * i) / 31))});
	}

	const wrong = ['42', '"text"', '[1, 2]', '{a: 1}', 'true', 'null', '-1', '1e400', '""', '[]'];
	for (const key of ['ready', 'ready_timeout', 'env', 'port', 'restart', 'max_restarts', 'depends_on', 'cwd', 'stop_signal', 'enabled', 'shell', 'restart_delay']) {
		for (const value of wrong) {
			list.push({family: 'wrong type', text: sleeperLine(`${key}: ${value}`), start: key === 'max_restarts' && value === '42'});
		}
	}

	for (const line of ['port: 70000', 'port: 99999999999999999999', 'ready_timeout: 99999h', 'max_restarts: 1000000000', 'restart_delay: 1e308', `depends_on: [${'x'.repeat(5000)}]`, `cwd: /${'d'.repeat(5000)}`]) {
		list.push({family: 'huge value', text: sleeperLine(line)});
	}

	list.push({family: 'huge value', text: good.replace('  sleeper:', `  ${'s'.repeat(65)}:`)});
	list.push({family: 'huge value', text: sleeperLine(`shell: false\n    stop_signal: SIGTERM\n    min_uptime: 24h`), start: true});
	for (const name of ['slé', '☃', 'a\u202Eb', 'emoji-😀', 'Sleeper', '../x', 'daemon']) {
		list.push({family: 'unicode', text: good.replace('  sleeper:', `  ${JSON.stringify(name)}:`)});
	}

	list.push({family: 'unicode', text: sleeperLine('cwd: "/tmp/\u0000x"')}, {family: 'unicode', text: good.replace('GREETING: hello', 'GREETING: "\u001B]0;pwn\u0007 ☃ \u202E"')});
	list.push(
		{family: 'duplicate key', text: `${good}  sleeper: {command: [true]}\n`},
		{family: 'duplicate key', text: sleeperLine(`command: [true]`)},
		{family: 'duplicate key', text: `${good}components: {}\n`},
		{family: 'duplicate key', text: `version: 1\n${good}`},
		{family: 'duplicate key', text: good.replace('{GREETING: hello}', '{A: 1, A: 2}')},
	);
	const bomb = ['x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', ...Array.from({length: 5}, (_, i) => `x${i + 1}: &a${i + 1} [${Array.from({length: 10}, () => `*a${i}`).join(', ')}]`)].join('\n');
	list.push(
		{family: 'alias', text: `${good}${bomb}\n`},
		{family: 'alias', text: good.replace('{GREETING: hello}', '*nowhere')},
		{family: 'alias', text: good.replace('{GREETING: hello}', '&e {GREETING: hello}').replace('  agent-runner: {enabled: false}', '  agent-runner: {enabled: false, env: *e}')},
		{family: 'alias', text: `anchors: &x {a: 1}\n${good}`},
	);
	for (const text of ['', '---\n', '~\n', 'null\n', '--- !!null\n', '[]\n', '"just a string"\n', '42\n', '--- |\n  text\n', '---\n---\n']) {
		list.push({family: 'null document', text});
	}

	list.push(
		{family: 'E2BIG', text: good.replace('{GREETING: hello}', `{GREETING: ${'x'.repeat(140_000)}}`)},
		{family: 'E2BIG', text: good.replace('{GREETING: hello}', `{${Array.from({length: 25}, (_, i) => `V${String(i).padStart(2, '0')}: ${'y'.repeat(100_000)}`).join(', ')}}`)},
		{family: 'E2BIG', text: sleeperLine(`command: [sleep, ${'z'.repeat(140_000)}]`).replace(/ {4}command: "[^\n]*\n/, '')},
	);
	for (const ready of [String.raw`{log: '(a)\1'}`, "{log: '(?=x)'}", "{log: '['}", "{log: '(?<=a)b'}", '{http: "file:///etc/passwd"}', '{http: "ftp://example.com/"}', '{http: "not a url"}', '{http: "javascript:alert(1)"}', '{log: "^(a+)+$"}', '{http: "http://[::ffff:127.0.0.1]:1/"}']) {
		list.push({family: 'bad pattern or URL', text: good.replace('{after: 100ms}', ready)});
	}

	const noise = [':', '{', ']', '"', '\t', '&', '*', '!', '%', '@', '`', '\u0000', '-', '?', '|', '>'];
	for (let i = 0; i < 30; i++) {
		const at = Math.floor(rand() * good.length);
		const char = noise[Math.floor(rand() * noise.length)] ?? ':';
		list.push({family: 'byte flip', text: `${good.slice(0, at)}${char}${good.slice(at + 1)}`});
	}

	return list;
}

/** One line on stderr, no stack trace: what every refusal must look like (docs: no stack traces for expected failures). */
function assertOneLine(r: {stderr: string}, what: string): void {
	const lines = r.stderr.trimEnd().split('\n');
	assert.equal(lines.length, 1, `${what}: one line\n${r.stderr}`);
	assert.match(lines[0] ?? '', /^stigmer: /, `${what}\n${r.stderr}`);
	assert.doesNotMatch(r.stderr, /\n\s+at |Error: /, `${what}: no stack trace\n${r.stderr}`);
}

/** The sleeper's recorded pid, which must stay alive and unchanged while starts are refused. */
function sleeperPid(home: TestHome): number {
	return readPidFile(home.pidFile('sleeper'))?.['pid'] as number;
}

/** Every mutant through the in-process driver (check, and start when check refused), in one node process. */
async function driven(home: TestHome, list: Mutant[], pid: number): Promise<DriverResult[]> {
	const file = path.join(home.dir, 'mutants.json');
	fs.writeFileSync(file, JSON.stringify(list.map((m) => m.text)));
	const child = spawn(process.execPath, [DRIVER, file, String(pid)], {env: cleanEnv({STIGMER_HOME: home.dir}), stdio: ['ignore', 'pipe', 'pipe']});
	const r = await collect(child, 'the fuzz driver', DRIVER_TIMEOUT_MS);
	assert.equal(r.code, 0, show(r));
	return JSON.parse(r.stdout) as DriverResult[];
}

async function work(home: TestHome, list: Mutant[]): Promise<{refused: number; valid: number; started: number; cli: number}> {
	const good = base(home.port);
	const restart = async () => {
		home.writeConfigText(good);
		await home.start();
		return sleeperPid(home);
	};

	const pid = await restart();
	const results = await driven(home, list, pid);
	let refused = 0;
	let valid = 0;
	for (const r of results) {
		const mutant = list[r.index]!;
		const what = `${mutant.family} #${r.index}: ${JSON.stringify(mutant.text.slice(0, 300))}`;
		assert.equal(r.check.crash, undefined, `${what}: config check crashed`);
		assert.ok(r.check.code === 0 || r.check.code === 2, `${what}: config check exits 0 or 2\n${r.check.stderr}`);
		if (r.check.code === 0) {
			valid++;
			continue;
		}

		refused++;
		assert.equal(r.check.stderr.trimEnd().split('\n').length, 1, `${what}: check's summary is one line\n${r.check.stderr}`);
		assert.ok(r.check.stdout.trimEnd().split('\n').every((line) => line.startsWith(home.configFile)), `${what}: one problem a line, each naming the file\n${r.check.stdout}`);
		assert.equal(r.start?.crash, undefined, `${what}: start crashed`);
		assert.equal(r.start?.code, 2, `${what}: check refused, start must too\n${r.start?.stdout}${r.start?.stderr}`);
		assertOneLine(r.start!, what);
		assert.equal(r.start?.stdout, '', `${what}: start touched nothing`);
		assert.ok(r.alive, `${what}: the running sleeper is untouched`);
	}

	assert.equal(sleeperPid(home), pid, 'the PID file is unchanged after every refused start');
	// Through the real CLI too: a sample of refusals (one of each family, then every CLI_EVERY-th), stop with the
	// broken file in place, and valid mutants that really start.
	const families = new Set<string>();
	const sample = results.filter((r) => r.check.code === 2 && (!families.has(list[r.index]!.family) ? families.add(list[r.index]!.family) : r.index % CLI_EVERY === 0));
	for (const r of sample) {
		const mutant = list[r.index]!;
		const what = `${mutant.family} #${r.index} (CLI): ${JSON.stringify(mutant.text.slice(0, 300))}`;
		home.writeConfigText(mutant.text);
		const [check, start] = await Promise.all([home.cli(['config', 'check']), home.cli(['server', 'start'])]);
		assert.equal(check.code, 2, `${what}\n${show(check)}`);
		assert.equal(start.code, 2, `${what}\n${show(start)}`);
		assertOneLine(start, what);
		assert.equal(start.stdout, '', what);
		assert.ok(isAlive(pid), `${what}: the running sleeper is untouched`);
	}

	const broken = sample.at(-1);
	assert.ok(broken !== undefined);
	home.writeConfigText(list[broken.index]!.text);
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, `stop works whatever the file says\n${show(stop)}`);
	assert.ok(stop.stderr.trimEnd().split('\n').length <= 1, show(stop));
	await waitFor(() => !isAlive(pid), 'stop to end the sleeper');
	let started = 0;
	for (const r of results.filter((r) => r.check.code === 0 && list[r.index]!.start).slice(0, VALID_STARTS)) {
		home.writeConfigText(list[r.index]!.text);
		const start = await home.cli(['server', 'start'], {timeoutMs: 30_000});
		assert.equal(start.code, 0, `check said valid, start agrees\n${show(start)}`);
		started++;
	}

	return {refused, valid, started, cli: sample.length};
}

test('≥150 config mutants: one-line errors, check and start agree, a refused start leaves the stack untouched, stop always works', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const homes = await Promise.all(Array.from({length: WORKERS}, async () => makeHome(t, {builtins: false})));
	assert.ok(mutants(homes[0]!.port).length >= 150, `${mutants(homes[0]!.port).length} mutants`);
	// Each worker gets every WORKERS-th mutant, rebuilt for its own port.
	const results = await Promise.all(homes.map(async (home, w) => work(home, mutants(home.port).filter((_, i) => i % WORKERS === w))));
	const refused = results.reduce((sum, r) => sum + r.refused, 0);
	const started = results.reduce((sum, r) => sum + r.started, 0);
	assert.ok(refused >= 100, `most mutants are refused (${refused})`);
	assert.ok(started >= 1, 'a valid mutant really started');
	for (const home of homes) {
		const stop = await home.cli(['server', 'stop']);
		assert.equal(stop.code, 0, show(stop));
	}
});
