import {StigmerError} from '../errors.js';

/** Placeholder until this verb lands. */
export async function run(_argv: string[]): Promise<number> {
	throw new StigmerError('not implemented yet');
}
