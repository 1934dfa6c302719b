#include "lib/fanotify_records.hpp"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <cstring>

#include "lib/bytes.hpp"

namespace fswait {
namespace {

// Layout of a FID info record after its header: fsid (8 bytes), then a
// struct file_handle (handle_bytes u32, handle_type i32, bytes), then for the
// *_NAME types a NUL-terminated name.
constexpr std::size_t kFsidSize = 8;
constexpr std::size_t kHandleHeader = 8;

bool parse_info(const char* p, std::size_t len, bool named, HandleView& h, std::string_view& name) {
    const std::size_t hdr = sizeof(fanotify_event_info_header);
    if (len < hdr + kFsidSize + kHandleHeader) return false;
    const char* fsid = p + hdr;
    h.fsid = load<std::uint64_t>(fsid);
    const char* fh = fsid + kFsidSize;
    auto nbytes = load<std::uint32_t>(fh);
    h.type = load<std::int32_t>(fh + 4);
    std::size_t used = hdr + kFsidSize + kHandleHeader;
    if (nbytes > len - used) return false;
    h.bytes = std::string_view(fh + kHandleHeader, nbytes);
    used += nbytes;
    if (!named) return true;
    std::string_view rest(p + used, len - used);
    auto nul = rest.find('\0');
    if (nul == std::string_view::npos) return false;
    name = rest.substr(0, nul);
    return true;
}

bool parse_infos(const char* p, std::size_t len, FanRecord& r) {
    while (len > 0) {
        if (len < sizeof(fanotify_event_info_header)) return false;
        auto hdr = load<fanotify_event_info_header>(p);
        if (hdr.len < sizeof hdr || hdr.len > len) return false;
        HandleView h;
        std::string_view name;
        bool ok = true;
        switch (hdr.info_type) {
        case FAN_EVENT_INFO_TYPE_FID:
            ok = parse_info(p, hdr.len, false, h, name);
            r.fid = h;
            break;
        case FAN_EVENT_INFO_TYPE_DFID:
            ok = parse_info(p, hdr.len, false, h, name);
            r.dir = h;
            break;
        case FAN_EVENT_INFO_TYPE_DFID_NAME:
            ok = parse_info(p, hdr.len, true, h, name);
            r.dir = h;
            r.name = name;
            break;
        case FAN_EVENT_INFO_TYPE_OLD_DFID_NAME:
            ok = parse_info(p, hdr.len, true, h, name);
            r.old_dir = h;
            r.old_name = name;
            break;
        case FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
            ok = parse_info(p, hdr.len, true, h, name);
            r.new_dir = h;
            r.new_name = name;
            break;
        default:  // pidfd, error and future record types carry nothing we use
            break;
        }
        if (!ok) return false;
        p += hdr.len;
        len -= hdr.len;
    }
    return true;
}

}  // namespace

Status parse_fanotify_buffer(std::string_view buf, std::vector<FanRecord>& out) {
    const char* p = buf.data();
    std::size_t left = buf.size();
    while (left > 0) {
        if (left < sizeof(fanotify_event_metadata)) return std::error_code(EBADMSG, std::generic_category());
        auto meta = load<fanotify_event_metadata>(p);
        if (meta.event_len < sizeof meta || meta.event_len > left || meta.metadata_len < sizeof meta ||
            meta.metadata_len > meta.event_len || meta.vers != FANOTIFY_METADATA_VERSION)
            return std::error_code(EBADMSG, std::generic_category());
        if (meta.fd >= 0) ::close(meta.fd);
        FanRecord r;
        r.mask = meta.mask;
        r.pid = meta.pid;
        if (!parse_infos(p + meta.metadata_len, meta.event_len - meta.metadata_len, r))
            return std::error_code(EBADMSG, std::generic_category());
        out.push_back(r);
        p += meta.event_len;
        left -= meta.event_len;
    }
    return {};
}

}  // namespace fswait
