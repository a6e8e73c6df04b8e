// The built-in stack programs (docs/config.md), run as real processes through the built binary.
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import net from 'node:net';
import {after, describe, it} from 'node:test';
import {Broker, QueueFullError, type BrokerEvent} from '../../source/builtins/broker.js';
import {goLogLine, pythonLogLine, zerologLine} from '../../source/builtins/log-styles.js';
import {CLI, freePort, itemAt, logsHome, waitFor} from '../helpers.js';

/** Bound on every wait for a condition; generous for a loaded CI machine, small against a hang. */
const WAIT_MS = 8000;
/** The contract: every program exits within one second of SIGTERM. */
const EXIT_BUDGET_MS = 1000;

const GO_LINE = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \S/;
const PY_LINE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (INFO|WARNING|ERROR) agent_runner: \S/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Proc = {child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null>};
const started: ChildProcess[] = [];

after(() => {
	for (const child of started) {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGKILL');
		}
	}
});

/** A home for one program (its STIGMER_HOME), removed when the suite ends. */
const tempHome = (): string => logsHome('stigmer-builtins-').home;

function launch(verb: string, env: Record<string, string>): Proc {
	const child = spawn(process.execPath, [CLI, verb], {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	started.push(child);
	let out = '';
	let err = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		out += chunk.toString('utf8');
	});
	child.stderr!.on('data', (chunk: Buffer) => {
		err += chunk.toString('utf8');
	});
	// 'close' (not 'exit') so every byte the program wrote has been read.
	const exited = new Promise<number | null>(resolve => {
		child.on('close', code => {
			resolve(code);
		});
	});
	return {child, out: () => out, err: () => err, exited};
}

function startServer(home: string, port: number): Proc {
	return launch('internal-server', {STIGMER_HOME: home, STIGMER_COMPONENT: 'stigmer-server', PORT: String(port)});
}

/** A server on a free port of its own, answering /healthz. */
async function runningServer(home: string): Promise<{port: number; server: Proc}> {
	const port = await freePort();
	const server = startServer(home, port);
	await waitFor(async () => (await get(port, '/healthz')).status === 200, '/healthz to answer 200');
	return {port, server};
}

function startRunner(kind: 'workflow-runner' | 'agent-runner', home: string, port: number): Proc {
	return launch(`internal-${kind}`, {STIGMER_HOME: home, STIGMER_COMPONENT: kind, STIGMER_SERVER_URL: `http://127.0.0.1:${port}`});
}

async function get(port: number, pathname: string): Promise<{status: number; body: string}> {
	try {
		const response = await fetch(`http://127.0.0.1:${port}${pathname}`);
		return {status: response.status, body: await response.text()};
	} catch {
		return {status: 0, body: ''};
	}
}

async function post(port: number, pathname: string, body: string): Promise<{status: number; body: string}> {
	const response = await fetch(`http://127.0.0.1:${port}${pathname}`, {method: 'POST', body, headers: {'content-type': 'application/json'}});
	return {status: response.status, body: await response.text()};
}

/** SIGTERM a program and return how long it took to exit, and its code. */
async function terminate(proc: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ms: number; code: number | null}> {
	const begin = performance.now();
	proc.child.kill(signal);
	const timeout = new Promise<'timeout'>(resolve => {
		setTimeout(resolve, WAIT_MS, 'timeout').unref();
	});
	const code = await Promise.race([proc.exited, timeout]);
	assert.notEqual(code, 'timeout', `pid ${proc.child.pid} did not exit within ${WAIT_MS}ms of ${signal}`);
	return {ms: performance.now() - begin, code: code as number | null};
}

const lines = (text: string): string[] => text.split('\n').filter(line => line !== '');

/** A local "YYYY?MM?DD HH:MM:SS" stamp as epoch ms, to prove a log time is real (near now). */
function localStamp(line: string): number {
	const [y, mo, d, h, mi, s] = line.match(/^(\d{4})\D(\d{2})\D(\d{2}) (\d{2}):(\d{2}):(\d{2})/)!.slice(1).map(Number);
	return new Date(y!, mo! - 1, d!, h, mi, s).getTime();
}

function assertNear(ms: number, what: string): void {
	assert.ok(Math.abs(Date.now() - ms) < 120_000, `${what}: timestamp ${new Date(ms).toISOString()} is not near now`);
}

