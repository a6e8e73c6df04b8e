// One benchmark's markdown section: run its steps, then print a budget table, notes, and how it failed if it did.

/**
 * Run `steps` in turn (each gets the rows and notes to fill), then print `## title` with a
 * `| budget | measured | limit | result |` table and the notes on stdout; exit code 1 when a step threw.
 */
export async function runSection(title, measured, steps, log) {
	const rows = [];
	const notes = [];
	let failure;
	try {
		for (const step of steps) {
			await step(rows, notes);
		}
	} catch (error) {
		failure = error;
	}

	const lines = [
		`## ${title}`,
		'',
		`| budget | ${measured} | limit | result |`,
		'|---|---|---|---|',
		...rows.map((r) => `| ${r.join(' | ')} |`),
		'',
		...notes.map((n) => `- ${n}`),
	];
	if (failure) {
		lines.push('', `**The benchmark failed before finishing:** ${String(failure.message).split('\n')[0]}`);
		log(failure.stack ?? String(failure));
	}

	process.stdout.write(`${lines.join('\n')}\n`);
	process.exitCode = failure ? 1 : 0;
}
