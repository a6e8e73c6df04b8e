// `stigmer internal-server`: the built-in stigmer-server (docs/config.md). HTTP on 127.0.0.1:PORT with
// `/healthz`, the poller registry and long-poll task queues; zerolog-style JSON logs on stderr.
import http from 'node:http';
import {EXIT, type ExitCode} from '../errors.js';
import {Broker, QueueFullError, type BrokerEvent, type Task} from './broker.js';
import {preciseNow, writeLine, zerologLine, type Fields, type Level} from './log-styles.js';
import {shutdownSignal} from './shutdown.js';

/** The server's port when the engine does not pass PORT (docs/config.md default). */
export const DEFAULT_PORT = 7234;
/** Loopback only: the stack is a local developer stack, never exposed on the network. */
export const HOST = '127.0.0.1';
/** How long a poll is held open without a task before answering 204; the runner polls again at once. */
export const POLL_HOLD_MS = 20_000;
/**
 * A poller stays registered this long after a poll ends, so the gap between polls never flaps
 * readiness. A poller whose connection drops mid-poll (killed, stopping) is dropped at once.
 */
export const POLLER_GRACE_MS = 3000;
/** Most tasks waiting per queue. */
export const MAX_QUEUED = 10_000;
/** Largest task body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Queue names: what fits in a URL segment and a log line. */
const QUEUE_NAME = /^[\w.-]{1,100}$/;

function log(level: Level, message: string, fields?: Fields): void {
	writeLine(process.stderr, zerologLine(preciseNow(), level, message, fields));
}

function logEvent(event: BrokerEvent): void {
	switch (event.kind) {
		case 'poller-registered':
		case 'poller-expired': {
			const {queue, pid, component} = event.poller;
			log('info', event.kind === 'poller-registered' ? 'poller registered' : 'poller expired', {queue, pid, component});
			break;
		}

		case 'task-enqueued': {
			log('info', 'task enqueued', {queue: event.task.queue, task_id: event.task.id, waiting_pollers: event.waiting});
			break;
		}

		case 'task-delivered': {
			log('info', 'task delivered', {queue: event.task.queue, task_id: event.task.id, pid: event.pid});
			break;
		}
	}
}

function send(response: http.ServerResponse, status: number, body?: unknown): void {
	if (response.destroyed || response.writableEnded) {
		return;
	}

	if (body === undefined) {
		response.writeHead(status).end();
		return;
	}

	const text = JSON.stringify(body);
	response.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)}).end(text);
}

/** Answer a client mistake with 4xx and say what was expected; logged, since it is worth seeing. */
function refuse(request: http.IncomingMessage, response: http.ServerResponse, status: number, error: string): void {
	log('warn', 'request refused', {method: request.method ?? '', path: request.url ?? '', status, error});
	send(response, status, {error});
}

async function readBody(request: http.IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY_BYTES) {
			throw new RangeError(`task body is larger than ${MAX_BODY_BYTES} bytes`);
		}

		chunks.push(chunk as Buffer);
	}

	return Buffer.concat(chunks).toString('utf8');
}

async function handlePoll(broker: Broker, queue: string, url: URL, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
	const pid = Number(url.searchParams.get('pid'));
	const component = url.searchParams.get('component') ?? '';
	if (!Number.isSafeInteger(pid) || pid <= 0 || component === '') {
		refuse(request, response, 400, 'poll needs ?pid=<positive integer>&component=<name>, e.g. /v1/queues/workflow-runner/poll?pid=4133&component=workflow-runner');
		return;
	}

	const gone = new AbortController();
	response.on('close', () => {
		gone.abort();
	});
	const task: Task | undefined = await broker.poll(queue, {pid, component}, POLL_HOLD_MS, gone.signal);
	if (task && (response.destroyed || response.writableEnded)) {
		broker.requeue(task);
		return;
	}

	if (task) {
		send(response, 200, task);
	} else {
		send(response, 204);
	}
}

async function handleEnqueue(broker: Broker, queue: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
	let body: unknown;
	try {
		body = JSON.parse(await readBody(request));
	} catch (error: unknown) {
		refuse(request, response, error instanceof RangeError ? 413 : 400, `the task must be a JSON document of at most ${MAX_BODY_BYTES} bytes (${error instanceof Error ? error.message : String(error)})`);
		return;
	}

	try {
		const task = broker.enqueue(queue, body);
		send(response, 202, {id: task.id, queue: task.queue, enqueuedAt: task.enqueuedAt});
	} catch (error: unknown) {
		if (!(error instanceof QueueFullError)) {
			throw error;
		}

		refuse(request, response, 503, `${error.message}; start a runner for it or retry later`);
	}
}