describe('log formats (pure)', () => {
	const at = new Date(2026, 10, 26, 3, 47, 41, 123).getTime() + 0.456;
	const cases = [
		{name: 'Go log, local time, microseconds', line: goLogLine(at, 'polling'), expected: '2026/11/26 03:47:41.123456 polling'},
		{name: 'Python logging INFO', line: pythonLogLine(at, 'info', 'agent_runner', 'hi'), expected: '2026-11-26 03:47:41,123 INFO agent_runner: hi'},
		{name: 'Python logging WARNING', line: pythonLogLine(at, 'warn', 'agent_runner', 'x'), expected: '2026-11-26 03:47:41,123 WARNING agent_runner: x'},
		{name: 'newlines stay on one line', line: goLogLine(at, 'a\nb'), expected: '2026/11/26 03:47:41.123456 a\\nb'},
	];
	for (const {name, line, expected} of cases) {
		it(name, () => {
			assert.equal(line, expected);
		});
	}

	it('zerolog JSON: level, time (UTC ms), fields, message; fields cannot override the core keys', () => {
		const utc = Date.UTC(2026, 10, 26, 3, 47, 41, 123);
		assert.equal(
			zerologLine(utc, 'info', 'listening', {addr: '127.0.0.1:7234', level: 'bogus'}),
			'{"level":"info","time":"2026-11-26T03:47:41.123Z","addr":"127.0.0.1:7234","message":"listening"}',
		);
	});
});

describe('broker (in memory)', () => {
	const quiet = (events: BrokerEvent[] = []) => new Broker({graceMs: 60, maxQueued: 2, onEvent: event => events.push(event)});

	it('holds a poll, then answers empty; the poller stays registered for the grace, then expires', async () => {
		const events: BrokerEvent[] = [];
		const broker = quiet(events);
		const polling = broker.poll('q', {pid: 42, component: 'c'}, 40, new AbortController().signal);
		assert.deepEqual(broker.pollers('q').map(p => [p.queue, p.pid, p.component]), [['q', 42, 'c']]);
		assert.match(itemAt(broker.pollers(), 0).since, ISO_MS);
		assert.equal(await polling, undefined);
		assert.equal(broker.pollers('q').length, 1, 'still registered within the grace');
		await waitFor(() => broker.pollers('q').length === 0, 'the poller to expire', 2000);
		assert.deepEqual(events.map(e => e.kind), ['poller-registered', 'poller-expired']);
		broker.close();
	});

	it('a new poll within the grace keeps the same registration (no flapping)', async () => {
		const events: BrokerEvent[] = [];
		const broker = quiet(events);
		await broker.poll('q', {pid: 1, component: 'c'}, 10, new AbortController().signal);
		const since = itemAt(broker.pollers('q'), 0).since;
		await broker.poll('q', {pid: 1, component: 'c'}, 10, new AbortController().signal);
		assert.equal(broker.pollers('q')[0]?.since, since);
		assert.equal(events.filter(e => e.kind === 'poller-registered').length, 1);
		broker.close();
	});

	it('delivers a queued task at once, and a later task to the waiting poller, in order', async () => {
		const broker = quiet();
		broker.enqueue('q', {n: 1});
		const first = await broker.poll('q', {pid: 1, component: 'c'}, 1000, new AbortController().signal);
		assert.deepEqual(first?.task, {n: 1});
		const waiting = broker.poll('q', {pid: 1, component: 'c'}, 1000, new AbortController().signal);
		const second = broker.enqueue('q', {n: 2});
		assert.equal((await waiting)?.id, second.id);
		assert.equal(broker.pollers('other').length, 0);
		broker.close();
	});

	it('an aborted poll answers empty, takes no task and unregisters at once; a full queue refuses', async () => {
		const broker = quiet();
		const gone = new AbortController();
		const polling = broker.poll('q', {pid: 1, component: 'c'}, 1000, gone.signal);
		gone.abort();
		assert.equal(await polling, undefined);
		assert.equal(broker.pollers('q').length, 0, 'a poller whose client went away is dropped at once, without the grace');
		broker.enqueue('q', {n: 1});
		broker.enqueue('q', {n: 2});
		assert.throws(() => broker.enqueue('q', {n: 3}), QueueFullError);
		broker.close();
	});
});

