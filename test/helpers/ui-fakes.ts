// Fakes for the dashboard's edges: a scriptable engine, a pushable log feed, a PID watcher, and a
// fake terminal to mount the whole App on.
import {EventEmitter} from 'node:events';
import type {TestContext} from 'node:test';
import type {ActionOptions, ComponentState, ComponentStatus, StartResult, StatusReport, StopResult} from '../../source/engine/types.js';
import {homeAt, type Home} from '../../source/paths.js';
import type {AppProps} from '../../source/ui/app.js';
import type {ComponentInfo, DashDeps, IncomingLine, Usage} from '../../source/ui/types.js';
import {holds, type Expected} from './output.js';
import {waitFor} from './wait.js';

export type Call = {verb: 'start' | 'stop'; components: string[] | undefined};

/** A status row with sensible defaults. */
export function component(name: string, state: ComponentState, extra: Partial<ComponentStatus> = {}): ComponentStatus {
	const running = state === 'running' || state === 'starting' || state === 'stopping';
	return {
		name,
		enabled: state !== 'disabled',
		state,
		reason: state === 'disabled' ? 'temporal binary not found' : state === 'crashed' ? 'exited without a stop' : null,
		pid: running ? 4000 + name.length : null,
		pgid: running ? 4000 + name.length : null,
		startedAt: running ? new Date(Date.now() - 133_000).toISOString() : null,
		uptimeMs: running ? 133_000 : null,
		cpuPercent: running ? 0.1 : null,
		rssBytes: running ? 43_000_000 : null,
		ready: state === 'running',
		port: name === 'stigmer-server' ? 7234 : null,
		address: name === 'stigmer-server' ? 'http://127.0.0.1:7234' : null,
		orphans: [],
		strangers: [],
		logs: {stdout: `/h/data/logs/${name}.log`, stderr: `/h/data/logs/${name}.err`},
		restarts: 0,
		lastExit: null,
		nextRestartAt: null,
		supervisorPid: running ? 3000 + name.length : null,
		engine: 'stigmer',
		...extra,
	};
}

export type Fake = {
	deps: DashDeps;
	calls: Call[];
	setComponents: (components: ComponentStatus[]) => void;
	push: (lines: IncomingLine[]) => void;
	/** Make the next start/stop reject with this error. */
	failNext: (error: Error) => void;
	/** A fact on disk changed (a PID file, a state file, config.yaml): the watch fires. */
	pidChanged: () => void;
	/** The component lists of the log feeds open now (one per follow call). */
	followed: () => string[][];
	statusCalls: () => number;
	/** What the per-second sample reports for a component from now on (until then: its status's values). */
	setUsage: (name: string, usage: Usage) => void;
	sampleCalls: () => number;
	/** Make the next actions pause after their first events until the returned function is called. */
	hold: () => () => void;
};

/** A fake engine whose status returns `initial` until changed; start/stop record their calls. */
export function fakeDeps(initial: ComponentStatus[], options: {home?: string} = {}): Fake {
	let components = initial;
	let fail: Error | undefined;
	let statusCount = 0;
	let sampleCount = 0;
	const usages = new Map<string, Usage>();
	let gate: Promise<void> | undefined;
	const calls: Call[] = [];
	const listeners = new Map<(lines: IncomingLine[]) => void, Set<string>>();
	const pidListeners = new Set<() => void>();
	const report = (): StatusReport => ({home: options.home ?? '/h', healthy: components.every((c) => !c.enabled || (c.state === 'running' && c.ready)), components});
	/** Record a start or stop, throw the failure set by failNext, else the components it acts on. */
	const begin = (verb: Call['verb'], o: ActionOptions): string[] => {
		calls.push({verb, components: o.components});
		const f = fail;
		fail = undefined;
		if (f) {
			throw f;
		}

		return o.components ?? components.filter((c) => c.enabled).map((c) => c.name);
	};

	const info: ComponentInfo[] = initial.map((c) => ({name: c.name, enabled: c.enabled, disabledReason: c.state === 'disabled' ? c.reason : null}));
	const deps: DashDeps = {
		home: homeAt(options.home ?? '/h'),
		components: info,
		lifecycle: {
			async status() {
				statusCount++;
				return report();
			},
			async start(_home: Home, o: ActionOptions = {}): Promise<StartResult> {
				const names = begin('start', o);
				for (const name of names) {
					o.onEvent?.({type: 'starting', component: name});
					o.onEvent?.({type: 'spawned', component: name, pid: 5000, awaiting: '1s of uptime'});
				}

				await gate;
				for (const name of names) {
					o.onEvent?.({type: 'ready', component: name, pid: 5000, readyMs: 42, address: null});
				}

				return {cleaned: [], stopped: [], started: names.map((name) => ({name, pid: 5000, readyMs: 42})), failures: [], dependencies: []};
			},
			async stop(_home: Home, o: ActionOptions = {}): Promise<StopResult> {
				const names = begin('stop', o);
				o.onEvent?.({type: 'lock-wait', pid: 4121, verb: 'server start'});
				for (const name of names) {
					o.onEvent?.({type: 'stopping', component: name});
				}

				await gate;
				return {stopped: names.map((name) => ({name, how: 'stopped' as const, ms: 12, signal: 'SIGTERM'})), cleaned: [], dependentsLeft: []};
			},
		},
		logs: {
			follow(names, onLines) {
				listeners.set(onLines, new Set(names));
				return {
					close() {
						listeners.delete(onLines);
					},
				};
			},
		},
		isAlive: (pid) => components.some((c) => c.pid === pid && (c.state === 'running' || c.state === 'starting' || c.state === 'stopping')),
		async sample(targets) {
			sampleCount++;
			const usage = new Map<string, Usage>();
			for (const t of targets) {
				const c = components.find((x) => x.name === t.name);
				usage.set(t.name, usages.get(t.name) ?? {cpuPercent: c?.cpuPercent ?? 0, rssBytes: c?.rssBytes ?? 0});
			}

			return usage;
		},
		watchFacts(onChange) {
			pidListeners.add(onChange);
			return {
				close() {
					pidListeners.delete(onChange);
				},
			};
		},
	};
	return {
		deps,
		calls,
		setComponents(next) {
			components = next;
		},
		push(lines) {
			// Each line to the feed that follows its component (the first feed takes the others, as a test's lines may name any).
			const feeds = [...listeners];
			for (const [index, [l, names]] of feeds.entries()) {
				const mine = lines.filter((x) => names.has(x.component) || (index === 0 && !feeds.some(([, n]) => n.has(x.component))));
				if (mine.length > 0) {
					l(mine);
				}
			}
		},
		failNext(error) {
			fail = error;
		},
		pidChanged() {
			for (const l of pidListeners) {
				l();
			}
		},
		followed: () => [...listeners.values()].map((names) => [...names]),
		statusCalls: () => statusCount,
		setUsage(name, usage) {
			usages.set(name, usage);
		},
		sampleCalls: () => sampleCount,
		hold() {
			let release!: () => void;
			gate = new Promise((resolve) => {
				release = resolve;
			});
			return () => {
				gate = undefined;
				release();
			};
		},
	};
}

