// The marker variables, named once: every component's environment carries MARKER.home and MARKER.component, and a
// supervisor's carries MARKER.supervisor=1, which is how stigmer finds its processes after a crash (docs/supervision.md);
// what an engine runs carries MARKER.engine.
// The supervisor's shell text (engine/supervisor/*.sh) cannot import them and spells them as they are here.

export const MARKER = {
	home: 'STIGMER_HOME',
	component: 'STIGMER_COMPONENT',
	supervisor: 'STIGMER_SUPERVISOR',
	/** Set by an engine (systemd, launchd) in what it runs: stigmer's cleanup never ends those (docs/engines.md). */
	engine: 'STIGMER_ENGINE',
} as const;

/** The value MARKER.supervisor carries in a supervisor's environment. */
export const SUPERVISOR_VALUE = '1';

/** `env` without the marker: a ps or lsof run by a marked process must never find itself in the marker scan. */
export function withoutMarker(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const {[MARKER.home]: _home, [MARKER.component]: _component, ...rest} = env;
	return rest;
}
