"""Filesystems a workload can run on (burst.sh --fs): tmpfs, a btrfs subvolume, overlayfs.

Each call of make_fs() builds a fresh one for one measurement and registers every mount
with RES (so the private mount namespace and RES.cleanup undo them even after a failure);
teardown() undoes them in reverse order.  On a btrfs subvolume and on overlayfs fanotify
refuses filesystem marks (EXDEV, EOPNOTSUPP), so fswait -r falls back to a mark per
directory there.  See bench/README.md, "--fs".
"""
import os

from fsbench_common import RES, Failed, run

FS_KINDS = ('tmpfs', 'btrfs-subvol', 'overlay')
BTRFS_IMAGE_MIB = 1024      # sparse; mkfs.btrfs wants >= 114 MiB, the task >= 512 MiB
SUBVOL = 'burst'

DESCRIPTIONS = {
    'tmpfs': 'tmpfs',
    'btrfs-subvol': f'btrfs subvolume (a {BTRFS_IMAGE_MIB} MiB loop image on tmpfs, '
                    f'`btrfs subvolume create TOP/{SUBVOL}`, mounted with '
                    f'`-o subvol={SUBVOL}`; the top level is unmounted again)',
    'overlay': 'overlayfs (lower, upper and work dirs on one tmpfs; the tree in the '
               'merged dir)',
}


class TestFs:
    """One fresh filesystem: `path` is the directory to work in (watched tree and
    fatrace's cwd), `mounts` what to unmount afterwards, innermost last."""

    def __init__(self, kind, path, mounts, device=None):
        self.kind, self.path, self.mounts, self.device = kind, path, mounts, device


def _mount(argv, path):
    run(['mount'] + argv + [path])
    RES.mounts.append(path)


def make_fs(kind, stem):
    if kind == 'tmpfs':
        w = RES.mount_tmpfs(stem)
        return TestFs(kind, w, [w])
    if kind == 'btrfs-subvol':
        # The image lives on a tmpfs of its own: no disk in the measurement, and it
        # goes away with the namespace.  tmpfs counts only written pages.
        back = RES.mount_tmpfs(stem + '-img', size=f'{BTRFS_IMAGE_MIB + 64}m')
        mounts = [back]
        try:
            img = os.path.join(back, 'btrfs.img')
            with open(img, 'wb') as f:
                f.truncate(BTRFS_IMAGE_MIB << 20)
            run(['mkfs.btrfs', '-q', '-f', img])
            top = RES.newdir(stem + '-top')
            _mount(['-t', 'btrfs', '-o', 'loop', img], top)
            mounts.append(top)
            run(['btrfs', 'subvolume', 'create', os.path.join(top, SUBVOL)])
            dev = run(['findmnt', '-n', '-o', 'SOURCE', '--mountpoint', top]).strip()
            if not dev.startswith('/dev/loop'):
                raise Failed(f'btrfs image is mounted from {dev!r}, not a loop device')
            w = RES.newdir(stem)
            _mount(['-t', 'btrfs', '-o', f'subvol={SUBVOL}', dev], w)
            mounts.append(w)
            # Only the subvolume stays mounted (as when / is subvol=@ and the top level
            # is not mounted anywhere): the loop device lives on through it.
            RES.umount(top)
            mounts.remove(top)
            opts = run(['findmnt', '-n', '-o', 'FSTYPE,OPTIONS', '--mountpoint', w]).strip()
            if not opts.startswith('btrfs') or f'subvol=/{SUBVOL}' not in opts:
                raise Failed(f'{w} is not the btrfs subvolume {SUBVOL}: {opts}')
            return TestFs(kind, w, mounts, dev)
        except BaseException:
            teardown(TestFs(kind, None, mounts))
            raise
    if kind == 'overlay':
        back = RES.mount_tmpfs(stem + '-layers')
        mounts = [back]
        try:
            layers = {n: os.path.join(back, n) for n in ('lower', 'upper', 'work')}
            for p in layers.values():
                os.mkdir(p)
            w = RES.newdir(stem)
            _mount(['-t', 'overlay', '-o', f'lowerdir={layers["lower"]},'
                    f'upperdir={layers["upper"]},workdir={layers["work"]}', 'fsbench'], w)
            mounts.append(w)
            fstype = run(['findmnt', '-n', '-o', 'FSTYPE', '--mountpoint', w]).strip()
            if fstype != 'overlay':
                raise Failed(f'{w} is {fstype!r}, not overlay')
            return TestFs(kind, w, mounts)
        except BaseException:
            teardown(TestFs(kind, None, mounts))
            raise
    raise ValueError(f'unknown filesystem kind {kind}')


def teardown(fs):
    for m in reversed(fs.mounts):
        RES.umount(m)


def check_tools(kind):
    """Why this filesystem cannot be built here (None if it can)."""
    import shutil
    need = {'btrfs-subvol': ('mkfs.btrfs', 'btrfs', 'findmnt'), 'overlay': ('findmnt',)}
    for tool in need.get(kind, ()):
        if not shutil.which(tool):
            return f'{tool} not found (--fs {kind})'
    return None
