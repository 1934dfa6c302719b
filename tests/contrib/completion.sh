#!/bin/bash
# contrib/completion/*.bash: both files parse, and with bash-completion's
# helpers loaded they complete what fswait --help and fswatch-stats --help
# say (exact COMPREPLY arrays).
#
# Usage: completion.sh FSWAIT_BASH FSWATCH_STATS_BASH FSWAIT FSWATCH_STATS
#   the two completion files, then the two binaries built here (put on
#   $PATH under their own names, as an installed system would have them).
# Exit: 0 pass, 1 fail, 77 (skip) when bash-completion is not installed,
#       unless CI=true (the syntax check runs anyway).
set -u

if [ $# -ne 4 ]; then
    echo "usage: $0 FSWAIT_BASH FSWATCH_STATS_BASH FSWAIT FSWATCH_STATS" >&2
    exit 1
fi
comp_wait=$(realpath "$1") comp_stats=$(realpath "$2")
bin_wait=$(realpath "$3") bin_stats=$(realpath "$4")
bash_completion=/usr/share/bash-completion/bash_completion
bash=$(command -v bash)

status=0
fail() {
    echo "FAIL: $*" >&2
    status=1
}

# No "#!" line (lintian: bash-completion-with-hashbang), valid syntax.
for f in "$comp_wait" "$comp_stats"; do
    head -n1 "$f" | grep -q '^#!' && fail "$f starts with #!"
    bash -n "$f" || fail "bash -n $f"
done

if [ ! -r "$bash_completion" ]; then
    if [ "${CI:-}" = true ]; then
        echo "completion: $bash_completion is missing (required when CI=true)" >&2
        exit 1
    fi
    echo "completion: bash-completion is not installed; skipping the behaviour checks" >&2
    [ $status -eq 0 ] && exit 77
    
# As installed by meson -Dinotify_tools_names=true: completions/inotifywait
# is a link to completions/fswait, and bash-completion's loader finds it by
# the command's name. Then the file registers the alias without looking at
# $PATH.
share=$tmp/share/bash-completion/completions
mkdir -p "$share"
cp "$comp_wait" "$share/fswait"
cp "$comp_stats" "$share/fswatch-stats"
ln -s fswait "$share/inotifywait"
ln -s fswatch-stats "$share/inotifywatch"
loaded=$(PATH=$tmp/bin:/nonexistent HOME=$tmp XDG_DATA_DIRS=$tmp/share \
    BASH_COMPLETION_USER_DIR=$tmp/none "$bash" --norc --noprofile -c '
    source "$1" || exit 3
    __load_completion inotifywait && __load_completion inotifywatch &&
        echo "$(complete -p inotifywait)|$(complete -p inotifywatch)"
' bash "$bash_completion")
expect 'lazy loading of completions/inotifywait -> fswait' \
    'complete -F _fswait inotifywait|complete -F _fswatch_stats inotifywatch' "$loaded"

exit $status
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/alias"
ln -s "$bin_wait" "$tmp/bin/fswait"
ln -s "$bin_stats" "$tmp/bin/fswatch-stats"
ln -s "$bin_wait" "$tmp/alias/inotifywait"
ln -s "$bin_stats" "$tmp/alias/inotifywatch"
mkdir "$tmp/files" && touch "$tmp/files/alpha" "$tmp/files/beta" && mkdir "$tmp/files/adir"

# run_bash PATH SCRIPT: a fresh non-interactive bash with bash-completion
# and both files loaded; SCRIPT may call "t CMD WORD...", which completes
# the last WORD and prints COMPREPLY as "[a] [b] ...".
run_bash() {
    PATH=$1 HOME=$tmp XDG_DATA_DIRS=$tmp/none BASH_COMPLETION_USER_DIR=$tmp/none \
        "$bash" --norc --noprofile -c '
        source "$1" || exit 3
        source "$2" || exit 3
        source "$3" || exit 3
        # t CMD WORD...: complete the last WORD with the function
        # registered for CMD; tf FUNC CMD WORD...: with FUNC.
        tf() {
            local func=$1
            shift
            COMP_WORDS=("$@")
            COMP_CWORD=$(($# - 1))
            # As typed: no blanks around the "=" of --opt=value.
            local w line=
            for w in "$@"; do
                if [[ $w == = || $line == *= ]]; then line+=$w; else line+="${line:+ }$w"; fi
            done
            COMP_LINE=$line
            COMP_POINT=${#COMP_LINE}
            COMPREPLY=()
            "$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            local out=
            for w in "${COMPREPLY[@]}"; do out+="[$w] "; done
            echo "${out% }"
        }
        t() {
            local spec func
            spec=$(complete -p "$1") || { echo "no completion for $1"; return; }
            func=${spec#*-F }
            tf "${func%% *}" "$@"
        }
        eval "$4"
    ' bash "$bash_completion" "$comp_wait" "$comp_stats" "$2"
}

# expect DESCRIPTION EXPECTED ACTUAL
expect() {
    if [ "$2" = "$3" ]; then
        echo "ok: $1 -> $3"
    else
        fail "$1: expected '$2', got '$3'"
    fi
}

path=$tmp/bin:/usr/bin:/bin
# c WORD...: complete the last word of "WORD..." (quoted, so '' is a word).
c() { run_bash "$path" "t $(printf '%q ' "$@")"; }

expect 'fswait --rec<TAB>' '[--recursive]' "$(c fswait --rec)"
expect 'fswait --no-<TAB>' '[--no-dereference] [--no-newline]' "$(c fswait --no-)"
expect 'fswait -e clo<TAB>' '[close_write] [close_nowrite] [close]' "$(c fswait -e clo)"
expect 'fswait --event clo<TAB>' '[close_write] [close_nowrite] [close]' "$(c fswait --event clo)"
expect 'fswait --event=clo<TAB>' '[close_write] [close_nowrite] [close]' "$(c fswait --event = clo)"
expect 'fswait -e create,mo<TAB>' \
    '[create,modify] [create,moved_to] [create,moved_from] [create,move] [create,move_self]' \
    "$(c fswait -e create,mo)"
expect 'fswait -e close_write,close<TAB> (no repeats)' \
    '[close_write,close_nowrite] [close_write,close]' "$(c fswait -e close_write,close)"
expect 'fswait -e create,delete,<TAB> (no repeats)' 13 \
    "$(run_bash "$path" 't fswait -e create,delete, | wc -w')"
expect 'fswait -t <TAB> (a number: nothing)' '' "$(c fswait -t '')"
expect 'fswait --format <TAB> (nothing)' '' "$(c fswait --format '')"
expect 'fswait --timefmt <TAB> (nothing)' '' "$(c fswait --timefmt '')"
expect 'fswait -o DIR/be<TAB> (a file)' "[$tmp/files/beta]" "$(c fswait -o "$tmp/files/be")"
expect 'fswait DIR/a<TAB> (files)' "[$tmp/files/adir] [$tmp/files/alpha]" \
    "$(c fswait -m "$tmp/files/a" | tr ' ' '\n' | sort | paste -sd' ')"
expect 'fswait -- --r<TAB> (no options after --)' '' "$(c fswait -- --r)"

expect 'fswatch-stats --by <TAB>' '[command] [path] [pid] [user]' "$(c fswatch-stats --by '')"
expect 'fswatch-stats -a to<TAB>' '[total]' "$(c fswatch-stats -a to)"
expect 'fswatch-stats -d c<TAB> (no close pair)' '[close_write] [close_nowrite] [create]' \
    "$(c fswatch-stats -d c)"
expect 'fswatch-stats --descending mov<TAB> (no move pair)' '[moved_to] [moved_from] [move_self]' \
    "$(c fswatch-stats --descending mov)"
expect 'fswatch-stats -e modify,cl<TAB>' \
    '[modify,close_write] [modify,close_nowrite] [modify,close]' "$(c fswatch-stats -e modify,cl)"
expect 'fswatch-stats --max<TAB>' '[--max-rows]' "$(c fswatch-stats --max)"
expect 'fswatch-stats -z<TAB>' '[-z]' "$(c fswatch-stats -z)"
expect 'fswatch-stats --max-rows <TAB> (nothing)' '' "$(c fswatch-stats --max-rows '')"

# Every option --help lists is offered, short and long.
for tool in fswait fswatch-stats; do
    listed=$("$tmp/bin/$tool" --help | sed -n 's/^\t\(-[^[:space:]<]*\).*/\1/p' |
        tr '|' '\n' | sort | paste -sd' ')
    offered=$(c "$tool" - | tr -d '[]' | tr ' ' '\n' | sort | paste -sd' ')
    expect "$tool -<TAB> offers every option in --help" "$listed" "$offered"
done

# Without a runnable binary the built-in lists are used.
expect 'fswait -e clo<TAB>, no fswait on PATH' '[close_write] [close_nowrite] [close]' \
    "$(run_bash /usr/bin:/bin 'tf _fswait /nonexistent/fswait -e clo')"
expect 'fswatch-stats --by <TAB>, no fswatch-stats on PATH' '[command] [path] [pid] [user]' \
    "$(run_bash /usr/bin:/bin "tf _fswatch_stats /nonexistent/fswatch-stats --by ''")"

# The inotify-tools names: only when they are links to our tools.
if [[ $(readlink -f /usr/bin/inotifywait) != */fswait ]]; then
    expect 'inotifywait, not ours: no completion registered' 'none' \
        "$(run_bash "$path" 'complete -p inotifywait inotifywatch >/dev/null 2>&1 && echo registered || echo none')"
fi
expect 'inotifywait -> fswait: registered' \
    'complete -F _fswait inotifywait|complete -F _fswatch_stats inotifywatch' \
    "$(run_bash "$tmp/bin:$tmp/alias:/usr/bin:/bin" 'complete -p inotifywait inotifywatch | paste -sd"|"')"
expect 'inotifywait --rec<TAB> through the alias' '[--recursive]' \
    "$(run_bash "$tmp/bin:$tmp/alias:/usr/bin:/bin" 't inotifywait --rec')"
expect 'inotifywatch --by p<TAB> through the alias' '[path] [pid]' \
    "$(run_bash "$tmp/bin:$tmp/alias:/usr/bin:/bin" 't inotifywatch --by p')"


# As installed by meson -Dinotify_tools_names=true: completions/inotifywait
# is a link to completions/fswait, and bash-completion's loader finds it by
# the command's name. Then the file registers the alias without looking at
# $PATH.
share=$tmp/share/bash-completion/completions
mkdir -p "$share"
cp "$comp_wait" "$share/fswait"
cp "$comp_stats" "$share/fswatch-stats"
ln -s fswait "$share/inotifywait"
ln -s fswatch-stats "$share/inotifywatch"
loaded=$(PATH=$tmp/bin:/nonexistent HOME=$tmp XDG_DATA_DIRS=$tmp/share \
    BASH_COMPLETION_USER_DIR=$tmp/none "$bash" --norc --noprofile -c '
    source "$1" || exit 3
    __load_completion inotifywait && __load_completion inotifywatch &&
        echo "$(complete -p inotifywait)|$(complete -p inotifywatch)"
' bash "$bash_completion")
expect 'lazy loading of completions/inotifywait -> fswait' \
    'complete -F _fswait inotifywait|complete -F _fswatch_stats inotifywatch' "$loaded"

exit $status
