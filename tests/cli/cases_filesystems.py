"""-r across filesystems: a filesystem mounted inside the tree (its own
filesystem mark), and the per-directory fallback where a filesystem refuses a
filesystem mark (overlayfs: EOPNOTSUPP; a btrfs subvolume mount: EXDEV).

The mounts are made inside the case's private tmpfs, so the harness's lazy
unmount of that tmpfs takes them away too.  Oracle cases are unhurried (sleeps
after a new directory) so that inotifywait's per-directory watches are there;
the fswait-only cases make nested directories at full speed: in the fallback
fswait marks a new directory, then reports what was made in it before the mark.
"""
import re
import shutil

from casedef import Case, Match, lines
from cases_recursive import BANNER_R, SETTLE, mon

OVERLAY = ('mkdir -p lower/a upper work w && '
           'mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work w')
# A subvolume mounted on its own (subvol=): filesystem marks fail with EXDEV.
BTRFS = ('truncate -s 48M img && mkfs.btrfs -q -f --mixed img >/dev/null && mkdir top w && '
         'mount -o loop img top && btrfs -q subvolume create top/sv && mkdir top/sv/a && '
         'mount -o loop,subvol=sv img w')
NEEDS_BTRFS = 'command -v mkfs.btrfs >/dev/null && command -v btrfs >/dev/null'


def all_lines(*expected):
    """Every expected line, in this order, each exactly once: a directory's
    own scan and the kernel may both see a file made just after the mark, so
    one extra copy of a CREATE line is tolerated, nothing else."""
    body = ''.join(f'(?:{re.escape(l)}\n){{1,2}}' for l in expected)
    return Match(body.encode())


NESTED_MOUNT = mon(
    'r_nested_mount_inside_tree', '-e create w',
    setup='mkdir -p w/m && mount -t tmpfs nested w/m && mkdir w/m/sub',
    workload='touch w/m/sub/x; touch w/y', out=['w/m/sub/ CREATE x', 'w/ CREATE y'], root=True)

# Two roots on two filesystems: one filesystem mark each.
TWO_FILESYSTEMS = mon(
    'r_two_roots_on_two_filesystems', '-e create,delete a b',
    setup='mkdir -p a/sub b && mount -t tmpfs second b && mkdir b/sub',
    workload='touch a/sub/x b/sub/y; rm a/sub/x b/sub/y',
    out=['a/sub/ CREATE x', 'b/sub/ CREATE y', 'a/sub/ DELETE x', 'b/sub/ DELETE y'], root=True)

# -P under -r: inotifywait still descends into a symlink to a directory (it
# re-adds the root as "lnk/", and the trailing slash follows the link).
NO_DEREFERENCE = Case(
    'r_no_dereference_symlink_to_dir_root', '-r -P -t 2 lnk', setup='mkdir real; ln -s real lnk',
    workload='sleep 0.2; touch -h lnk; touch real/f', stdout='lnk/ CREATE f\n', stderr=BANNER_R)
# -P under -r on a symlink to a file: the link itself.
NO_DEREFERENCE_FILE = Case(
    'r_no_dereference_symlink_to_file_root', '-r -P -t 2 lnk', setup='touch target; ln -s target lnk',
    workload='sleep 0.2; touch target; touch -h lnk', stdout='lnk ATTRIB \n', stderr=BANNER_R)

OVERLAY_UNHURRIED = mon(
    'r_overlayfs_unhurried', '-e create,delete,delete_self w', setup=OVERLAY,
    workload=f'touch w/a/f; mkdir w/n; {SETTLE}; touch w/n/g; rm w/n/g; rmdir w/n',
    out=['w/a/ CREATE f', 'w/ CREATE,ISDIR n', 'w/n/ CREATE g', 'w/n/ DELETE g',
         'w/n/ DELETE_SELF ', 'w/ DELETE,ISDIR n'], root=True)

# A filesystem refusing filesystem marks mounted INSIDE a tree on one that
# takes them: that part gets a mark per directory, the rest stays one mark.
NESTED_OVERLAY = mon(
    'r_nested_overlay_inside_tree', '-e create,delete w',
    setup='mkdir -p lower/a upper work w/ov && '
          'mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work w/ov',
    workload=f'touch w/ov/a/f w/x; mkdir w/ov/n; {SETTLE}; touch w/ov/n/g; rm w/ov/n/g',
    out=['w/ov/a/ CREATE f', 'w/ CREATE x', 'w/ov/ CREATE,ISDIR n', 'w/ov/n/ CREATE g',
         'w/ov/n/ DELETE g'], root=True)

