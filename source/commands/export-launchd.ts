// `stigmer export launchd` (docs/engines.md): parse → engine/launchd/export → print. macOS only, but --dry-run anywhere.
import {EXIT, StigmerError, UsageError} from '../errors.js';
import {agentPath, agentPlist, exportLaunchd, removeLaunchd} from '../engine/launchd/export.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';

const HELP = `
	Usage: stigmer export launchd [--enable] [--remove] [--dry-run] [--force]

	Hand this home's stack to launchd (macOS): one LaunchAgent in ~/Library/LaunchAgents
	that runs \`stigmer server run\` at login (RunAtLoad) and restarts it when it fails
	(KeepAlive). Running it again with unchanged config writes nothing (\`up to date\`).
	Not yet run on a Mac by us: see docs/engines.md.

	Options
	  --enable     also load the agent (launchctl bootstrap)
	  --dry-run    print the property list (its path on stderr); write nothing (works on any system)
	  --remove     unload the agent and delete exactly what the last export wrote
	  --force      replace (or remove) a file changed by hand

	Exit codes: 0 done · 1 a file changed by hand, or launchctl failed · 2 usage, or not macOS
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		enable: {type: 'boolean', default: false},
		dryRun: {type: 'boolean', default: false},
		remove: {type: 'boolean', default: false},
		force: {type: 'boolean', default: false},
	});
	const {enable, dryRun, remove, force} = cli.flags;
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}" (see stigmer export launchd --help)`);
	}

	if (remove && (enable || dryRun)) {
		throw new UsageError(`--remove cannot be combined with ${enable ? '--enable' : '--dry-run'}`);
	}

	const home = resolveHome();
	if (dryRun) {
		// stdout is exactly the property list (`> x.plist` gives a valid file); where it would go is said on stderr.
		process.stderr.write(`stigmer: would write ${agentPath(home)}\n`);
		process.stdout.write(agentPlist(home));
		return EXIT.ok;
	}

	if (process.platform !== 'darwin') {
		throw new UsageError(`export launchd writes a macOS LaunchAgent, and this is ${process.platform}: use \`stigmer export systemd\` (or --dry-run to see the property list)`);
	}

	if (remove) {
		const removed = await removeLaunchd(home, {force});
		process.stdout.write(removed.label === null ? 'nothing to remove: no launchd export recorded for this home\n' : `unloaded ${removed.label}; removed ${removed.removed.join(', ')}\n`);
		return EXIT.ok;
	}

	const result = await exportLaunchd(home, {force, enable});
	process.stdout.write(result.outcome === 'up-to-date' ? `up to date: ${result.file}\n` : `wrote ${result.file}\n`);
	if (result.enabled !== null) {
		if (!result.enabled.ok) {
			throw new StigmerError(`could not load ${result.label}: ${result.enabled.error}`);
		}

		process.stdout.write(`loaded ${result.label}: it runs now and at every login\n`);
	}

	return EXIT.ok;
}
