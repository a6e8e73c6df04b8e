// `stigmer config schema` (docs/cli.md): the JSON Schema of config.yaml, for editors.
import {configJsonSchema} from '../config/index.js';
import {EXIT, UsageError} from '../errors.js';
import {parseFlags} from './flags.js';

const HELP = `
	Usage: stigmer config schema

	Print the JSON Schema of config.yaml (draft-07), generated from the schema stigmer
	validates with. Save it beside your config and point your editor at it:

	  $ stigmer config schema > ~/.stigmer/config.schema.json

	and as the first line of config.yaml (YAML language server: VS Code, Neovim, Helix…):

	  # yaml-language-server: $schema=config.schema.json

	Save it again after upgrading stigmer.

	Exit codes: 0 printed · 1 stdout could not be written · 2 usage (a flag or an argument)
`;

/** Print the schema; exit 0. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {});
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}" (see stigmer config schema --help)`);
	}

	process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
	return EXIT.ok;
}
