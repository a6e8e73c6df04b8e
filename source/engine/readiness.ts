// Readiness probes (SPEC 3): http 200, tcp accepts, a log line matches, or a fixed delay.
import fs from 'node:fs';
import net from 'node:net';
import type {ComponentSpec, ReadyProbe} from '../config.js';
import {formatDuration} from '../duration.js';
import type {Home} from '../paths.js';
import type {Spawned} from './spawn.js';

/** Between probe attempts: readiness latency is what `start` costs the user. */
const PROBE_INTERVAL_MS = 20;
/** One attempt's own limit, so a hung port cannot eat the whole ready_timeout in one go. */
const ATTEMPT_TIMEOUT_MS = 500;

export type Readiness = {ok: true; ms: number} | {ok: false; reason: string};

/** One attempt of a probe; for `log` the caller passes the offsets to read from. */
export async function probeOnce(probe: ReadyProbe, context: {sinceMs: number; home: Home; component: string; offsets?: [number, number]}): Promise<boolean> {
	switch (probe.kind) {
		case 'http': {
			return httpOk(probe.url);
		}

		case 'tcp': {
			return tcpAccepts(probe.host, probe.port);
		}

		case 'log': {
			return logMatches(probe.pattern, context.home, context.component, context.offsets ?? [0, 0]);
		}

		case 'after': {
			return Date.now() - context.sinceMs >= probe.ms;
		}
	}
}

/** Describe a probe for messages: "GET http://…/healthz is 200". */
export function describeProbe(probe: ReadyProbe | null): string {
	if (probe === null) {
		return 'running';
	}

	switch (probe.kind) {
		case 'http': {
			return `GET ${probe.url} is 200`;
		}

		case 'tcp': {
			return `TCP ${probe.host}:${probe.port} accepts`;
		}

		case 'log': {
			return `a log line matches /${probe.pattern.source}/`;
		}

		case 'after': {
			return `${formatDuration(probe.ms)} after start`;
		}
	}
}

/** GET url is 200. */
async function httpOk(url: string): Promise<boolean> {
	const target = new URL(url);
	if (target.protocol === 'https:') {
		const https = await import('node:https'); // TLS costs ~30 ms to load: only when asked.
		return new Promise((resolve) => {
			const request = https.get(url, {timeout: ATTEMPT_TIMEOUT_MS}, (response) => {
				response.resume();
				resolve(response.statusCode === 200);
			});
			request.once('timeout', () => request.destroy());
			request.once('error', () => {
				resolve(false);
			});
		});
	}

	return plainHttpOk(target);
}

// Hand-written: node:http's first request costs 15-30 ms of lazy set-up, a fifth of `status`'s whole budget;
// a probe needs only the status line of one HTTP/1.1 response.
async function plainHttpOk(target: URL): Promise<boolean> {
	let head = '';
	return overTcp(target.hostname.replace(/^\[|\]$/g, ''), Number(target.port || 80), (socket, done) => {
		socket.once('connect', () => {
			socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\nUser-Agent: stigmer-probe\r\n\r\n`);
		});
		socket.on('data', (chunk: Buffer) => {
			head += chunk.toString('latin1');
			const end = head.indexOf('\r\n');
			if (end !== -1 || head.length > 1024) {
				done(/^HTTP\/1\.[01] 200 /.test(head.slice(0, end === -1 ? undefined : end + 1)));
			}
		});
		socket.once('end', () => {
			done(false);
		});
	});
}

async function tcpAccepts(host: string, port: number): Promise<boolean> {
	return overTcp(host, port, (socket, done) => {
		socket.once('connect', () => {
			done(true);
		});
	});
}

/** Connect and let `talk` decide; an error or ATTEMPT_TIMEOUT_MS of silence answers false. */
async function overTcp(host: string, port: number, talk: (socket: net.Socket, done: (ok: boolean) => void) => void): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({host, port});
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};

		socket.setTimeout(ATTEMPT_TIMEOUT_MS, () => {
			done(false);
		});
		socket.once('error', () => {
			done(false);
		});
		talk(socket, done);
	});
}

function logMatches(pattern: RegExp, home: Home, component: string, offsets: [number, number]): boolean {
	return (['stdout', 'stderr'] as const).some((stream, index) => {
		try {
			const file = home.logFile(component, stream);
			const size = fs.statSync(file).size;
			const from = offsets[index]!;
			if (size <= from) {
				return false;
			}

			const buffer = Buffer.alloc(Math.min(size - from, 1 << 20));
			const fd = fs.openSync(file, 'r');
			try {
				fs.readSync(fd, buffer, 0, buffer.length, from);
			} finally {
				fs.closeSync(fd);
			}

			return buffer.toString('utf8').split('\n').some((line) => pattern.test(line));
		} catch {
			return false;
		}
	});
}

/** Current sizes of a component's .log and .err, so a `log` probe reads only this run's lines. */
export function logOffsets(home: Home, component: string): [number, number] {
	const size = (stream: 'stdout' | 'stderr') => {
		try {
			return fs.statSync(home.logFile(component, stream)).size;
		} catch {
			return 0;
		}
	};

	return [size('stdout'), size('stderr')];
}

/** Poll the component's probe until ready, its exit, or ready_timeout. */
export async function waitReady(home: Home, spec: ComponentSpec, spawned: Spawned, offsets: [number, number]): Promise<Readiness> {
	const started = Date.now();
	const deadline = started + spec.readyTimeoutMs;
	const probe = spec.ready ?? {kind: 'after', ms: 0};
	for (;;) {
		const exit = spawned.hasExited();
		if (exit) {
			return {ok: false, reason: exit.signal ? `was killed by ${exit.signal} before it was ready` : `exited with code ${exit.code} before it was ready`};
		}

		if (await probeOnce(probe, {sinceMs: started, home, component: spec.name, offsets})) {
			if (spawned.hasExited() === undefined) {
				return {ok: true, ms: Date.now() - started};
			}

			continue;
		}

		if (Date.now() >= deadline) {
			return {ok: false, reason: `not ready within ${formatDuration(spec.readyTimeoutMs)} (waited for: ${describeProbe(spec.ready)})`};
		}

		await Promise.race([
			spawned.exited,
			new Promise((resolve) => {
				setTimeout(resolve, PROBE_INTERVAL_MS);
			}),
		]);
	}
}
