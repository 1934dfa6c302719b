# bash completion for fswatch-stats(1)                     -*- shell-script -*-
#
# Installed as fswatch-stats in bash-completion's completionsdir
# (pkg-config --variable=completionsdir bash-completion); meson does this
# with -Dbash_completion=true. With -Dinotify_tools_names=true it is also
# installed under the name inotifywatch, for fswatch-stats's alias.
#
# The options and event names are read from "fswatch-stats --help"; the
# lists below are used only when that command cannot be run.

# _fswatch_stats_parse_help COMMAND
# Sets _fss_opts (every -x and --long option), _fss_argopts (those taking an
# argument) and _fss_events (the names under "Events:").
_fswatch_stats_parse_help()
{
    local line names name in_events=false
    local opt_re=$'^\t(-[^[:space:]<]+)( <[^>]*>)?'
    local event_re=$'^\t([a-z_]+)'
    _fss_opts=() _fss_argopts=() _fss_events=()
    while IFS= read -r line; do
        if [[ $line == Events:* ]]; then
            in_events=true
        elif $in_events; then
            [[ $line =~ $event_re ]] && _fss_events+=("${BASH_REMATCH[1]}")
        elif [[ $line =~ $opt_re ]]; then
            IFS='|' read -ra names <<<"${BASH_REMATCH[1]}"
            for name in "${names[@]}"; do
                _fss_opts+=("$name")
                [[ ${BASH_REMATCH[2]} ]] && _fss_argopts+=("$name")
            done
        fi
    done < <(LC_ALL=C "$1" --help 2>/dev/null)
}

# _fswatch_stats_event_list EVENT...
# Completes $cur as a comma-separated list of the given event names,
# leaving out the names already in the list.
_fswatch_stats_event_list()
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

_fswatch_stats_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

_fswatch_stats()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi

    local -a _fss_opts _fss_argopts _fss_events
    _fswatch_stats_parse_help "${words[0]}"
    if ((${#_fss_opts[@]} == 0)); then
        _fss_opts=(-h --help -e --event -t --timeout -a --ascending
            -d --descending -z --zero --by --max-rows -r --recursive
            -P --no-dereference -v --verbose --fromfile --exclude --excludei
            --include --includei)
        _fss_argopts=(-e --event -t --timeout -a --ascending -d --descending
            --by --max-rows --fromfile --exclude --excludei --include
            --includei)
    fi
    if ((${#_fss_events[@]} == 0)); then
        _fss_events=(access modify attrib close_write close_nowrite close
            open moved_to moved_from move move_self create delete delete_self
            unmount)
    fi

    local IFS=$' \t\n' name
    case $prev in
        -e | --event)
            _fswatch_stats_event_list "${_fss_events[@]}"
            return
            ;;
        -a | --ascending | -d | --descending)
            # One sort key: an event with a column of its own (not the
            # close and move pairs), or total.
            local -a keys=()
            for name in "${_fss_events[@]}"; do
                [[ $name == close || $name == move ]] || keys+=("$name")
            done
            keys+=(total)
            mapfile -t COMPREPLY < <(compgen -W "${keys[*]}" -- "$cur")
            return
            ;;
        --by)
            mapfile -t COMPREPLY < <(compgen -W "command path pid user" -- "$cur")
            return
            ;;
        --fromfile)
            _fswatch_stats_files
            return
            ;;
    esac
    # Any other option's argument (a timeout, a row count, a regex).
    local o
    for o in "${_fss_argopts[@]}"; do
        [[ $prev == "$o" ]] && return
    done
    $split && return

    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && {
            _fswatch_stats_files
            return
        }
    done
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${_fss_opts[*]}" -- "$cur")
        return
    fi
    _fswatch_stats_files
}
complete -F _fswatch_stats fswatch-stats

# The name inotifywatch gets this completion only when it is fswatch-stats
# under another name: this file was loaded as .../completions/inotifywatch
# (meson -Dinotify_tools_names=true), or the inotifywatch in $PATH is a link
# to fswatch-stats. inotify-tools' own inotifywatch keeps its completion.
_fswatch_stats_is_alias()
{
    local path
    path=$(type -P "$1") && [[ $(readlink -f -- "$path") == */"$2" ]]
}
if [[ ${BASH_SOURCE[0]##*/} == inotifywatch ]] ||
    _fswatch_stats_is_alias inotifywatch fswatch-stats; then
    complete -F _fswatch_stats inotifywatch
fi

# ex: filetype=sh
