// A component's cwd that `start` would refuse, worded once for `config check`, `start`'s check before anything is
// touched, and the spawn itself (a directory removed in between).
import {directoryProblem} from '../executable.js';
import type {ComponentSpec} from './types.js';

/**
 * `<where>: components.web.cwd: /srv/web does not exist; point it at a directory`, or undefined when the cwd can be
 * used. `where`: the config file, with `:line:col` when known.
 */
export function cwdProblem(spec: Pick<ComponentSpec, 'name' | 'cwd'>, where: string): string | undefined {
	const problem = spec.cwd === null ? undefined : directoryProblem(spec.cwd);
	return problem === undefined ? undefined : `${where}: components.${spec.name}.cwd: ${spec.cwd} ${problem}; point it at a directory`;
}
