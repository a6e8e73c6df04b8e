// docs/cli.md: `stigmer config schema` is the JSON Schema of config.yaml (checked here by an independent validator,
// ajv, as an editor would), and `stigmer config check` reports every problem at once, touching nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {Ajv, type ValidateFunction} from 'ajv';
import {parse} from 'yaml';
import {itemAt, ROOT, runCli, show} from '../helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-config-tools-'));
after(() => fs.rmSync(dir, {recursive: true, force: true}));
let validate: ValidateFunction;

/** The README's example config.yaml (the yaml block of its Configuration section). */
function readmeExample(): string {
	const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Configuration')));
	assert.ok(block, 'README has a yaml example under ## Configuration');
	return itemAt(block, 1);
}

function newHome(name: string, config?: string): string {
	const home = path.join(dir, name);
	fs.mkdirSync(home, {mode: 0o700});
	if (config !== undefined) {
		fs.writeFileSync(path.join(home, 'config.yaml'), config, {mode: 0o600});
	}
	return home;
}

/** Names, sizes, modes and mtimes of everything under a directory: "touching nothing" means this stays equal. */
function snapshot(root: string): string[] {
	return fs.readdirSync(root, {recursive: true, encoding: 'utf8'}).sort().map((name) => {
		const st = fs.statSync(path.join(root, name));
		return `${name} ${st.size} ${st.mode.toString(8)} ${st.mtimeMs}`;
	});
}

before(async () => {
	const r = await runCli(newHome('schema'), ['config', 'schema']);
	assert.equal(r.code, 0, show(r));
	const schema = JSON.parse(r.stdout) as Record<string, unknown>;
	assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#', 'draft-07: what editors support best');
	// Formats (uri) are an editor's hint; ajv without ajv-formats cannot check them, so it skips them.
	validate = new Ajv({allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false}).compile(schema);
});