OVERLAY_BURST = mon(
    'fswait_r_overlayfs_new_dirs_lose_nothing', '-e create w', setup=OVERLAY,
    workload='mkdir -p w/n1/n2/n3 && touch w/n1/n2/n3/f',
    out=all_lines('w/ CREATE,ISDIR n1', 'w/n1/ CREATE,ISDIR n2', 'w/n1/n2/ CREATE,ISDIR n3',
                  'w/n1/n2/n3/ CREATE f'), oracle=False, root=True)

OVERLAY_WHO = Case(
    'fswait_r_overlayfs_names_the_process', ['-r', '-e', 'create', '--format', '%w%f %p %c', 'w'],
    setup=OVERLAY + ' && mkdir p', workload="sh -c 'echo $$ > p/pid; : > w/a/f; sleep 1'",
    stdout=lambda ctx: f'w/a/f {ctx.text("p/pid")} sh\n'.encode(), stderr=BANNER_R,
    oracle=False, root=True)

BTRFS_UNHURRIED = mon(
    'r_btrfs_subvolume_unhurried', '-e create,delete w', setup=BTRFS,
    workload=f'touch w/a/f; mkdir w/n; {SETTLE}; touch w/n/g; rm w/n/g',
    out=['w/a/ CREATE f', 'w/ CREATE,ISDIR n', 'w/n/ CREATE g', 'w/n/ DELETE g'],
    root=True, needs=NEEDS_BTRFS)

BTRFS_BURST = mon(
    'fswait_r_btrfs_subvolume_new_dirs_lose_nothing', '-e create w', setup=BTRFS,
    workload='mkdir -p w/n1/n2 && touch w/n1/n2/f',
    out=all_lines('w/ CREATE,ISDIR n1', 'w/n1/ CREATE,ISDIR n2', 'w/n1/n2/ CREATE f'),
    oracle=False, root=True, needs=NEEDS_BTRFS)

# Who: pid, command and user of each event as root, where the filesystem
# refuses a filesystem mark, also in a directory made after the start. The
# sh writer records its own pid and that of the mkdir it starts; it settles
# after the mkdir (so that the event inside comes from the kernel, which
# names its process, not from fswait's scan of the new directory).
WHO_R = ['-m', '-t', '1', '-r', '-e', 'create,close_write', '--format', '%w%f %e %p %c %u', 'w']
WHO_WRITER = ("sh -c 'echo $$ > p/pid; : > w/a/f; mkdir w/n & echo $! > p/mkdir; wait; "
              f"{SETTLE}; : > w/n/g; sleep 1'")


def who_lines(ctx):
    sh, mkdir = f'{ctx.text("p/pid")} sh root', f'{ctx.text("p/mkdir")} mkdir root'
    return lines(f'w/a/f CREATE {sh}', f'w/a/f CLOSE_WRITE,CLOSE {sh}', f'w/n CREATE,ISDIR {mkdir}',
                 f'w/n/g CREATE {sh}', f'w/n/g CLOSE_WRITE,CLOSE {sh}')


OVERLAY_WHO_R = Case('fswait_r_overlayfs_names_pid_command_user', WHO_R, setup=OVERLAY + ' && mkdir p',
                     workload=WHO_WRITER, stdout=who_lines, stderr=BANNER_R, status=2,
                     oracle=False, root=True)
BTRFS_WHO_R = Case('fswait_r_btrfs_subvolume_names_pid_command_user', WHO_R, setup=BTRFS + ' && mkdir p',
                   workload=WHO_WRITER, stdout=who_lines, stderr=BANNER_R, status=2,
                   oracle=False, root=True, needs=NEEDS_BTRFS)

CASES = [NESTED_MOUNT, NESTED_OVERLAY, TWO_FILESYSTEMS, NO_DEREFERENCE, NO_DEREFERENCE_FILE, OVERLAY_UNHURRIED,
         OVERLAY_BURST, OVERLAY_WHO, OVERLAY_WHO_R, BTRFS_UNHURRIED, BTRFS_BURST, BTRFS_WHO_R]
