// What `start` refuses on this machine beyond the file's own rules, and `config check` reports alike: a cwd that is
// not a directory, an env_file that cannot be read, a command and environment the kernel would not exec (E2BIG).
// Not checked by status or stop.
import {execTooLarge} from '../exec-limits.js';
import {formatBytes} from '../units.js';
import {cwdProblem} from './cwd.js';
import {componentEnv, envFileProblem} from './env-file.js';
import type {Fail} from './resolve.js';
import type {ComponentSpec} from './types.js';
import type {Locator} from './validate.js';

/**
 * What the supervisor's own arguments and variables add to the component's (docs/supervision.md: the shell, the home's
 * file paths, the PID record's fields, STIGMER_* markers): measured ~600 bytes with a long home path; kept generous.
 */
const SUPERVISOR_OVERHEAD_BYTES = 4096;

/** Report each enabled component's cwd, env_file and exec-size problems through `fail`, located by `locate`. */
export function runnableProblems(specs: readonly ComponentSpec[], locate: Locator, fail: Fail, env: NodeJS.ProcessEnv = process.env): void {
	for (const spec of specs.filter((s) => s.enabled)) {
		const keyPath = ['components', spec.name, 'cwd'];
		const cwd = cwdProblem(spec, locate(keyPath));
		if (cwd !== undefined) {
			fail(keyPath, cwd);
		}

		for (const file of spec.envFiles) {
			const unusable = envFileProblem(file.path);
			if (unusable !== undefined) {
				fail(['components', spec.name, 'env_file'], `${file.at()}: components.${spec.name}.env_file: ${file.path} ${unusable}`);
			}
		}

		// The supervisor is exec'd with the component's argv twice (its arguments, and inside the PID record) and its environment.
		const tooLarge = execTooLarge([...spec.command, JSON.stringify(spec.command)], {...env, ...readableEnv(spec)}, SUPERVISOR_OVERHEAD_BYTES);
		if (tooLarge !== undefined) {
			const keyPath = culpritPath(spec, tooLarge.culprit);
			const key = keyPath.slice(2).map(String).join('.');
			const where = `${locate(keyPath, keyPath.length === 2)}: components.${spec.name}${key === '' ? '' : `.${key}`}`;
			fail(keyPath, tooLarge.what === 'string'
				? `${where}: ${formatBytes(tooLarge.bytes)} in one argument or variable, more than the ${formatBytes(tooLarge.limit)} the OS lets a program receive (it would refuse to run it: E2BIG)`
				: `${where}: the command and environment come to ${formatBytes(tooLarge.bytes)}, more than the ${formatBytes(tooLarge.limit)} the OS lets a program start with (ARG_MAX; it would refuse to run it: E2BIG)`);
		}
	}
}

/** The config key a too-large string comes from: an env variable, a command argument, or the component (stigmer's own environment). */
function culpritPath(spec: ComponentSpec, culprit: string): Array<string | number> {
	const key = culprit.slice(0, culprit.indexOf('='));
	if (culprit.includes('=') && spec.env[key] !== undefined && `${key}=${spec.env[key]}` === culprit) {
		return ['components', spec.name, 'env', key];
	}

	const index = spec.command.indexOf(culprit);
	return index === -1 ? ['components', spec.name] : ['components', spec.name, 'command', index];
}

/** The environment the component gets (env_file under env); only `env` when a file cannot be read (reported above). */
function readableEnv(spec: ComponentSpec): Record<string, string> {
	try {
		return componentEnv(spec);
	} catch {
		return spec.env;
	}
}
