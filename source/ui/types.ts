// What the dashboard needs from the outside world, as one injectable object: the real engine in
// `stigmer dash`, fakes in tests (STYLE habit 10: fake only the edges).
import type {SampleTarget, Usage} from '../engine/index.js';
import type {ActionOptions, StartResult, StatusReport, StopResult} from '../engine/types.js';
import type {Home} from '../paths.js';

/** One log line as the dashboard keeps it: the log engine's line, normalised once at the boundary. */
export type DashLine = {
	/** Arrival order; breaks ties between equal times and identifies a line for scrolling. */
	seq: number;
	/** The line's effective time, ms since the epoch. */
	time: number;
	component: string;
	stream: 'stdout' | 'stderr';
	/** Lower-case level, or null when the line carries none. */
	level: string | null;
	text: string;
};

/** A line as it arrives, before the buffer numbers it. */
export type IncomingLine = Omit<DashLine, 'seq'>;

/** The lifecycle API the keys drive: the very functions behind `server start|stop|status`. */
export type Lifecycle = {
	status: (home: Home) => Promise<StatusReport>;
	start: (home: Home, options?: ActionOptions) => Promise<StartResult>;
	stop: (home: Home, options?: ActionOptions) => Promise<StopResult>;
};

/** Something to close when the dashboard unmounts. */
export type Closer = {close: () => void | Promise<void>};

/** A live log feed of `components`: their recent backlog, then new lines in batches as they are appended. */
export type LogFeed = {
	follow: (components: string[], onLines: (lines: IncomingLine[]) => void, onError: (error: Error) => void) => Closer;
};

/** Calls `onChange` when a fact on disk changes: a PID file or a supervisor's record under data/, or config.yaml (chokidar in real life). */
export type FactsWatch = (onChange: () => void) => Closer;

/** Every component of the config when the dashboard opened, including disabled ones, in dependency order; later, status's list. */
export type ComponentInfo = {name: string; enabled: boolean; disabledReason: string | null};

/** The dashboard's whole view of the world. */
export type DashDeps = {
	home: Home;
	components: ComponentInfo[];
	lifecycle: Lifecycle;
	logs: LogFeed;
	watchFacts: FactsWatch;
	/** Cheap liveness of a pid (signal 0, not a zombie), checked every second between full status polls. */
	isAlive: (pid: number) => boolean;
	/** CPU and memory of running components' process groups, from the process table alone (no PID files, config or probes): the per-second refresh. */
	sample: (targets: SampleTarget[]) => Promise<Map<string, Usage>>;
	/** The warning of the latest status's load when config.yaml is broken (it ran from the last valid one); null while it is fine. */
	configWarning?: () => string | null;
};

export type {SampleTarget, Usage};
