// Where a component answers (docs/lifecycle.md): shown on `start`'s ✓ lines, in `status` and `--json`
// (`address`). One rule for every view: an http readiness probe's origin (the URL a person opens), else
// `host:port` of its tcp probe or its `port` (the protocol is the component's own business). A probe that
// asks another component (the runners ask the server's /v1/pollers) says where that one answers, not this one.
import type {ComponentSpec} from './types.js';

/** The loopback address a `port` without a probe is reached at. */
const LOOPBACK = '127.0.0.1';

type AddressFacts = Pick<ComponentSpec, 'name' | 'port' | 'ready'>;

/** The ports a component holds: its `port`, and its tcp probe's. */
const portsOf = (spec: AddressFacts): number[] => [...(spec.port === null ? [] : [spec.port]), ...(spec.ready?.kind === 'tcp' ? [spec.ready.port] : [])];

/**
 * `http://127.0.0.1:7234`, `127.0.0.1:6390`, or null for a component with no port of its own. `stack`: every
 * component of the config; an http probe on a port another one of them holds is that one's address.
 */
export function addressOf(spec: AddressFacts, stack: readonly AddressFacts[] = []): string | null {
	const probe = spec.ready;
	if (probe?.kind === 'http') {
		try {
			const url = new URL(probe.url);
			const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
			const another = stack.some((other) => other.name !== spec.name && portsOf(other).includes(port));
			if (spec.port === port || (spec.port === null && !another)) {
				return url.origin;
			}
		} catch {
			// Validated at load; a URL that does not parse says nothing about where it answers.
		}
	}

	if (probe?.kind === 'tcp' && (spec.port === null || spec.port === probe.port)) {
		return `${probe.host.includes(':') ? `[${probe.host}]` : probe.host}:${probe.port}`;
	}

	return spec.port === null ? null : `${LOOPBACK}:${spec.port}`;
}
