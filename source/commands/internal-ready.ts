// `stigmer internal-ready NAME [--pre]` (hidden): systemd's ExecStartPre=/ExecStartPost= of an exported component
// (docs/engines.md). Exit 0 once ready; 1 with the reason on stderr (the unit's .err) when it is not.
import {EXIT, UsageError} from '../errors.js';
import {beforeStart, probeUnit} from '../engine/systemd/probe.js';
import {resolveHome} from '../paths.js';

export async function run(argv: string[]): Promise<number> {
	const [name, flag] = argv;
	if (name === undefined || (flag !== undefined && flag !== '--pre')) {
		throw new UsageError('usage: stigmer internal-ready COMPONENT [--pre] (run by systemd units that `stigmer export systemd` wrote)');
	}

	const home = resolveHome();
	if (flag === '--pre') {
		await beforeStart(home, name);
		return EXIT.ok;
	}

	const pid = Number(process.env['MAINPID']);
	if (!Number.isSafeInteger(pid) || pid <= 0) {
		throw new UsageError('internal-ready: MAINPID is not set; systemd sets it for ExecStartPost=');
	}

	const ready = await probeUnit(home, name, pid);
	if (ready.ok) {
		process.stdout.write(`${new Date().toISOString()} stigmer: ${name} ready in ${ready.ms}ms (pid ${pid})\n`);
		return EXIT.ok;
	}

	process.stderr.write(`${new Date().toISOString()} stigmer: ${name} not ready: ${ready.reason}\n`);
	return EXIT.failure;
}
