// systemctl, run for the engine (docs/engines.md): `--user` for a user export, plain for `--system`; every call bounded.
import type {Scope} from './units.js';

/** A systemctl call longer than this is a hung manager: restart waits for ExecStartPost, which ready_timeout bounds. */
const SYSTEMCTL_TIMEOUT_MS = 10 * 60_000;

export type Run = {code: number; stdout: string; stderr: string};

/** `systemctl [--user] ARGS`: its exit code and output (code 127 when systemctl cannot be run at all). */
export async function systemctl(scope: Scope, args: string[], timeoutMs = SYSTEMCTL_TIMEOUT_MS): Promise<Run> {
	const {execa} = await import('execa');
	const result = await execa('systemctl', [...(scope.kind === 'user' ? ['--user'] : []), ...args], {reject: false, timeout: timeoutMs, stdin: 'ignore', env: {SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0'}});
	const code = typeof result.exitCode === 'number' ? result.exitCode : 127;
	return {code, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? (result.failed ? result.shortMessage : ''))};
}

/** `systemctl show` of several units: unit → property → value, in the order asked. */
export async function show(scope: Scope, units: string[], properties: string[]): Promise<Map<string, Record<string, string>>> {
	const shown = new Map<string, Record<string, string>>();
	if (units.length === 0) {
		return shown;
	}

	const result = await systemctl(scope, ['show', ...units, ...properties.map((p) => `--property=${p}`)]);
	if (result.code !== 0) {
		throw new Error(firstLine(result.stderr) || `systemctl show exited ${result.code}`);
	}

	// One block per unit, in the order asked, blank-line separated.
	const blocks = result.stdout.split(/\n\n/);
	for (const [index, unit] of units.entries()) {
		const record: Record<string, string> = {};
		for (const line of (blocks[index] ?? '').split('\n')) {
			const eq = line.indexOf('=');
			if (eq > 0) {
				record[line.slice(0, eq)] = line.slice(eq + 1);
			}
		}

		shown.set(unit, record);
	}

	return shown;
}

export function firstLine(text: string): string {
	return text.trim().split('\n')[0] ?? '';
}

/** The scope a manifest recorded: `user`, or `system:NAME`. */
export function scopeOf(recorded: string): Scope {
	return recorded.startsWith('system:') ? {kind: 'system', user: recorded.slice('system:'.length)} : {kind: 'user'};
}

export function scopeText(scope: Scope): string {
	return scope.kind === 'user' ? 'user' : `system:${scope.user}`;
}
