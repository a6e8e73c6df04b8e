// The shared body of the built-in runners: long-poll a queue at the server, run what arrives,
// and reconnect by itself when the server goes away (docs/config.md). Only node: builtins, for fast startup.
import http from 'node:http';
import {EXIT, type ExitCode} from '../errors.js';
import {MARKER} from '../markers.js';
import {shutdownSignal, sleep} from './shutdown.js';

/** Where the runners find the server when the engine does not say (the default server port). */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:7234';
/** First retry delay after a failed poll: quick, so a restarted server is picked up at once. */
export const BACKOFF_START_MS = 100;
/** Longest retry delay: a server that comes back is found within about a second. */
export const BACKOFF_CAP_MS = 1000;
/** A poll the server has not answered after this long is treated as lost (the server holds ~20 s). */
export const POLL_TIMEOUT_MS = 30_000;
/** Once retries reach the cap, repeat the "still unreachable" line only this often: a long outage must not flood the log. */
export const OUTAGE_LOG_EVERY_MS = 30_000;
/** Largest task body we accept from the server. */
export const MAX_TASK_BYTES = 1024 * 1024;

/** How a runner writes its log: the program chooses the format and the streams. */
export type RunnerLog = {
	info: (message: string) => void;
	warn: (message: string) => void;
	error: (message: string) => void;
};

/** One poll's outcome. */
export type PollOutcome = {kind: 'task'; body: string} | {kind: 'empty'} | {kind: 'refused'; status: number; body: string};

/** One long-poll GET; calls onConnect when the TCP connection is up (the server is reachable). */
export async function pollOnce(url: URL, signal: AbortSignal, onConnect: () => void): Promise<PollOutcome> {
	return new Promise<PollOutcome>((resolve, reject) => {
		// A fresh connection per poll: a kept-alive socket to a restarted server would fail once more.
		const request = http.request(url, {method: 'GET', agent: false, signal, headers: {accept: 'application/json'}});
		request.setTimeout(POLL_TIMEOUT_MS, () => {
			request.destroy(new Error(`the server did not answer within ${POLL_TIMEOUT_MS}ms`));
		});
		request.on('socket', socket => {
			socket.once('connect', onConnect);
		});
		request.on('error', reject);
		request.on('response', response => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_TASK_BYTES) {
					request.destroy(new Error(`the server sent more than ${MAX_TASK_BYTES} bytes for one task`));
					return;
				}

				chunks.push(chunk);
			});
			response.on('error', reject);
			response.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				const status = response.statusCode ?? 0;
				resolve(status === 200 ? {kind: 'task', body} : status === 204 ? {kind: 'empty'} : {kind: 'refused', status, body});
			});
		});
		request.end();
	});
}

/** Short text for a failed request: the error code says more than Node's long message. */
function describe(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as NodeJS.ErrnoException).code;
		return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
	}

	return String(error);
}

/** Log a task and "execute" it: the stand-in has no work to do beyond saying what it got. */
function execute(body: string, queue: string, log: RunnerLog): void {
	const started = performance.now();
	let id = '?';
	let payload = body;
	try {
		const parsed = JSON.parse(body) as {id?: unknown; task?: unknown};
		id = String(parsed.id ?? '?');
		payload = JSON.stringify(parsed.task ?? parsed);
	} catch {
		log.warn(`task on ${queue} queue is not JSON; running it as text`);
	}

	log.info(`executing task ${id} from ${queue} queue: ${payload}`);
	log.info(`task ${id} completed in ${Math.round(performance.now() - started)}ms`);
}

/** Poll `queue` until `signal` aborts; logs connection loss and recovery. Never throws. */
export async function pollLoop(serverUrl: URL, queue: string, component: string, log: RunnerLog, signal: AbortSignal): Promise<void> {
	const url = new URL(`/v1/queues/${encodeURIComponent(queue)}/poll`, serverUrl);
	url.searchParams.set('pid', String(process.pid));
	url.searchParams.set('component', component);
	let backoff = BACKOFF_START_MS;
	// 'connecting' until the first connection, so a slow server at startup is not called "lost".
	let link: 'connecting' | 'up' | 'down' = 'connecting';
	let wasUp = false;
	let failures = 0;
	let lastReport = 0;
	log.info(`polling ${queue} queue at ${serverUrl.origin}`);
	while (!signal.aborted) {
		try {
			const outcome = await pollOnce(url, signal, () => {
				if (link === 'down') {
					log.info(`${wasUp ? 'reconnected' : 'connected'} to server; polling ${queue} queue at ${serverUrl.origin}`);
				}

				wasUp = true;
				link = 'up';
			});
			backoff = BACKOFF_START_MS;
			if (outcome.kind === 'task') {
				execute(outcome.body, queue, log);
			} else if (outcome.kind === 'refused') {
				log.error(`server refused the poll with HTTP ${outcome.status}: ${outcome.body.trim()}; retrying in ${BACKOFF_CAP_MS}ms`);
				await sleep(BACKOFF_CAP_MS, signal);
			}
		} catch (error: unknown) {
			if (signal.aborted) {
				break;
			}

			failures = link === 'down' ? failures + 1 : 1;
			if (link !== 'down' || backoff < BACKOFF_CAP_MS || Date.now() - lastReport >= OUTAGE_LOG_EVERY_MS) {
				const what = {connecting: 'server not reachable yet', up: 'lost connection to server', down: `server still unreachable after ${failures} attempts`}[link];
				(link === 'down' ? log.error : log.warn)(`${what} at ${serverUrl.origin} (${describe(error)}); retrying in ${backoff}ms`);
				lastReport = Date.now();
			}

			link = 'down';
			await sleep(backoff, signal);
			backoff = Math.min(backoff * 2, BACKOFF_CAP_MS);
		}
	}
}

/** Validate STIGMER_SERVER_URL once, at the boundary. */
export function serverUrlFrom(env: NodeJS.ProcessEnv): URL | string {
	const raw = env['STIGMER_SERVER_URL'] || DEFAULT_SERVER_URL;
	try {
		const url = new URL(raw);
		if (url.protocol === 'http:') {
			return url;
		}
	} catch {
		// Reported below with the expected form.
	}

	return `STIGMER_SERVER_URL is "${raw}"; expected an http:// URL such as ${DEFAULT_SERVER_URL}`;
}

/** Run a built-in runner for `queue` until SIGTERM/SIGINT; returns its exit code. */
export async function runRunner(queue: string, argv: string[], log: RunnerLog): Promise<ExitCode> {
	if (argv.length > 0) {
		log.error(`internal-${queue} takes no arguments (got ${argv.join(' ')}); it is started by \`stigmer server start\``);
		return EXIT.usage;
	}

	const signal = shutdownSignal(log.info);
	const serverUrl = serverUrlFrom(process.env);
	if (typeof serverUrl === 'string') {
		log.error(serverUrl);
		return EXIT.usage;
	}

	const component = process.env[MARKER.component] || queue;
	log.info(`${component} starting (pid ${process.pid})`);
	await pollLoop(serverUrl, queue, component, log, signal);
	log.info(`${component} stopped`);
	return EXIT.ok;
}
