# stigmer launcher (docs/supervision.md): run by the supervisor as `sh -c TEXT stigmer-launch PID_FILE PID_JSON PGID
# MASK LC_ALL RESET -- ARGV…` in the background; it writes the PID file with its own pid (exec keeps pid and start time), restores the
# umask, LC_ALL and the signals an asynchronous job starts without, and becomes the component.
# Its exit status when it cannot start the component: 125 no PID file written, 126 not executable, 127 no such command.
# shellcheck disable=SC2154 # st: set by start_time_of (common.sh, prepended by the build)
:
pid_file=$1 pid_json=$2 pgid=$3 mask=$4 lc_all=$5 reset=$6
shift 7
# Its stderr becomes the log here, not by a redirection where the supervisor runs it.
exec 2>&3 3>&-
# The command must exist before a PID file claims it runs: a relaunch whose command is gone is no crash loop.
# A path is checked itself: dash's command -v accepts any existing file, and exec would then fail with 126.
case $1 in
*/*) if [ -f "$1" ] && [ -x "$1" ]; then :; elif [ -e "$1" ]; then
	echo "stigmer: cannot run $1: not an executable file" >&2
	exit 126
else
	echo "stigmer: cannot run $1: no such file or command" >&2
	exit 127
fi ;;
*) if ! command -v "$1" >/dev/null 2>&1; then
	echo "stigmer: cannot run $1: no such file or command" >&2
	exit 127
fi ;;
esac
start_time_of $$
tmp="${pid_file%/*}/.${pid_file##*/}.$$.tmp"
rm -f "$tmp"
# noclobber: the temp file is created afresh (O_EXCL), never written through a planted symlink; a directory where the
# PID file belongs is never written into. Without a PID file the component must not run (nobody could stop it).
if [ -d "$pid_file" ] || ! (set -C; printf '{"pid":%s,"pgid":%s,"startTime":"%s",%s}\n' $$ "$pgid" "$st" "$pid_json" >"$tmp") 2>/dev/null || ! mv -f "$tmp" "$pid_file"; then
	rm -f "$tmp"
	echo "stigmer: cannot write $pid_file (full disk? not a regular file?); not starting" >&2
	exit 125
fi
umask "$mask"
case $lc_all in
=*) LC_ALL=${lc_all#=} && export LC_ALL ;;
*) unset LC_ALL ;;
esac
# An asynchronous job starts with SIGINT and SIGQUIT ignored, and dash cannot undo that (a signal ignored on entry
# stays ignored): a helper that can puts them back to their defaults, so `stop_signal: SIGINT` reaches the component.
case $reset:$1 in
env:*=*) ;;
env:*) exec /usr/bin/env --default-signal=INT,QUIT "$@" ;;
perl:*) exec /usr/bin/perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec {$ARGV[0]} @ARGV or exit 127;' -- "$@" ;;
esac
exec "$@"
