"""--format, --no-newline, --timefmt (oracle cases: no %c, %p, %u, %k here --
those letters differ on purpose in fswait, see cases_fswait.py)."""
from casedef import BANNER, Case, Match, lines, lsdir

CASES = [
    # E12 without its %c (cookie in inotifywait, command name in fswait).
    Case('e12_format_specifiers_constant_timefmt',
         ['-q', '--format', '[%w][%f][%e][%:e][%.e][% e][%%][%T]', '--timefmt', 'TIME', 'w'],
         setup='mkdir w', workload='touch w/f',
         stdout=lines('[w/][f][CREATE][CREATE][CREATE][CREATE][%][TIME]')),
    Case('e13_format_newline_nul_unknown_trailing_percent',
         ['-q', '--format', 'A%nB%0C|%x|%Z|%ne|%we|%fe|%%e|%-e|%', 'w'],
         setup='mkdir w', workload='mkdir w/d',
         stdout=b'A\nB\0C|%x|%Z|\ne|w/e|de|%e|CREATE-ISDIR|%\n'),
    Case('e14_format_multi_flag_separators',
         ['-q', '-e', 'close_nowrite', '--format', '[%w][%f][%e][%:e][%_e]', 'w'],
         setup='mkdir w', workload=lsdir('w'),
         stdout=lines('[w/][][CLOSE_NOWRITE,CLOSE,ISDIR][CLOSE_NOWRITE:CLOSE:ISDIR]'
                      '[CLOSE_NOWRITE_CLOSE_ISDIR]')),
    Case('e15_format_watched_file', ['-q', '--format', '[%w][%f][%e]', 'w/file'],
         setup='mkdir w; touch w/file', workload='chmod 600 w/file',
         stdout=lines('[w/file][][ATTRIB]')),
    # A real --timefmt: local time when printed (the minute may tick, so a pattern).
    Case('e16_format_real_timefmt',
         ['-q', '--format', '%T %e %w%f', '--timefmt', '%Y-%m-%dT%H:%M', 'w'],
         setup='mkdir w', workload='touch w/f',
         stdout=Match(rb'20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9] CREATE w/f\n')),
    Case('e17_format_nul_separated_no_newline',
         ['-q', '-m', '-t', '1', '-e', 'create', '-e', 'moved_to',
          '--format', '%w%f%0', '--no-newline', 'w'],
         setup='mkdir w', workload='touch w/a; mv w/a w/b',
         stdout=b'w/a\0w/b\0', status=2),
    Case('e18_format_empty_render_rejected', ['--format', '%w', '--no-newline', 'w'],
         setup='mkdir w', stderr='Something is wrong with your format string.\n', status=1),
    Case('e19_format_percent_t_without_timefmt', ['--format', '%T %f', 'w'], setup='mkdir w',
         stderr='%T is in --format string, but --timefmt was not specified.\n', status=1),
    Case('e20_timefmt_without_format', ['--timefmt', '%F', 'w'], setup='mkdir w',
         stderr='--timefmt cannot be specified without --format.\n', status=1),
    Case('e21_no_newline_without_format', '--no-newline w', setup='mkdir w',
         stderr='--no-newline cannot be specified without --format.\n', status=1),
    Case('e23_format_twice_last_wins',
         ['-q', '--format', 'FIRST %f', '--format', 'SECOND %f', 'w'],
         setup='mkdir w', workload='touch w/f', stdout=lines('SECOND f')),
    Case('e168_empty_format_prints_newlines', ['-q', '-m', '-t', '1', '--format', '', 'w'],
         setup='mkdir w', workload='touch w/f', stdout=b'\n\n\n\n', status=2),
    Case('e169_empty_format_no_newline_rejected', ['--format', '', '--no-newline', 'w'],
         setup='mkdir w', stderr='Something is wrong with your format string.\n', status=1),
    # Every portable specifier at once, on a watched dir's own event.
    Case('format_every_portable_specifier',
         ['-e', 'open', '--format', '%w|%f|%e|%;e|%T|%%|%0|%n|%q', '--timefmt', '<%%>', 'w'],
         setup='mkdir w', workload=lsdir('w'),
         stdout=b'w/||OPEN,ISDIR|OPEN;ISDIR|<%>|%|\0|\n|%q\n', stderr=BANNER),
]