test('the schema accepts the README example and the leading yaml-language-server line points at the saved schema', () => {
	const example = readmeExample();
	assert.match(example, /^# yaml-language-server: \$schema=config\.schema\.json\n/, 'the example starts with the modeline');
	assert.equal(validate(parse(example)), true, JSON.stringify(validate.errors));
});

test('the schema rejects a typo key, a wrong type and an unknown signal, as config.ts does', async () => {
	const example = parse(readmeExample()) as {components: Record<'stigmer-server' | 'redis', Record<string, unknown>> & Record<string, Record<string, unknown>>};
	const cases: Array<[string, (c: typeof example) => void, RegExp]> = [
		['typo in a component key', (c) => (c.components['stigmer-server']['prot'] = 7234), /additionalProperties.*"prot"/],
		['typo at the top', (c) => Object.assign(c, {componets: {}}), /additionalProperties.*"componets"/],
		['port as text', (c) => (c.components.redis['port'] = 'x'), /"\/components\/redis\/port"/],
		['unknown stop signal', (c) => (c.components.redis['stop_signal'] = 'SIGKILL'), /"\/components\/redis\/stop_signal"/],
		['ready with two probes', (c) => (c.components.redis['ready'] = {tcp: 1, after: '1s'}), /"\/components\/redis\/ready"/],
		['a component name outside the rule', (c) => (c.components['Bad Name'] = {command: ['x']}), /propertyNames/],
	];
	for (const [why, change, expected] of cases) {
		const config = structuredClone(example);
		change(config);
		assert.equal(validate(config), false, `${why}: the schema refuses it`);
		assert.match(JSON.stringify(validate.errors), expected, why);
		// The same mistake is refused by stigmer itself: the schema is not a second, looser copy.
		const home = newHome(`zod-${why.replaceAll(' ', '-')}`, JSON.stringify(config));
		const r = await runCli(home, ['config', 'check']);
		assert.equal(r.code, 2, `${why}: config check refuses it too\n${show(r)}`);
	}
});

test('config check lists every problem at once, file:line:col and key each, exit 2, and touches nothing', async () => {
	const text = [
		'components:', //                                       1   (no version: a version-0 file, not migrated by check)
		'  stigmer-server:', //                                 2
		'    prot: 7234', //                                    3   unknown key
		'  redis:', //                                          4
		'    command: [redis-server]', //                       5
		'    port: 7234', //                                    6   duplicate port (stigmer-server's default)
		'    depends_on: [nope]', //                            7   unknown component
		'    stop_timeout: forever', //                         8   not a duration
		'  web:', //                                            9   no command
		'    port: 99999', //                                   10  out of range
		'  api:', //                                            11
		'    command: [api]', //                                12
		'    depends_on: [worker]', //                          13
		'  worker:', //                                         14
		'    command: [worker]', //                             15
		'    depends_on: [api]', //                             16  cycle
		'',
	].join('\n');
	const home = newHome('check', text);
	const before = snapshot(home);
	const file = path.join(home, 'config.yaml');
	const r = await runCli(home, ['config', 'check']);
	assert.equal(r.code, 2, show(r));
	const lines = r.stdout.trimEnd().split('\n');
	const expected: Array<[number, number, RegExp]> = [
		[3, 5, /unknown key "components\.stigmer-server\.prot"; did you mean "port"\?$/],
		[6, 11, /components\.redis\.port: port 7234 is also used by stigmer-server/],
		[7, 18, /components\.redis\.depends_on: unknown component "nope"/],
		[8, 19, /components\.redis\.stop_timeout: expected a duration/],
		[9, 3, /components\.web: a user component needs a `command`/],
		[10, 11, /components\.web\.port: .*65535/],
		[13, 17, /components\.api\.depends_on: dependency cycle api → worker → api/],
	];
	assert.equal(lines.length, expected.length, show(r));
	for (const [index, [line, col, what]] of expected.entries()) {
		const problem = lines[index] ?? '';
		assert.ok(problem.startsWith(`${file}:${line}:${col}: `), `problem ${index + 1} is at ${line}:${col}: ${problem}`);
		assert.match(problem, what);
	}

	assert.match(r.stderr, /7 problems; nothing was changed/);
	assert.deepEqual(snapshot(home), before, 'no migration, no backup, no cache, no data/');

	// start stops at the first problem, with one line; status goes on from the defaults after one warning line.
	const start = await runCli(home, ['server', 'start']);
	assert.equal(start.code, 2, show(start));
	assert.equal(start.stderr.trimEnd().split('\n').length, 1, show(start));
	const status = await runCli(home, ['server', 'status']);
	assert.notEqual(status.code, 2, show(status));
	assert.match(status.stderr, /^stigmer: warning: [^\n]*:3:5: [^\n]*\n$/, show(status));
});

test('config check names a cwd that start would refuse (missing, a file), at file:line:col; a relative one is the home\'s', async () => {
	const text = [
		'components:', //                                  1
		'  app:', //                                       2
		'    command: [sleep, "300"]', //                  3
		'    cwd: /nonexistent-stigmer-dir', //            4   missing
		'  tool:', //                                      5
		'    command: [sleep, "300"]', //                  6
		'    cwd: config.yaml', //                         7   a file, relative to the home
		'  ok:', //                                        8
		'    command: [sleep, "300"]', //                  9
		'    cwd: .', //                                   10  the home itself
		'',
	].join('\n');
	const home = newHome('cwd', text);
	const file = path.join(home, 'config.yaml');
	const r = await runCli(home, ['config', 'check']);
	assert.equal(r.code, 2, show(r));
	assert.deepEqual(r.stdout.trimEnd().split('\n'), [
		`${file}:4:10: components.app.cwd: /nonexistent-stigmer-dir does not exist; point it at a directory`,
		`${file}:7:10: components.tool.cwd: ${file} is not a directory; point it at a directory`,
	], show(r));
});

test('config check: ok for a valid file (a version-0 one is left as it is), for no file, and YAML errors are listed too', async () => {
	const valid = newHome('valid', 'components:\n  agent-runner:\n    enabled: false\n');
	const before = snapshot(valid);
	const ok = await runCli(valid, ['config', 'check']);
	assert.equal(ok.code, 0, show(ok));
	assert.match(ok.stdout, /config\.yaml: ok \(no `version:`/);
	assert.deepEqual(snapshot(valid), before, 'not migrated');

	const none = newHome('none');
	const empty = await runCli(none, ['config', 'check']);
	assert.equal(empty.code, 0, show(empty));
	assert.match(empty.stdout, /config\.yaml: ok \(no such file/);
	assert.deepEqual(fs.readdirSync(none), []);

	const names = newHome('names', 'version: 1\ncomponents:\n  Bad Name:\n    command: [x]\n  daemon:\n    command: [y]\n  ok:\n    prot: 1\n    command: [z]\n');
	const named = await runCli(names, ['config', 'check']);
	assert.equal(named.code, 2, show(named));
	const lines = named.stdout.trimEnd().split('\n');
	assert.equal(lines.length, 3, `the name rule and the schema, each problem once:\n${show(named)}`);
	const [badName = '', reserved = '', unknownKey = ''] = lines;
	assert.match(badName, /:3:3: components: invalid component name "Bad Name"/);
	assert.match(reserved, /:5:3: components: the name "daemon" is reserved/);
	assert.match(unknownKey, /:8:5: unknown key "components\.ok\.prot"/);

	const broken = newHome('broken', 'version: 1\ncomponents:\n  a: [\n  b: {\n');
	const yamlErrors = await runCli(broken, ['config', 'check']);
	assert.equal(yamlErrors.code, 2, show(yamlErrors));
	assert.match(yamlErrors.stdout, /config\.yaml:\d+:\d+: invalid YAML/);
});

test('version must be a whole number this stigmer knows: -1, 1.5 and "1" are refused at file:line:col (exit 2), by the schema too', async () => {
	for (const [value, bad] of [['-1', true], ['1.5', true], ['"1"', true], ['0', false], ['1', false]] as const) {
		const home = newHome(`version-${value.replaceAll(/\W/g, '_')}`, `version: ${value}\ncomponents:\n  agent-runner: {enabled: false}\n`);
		const r = await runCli(home, ['config', 'check']);
		assert.equal(r.code, bad ? 2 : 0, `version: ${value}\n${show(r)}`);
		if (bad) {
			assert.match(r.stdout, /config\.yaml:1:10: version: expected a config format version: 1, or 0 for the oldest/, show(r));
			const start = await runCli(home, ['server', 'start']);
			assert.equal(start.code, 2, `start refuses it too\n${show(start)}`);
		}

		assert.equal(validate(parse(`version: ${value}\n`)), !bad, `the JSON Schema agrees on version: ${value}`);
	}
});
