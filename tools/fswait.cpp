// fswait: inotifywait's command line on the fanotify backend.
// parse -> set up in inotifywait's order -> event loop -> exit status.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compat/json_line.hpp"
#include "compat/options.hpp"
#include "compat/path_list.hpp"
#include "compat/regex_filter.hpp"
#include "compat/wait_renderer.hpp"
#include "lib/line_writer.hpp"
#include "lib/unique_fd.hpp"
#include "lib/watcher.hpp"
#include "tools/journal.hpp"
#include "tools/tool_common.hpp"
#include "tools/wait_loop.hpp"

namespace {

using namespace fswait;
using compat::WaitOptions;
using tools::init_error;
using tools::read_fromfile;
using tools::say;
using tools::watch_error;
using tools::WaitLoop;


compat::EventMask requested_events(const WaitOptions& o) {
    compat::EventMask m = o.events;
    if (m.none()) m.kinds = kAllFileKinds;
    return m;
}

std::optional<compat::WaitRenderer> make_renderer(const WaitOptions& o, int& status) {
    auto fs = compat::make_filter(o.exclude, o.excludei, o.include, o.includei);
    if (!fs.error.empty()) {
        say(fs.error);
        status = 1;
        return std::nullopt;
    }
    auto fmt = compat::effective_format(o);
    compat::Format format = fmt ? compat::Format(*fmt, false, o.timefmt) : compat::Format::default_line();
    if (fmt && !format.valid()) {
        say("Something is wrong with your format string.\n");
        status = 1;
        return std::nullopt;
    }
    auto style = o.json  ? compat::WaitRenderer::Style::json
                 : o.csv ? compat::WaitRenderer::Style::csv
                         : (fmt ? compat::WaitRenderer::Style::format : compat::WaitRenderer::Style::line);
    return compat::WaitRenderer(style, std::move(format), std::move(fs.filter), requested_events(o));
}

// `path` from the current directory, spelled as typed below it.
std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return path;
    std::string dir(cwd);
    return dir == "/" ? "/" + path : dir + "/" + path;
}

// --json's absolute paths: the root as the kernel resolves it (its final
// symlink kept with -P, as the watch is then on the link); "" (null) when it
// has none within PATH_MAX (a working directory deeper than that), never a
// relative one.
std::string resolved(const std::string& path, const WaitOptions& o) {
    char buf[PATH_MAX];
    std::string abs = tools::follows(o.no_dereference, o.recursive, path) && ::realpath(path.c_str(), buf)
                          ? std::string(buf)
                          : absolute(path);
    return abs.starts_with('/') ? abs : std::string();
}

// Where inotify watches instead of fanotify, and why: one line each, unless -q.
void say_fallbacks(Watcher& w, int quiet) {
    for (const Fallback& f : w.take_fallbacks())
        if (!quiet) say(tools::fallback_note("fswait", f));
}

// FSWAIT_STATS=1: one line of counters at exit, for bench/ (not a user interface).
void print_stats(const Watcher& w, const AsyncWriter::Stats& out) {
    const char* env = std::getenv("FSWAIT_STATS");
    if (!env || std::strcmp(env, "1") != 0) return;

    if (const TreeStats* t = w.tree_stats())
        say("fswait: stats: read=" + std::to_string(t->records) + " foreign=" + std::to_string(t->foreign) +
            " fid_only=" + std::to_string(t->fid_only) + " unresolved=" + std::to_string(t->unresolved) +
            (t->no_fds ? " no_fds=" + std::to_string(t->no_fds) : std::string()) +
            (w.lost_for_fds() ? " no_fds_lost=" + std::to_string(w.lost_for_fds()) : std::string()) + "\n");
    if (auto a = w.attribution_stats())
        say(fmt::format("fswait: stats: exec_marks={} perf={} connector={} perf_lost={} connector_overruns={} "
                        "execs_matched={} execs_unmatched={} ambiguous={} unknown={} proc_reads={} "
                        "dropped={} generations={}\n",
                        a->exec_marks, a->perf, a->connector, a->perf_lost, a->connector_overruns,
                        a->tracker.matched_execs, a->tracker.unmatched_execs, a->tracker.ambiguous,
                        a->tracker.unknown, a->proc_reads, a->tracker.dropped, a->generations));
    say(fmt::format("fswait: stats: lines_written={} lines_lost={} output_peak={}\n", out.lines_written,
                    out.lines_lost, out.peak_bytes));
}

