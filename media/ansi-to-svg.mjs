// A tiny ANSI (SGR) → SVG renderer for terminal captures (`tmux capture-pane -e -p`): enough of
// SGR for what Ink and chalk emit (16/256/true colours, bold, dim, inverse), one <text> per row.

const CELL_W = 8.4;
const CELL_H = 17;
const PAD = 12;
const FONT = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace";
const THEME = {fg: '#d0d0d0', bg: '#1e1e2e'};
/** xterm-like base palette (0-15). */
const BASE = ['#1e1e2e', '#f38ba8', '#a6e3a1', '#f9e2af', '#89b4fa', '#f5c2e7', '#94e2d5', '#bac2de', '#585b70', '#f38ba8', '#a6e3a1', '#f9e2af', '#89b4fa', '#f5c2e7', '#94e2d5', '#a6adc8'];

function color256(n) {
	if (n < 16) {
		return BASE[n];
	}

	if (n >= 232) {
		const v = 8 + (n - 232) * 10;
		return `rgb(${v},${v},${v})`;
	}

	const i = n - 16;
	const c = (x) => (x === 0 ? 0 : 55 + x * 40);
	return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

const escapeXml = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Apply one SGR parameter list to a style. */
function applySgr(style, params) {
	const p = params.length === 0 ? [0] : params;
	for (let i = 0; i < p.length; i++) {
		const n = p[i];
		if (n === 0) {
			Object.assign(style, {fg: null, bg: null, bold: false, dim: false, inverse: false, underline: false});
		} else if (n === 1) {
			style.bold = true;
		} else if (n === 2) {
			style.dim = true;
		} else if (n === 4) {
			style.underline = true;
		} else if (n === 7) {
			style.inverse = true;
		} else if (n === 22) {
			style.bold = false;
			style.dim = false;
		} else if (n === 24) {
			style.underline = false;
		} else if (n === 27) {
			style.inverse = false;
		} else if (n >= 30 && n <= 37) {
			style.fg = BASE[n - 30];
		} else if (n === 39) {
			style.fg = null;
		} else if (n >= 40 && n <= 47) {
			style.bg = BASE[n - 40];
		} else if (n === 49) {
			style.bg = null;
		} else if (n >= 90 && n <= 97) {
			style.fg = BASE[n - 90 + 8];
		} else if (n >= 100 && n <= 107) {
			style.bg = BASE[n - 100 + 8];
		} else if ((n === 38 || n === 48) && p[i + 1] === 5) {
			style[n === 38 ? 'fg' : 'bg'] = color256(p[i + 2]);
			i += 2;
		} else if ((n === 38 || n === 48) && p[i + 1] === 2) {
			style[n === 38 ? 'fg' : 'bg'] = `rgb(${p[i + 2]},${p[i + 3]},${p[i + 4]})`;
			i += 4;
		}
	}
}

/** Rows of styled runs: [{text, style}] per row. */
export function parseAnsi(text) {
	const style = {fg: null, bg: null, bold: false, dim: false, inverse: false, underline: false};
	return text.split('\n').map((line) => {
		const runs = [];
		let at = 0;
		for (const m of line.matchAll(/\u001B\[([\d;]*)m/g)) {
			if (m.index > at) {
				runs.push({text: line.slice(at, m.index), style: {...style}});
			}

			applySgr(style, m[1] === '' ? [] : m[1].split(';').map(Number));
			at = m.index + m[0].length;
		}

		if (at < line.length) {
			runs.push({text: line.slice(at), style: {...style}});
		}

		return runs;
	});
}

/** An SVG picture of the captured screen, `columns`×`rows` cells. */
export function ansiToSvg(text, {columns, rows, title = 'stigmer dash'}) {
	const lines = parseAnsi(text.replace(/\n$/, '')).slice(0, rows);
	const width = Math.ceil(columns * CELL_W + PAD * 2);
	const height = Math.ceil(rows * CELL_H + PAD * 2 + 24);
	const out = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
		`<rect width="100%" height="100%" rx="8" fill="${THEME.bg}"/>`,
		'<circle cx="18" cy="14" r="5" fill="#f38ba8"/><circle cx="36" cy="14" r="5" fill="#f9e2af"/><circle cx="54" cy="14" r="5" fill="#a6e3a1"/>',
		`<text x="${width / 2}" y="18" fill="#7f849c" font-family="${FONT}" font-size="12" text-anchor="middle">${escapeXml(title)}</text>`,
		`<g font-family="${FONT}" font-size="14" xml:space="preserve">`,
	];
	for (const [row, runs] of lines.entries()) {
		const y = PAD + 24 + row * CELL_H;
		let col = 0;
		const spans = [];
		for (const run of runs) {
			const chars = [...run.text];
			let fg = run.style.fg ?? THEME.fg;
			let bg = run.style.bg;
			if (run.style.inverse) {
				[fg, bg] = [bg ?? THEME.bg, run.style.fg ?? THEME.fg];
			}

			if (bg) {
				out.push(`<rect x="${(PAD + col * CELL_W).toFixed(1)}" y="${y}" width="${(chars.length * CELL_W).toFixed(1)}" height="${CELL_H}" fill="${bg}"/>`);
			}

			const attrs = [`fill="${fg}"`];
			if (run.style.bold) {
				attrs.push('font-weight="bold"');
			}

			if (run.style.dim) {
				attrs.push('opacity="0.6"');
			}

			if (run.style.underline) {
				attrs.push('text-decoration="underline"');
			}

			if (run.text.trim() !== '') {
				spans.push(`<text x="${(PAD + col * CELL_W).toFixed(1)}" y="${y + CELL_H - 4}" textLength="${(chars.length * CELL_W).toFixed(1)}" lengthAdjust="spacingAndGlyphs" ${attrs.join(' ')}>${escapeXml(run.text)}</text>`);
			}

			col += chars.length;
		}

		out.push(...spans);
	}

	out.push('</g>', '</svg>');
	return `${out.join('\n')}\n`;
}
