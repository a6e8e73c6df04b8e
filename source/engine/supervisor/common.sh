# stigmer supervisor, shared by functions.sh and launcher.sh (docs/supervision.md): the build prepends it to both.

# st: the start-time token of pid $1, as the engine reads it: Linux /proc/<pid>/stat field 22; elsewhere (macOS, or
# /proc hidden) ps's lstart, read in UTC so a time-zone change moves nothing.
start_time_of() {
	if [ -r "/proc/$1/stat" ]; then
		line=
		{ IFS= read -r line <"/proc/$1/stat"; } 2>/dev/null
		# shellcheck disable=SC2086 # split into fields on purpose
		set -- ${line##*) }
		st=${20}
	else
		st=$(TZ=UTC0 LC_ALL=C STIGMER_HOME='' STIGMER_COMPONENT='' ps -o lstart= -p "$1" 2>/dev/null)
		# shellcheck disable=SC2086 # squeezes ps's padding
		set -- $st
		st="$*"
	fi
}
