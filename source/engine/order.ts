// The order of a stack's components: which depend on which, what runs first, what a single start brings or a single
// stop leaves running (docs/lifecycle.md).
import type {ComponentSpec, StackConfig} from '../config/index.js';
import type {ComponentFinding} from './discover.js';
import type {DependencyNote} from './types.js';

/** Whether `name` depends on `on`, directly or through other components. */
export function waitsFor(config: StackConfig, name: string, on: string, seen = new Set<string>()): boolean {
	const deps = config.components.find((c) => c.name === name)?.dependsOn ?? [];
	return deps.some((d) => {
		if (d === on) {
			return true;
		}

		if (seen.has(d)) {
			return false;
		}

		seen.add(d);
		return waitsFor(config, d, on, seen);
	});
}

/** Whether anything of a component runs: its process, or its supervisor waiting to restart it. */
function runs(finding: ComponentFinding | undefined): boolean {
	return finding !== undefined && (finding.running !== null || finding.supervisor !== null);
}

/** Per component stopped alone, the running components that depend on it (directly or not) and were left running. */
export function dependentsLeft(config: StackConfig, names: string[], findings: Map<string, ComponentFinding>): DependencyNote[] {
	return names.flatMap((name) => {
		const dependents = config.components.filter((c) => !names.includes(c.name) && runs(findings.get(c.name)) && waitsFor(config, c.name, name)).map((c) => c.name);
		return dependents.length === 0 ? [] : [{component: name, dependents}];
	});
}

/** The enabled dependencies (direct or not) of `specs` that are neither among `names` nor running, each with the components of `specs` that wait for it. */
export function missingDependencies(config: StackConfig, specs: ComponentSpec[], names: string[], findings: Map<string, ComponentFinding>): DependencyNote[] {
	const enabled = config.components.filter((c) => c.enabled && !names.includes(c.name) && !runs(findings.get(c.name)));
	return enabled.flatMap((dep) => {
		const dependents = specs.filter((s) => waitsFor(config, s.name, dep.name)).map((s) => s.name);
		return dependents.length === 0 ? [] : [{component: dep.name, dependents}];
	});
}

/** A component's place in the config (dependency order). */
export function order(config: StackConfig, name: string): number {
	return config.components.findIndex((c) => c.name === name);
}

/**
 * Run `work` for every item once all its `before` names (those among the items) have succeeded; independent items run
 * in parallel. An item whose predecessor failed is skipped (reported through onSkip) and counts as failed.
 */
export async function inOrder<T>(items: ReadonlyMap<string, T>, before: (item: T) => readonly string[], work: (name: string, item: T) => Promise<boolean>, onSkip?: (name: string) => void): Promise<void> {
	const runs = new Map<string, Promise<boolean>>();
	const run = (name: string, item: T): Promise<boolean> => {
		let promise = runs.get(name);
		if (promise === undefined) {
			promise = (async () => {
				const results = await Promise.all(before(item).flatMap((n) => {
					const previous = items.get(n);
					return previous === undefined ? [] : [run(n, previous)];
				}));
				if (!results.every(Boolean)) {
					onSkip?.(name);
					return false;
				}

				return work(name, item);
			})();
			runs.set(name, promise);
		}

		return promise;
	};

	await Promise.all([...items].map(([name, item]) => run(name, item)));
}
