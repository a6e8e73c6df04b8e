// Readiness as a table of probe kinds (docs/architecture.md), a log probe that cannot block the event loop, and
// "this machine" decided by address, not spelling (docs/lifecycle.md).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {ROOT, fixture, makeHome, show, spawnStranger, waitFor} from '../helpers.js';
import {isThisMachine} from '../../source/engine/local-address.js';
import {probeRow} from '../../source/engine/probes.js';
import type {ReadyProbe} from '../../source/config/index.js';
import {compileLinear} from '../../source/linear-regex.js';

const TEST_TIMEOUT_MS = 60_000;

test('this machine by address: every spelling of loopback, the wildcard and our own interfaces; not other hosts', () => {
	const own = Object.values(os.networkInterfaces()).flat().find((a) => a !== undefined && !a.internal)?.address;
	const yes = ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'api.localhost', '[::1]', '::1', '[0:0:0:0:0:0:0:1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:7f12:3456]', '0.0.0.0', '[::]', ...(own === undefined ? [] : [own])];
	const no = ['example.com', '10.255.255.1', '[::ffff:a00:1]', '128.0.0.1', '[2001:db8::1]', '1.2.3.4', 'localhost.example.com'];
	for (const host of yes) {
		assert.equal(isThisMachine(host), true, host);
	}

	for (const host of no) {
		assert.equal(isThisMachine(host), false, host);
	}

	// WHATWG URL normalises hostnames first: the http probe's port is claimed whatever the spelling.
	for (const url of ['http://[::ffff:127.0.0.1]:4000/', 'http://[::ffff:7f00:1]:4000/', 'http://0x7f.1:4000/', 'http://2130706433:4000/']) {
		assert.equal(probeRow({kind: 'http', url}).port({kind: 'http', url}), 4000, url);
	}
});

test('readiness is one table: every kind the schema accepts has its row, and status.ts/readiness.ts list no kinds by hand', () => {
	const probes: ReadyProbe[] = [
		{kind: 'http', url: 'http://127.0.0.1:1/'},
		{kind: 'tcp', port: 1, host: '127.0.0.1'},
		{kind: 'log', pattern: compileLinear('x')},
		{kind: 'exec', argv: ['true']},
		{kind: 'after', ms: 1000},
	];
	for (const probe of probes) {
		const row = probeRow(probe);
		assert.equal(typeof row.describe(probe), 'string');
		assert.equal(typeof row.label(probe), 'string');
		assert.ok(['early', 'late', 'no'].includes(row.status), probe.kind);
		assert.ok(row.intervalMs > 0, probe.kind);
	}

	for (const file of ['status.ts', 'readiness.ts', 'ports.ts']) {
		const text = fs.readFileSync(path.join(ROOT, 'source', 'engine', file), 'utf8');
		assert.doesNotMatch(text, /kind === '(http|tcp|log|exec|after)'|case '(http|tcp|log|exec|after)'/, `${file} decides by the table, not by kind`);
	}

	assert.doesNotMatch(fs.readFileSync(path.join(ROOT, 'source', 'engine', 'readiness.ts'), 'utf8'), /net\.connect|readRange|StringDecoder/, 'the HTTP client and the log reader live in files of their own');
});

test('a catastrophic ready.log pattern cannot block start: ready_timeout fires on time', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {
		evil: {command: ['sh', '-c', 'printf "%s!\\n" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; exec sleep 300'], ready: {log: '^(a+)+$'}, ready_timeout: '2s'},
	}});
	const started = Date.now();
	const r = await home.cli(['server', 'start'], {timeoutMs: 20_000});
	const ms = Date.now() - started;
	assert.equal(r.code, 1, show(r));
	assert.match(r.stderr, /not ready within 2s/, show(r));
	assert.ok(ms < 10_000, `start took ${ms} ms: the pattern blocked the event loop`);
});

test('a stranger on 127.0.0.1 earns no ✓ through http://[::ffff:127.0.0.1]:P/ or [::ffff:7f00:1]', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const port = home.port;
	// A stranger (no marker) answering 200 on 127.0.0.1:port.
	const server = spawnStranger(home, [process.execPath, '-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`]);
	assert.ok(server.pid);
	await waitFor(async () => new Promise<boolean>((resolve) => {
		const socket = net.connect({host: '127.0.0.1', port}, () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => {
			resolve(false);
		});
	}), 'the stranger to listen');
	for (const url of [`http://[::ffff:127.0.0.1]:${port}/`, `http://[::ffff:7f00:1]:${port}/`]) {
		home.writeConfig({builtins: false, components: {web: {command: fixture('sleeper.mjs'), ready: {http: url}, ready_timeout: '3s'}}});
		const r = await home.cli(['server', 'start']);
		assert.equal(r.code, 1, `${url}\n${show(r)}`);
		assert.doesNotMatch(r.stdout, /✓/, url);
		assert.match(r.stdout + r.stderr, new RegExp(`port ${port} is in use by pid ${server.pid}`), `${url}\n${show(r)}`);
	}
});

test('an exec probe that exited is never followed by a group SIGKILL (its number may be reused); one that times out is ended with all it started', async (t) => {
	const {execTry} = await import('../../source/engine/exec-probe.js');
	const {homeAt} = await import('../../source/paths.js');
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-exec-')));
	const started: number[] = [];
	t.after(() => {
		for (const pid of started) {
			try {
				process.kill(pid, 'SIGKILL'); // Only the sleeps this test's probes started.
			} catch {}
		}

		fs.rmSync(dir, {recursive: true, force: true});
	});
	const context = {home: homeAt(dir), component: 'probe', sinceMs: Date.now(), cwd: dir};
	const childOf = async (file: string) => {
		const pid = await waitFor(() => Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '') || undefined, `${file} names the probe's child`, 5000);
		started.push(pid);
		return pid;
	};

	const done = await execTry(['sh', '-c', `sleep 300 & echo $! > ${dir}/done.pid`], context);
	assert.equal(done.ready, true);
	const left = await childOf(path.join(dir, 'done.pid'));
	await new Promise((resolve) => setTimeout(resolve, 300)); // Where a SIGKILL after the exit would have landed by now.
	assert.equal(isAliveNow(left), true, 'the exited probe\'s group was not signalled');

	const slow = await execTry(['sh', '-c', `sleep 300 & echo $! > ${dir}/slow.pid; exec sleep 300`], context, 300);
	assert.equal(slow.ready, false);
	const ended = await childOf(path.join(dir, 'slow.pid'));
	await waitFor(() => !isAliveNow(ended) || undefined, 'the timed-out probe\'s child is ended with its group', 5000);
});

function isAliveNow(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
