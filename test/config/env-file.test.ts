// `env_file` (docs/config.md): dotenv files loaded under `env`, relative to config.yaml; a missing or unusable file is
// a config error at the entry's file:line:col (start and config check alike); no value ever reaches our output.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {makeHome, show, waitFor} from '../helpers.js';

const SECRET = 's3cr3t-value-never-printed';

/** A component that logs the variables it got, then sleeps. */
const PRINTER = ['sh', '-c', 'echo "$(date -u +%Y-%m-%dT%H:%M:%S.000Z) A=$A B=$B C=$C D=$D E=$E PORT=$PORT"; exec sleep 600'];

function config(envFile: string): string {
	return [
		'version: 1',
		'components:',
		'  stigmer-server: {enabled: false}',
		'  workflow-runner: {enabled: false}',
		'  agent-runner: {enabled: false}',
		'  temporal: {enabled: false}',
		'  printer:',
		`    command: ${JSON.stringify(PRINTER)}`,
		`    env_file: ${envFile}`,
		'    port: 45999',
		'    ready: {after: 200ms}',
		'    env: {C: from-env}',
		'',
	].join('\n');
}

test('env_file: dotenv syntax, a list in order, relative to config.yaml; env wins, PORT is stigmer\'s', async (t) => {
	const home = await makeHome(t);
	fs.mkdirSync(path.join(home.dir, 'secrets'));
	fs.writeFileSync(path.join(home.dir, 'secrets', 'one.env'), [
		'# a comment',
		`A=${SECRET}`,
		'export B="double quoted # not a comment"',
		"C='loses to env'",
		'D=one # a trailing comment',
		'PORT=1',
		'',
	].join('\n'), {mode: 0o600});
	fs.writeFileSync(path.join(home.dir, 'two.env'), 'D=two\nE=\n', {mode: 0o600});
	home.writeConfigText(config('[secrets/one.env, two.env]'));
	const started = await home.cli(['server', 'start']);
	assert.equal(started.code, 0, show(started));
	t.after(async () => home.cli(['server', 'stop']));
	const line = await waitFor(() => fs.readFileSync(home.logFile('printer'), 'utf8').split('\n').find((l) => l.includes(' A=')), 'the printer\'s line');
	assert.match(line, new RegExp(` A=${SECRET} B=double quoted # not a comment C=from-env D=two E= PORT=45999$`));
	assert.doesNotMatch(started.stdout + started.stderr, new RegExp(SECRET), 'start prints no value');
	// (The component's own log line holds it, so `logs` and `dash` show it: that is the component printing, not stigmer.)
	for (const args of [['server', 'status', '--json'], ['server', 'status'], ['config', 'check']]) {
		const r = await home.cli(args, {env: {STIGMER_DEBUG: '1'}});
		assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET), `${args.join(' ')} prints no value`);
	}
});

test('env_file: a missing, unreadable or oversized file is a config error at its entry, from start and config check; no value shown', async (t) => {
	const home = await makeHome(t);
	fs.writeFileSync(path.join(home.dir, 'good.env'), `A=${SECRET}\n`, {mode: 0o600});
	fs.mkdirSync(path.join(home.dir, 'a-directory.env'));
	fs.writeFileSync(path.join(home.dir, 'huge.env'), `A=${'x'.repeat(1024 * 1024)}\n`, {mode: 0o600});
	const cases = [
		{entry: '[good.env, missing.env]', problem: `${path.join(home.dir, 'missing.env')} does not exist`, col: 26},
		{entry: 'a-directory.env', problem: 'a-directory.env is not a regular file', col: 15},
		{entry: '[good.env, huge.env]', problem: 'huge.env is larger than 1 MiB', col: 26},
	];
	for (const c of cases) {
		home.writeConfigText(config(c.entry));
		const location = `${home.configFile}:9:${c.col}: components.printer.env_file: `;
		for (const args of [['server', 'start'], ['config', 'check'], ['server', 'run']]) {
			const r = await home.cli(args, {env: {STIGMER_DEBUG: '1'}});
			assert.equal(r.code, 2, `${args.join(' ')} with env_file ${c.entry}: ${show(r)}`);
			assert.ok((r.stdout + r.stderr).includes(location), `${args.join(' ')} names the entry (${location}):\n${show(r)}`);
			assert.ok((r.stdout + r.stderr).includes(c.problem), `${args.join(' ')} says what is wrong (${c.problem}):\n${show(r)}`);
			assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET), 'no value shown');
		}

		assert.deepEqual(home.processes(), {}, 'nothing started');
	}
});

test('env_file is in the JSON Schema (config schema) and refuses a wrong type with the config check message', async (t) => {
	const home = await makeHome(t);
	const schema = await home.cli(['config', 'schema']);
	assert.match(schema.stdout, /"env_file"/);
	home.writeConfigText(config('42'));
	const r = await home.cli(['config', 'check']);
	assert.equal(r.code, 2, show(r));
	assert.match(r.stdout, /:9:15: components\.printer\.env_file: expected a path, or a list of paths, of dotenv files/);
});
