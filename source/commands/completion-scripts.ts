// Shell completion scripts (docs/cli.md), generated from one model of the command line. Pure: the model in, a script out.
// Each shell walks the words typed so far the same way; component names come from `stigmer completion --components`
// at completion time, so they follow the current STIGMER_HOME's config.yaml.

/** What the command line accepts, gathered from the verbs themselves (their flag tables and help). */
export type CompletionModel = {
	/** Words that may follow a path of words: '' → `server dash … help`, 'server' → `start stop …`. */
	words: Record<string, string[]>;
	/** Flags of each verb path ('' for `stigmer` itself). */
	flags: Record<string, string[]>;
	/** Flags that take a value (the next word is that value, not a command). */
	valueFlags: string[];
	/** Flags whose value is a component name (`-c`, `--component`). */
	componentFlags: string[];
	/** Verb paths whose arguments are component names (`server start`, `server stop`). */
	componentVerbs: string[];
};

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script for `shell`. */
export function completionScript(shell: Shell, model: CompletionModel): string {
	return shell === 'fish' ? fishScript(model) : shell === 'zsh' ? zshScript(model) : bashScript(model);
}

const quote = (word: string) => `'${word.replaceAll("'", String.raw`'\''`)}'`;

/** `case` arms shared by bash and zsh: `'server') printf '%s\n' start stop ;;`. */
function shCase(name: string, table: Record<string, string[]>): string {
	const arms = Object.entries(table).map(([key, list]) => `\t\t${quote(key)}) printf '%s\\n' ${list.map(quote).join(' ')} ;;`);
	return `${name}() {\n\tcase "$1" in\n${arms.join('\n')}\n\tesac\n}`;
}

/** The walk over the typed words, in the sh dialect bash and zsh share; prints candidates one per line. (Not `path`: zsh ties it to PATH.) */
function shCore(model: CompletionModel): string {
	return `${shCase('__stigmer_words', model.words)}

${shCase('__stigmer_flags', model.flags)}

# $1: the stigmer command typed, $2: the word being completed, then the words between them.
__stigmer_candidates() {
	local cmd="$1" cur="$2" verb='' prev='' skip=0 w key
	shift 2
	for w in "$@"; do
		if [ "$skip" = 1 ]; then
			skip=0
		else
			case " ${model.valueFlags.join(' ')} " in *" $w "*) skip=1 ;; esac
			case "$w" in
				-*) ;;
				*)
					key="$verb"
					case "$key" in help) key='' ;; 'help '*) key="\${key#help }" ;; esac
					if __stigmer_words "$key" | grep -qxF -- "$w"; then verb="\${verb:+$verb }$w"; fi
					;;
			esac
		fi
		prev="$w"
	done
	case " ${model.componentFlags.join(' ')} " in *" $prev "*) [ -n "$prev" ] && { "$cmd" completion --components 2>/dev/null; return 0; } ;; esac
	case " ${model.valueFlags.join(' ')} " in *" $prev "*) [ -n "$prev" ] && return 0 ;; esac
	case "$cur" in
		-*) __stigmer_flags "$verb"; return 0 ;;
	esac
	key="$verb"
	case "$key" in help) key='' ;; 'help '*) key="\${key#help }" ;; esac
	if [ -n "$(__stigmer_words "$key")" ]; then
		__stigmer_words "$key"
		return 0
	fi
	case "|${model.componentVerbs.join('|')}|" in *"|$verb|"*) "$cmd" completion --components 2>/dev/null ;; esac
	return 0
}`;
}

function bashScript(model: CompletionModel): string {
	return `# stigmer completion for bash. Load it in ~/.bashrc:  source <(stigmer completion bash)
# or save it:  stigmer completion bash > ~/.local/share/bash-completion/completions/stigmer
${shCore(model)}

_stigmer() {
	local cur="\${COMP_WORDS[COMP_CWORD]}"
	local IFS=$'\\n'
	COMPREPLY=($(compgen -W "$(__stigmer_candidates "\${COMP_WORDS[0]}" "$cur" "\${COMP_WORDS[@]:1:COMP_CWORD-1}")" -- "$cur"))
}
complete -F _stigmer stigmer
`;
}

function zshScript(model: CompletionModel): string {
	return `#compdef stigmer
# stigmer completion for zsh. Save it on your fpath:  stigmer completion zsh > "\${fpath[1]}/_stigmer"
# (then start a new shell), or load it in ~/.zshrc after compinit:  source <(stigmer completion zsh)
${shCore(model)}

_stigmer() {
	local -a candidates
	candidates=(\${(f)"$(__stigmer_candidates "\${words[1]}" "\${words[CURRENT]}" "\${(@)words[2,CURRENT-1]}")"})
	compadd -a candidates
}

if [ "$funcstack[1]" = "_stigmer" ]; then
	_stigmer "$@"
else
	compdef _stigmer stigmer
fi
`;
}

function fishSwitch(name: string, table: Record<string, string[]>): string {
	const arms = Object.entries(table).map(([key, list]) => `\t\tcase ${quote(key)}\n\t\t\tprintf '%s\\n' ${list.map(quote).join(' ')}`);
	return `function ${name}\n\tswitch "$argv[1]"\n${arms.join('\n')}\n\tend\nend`;
}

function fishScript(model: CompletionModel): string {
	const list = (words: string[]) => words.map(quote).join(' ');
	return `# stigmer completion for fish. Save it:  stigmer completion fish > ~/.config/fish/completions/stigmer.fish
${fishSwitch('__stigmer_words', model.words)}

${fishSwitch('__stigmer_flags', model.flags)}

function __stigmer_key
	switch "$argv[1]"
		case help
			echo ''
		case 'help *'
			string replace -r '^help ' '' -- "$argv[1]"
		case '*'
			echo "$argv[1]"
	end
end

function __stigmer_candidates
	set -l tokens (commandline -opc)
	set -l cur (commandline -ct)
	set -l cmd $tokens[1]
	set -e tokens[1]
	set -l verb ''
	set -l prev ''
	set -l skip 0
	for w in $tokens
		if test $skip = 1
			set skip 0
		else if contains -- $w ${list(model.valueFlags)}
			set skip 1
		else if not string match -q -- '-*' $w
			if contains -- $w (__stigmer_words (__stigmer_key "$verb"))
				set verb (string trim -- "$verb $w")
			end
		end
		set prev $w
	end
	if test -n "$prev"; and contains -- $prev ${list(model.componentFlags)}
		$cmd completion --components 2>/dev/null
		return 0
	end
	if test -n "$prev"; and contains -- $prev ${list(model.valueFlags)}
		return 0
	end
	if string match -q -- '-*' "$cur"
		__stigmer_flags "$verb"
		return 0
	end
	set -l next (__stigmer_words (__stigmer_key "$verb"))
	if test (count $next) -gt 0
		printf '%s\\n' $next
	else if contains -- "$verb" ${list(model.componentVerbs)}
		$cmd completion --components 2>/dev/null
	end
end

complete -c stigmer -f -a '(__stigmer_candidates)'
`;
}
