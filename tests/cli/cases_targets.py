"""Odd watch targets: symlinks (-P) and filesystems unmounted under the watch
(mounting needs root, so those cases skip otherwise)."""
from casedef import BANNER, Case, lines

NESTED_MOUNT = 'mkdir m; mount -t tmpfs none m; '

CASES = [
    Case('e98_no_dereference_ignores_target', '-q -P -t 1 lnk',
         setup='touch target; ln -s target lnk', workload='sleep 0.2; touch target',
         status=2),
    Case('e99_no_dereference_sees_link_attrib', '-P -t 2 lnk',
         setup='touch target; ln -s target lnk', workload='touch -h lnk',
         stdout=lines('lnk ATTRIB '), stderr=BANNER),
    # UNMOUNT is delivered but not in the default mask: nothing printed.
    Case('e102_unmount_monitor_prints_nothing', '-m -t 1 m/w',
         setup=NESTED_MOUNT + 'mkdir m/w', workload='umount m', root=True,
         stderr=BANNER, status=2),
    Case('e103_unmount_unrequested_exits_1', '-e create m/w',
         setup=NESTED_MOUNT + 'mkdir m/w', workload='umount m', root=True,
         stderr=BANNER, status=1),
    Case('e104_unmount_requested', '-e unmount m/w',
         setup=NESTED_MOUNT + 'mkdir m/w', workload='umount m', root=True,
         stdout=lines('m/w/ UNMOUNT,ISDIR '), stderr=BANNER),
    Case('e105_unmount_mount_point_and_file', '-m -t 1 -e unmount -e delete_self m m/f',
         setup=NESTED_MOUNT + 'touch m/f', workload='umount m', root=True, marks=2,
         stdout=lines('m/f UNMOUNT ', 'm/ UNMOUNT,ISDIR '), stderr=BANNER, status=2),
]
