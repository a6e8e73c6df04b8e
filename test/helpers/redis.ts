// A raw PING to a Redis, for the tests of a redis component.
import net from 'node:net';

/** A local Redis answers PING in well under a millisecond; this long without a reply is no answer. */
const REDIS_PING_TIMEOUT_MS = 3000;

/** One PING to a Redis on 127.0.0.1:port over a raw socket: its reply line; rejects when nothing answers. */
export async function redisPing(port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(REDIS_PING_TIMEOUT_MS, () => {
			socket.destroy(new Error(`redis did not answer within ${REDIS_PING_TIMEOUT_MS}ms`));
		});
		socket.on('error', reject);
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (data) => {
			resolve(data.toString().trim());
			socket.end();
		});
	});
}