/** Route one request. Paths: /healthz, /v1/pollers[/<queue>][?pid=N], /v1/queues/<queue>/poll|tasks. */
async function route(broker: Broker, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
	const url = new URL(request.url ?? '/', 'http://localhost');
	const parts = url.pathname.split('/').filter(Boolean).map(part => decodeURIComponent(part));
	const method = request.method ?? 'GET';
	const allow = (expected: string): boolean => {
		if (method === expected) {
			return true;
		}

		response.setHeader('allow', expected);
		refuse(request, response, 405, `${url.pathname} accepts ${expected}, not ${method}`);
		return false;
	};

	const [first, second, queue, action] = parts;
	if (parts.length === 1 && first === 'healthz') {
		if (allow('GET')) {
			// The pid lets `start` prove the answer came from the server it just started, not another home's (docs/lifecycle.md#start).
			send(response, 200, {status: 'ok', pid: process.pid});
		}
	} else if (first === 'v1' && second === 'pollers' && parts.length <= 3) {
		if (allow('GET')) {
			// `?pid=N` lets a readiness probe ask for the process it just started, not a predecessor.
			const pid = url.searchParams.has('pid') ? Number(url.searchParams.get('pid')) : undefined;
			const pollers = broker.pollers(queue, pid);
			if (queue !== undefined && pollers.length === 0) {
				send(response, 404, {error: `no poller${pid === undefined ? '' : ` with pid ${pid}`} is polling queue ${queue}`});
			} else {
				send(response, 200, pollers);
			}
		}
	} else if (first === 'v1' && second === 'queues' && parts.length === 4 && queue !== undefined && (action === 'poll' || action === 'tasks')) {
		if (!QUEUE_NAME.test(queue)) {
			refuse(request, response, 400, `queue name "${queue}" must be 1-100 letters, digits, '.', '_' or '-'`);
		} else if (action === 'poll' && allow('GET')) {
			await handlePoll(broker, queue, url, request, response);
		} else if (action === 'tasks' && allow('POST')) {
			await handleEnqueue(broker, queue, request, response);
		}
	} else {
		refuse(request, response, 404, `no such endpoint ${method} ${url.pathname}; try /healthz, /v1/pollers, /v1/queues/<queue>/poll or /v1/queues/<queue>/tasks`);
	}
}

/** PORT from the environment, validated once. */
export function portFrom(env: NodeJS.ProcessEnv): number | string {
	const raw = env['PORT'];
	if (raw === undefined || raw === '') {
		return DEFAULT_PORT;
	}

	const port = Number(raw);
	return /^\d+$/.test(raw) && port <= 65_535 ? port : `PORT is "${raw}"; expected a TCP port number from 0 to 65535 (stigmer passes the component's configured port)`;
}

async function listen(server: http.Server, port: number): Promise<NodeJS.ErrnoException | undefined> {
	return new Promise(resolve => {
		const onError = (error: NodeJS.ErrnoException): void => {
			resolve(error);
		};

		server.once('error', onError);
		server.listen(port, HOST, () => {
			server.off('error', onError);
			resolve(undefined);
		});
	});
}

/** Entry for the hidden verb: serve until SIGTERM/SIGINT; exit 1 if the port cannot be bound. */
export async function run(argv: string[]): Promise<ExitCode> {
	if (argv.length > 0) {
		log('error', `internal-server takes no arguments (got ${argv.join(' ')}); it is started by \`stigmer server start\` and reads PORT from the environment`);
		return EXIT.usage;
	}

	const signal = shutdownSignal(message => {
		log('info', message);
	});
	const port = portFrom(process.env);
	if (typeof port === 'string') {
		log('error', port);
		return EXIT.usage;
	}

	const broker = new Broker({graceMs: POLLER_GRACE_MS, maxQueued: MAX_QUEUED, onEvent: logEvent});
	const server = http.createServer((request, response) => {
		route(broker, request, response).catch((error: unknown) => {
			log('error', 'request failed', {path: request.url ?? '', error: error instanceof Error ? error.message : String(error)});
			send(response, 500, {error: 'internal error; see the stigmer-server log'});
		});
	});
	const failed = await listen(server, port);
	if (failed) {
		const why = failed.code === 'EADDRINUSE'
			? `port ${port} on ${HOST} is already in use; stop the process holding it, or set another port for stigmer-server in config.yaml`
			: `cannot listen on ${HOST}:${port} (${failed.code ?? failed.message}); choose another port for stigmer-server in config.yaml`;
		log('error', why, {port});
		return EXIT.failure;
	}

	const address = server.address();
	const bound = typeof address === 'object' && address ? address.port : port;
	log('info', 'listening', {addr: `${HOST}:${bound}`, pid: process.pid});
	if (!signal.aborted) {
		await new Promise(resolve => {
			signal.addEventListener('abort', resolve, {once: true});
		});
	}

	const closed = new Promise(resolve => {
		server.close(resolve);
	});
	broker.close();
	server.closeAllConnections();
	await closed;
	log('info', 'server stopped');
	return EXIT.ok;
}
