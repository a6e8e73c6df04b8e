// Where a component answers (docs/lifecycle.md): shown on `start`'s ✓ lines, in `status` and `--json`
// (`address`). One rule for every view: an http readiness probe's origin (the URL a person opens), else
// `host:port` of its tcp probe or its `port` (the protocol is the component's own business).
import type {ComponentSpec} from './types.js';

/** The loopback address a `port` without a probe is reached at. */
const LOOPBACK = '127.0.0.1';

/** `http://127.0.0.1:7234`, `127.0.0.1:6390`, or null for a component with no port. */
export function addressOf(spec: Pick<ComponentSpec, 'port' | 'ready'>): string | null {
	const probe = spec.ready;
	if (probe?.kind === 'http') {
		try {
			const url = new URL(probe.url);
			const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
			if (spec.port === null || spec.port === port) {
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