int run(const WaitOptions& o) {
    compat::EventMask requested = requested_events(o);
    // The kernel interface first, as inotifywait initializes inotify before
    // anything else can fail; what the renderer needs is only known after
    // parsing it.
    auto opened = Watcher::open(tools::backend_of(o.backend),
                                o.bounded_queue ? QueuePolicy::bounded : QueuePolicy::unlimited);
    if (const auto* e = std::get_if<OpenError>(&opened)) return say(tools::open_error("fswait", *e)), 1;
    // Said at once: inotifywait's later checks (regex, format, paths) come
    // after its inotify is open, and so come after this line.
    if (auto& fallback = std::get<OpenedBackend>(opened).fallback) {
        if (!o.quiet) say(tools::fallback_note("fswait", *fallback));
        fallback.reset();
    }

    if (o.journal && !tools::journal_available())
        return say("fswait: --journal is not available: this fswait was built without libsystemd\n"), 1;
    int status = 0;
    auto renderer = make_renderer(o, status);
    if (!renderer) return status;

    WatcherOptions wo;
    wo.report = requested.kinds;
    // inotifywait -m -r always asks for these (to follow new directories):
    // they are received, so they restart -t, though never printed unasked.
    if (o.monitor && o.recursive) wo.report |= Kind::create | Kind::moved_from | Kind::moved_to;
    wo.oneshot = requested.oneshot;
    wo.recursive = o.recursive > 0;
    wo.attribute = renderer->uses_process() || o.journal;
    auto watcher = Watcher::create(std::move(std::get<OpenedBackend>(opened)), wo);
    if (!watcher) return say(init_error("fswait", watcher.error())), 1;

    std::optional<std::string> listed;
    if (o.fromfile) listed = read_fromfile(*o.fromfile);
    auto paths = compat::build_path_list(o.args, listed);
    if (paths.watch.empty()) return say("No files specified to watch!\n"), 1;
    if (o.recursive) (*watcher)->exclude(paths.exclude);

    if (o.daemon) {
        // inotifywait's check: the -o file must exist (realpath) before forking.
        char resolved[PATH_MAX];
        if (!::realpath(o.outfile->c_str(), resolved))
            return say(std::string(std::strerror(errno)) + ": " + *o.outfile + "\n"), 1;
        // Deliberate fix: relative watch paths are made absolute before the
        // daemon changes to "/" (inotifywait then fails to find them).
        for (std::string& p : paths.watch) p = absolute(p);
    }
    UniqueFd outfile, reopen;
    if (o.outfile) {
        outfile = tools::open_outfile(*o.outfile);
        if (!outfile) return say("Failed to open output file " + *o.outfile + "\n"), 1;
        reopen = tools::reopen_signals();
    }
    if (o.daemon && ::daemon(0, 0) < 0) return say("Failed to daemonize!\n"), 1;
    if (o.syslog) tools::to_syslog("fswait");

    const bool whole_fs = o.backend == compat::Backend::filesystem;
    say_fallbacks(**watcher, o.quiet);
    if (!o.quiet)
        say(whole_fs        ? "Setting up filesystem watches.\n"
            : o.recursive ? "Setting up watches.  Beware: since -r was given, this may take a while!\n"
                          : "Setting up watches.\n");
    for (const std::string& p : paths.watch) {
        auto idx = (*watcher)->add(p, tools::follows(o.no_dereference, o.recursive || whole_fs, p));
        if (!idx) return say(watch_error(whole_fs ? "Couldn't add filesystem" : "Couldn't", p, idx.error())), 1;
        say_fallbacks(**watcher, o.quiet);
        if (*idx != static_cast<int>(renderer->root_count())) continue;
        const Root& root = (*watcher)->root(*idx);
        if (whole_fs) {
            // -S watches the filesystem's mount point: paths print from it.
            renderer->add_root({root.path, true, root.path});
            continue;
        }
        // %w gets a '/' when the path is a directory; a symlink to one only
        // gets it under -r, where inotifywait descends into it.
        renderer->add_root({p, o.recursive ? root.info.is_dir : root.info.lstat_dir,
                            o.json || o.journal ? resolved(p, o) : ""});
    }
    if (!o.quiet) say("Watches established.\n");
    tools::notify_ready();
    if (o.timeout < 0) return say("Negative timeout specified - abort!\n"), 1;

    WaitLoop loop(**watcher, *renderer, o, std::move(outfile), std::move(reopen));
    int exit_status = loop.run();
    print_stats(**watcher, loop.writer_stats());
    return exit_status;
}

}  // namespace

int main(int argc, char* argv[]) {
    auto parsed = compat::parse_wait_options(argc, argv);
    if (!parsed.out.empty()) (void)LineWriter(STDOUT_FILENO).write(parsed.out);
    if (!parsed.err.empty()) say(parsed.err);
    if (parsed.exit_status >= 0) return parsed.exit_status;
    return run(parsed.options);
}
