// `server run` as PID 1 of a container or PID namespace (docs/engines.md, "server run"). Orphans are re-parented to PID 1,
// which must reap them; Node cannot (no waitpid(-1)). So a node that finds itself PID 1 replaces itself with REAPER, a
// POSIX sh that runs the very same command as its child, reaps every child that reaches it, and forwards a signal once.
import {cliPath} from '../cli-path.js';
import {REAPED, REAPER} from '../reaper-script.js';

/** Node 22.15+ can replace itself (process.execve); Node 20 cannot. */
type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** When this node is PID 1, become REAPER running `stigmer ARGS` (never returns); elsewhere do nothing. */
export function asPid1(args: string[]): void {
	const reaped = process.env[REAPED] === '1';
	delete process.env[REAPED]; // Our components need not carry it.
	if (process.pid !== 1 || reaped) {
		return;
	}

	const execve = (process as unknown as {execve?: Execve}).execve;
	if (execve === undefined) {
		// Node 20 cannot exec: the shipped `stigmer` launcher reaps (dist/bin/cli.js run by its #! line); `node cli.js` cannot.
		process.stderr.write(`stigmer: running as PID 1 under Node.js ${process.version}, which cannot reap orphans: start it as \`stigmer server run\` (not \`node cli.js\`), or give the container an init (\`docker run --init\`, tini)\n`);
		return;
	}

	execve('/bin/sh', ['sh', '-c', REAPER, 'stigmer-init', process.execPath, ...process.execArgv, cliPath(), ...args], {...process.env, [REAPED]: '1'});
}
