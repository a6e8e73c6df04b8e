// What `start` refuses is exactly what `config check` reports, named at file:line:col, before anything is touched:
// an argv+environment the kernel would not exec (E2BIG), a ready.http that is not http(s), a pattern RE2 cannot run
// in linear time, alias bombs and unresolved aliases, a cwd that is not a directory. And names echoed back are safe.
import assert from 'node:assert/strict';
import test from 'node:test';
import {fixture, isAlive, makeHome, show, testConfig, unsafeLeft} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;

/** The test config plus a user component `bad` given as YAML lines (indented under it), after the sleeper. */
function withBad(port: number, lines: string[]): string {
	return `${testConfig(port, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}})}  bad:\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
}

/** Line and column (1-based) of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string): string {
	const index = text.indexOf(needle);
	assert.ok(index >= 0, `${needle} is in the text`);
	const before = text.slice(0, index).split('\n');
	return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

test('check and start refuse alike at file:line:col (E2BIG, file: URL, backreference, aliases, cwd), and a running component is untouched', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}});
	const {started} = await home.start();
	const pid = started.get('sleeper')?.pid;
	assert.ok(pid !== undefined);
	const big = 'x'.repeat(140_000); // Over Linux's MAX_ARG_STRLEN (131072): exec would fail with E2BIG.
	const many = Array.from({length: 30}, (_, i) => `  V${String(i).padStart(2, '0')}: ${'y'.repeat(100_000)}`); // 3 MB in all: over ARG_MAX (2 MiB with an 8 MiB stack).
	const cases: Array<{name: string; text: string; at: string; says: RegExp}> = [
		{name: 'one huge variable', text: withBad(home.port, ['command: [sleep, "1"]', 'env:', `  BIG: ${big}`]), at: big, says: /components\.bad\.env\.BIG: .*E2BIG/},
		{name: 'too much in all', text: withBad(home.port, ['command: [sleep, "1"]', 'env:', ...many]), at: 'y'.repeat(100_000), says: /components\.bad\.env\.V\d+: .*ARG_MAX.*E2BIG/},
		{name: 'a huge argument', text: withBad(home.port, [`command: [sleep, "${big}"]`]), at: `"${big}"`, says: /components\.bad\.command\.1: .*E2BIG/},
		{name: 'file: URL', text: withBad(home.port, ['command: [sleep, "1"]', 'ready: {http: "file:///etc/passwd"}']), at: '"file:', says: /components\.bad\.ready\.http: expected an http: or https: URL/},
		{name: 'backreference', text: withBad(home.port, ['command: [sleep, "1"]', String.raw`ready: {log: '(a)\1'}`]), at: "'(a)", says: /components\.bad\.ready\.log: not a linear-time pattern/},
		{name: 'lookahead', text: withBad(home.port, ['command: [sleep, "1"]', "ready: {log: 'a(?=b)'}"]), at: "'a(?=", says: /components\.bad\.ready\.log: not a linear-time pattern/},
		{name: 'unresolved alias', text: withBad(home.port, ['command: *nowhere']), at: '*nowhere', says: /alias \*nowhere names no anchor/},
		{name: 'alias bomb', text: `${withBad(home.port, ['command: [sleep, "1"]', 'env: &a {A: "1"}'])}x1: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nx2: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nx3: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, at: '*a', says: /aliases expand past 100/},
		{name: 'missing cwd', text: withBad(home.port, ['command: [sleep, "1"]', 'cwd: /nonexistent-stigmer-cwd']), at: '/nonexistent-stigmer-cwd', says: /components\.bad\.cwd: \/nonexistent-stigmer-cwd does not exist/},
	];
	for (const c of cases) {
		home.writeConfigText(c.text);
		const [check, start] = await Promise.all([home.cli(['config', 'check']), home.cli(['server', 'start'])]);
		const at = `${home.configFile}:${where(c.text, c.at)}: `;
		assert.equal(check.code, 2, `${c.name}: config check\n${show(check)}`);
		assert.equal(start.code, 2, `${c.name}: server start\n${show(start)}`);
		assert.ok(check.stdout.split('\n').some((line) => line.startsWith(at) && c.says.test(line)), `${c.name}: config check names ${at}\n${show(check)}`);
		assert.equal(start.stderr.trimEnd().split('\n').length, 1, `${c.name}: one line\n${show(start)}`);
		assert.ok(start.stderr.startsWith(`stigmer: ${at}`) && c.says.test(start.stderr), `${c.name}: server start names ${at}\n${show(start)}`);
		assert.equal(start.stdout, '', `${c.name}: nothing was stopped or started`);
		assert.ok(isAlive(pid), `${c.name}: the running sleeper is untouched`);
	}
});

test('a name echoed back from argv is shown as text, never run by the terminal', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	for (const args of [['server', 'start', '\u001B]0;pwn\u0007'], ['server', 'stop', '\u001B[2J'], ['server', 'logs', '-c', '\u001B]52;c;cHdu\u0007', '--no-follow']]) {
		const r = await home.cli(args);
		assert.equal(r.code, 2, show(r));
		assert.deepEqual(unsafeLeft(r.stderr), [], `no raw escape on stderr: ${JSON.stringify(r.stderr)}`);
		assert.match(r.stderr, /\\x1b/, 'the escape is shown as \\x1b');
	}
});
