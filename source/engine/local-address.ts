// Whether a probe's host is this machine, decided by its address, never by its spelling (docs/lifecycle.md, ports):
// 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 in any form (`[::ffff:7f00:1]`, `0x7f.1`), the wildcard, and the addresses of
// this machine's own interfaces.
import net from 'node:net';
import os from 'node:os';

let loopback: net.BlockList | undefined;

/** Loopback and wildcard ranges; Node's BlockList matches an IPv4-mapped IPv6 address against the IPv4 rules too. */
function loopbackRanges(): net.BlockList {
	if (loopback === undefined) {
		loopback = new net.BlockList();
		loopback.addSubnet('127.0.0.0', 8, 'ipv4');
		loopback.addAddress('0.0.0.0', 'ipv4'); // Connecting to the wildcard reaches this machine.
		loopback.addAddress('::1', 'ipv6');
		loopback.addAddress('::', 'ipv6');
		loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
	}

	return loopback;
}

/** Whether `host` (a URL's hostname: brackets allowed, already normalised by WHATWG URL) names this machine. */
export function isThisMachine(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === 'localhost' || bare.endsWith('.localhost')) {
		return true; // RFC 6761: localhost and its subdomains resolve to loopback.
	}

	const family = net.isIP(bare);
	if (family === 0) {
		return false;
	}

	const type = family === 4 ? 'ipv4' : 'ipv6';
	if (loopbackRanges().check(bare, type)) {
		return true;
	}

	const own = new net.BlockList();
	for (const address of Object.values(os.networkInterfaces()).flat()) {
		if (address !== undefined) {
			own.addAddress(address.address.replace(/%.*$/, ''), address.family === 'IPv4' ? 'ipv4' : 'ipv6');
		}
	}

	return own.check(bare, type);
}
