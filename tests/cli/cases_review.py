"""Regression cases for defects a review found in the recursive backend (each
fixed in the commit that added it); every one holds for inotifywait 3.22.6 too.
The comments say what went wrong before the fix.
"""
from cases_recursive import mon as recursive_mon


def mon(name, opts, **kw):
    """A -m -t 1 -r case, as cases_recursive; these need root (fanotify)."""
    return recursive_mon(name, opts, root=True, **kw)


CASES = [
    # A directory moved in from outside makes TreeWatch::translate_rename run
    # FAN_MARK_FLUSH, which removes every inode mark of the group: the root's
    # own DELETE_SELF|MOVE_SELF mark (and the marks of file roots).
    mon('review_r_move_in_keeps_root_move_self', '-e moved_to,move_self w',
        setup='mkdir -p w out/d/s',
        workload='mv out/d w/d; sleep 0.3; mv w w2',
        out=['w/ MOVED_TO,ISDIR d', 'w/ MOVE_SELF ']),
    mon('review_r_move_in_keeps_root_delete_self', '-e moved_to,delete_self w',
        setup='mkdir -p w out/d',
        workload='mv out/d w/d; sleep 0.3; rmdir w/d w',
        out=['w/ MOVED_TO,ISDIR d', 'w/d/ DELETE_SELF ', 'w/ DELETE_SELF ']),
    # A file root next to the tree, on the same filesystem: its first event is
    # also a filesystem-mark record from a directory outside the tree, so
    # ignore_dir() puts an ignore mark (EVENT_ON_CHILD) on the file's parent,
    # and the kernel then drops the file root's own events too.
    mon('review_r_file_root_beside_tree_keeps_reporting', '-e modify w o/file',
        setup='mkdir w o; echo x > o/file',
        workload='echo 1 >> o/file; sleep 0.3; echo 2 >> o/file',
        out=['o/file MODIFY ', 'o/file MODIFY ']),
    # An @excluded directory is "outside": the first entry event inside it
    # places an ignore mark (ONDIR) on it, which hides the directory's own
    # events, still due to its parent's watch.
    mon('review_r_excluded_dir_own_events_after_entry_event', '-e attrib w @w/x',
        setup='mkdir -p w/x',
        workload='chmod 700 w/x; touch w/x/f; sleep 0.3; chmod 755 w/x',
        out=['w/ ATTRIB,ISDIR x', 'w/ ATTRIB,ISDIR x']),
    # An excluded directory has no watch of its own in inotifywait: renaming or
    # removing it prints no MOVE_SELF / DELETE_SELF for it.
    mon('review_r_excluded_dir_renamed_no_move_self', '-e moved_from,moved_to,move_self w @w/x',
        setup='mkdir -p w/x',
        workload='mv w/x w/x2',
        out=['w/ MOVED_FROM,ISDIR x', 'w/ MOVED_TO,ISDIR x2']),
    mon('review_r_excluded_dir_removed_no_delete_self', '-e delete,delete_self w @w/y',
        setup='mkdir -p w/y',
        workload='rmdir w/y',
        out=['w/ DELETE,ISDIR y']),
    # mount_dirs_ remembers the FIRST root's path as "a directory on this
    # filesystem": once it is gone, no mount fd can be opened, so the walk of a
    # directory moved into the second root is skipped and its subdirectories
    # stay unresolvable.
    mon('review_r_second_root_after_first_removed', '-e create a b',
        setup='mkdir -p a b out/d/s',
        workload='rmdir a; mv out/d b/d; sleep 0.3; touch b/d/s/f',
        out=['b/d/s/ CREATE f']),
]