/** A log line at `time` (epoch ms) (defaults: stdout, no level). */
export function line(component: string, time: number, text: string, extra: Partial<IncomingLine> = {}): IncomingLine {
	return {component, time, text, stream: 'stdout', level: null, ...extra};
}

/** A fake terminal for Ink: a sized stdout that keeps the last frame, and a writable stdin. */
export class FakeStdout extends EventEmitter {
	frames: string[] = [];
	isTTY = true;
	constructor(public columns: number, public rows: number) {
		super();
	}

	write = (frame: string): boolean => {
		this.frames.push(frame);
		return true;
	};

	lastFrame = (): string | undefined => this.frames.at(-1);

	/** Change size and tell Ink, as a terminal resize does. */
	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

export class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write = (data: string): void => {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	};

	read = (): string | null => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

/** A terminal size. */
export type Size = {columns: number; rows: number};
/** The default fake terminal: wide enough for panels side by side. */
export const WIDE: Size = {columns: 160, rows: 45};
/** Frames are cheap to read: poll them often, so a deadline of a few hundred ms measures the app, not the poll. */
const FRAME_POLL_MS = 10;
/** The app repaints within its 100 ms batch; a frame not there after this is not coming. */
const FRAME_WAIT_MS = 3000;
/**
 * After writing keys, Ink parses them and React commits their state on later ticks; the next key
 * or a negative check ("nothing ran") needs that done. Positive checks wait for their frame instead.
 */
const KEY_SETTLE_MS = 30;

/** The dashboard App mounted on a fake terminal. */
export type MountedApp = {
	stdin: FakeStdin;
	stdout: FakeStdout;
	/** The last frame written ('' before the first). */
	frame: () => string;
	/** Wait until the last frame contains `expected` (a string), matches it (a RegExp) or satisfies it; returns that frame. */
	shows: (expected: Expected, what?: string, timeoutMs?: number) => Promise<string>;
	/** Type keys as one terminal read (a paste is one read), then let Ink and React handle them. */
	press: (keys: string) => Promise<void>;
	/** Unmount now (it is unmounted when the test ends anyway). */
	unmount: () => void;
};

/**
 * Mount the dashboard over a fake engine on a fake terminal of `size` (ink-testing-library's is
 * fixed at 100 columns), unmounted when test `t` ends; with `until`, return once a frame shows it.
 */
export async function mountApp(t: TestContext, fake: Fake, options: {size?: Size; until?: string} & Omit<AppProps, 'deps' | 'size'> = {}): Promise<MountedApp> {
	// Ink reads CI when first imported: interactive behaviour (resize, input) needs it off (STYLE Ink notes).
	process.env['CI'] = 'false';
	const [{render}, {App}, React] = await Promise.all([import('ink'), import('../../source/ui/app.js'), import('react')]);
	const {size = WIDE, until, ...props} = options;
	const stdout = new FakeStdout(size.columns, size.rows);
	const stdin = new FakeStdin();
	const instance = render(React.createElement(App, {...props, deps: fake.deps}), {stdout: stdout as never, stdin: stdin as never, stderr: new FakeStdout(80, 24) as never, debug: true, exitOnCtrlC: false, patchConsole: false});
	let mounted = true;
	const frame = () => stdout.lastFrame() ?? '';
	const app: MountedApp = {
		stdin,
		stdout,
		frame,
		async shows(expected, what = String(expected), timeoutMs = FRAME_WAIT_MS) {
			const test = holds(expected);
			return waitFor(() => {
				const shown = frame();
				return test(shown) ? shown : undefined;
			}, `a frame that shows ${what}`, timeoutMs, FRAME_POLL_MS);
		},
		async press(keys) {
			stdin.write(keys);
			await new Promise((r) => setTimeout(r, KEY_SETTLE_MS));
		},
		unmount() {
			if (mounted) {
				mounted = false;
				instance.unmount();
			}
		},
	};
	t.after(() => app.unmount());
	if (until !== undefined) {
		await app.shows(until);
	}

	return app;
}
