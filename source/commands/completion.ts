// `stigmer completion bash|zsh|fish` (docs/cli.md): print a completion script built from the verbs' own flag
// tables and help; `completion --components` (hidden) lists the config's component names for the scripts.
import {componentNamesQuietly} from '../config/index.js';
import {EXIT, UsageError} from '../errors.js';
import {resolveHome} from '../paths.js';
import {completionScript, SHELLS, type CompletionModel, type Shell} from './completion-scripts.js';
import {documented, HelpRequested, parseFlags, TOP_FLAGS} from './flags.js';

/** The verb table the entry hands every verb (cli.ts owns it). */
export type VerbContext = {verbs: Record<string, {hidden?: boolean; load: () => Promise<{run: (argv: string[], context: VerbContext) => Promise<number>}>}>};

const HELP = `
	Usage: stigmer completion bash|zsh|fish

	Print a completion script for your shell: commands, flags, and component names
	(from config.yaml of STIGMER_HOME, read each time you press Tab).

	  bash  add to ~/.bashrc:   source <(stigmer completion bash)
	  zsh   stigmer completion zsh > "\${fpath[1]}/_stigmer"   (then open a new shell)
	  fish  stigmer completion fish > ~/.config/fish/completions/stigmer.fish

	Exit codes: 0 printed · 2 usage (no shell, or one other than bash, zsh, fish)
`;

/** Print the script for the named shell; `--components` prints component names, quietly nothing on any error. */
export async function run(argv: string[], context: VerbContext): Promise<number> {
	const cli = await parseFlags(argv, HELP, {components: {type: 'boolean', default: false}});
	if (cli.flags.components) {
		let names: string[] = [];
		try {
			names = componentNamesQuietly(resolveHome()); // A home that cannot be used completes nothing, silently.
		} catch {}

		process.stdout.write(names.map((n) => `${n}\n`).join(''));
		return EXIT.ok;
	}

	const [shell, extra] = cli.input;
	if (shell === undefined || !(SHELLS as readonly string[]).includes(shell) || extra !== undefined) {
		throw new UsageError(`${shell === undefined ? 'name a shell' : `unknown shell "${extra ?? shell}"`}: stigmer completion ${SHELLS.join('|')}`);
	}

	process.stdout.write(completionScript(shell as Shell, await completionModel(context)));
	return EXIT.ok;
}

/** The command line's words and flags, asked of each visible verb through its `--help` (which runs nothing). */
export async function completionModel(context: VerbContext): Promise<CompletionModel> {
	const model: CompletionModel = {words: {'': []}, flags: {'': TOP_FLAGS}, valueFlags: [], componentFlags: [], componentVerbs: []};
	const add = (key: string, word: string) => {
		const list = (model.words[key] ??= []);
		if (!list.includes(word)) {
			list.push(word);
		}
	};

	for (const [name, verb] of Object.entries(context.verbs)) {
		if (verb.hidden) {
			continue;
		}
		const [top = '', sub] = name.split(' ');
		add('', top);
		if (sub !== undefined) {
			add(top, sub);
		}
		const module = await verb.load();
		let asked: HelpRequested | undefined;
		try {
			await module.run(['--help'], context);
		} catch (error: unknown) {
			if (!(error instanceof HelpRequested)) {
				throw error;
			}
			asked = error;
		}

		// What the verb's --help lists: `--no-color`, never the default `--color`; not the hidden `completion --components`.
		model.flags[name] = [...documented(asked?.flags ?? {}, asked?.text ?? ''), '--help', '-h'];
		for (const [flag, spec] of Object.entries(asked?.flags ?? {})) {
			if (spec.type === 'boolean') {
				continue;
			}
			const spellings = [`--${flag}`, ...(spec.shortFlag ? [`-${spec.shortFlag}`] : [])];
			model.valueFlags.push(...spellings.filter((s) => !model.valueFlags.includes(s)));
			if (flag === 'component') {
				model.componentFlags.push(...spellings.filter((s) => !model.componentFlags.includes(s)));
			}
		}

		if (asked?.text.includes('[COMPONENT...]')) {
			model.componentVerbs.push(name);
		}
	}

	add('', 'help');
	model.words['completion'] = [...SHELLS];
	return model;
}
