// The dashboard's layout, nothing else: panels on top, the log pane, a status line and the footer.
import {Box, Text} from 'ink';
import {clip} from './clip.js';
import {useDashboard} from './hooks/use-dashboard.js';
import {useTerminalSize, type Size} from './hooks/use-terminal-size.js';
import {Footer} from './panels/footer.js';
import {HelpOverlay} from './panels/help-overlay.js';
import {LineViewer} from './panels/line-viewer.js';
import {LogPane} from './panels/log-pane.js';
import {CompactPanel, ComponentPanel} from './panels/component-panel.js';
import {StatusLine} from './panels/status-line.js';
import {countdownText, lastExitText} from '../messages.js';
import {panelWindow} from './layout.js';
import {componentColor} from './theme.js';
import {shownText} from './line-view.js';
import type {DashDeps, DashLine} from './types.js';

/** Columns of the title line besides the home: `stigmer dash`, spaces and the health badge. */
const TITLE_REST = 28;

export type AppProps = {
	deps: DashDeps;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	size?: Size;
	/** Log buffer capacity (tests); LOG_CAPACITY otherwise. */
	capacity?: number;
	onQuit?: () => void;
};

/** A panel's last error as the log pane shows it (a JSON line readable). */
const lastErrorOf = (line: DashLine | undefined): string | undefined => (line === undefined ? undefined : shownText(line));

/** The whole dashboard. */
export function App({deps, size: fixedSize, capacity, onQuit}: AppProps) {
	const size = useTerminalSize(fixedSize);
	const d = useDashboard(deps, size, {capacity, onQuit});
	const names = d.components.map((c) => c.name);
	const nameWidth = Math.max(...names.map((n) => n.length), 6);
	const Panel = d.layout.wide ? ComponentPanel : CompactPanel;
	const first = panelWindow(d.components.length, d.layout.panelSlots, d.ui.selected);
	const healthy = d.stack.report?.healthy;
	// A failing status poll (say, config.yaml broken meanwhile) outranks an older action's outcome.
	const message = d.stack.error === null ? d.lifecycle.message : {text: d.stack.error, tone: 'error' as const};
	const fallback = d.logError ?? d.lifecycle.busy ?? (healthy === undefined ? 'reading status…' : healthy ? 'all enabled components running and ready' : 'not every enabled component is running and ready');
	return (
		<Box flexDirection="column" width={size.columns} height={d.layout.frameHeight}>
			<Text wrap="truncate-end">
				<Text bold>stigmer dash</Text>
				<Text color="gray"> {clip(deps.home.root, size.columns - TITLE_REST)} </Text>
				{healthy === undefined ? null : healthy ? <Text color="green">● healthy</Text> : <Text color="yellow">○ not healthy</Text>}
				{d.stack.report?.target === undefined ? null : <Text color="cyan">  engine: systemd ({d.stack.report.target})</Text>}
			</Text>
			{d.ui.helpOpen ? (
				// The help takes the status line's row too (it has nothing to report while the help is read); the footer stays.
				<HelpOverlay height={d.layout.panelsHeight + d.layout.logHeight + 2} width={size.columns} />
			) : d.ui.opened === null ? (
				<>
					<Box flexDirection={d.layout.wide ? 'row' : 'column'} height={d.layout.panelsHeight}>
						{d.components.slice(first, first + d.layout.panelSlots).map((c, index) => (
							<Panel
								key={c.name}
								status={c}
								selected={first + index === d.ui.selected}
								progress={d.lifecycle.progress[c.name]}
								restarts={c.restarts}
								lastExit={lastExitText(c, d.stack.now)}
								countdown={countdownText(c, d.stack.now)}
								lastError={lastErrorOf(d.lastErrors.get(c.name))}
								color={componentColor(c.name)}
								width={d.layout.panelWidth}
							/>
						))}
					</Box>
					<LogPane
						lines={d.view.lines}
						version={d.view.version}
						start={d.view.start}
						height={d.layout.logHeight}
						width={size.columns}
						query={d.ui.query}
						currentSeq={d.ui.currentSeq}
						header={d.view.header}
						nameWidth={nameWidth}
						wrap={d.ui.wrap}
						follow={d.ui.scroll.follow}
						empty={d.view.empty}
					/>
				</>
			) : (
				<LineViewer line={d.ui.opened.line} top={d.ui.opened.top} width={size.columns} height={d.layout.panelsHeight + d.layout.logHeight + 1} />
			)}
			{d.ui.helpOpen ? null : <StatusLine searching={d.ui.typing} query={d.ui.query} message={message} fallback={fallback} width={size.columns} />}
			<Footer width={size.columns} />
		</Box>
	);
}