describe('internal-server', () => {
	it('answers /healthz and the poller registry, logs zerolog JSON on stderr, exits 0 within 1 s of SIGTERM', async () => {
		const {port, server} = await runningServer(tempHome());
		assert.deepEqual(JSON.parse((await get(port, '/healthz')).body), {status: 'ok', pid: server.child.pid}, '/healthz names the pid that answers (docs/lifecycle.md#start)');
		assert.deepEqual(await get(port, '/v1/pollers'), {status: 200, body: '[]'});
		assert.equal((await get(port, '/v1/pollers/workflow-runner')).status, 404);
		assert.equal((await get(port, '/nope')).status, 404);
		assert.equal((await get(port, '/v1/queues/q/poll')).status, 400, 'a poll without pid/component is refused');
		const queued = await post(port, '/v1/queues/q/tasks', '{"hello":"world"}');
		assert.equal(queued.status, 202);
		assert.equal((await post(port, '/v1/queues/q/tasks', '{not json')).status, 400);

		const {ms, code} = await terminate(server);
		assert.equal(code, 0);
		assert.ok(ms < EXIT_BUDGET_MS, `exit took ${Math.round(ms)}ms`);
		assert.equal(server.out(), '', 'the server logs on stderr only');
		const records = lines(server.err()).map(line => JSON.parse(line) as {level: string; time: string; message: string});
		for (const record of records) {
			assert.match(record.level, /^(debug|info|warn|error)$/);
			assert.match(record.time, ISO_MS);
			assertNear(Date.parse(record.time), 'server log');
			assert.equal(Object.keys(record)[0], 'level');
			assert.equal(Object.keys(record).at(-1), 'message');
		}

		const messages = records.map(r => r.message);
		assert.equal(messages[0], 'listening');
		assert.ok(messages.includes('task enqueued'));
		assert.ok(messages.some(m => m.startsWith('shutting down')));
	});

	it('refuses a port in use: a clear error line, exit 1', async () => {
		const holder = net.createServer();
		await new Promise<void>(resolve => {
			holder.listen(0, '127.0.0.1', resolve);
		});
		try {
			const {port} = holder.address() as net.AddressInfo;
			const server = startServer(tempHome(), port);
			const code = await Promise.race([server.exited, new Promise(resolve => setTimeout(resolve, WAIT_MS, 'timeout').unref())]);
			assert.equal(code, 1);
			const [line] = lines(server.err());
			const record = JSON.parse(line!) as {level: string; message: string};
			assert.equal(record.level, 'error');
			assert.match(record.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
		} finally {
			holder.close();
		}
	});

	it('exits 0 on SIGINT too', async () => {
		const {server} = await runningServer(tempHome());
		const {ms, code} = await terminate(server, 'SIGINT');
		assert.equal(code, 0);
		assert.ok(ms < EXIT_BUDGET_MS, `exit took ${Math.round(ms)}ms`);
	});
});

describe('runners', () => {
	it('register, receive tasks, survive a server restart, log in their formats, exit 0 within 1 s of SIGTERM', async () => {
		const home = tempHome();
		const running = await runningServer(home);
		const {port} = running;
		let {server} = running;
		const workflow = startRunner('workflow-runner', home, port);
		const agent = startRunner('agent-runner', home, port);
		for (const queue of ['workflow-runner', 'agent-runner']) {
			await waitFor(async () => (await get(port, `/v1/pollers/${queue}`)).status === 200, `${queue} to register`);
		}

		const registry = JSON.parse((await get(port, '/v1/pollers')).body) as Array<{queue: string; pid: number; component: string; since: string}>;
		assert.deepEqual(
			registry.map(p => [p.queue, p.pid, p.component]).sort(),
			[['agent-runner', agent.child.pid, 'agent-runner'], ['workflow-runner', workflow.child.pid, 'workflow-runner']].sort(),
		);
		assert.ok(registry.every(p => ISO_MS.test(p.since)));
		assert.equal((await get(port, `/v1/pollers/agent-runner?pid=${agent.child.pid}`)).status, 200);
		assert.equal((await get(port, `/v1/pollers/agent-runner?pid=${workflow.child.pid}`)).status, 404);

		assert.equal((await post(port, '/v1/queues/workflow-runner/tasks', '{"workflow":"wf-7"}')).status, 202);
		assert.equal((await post(port, '/v1/queues/agent-runner/tasks', '{"agent":"ag-9"}')).status, 202);
		await waitFor(() => workflow.out().includes('{"workflow":"wf-7"}'), 'the workflow runner to log its task');
		await waitFor(() => agent.out().includes('{"agent":"ag-9"}'), 'the agent runner to log its task');

		// The server dies hard and comes back on the same port: the runners find it by themselves.
		server.child.kill('SIGKILL');
		await server.exited;
		await waitFor(() => agent.err().includes('lost connection'), 'the agent runner to notice');
		server = startServer(home, port);
		for (const queue of ['workflow-runner', 'agent-runner']) {
			await waitFor(async () => (await get(port, `/v1/pollers/${queue}`)).status === 200, `${queue} to re-register`);
		}

		await waitFor(() => workflow.out().includes('reconnected') && agent.out().includes('reconnected'), 'the runners to log the reconnection');

		for (const runner of [workflow, agent]) {
			const {ms, code} = await terminate(runner);
			assert.equal(code, 0);
			assert.ok(ms < EXIT_BUDGET_MS, `runner exit took ${Math.round(ms)}ms`);
		}

		const {ms, code} = await terminate(server);
		assert.equal(code, 0);
		assert.ok(ms < EXIT_BUDGET_MS, `server exit took ${Math.round(ms)}ms`);

		// Go `log` style, all on stdout.
		assert.equal(workflow.err(), '');
		const goLines = lines(workflow.out());
		for (const line of goLines) {
			assert.match(line, GO_LINE);
			assertNear(localStamp(line), 'workflow-runner log');
		}

		assert.match(itemAt(goLines, 1), new RegExp(`polling workflow-runner queue at http://127\\.0\\.0\\.1:${port}$`));
		assert.ok(goLines.some(line => line.includes('lost connection to server')));
		assert.match(goLines.at(-2)!, /shutting down \(received SIGTERM\)$/);

		// Python `logging` style: INFO on stdout, WARNING and ERROR on stderr.
		for (const line of lines(agent.out())) {
			assert.match(line, PY_LINE);
			assert.equal(PY_LINE.exec(line)![2], 'INFO');
			assertNear(localStamp(line), 'agent-runner log');
		}

		const errLines = lines(agent.err());
		assert.ok(errLines.length > 0);
		for (const line of errLines) {
			assert.match(line, PY_LINE);
			assert.match(PY_LINE.exec(line)?.[2] ?? '', /^(WARNING|ERROR)$/);
		}
	});

	it('a runner killed mid-poll leaves the registry at once, not after the grace', async () => {
		const home = tempHome();
		const {port, server} = await runningServer(home);
		const workflow = startRunner('workflow-runner', home, port);
		await waitFor(async () => (await get(port, '/v1/pollers/workflow-runner')).status === 200, 'the runner to register');
		workflow.child.kill('SIGKILL');
		await workflow.exited;
		// Well under POLLER_GRACE_MS (3 s): the dropped connection is what unregisters it.
		await waitFor(async () => (await get(port, '/v1/pollers/workflow-runner')).status === 404, 'the runner to leave the registry', 1500);
		await waitFor(() => server.err().includes('"message":"poller expired"'), 'the server to log it');
		assert.equal((await terminate(server)).code, 0);
	});

	it('keeps retrying while no server is there, and still exits 0 within 1 s of SIGTERM', async () => {
		const port = await freePort();
		const workflow = startRunner('workflow-runner', tempHome(), port);
		const agent = startRunner('agent-runner', tempHome(), port);
		await waitFor(() => (workflow.out().match(/unreachable|not reachable/g) ?? []).length >= 2 && lines(agent.err()).length >= 2, 'two failed polls each');
		const [first = '', second = ''] = lines(agent.err());
		assert.match(first, /WARNING agent_runner: server not reachable yet at .*ECONNREFUSED.*retrying in 100ms$/);
		assert.match(second, /ERROR agent_runner: server still unreachable after 2 attempts .*retrying in 200ms$/);
		for (const runner of [workflow, agent]) {
			const {ms, code} = await terminate(runner);
			assert.equal(code, 0);
			assert.ok(ms < EXIT_BUDGET_MS, `runner exit took ${Math.round(ms)}ms`);
		}
	});

	it('refuses a malformed STIGMER_SERVER_URL with exit 2', async () => {
		const runner = launch('internal-workflow-runner', {STIGMER_HOME: tempHome(), STIGMER_SERVER_URL: 'ftp://nowhere'});
		assert.equal(await runner.exited, 2);
		assert.match(runner.out(), /STIGMER_SERVER_URL is "ftp:\/\/nowhere"; expected an http:\/\/ URL/);
	});
});
