// The network probes (docs/architecture.md, readiness): GET is 200 (with the built-ins' pid proof), TCP accepts.
import net from 'node:net';

/** One attempt's own limit, so a hung port cannot eat the whole ready_timeout in one go. */
const ATTEMPT_TIMEOUT_MS = 500;
/** Most of an http answer read to find its `pid` (the built-in server's /healthz is ~40 bytes). */
const HTTP_BODY_MAX = 64 * 1024;
/** Most of a status line read before deciding: `HTTP/1.1 200 OK` fits many times over. */
const STATUS_LINE_MAX = 1024;

/** GET url is 200 (and, with a pid proof, the answer is that pid's). */
export async function httpOk(url: string, proof: 'body' | 'query' | undefined, pid: number | undefined): Promise<boolean> {
	const target = new URL(url);
	if (proof === 'query' && pid !== undefined) {
		target.searchParams.set('pid', String(pid));
	}

	if (target.protocol === 'https:') {
		const https = await import('node:https'); // TLS costs ~30 ms to load: only when asked.
		return new Promise((resolve) => {
			const request = https.get(target, {timeout: ATTEMPT_TIMEOUT_MS}, (response) => {
				response.resume();
				resolve(response.statusCode === 200);
			});
			request.once('timeout', () => request.destroy());
			request.once('error', () => {
				resolve(false);
			});
		});
	}

	return target.protocol === 'http:' && plainHttpOk(target, proof === 'body' ? pid : undefined);
}

// Hand-written: node:http's first request costs 15-30 ms of lazy set-up, a fifth of `status`'s whole budget;
// a probe needs only the status line of one HTTP/1.1 response (and, to prove a pid, its small body).
async function plainHttpOk(target: URL, bodyPid: number | undefined): Promise<boolean> {
	let head = '';
	return overTcp(target.hostname.replace(/^\[|\]$/g, ''), Number(target.port || 80), (socket, done) => {
		socket.once('connect', () => {
			socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\nUser-Agent: stigmer-probe\r\n\r\n`);
		});
		socket.on('data', (chunk: Buffer) => {
			head += chunk.toString('latin1');
			const end = head.indexOf('\r\n');
			if (bodyPid === undefined && (end !== -1 || head.length > STATUS_LINE_MAX)) {
				done(/^HTTP\/1\.[01] 200 /.test(head.slice(0, end === -1 ? undefined : end + 1)));
			} else if (head.length > HTTP_BODY_MAX) {
				done(false);
			}
		});
		socket.once('end', () => {
			done(bodyPid !== undefined && /^HTTP\/1\.[01] 200 /.test(head) && answeredBy(head, bodyPid));
		});
	});
}

/** Whether an HTTP response's JSON body says `"pid": pid`. */
function answeredBy(response: string, pid: number): boolean {
	try {
		const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as {pid?: unknown};
		return body.pid === pid;
	} catch {
		return false;
	}
}

/** Whether host:port accepts a connection within one attempt's time. */
export async function tcpAccepts(host: string, port: number): Promise<boolean> {
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
		let settled = false;
		const done = (ok: boolean) => {
			if (!settled) {
				settled = true;
				socket.destroy();
				resolve(ok);
			}
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
