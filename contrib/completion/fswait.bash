# bash completion for fswait(1)                            -*- shell-script -*-
#
# Installed as fswait in bash-completion's completionsdir
# (pkg-config --variable=completionsdir bash-completion), which loads it the
# first time "fswait <TAB>" is pressed; meson does this with
# -Dbash_completion=true. With -Dinotify_tools_names=true it is also
# installed under the name inotifywait, for fswait's inotifywait alias.
#
# The options and event names are read from "fswait --help" (the same
# layout as inotifywait's, which bash-completion's own inotifywait completion
# also reads), so they follow the installed version; the lists below are used
# only when that command cannot be run.

# _fswait_parse_help COMMAND
# Sets _fswait_opts (every -x and --long option), _fswait_argopts (those
# taking an argument) and _fswait_events (the names under "Events:").
_fswait_parse_help()
{
    local line names name in_events=false
    local opt_re=$'^\t(-[^[:space:]<]+)( <[^>]*>)?'
    local event_re=$'^\t([a-z_]+)'
    _fswait_opts=() _fswait_argopts=() _fswait_events=()
    while IFS= read -r line; do
        if [[ $line == Events:* ]]; then
            in_events=true
        elif $in_events; then
            [[ $line =~ $event_re ]] && _fswait_events+=("${BASH_REMATCH[1]}")
        elif [[ $line =~ $opt_re ]]; then
            IFS='|' read -ra names <<<"${BASH_REMATCH[1]}"
            for name in "${names[@]}"; do
                _fswait_opts+=("$name")
                [[ ${BASH_REMATCH[2]} ]] && _fswait_argopts+=("$name")
            done
        fi
    done < <(LC_ALL=C "$1" --help 2>/dev/null)
}

# _fswait_event_list EVENT...
# Completes $cur as a comma-separated list of the given event names,
# leaving out the names already in the list.
_fswait_event_list()
{
    local prefix="" word=$cur used name
    local -a offer=()
    if [[ $cur == *,* ]]; then
        prefix=${cur%,*},
        word=${cur##*,}
    fi
    used=",${prefix,,}"
    for name in "$@"; do
        [[ $used == *",$name,"* ]] || offer+=("$name")
    done
    local IFS=$'\n'
    mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "${offer[*]}" -- "$word")
}

# _fswait_files: files and directories (the paths to watch).
_fswait_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

_fswait()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        # Without bash-completion: no --opt=value splitting.
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi

    local -a _fswait_opts _fswait_argopts _fswait_events
    _fswait_parse_help "${words[0]}"
    if ((${#_fswait_opts[@]} == 0)); then
        _fswait_opts=(-h --help --version -m --monitor -q --quiet -e --event
            -t --timeout -o --outfile --fromfile --exclude --excludei
            --include --includei -r --recursive -P --no-dereference -c --csv
            --format --no-newline --timefmt)
        _fswait_argopts=(-e --event -t --timeout -o --outfile --fromfile
            --exclude --excludei --include --includei --format --timefmt)
    fi
    if ((${#_fswait_events[@]} == 0)); then
        _fswait_events=(access modify attrib close_write close_nowrite close
            open moved_to moved_from move move_self create delete delete_self
            unmount)
    fi

    case $prev in
        -e | --event)
            _fswait_event_list "${_fswait_events[@]}"
            return
            ;;
        -o | --outfile | --fromfile)
            _fswait_files
            return
            ;;
    esac
    # Any other option's argument (a timeout, a format, a regex): nothing
    # to offer.
    local o
    for o in "${_fswait_argopts[@]}"; do
        [[ $prev == "$o" ]] && return
    done
    $split && return

    # Options, unless "--" came before.
    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && {
            _fswait_files
            return
        }
    done
    if [[ $cur == -* ]]; then
        local IFS=$'\n'
        mapfile -t COMPREPLY < <(compgen -W "${_fswait_opts[*]}" -- "$cur")
        return
    fi
    _fswait_files
}
complete -F _fswait fswait

# The name inotifywait gets this completion only when it is fswait under
# another name: this file was loaded as .../completions/inotifywait (meson
# -Dinotify_tools_names=true installs it so, with /usr/bin/inotifywait a
# link to fswait), or the inotifywait in $PATH is a link to fswait.
# inotify-tools' own inotifywait keeps bash-completion's completion.
_fswait_is_alias()
{
    local path
    path=$(type -P "$1") && [[ $(readlink -f -- "$path") == */"$2" ]]
}
if [[ ${BASH_SOURCE[0]##*/} == inotifywait ]] || _fswait_is_alias inotifywait fswait; then
    complete -F _fswait inotifywait
fi

# ex: filetype=sh
