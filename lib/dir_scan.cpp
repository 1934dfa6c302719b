#include "lib/dir_scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace fswait {

void scan_dir(int dirfd, const std::function<void(std::string_view name, bool is_dir)>& fn) {
    // fdopendir takes ownership of the fd it is given: hand it a duplicate.
    int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (dup < 0) return;
    DIR* d = ::fdopendir(dup);
    if (!d) {
        ::close(dup);
        return;
    }
    ::rewinddir(d);  // the duplicate shares the offset of an fd read before
    while (const dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        bool dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {  // some filesystems do not fill d_type
            struct stat st;
            dir = ::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        fn(name, dir);
    }
    ::closedir(d);
}

Result<FileHandle> subdir_handle(int dirfd, const char* name) {
    UniqueFd sub(::openat(dirfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    if (!sub) return errno_code();
    return handle_of_fd(sub.get());
}

}  // namespace fswait
