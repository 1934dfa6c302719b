#include "compat/help_text.hpp"

#include <initializer_list>

namespace fswait::compat {

namespace {

// Descriptions start at this column (TAB stops every 8 columns, and every
// line starts with one TAB). A head that reaches it gets its text on the
// next line instead.
constexpr std::size_t kTextColumn = 24;

struct Entry {
    std::string_view head;                       // "-m|--monitor", "access", ...
    std::initializer_list<std::string_view> text;  // one item per output line
};

// "\t<head>" padded with TABs to kTextColumn, then the lines of text. Later
// lines are indented with TABs only, so that neither _parse_help (lines
// starting with '-') nor the event completion (TAB + word) mistakes them for
// an entry of their own.
void append_entry(std::string& out, const Entry& e) {
    out += '\t';
    out += e.head;
    std::size_t column = 8 + e.head.size();
    if (column >= kTextColumn) {
        out += '\n';
        column = 0;
    }
    bool first = true;
    for (std::string_view line : e.text) {
        if (!first) column = 0;
        for (; column < kTextColumn; column = (column / 8 + 1) * 8) out += '\t';
        out += line;
        out += '\n';
        first = false;
    }
}

void append_section(std::string& out, std::string_view title,
                    std::initializer_list<Entry> entries) {
    out += title;
    out += '\n';
    for (const Entry& e : entries) append_entry(out, e);
}

void append_options(std::string& out) {
    append_section(out, "Options:", {
        {"-h|--help", {"Print this help and exit."}},
        {"--version", {"Print the version number and exit."}},
        {"-m|--monitor", {"Keep reporting events; without it the first", "reported event ends the run."}},
        {"-q|--quiet", {"Once: no set-up messages. Twice: no events either."}},
        {"-e|--event <events>", {"Report only these events (comma-separated names,", "see Events below). May be given several times.", "Default: every event except unmount."}},
        {"-t|--timeout <seconds>", {"Exit with status 2 once <seconds> pass without an", "event (0: wait forever)."}},
        {"-o|--outfile <file>", {"Append events to <file> instead of writing them", "to standard output; SIGHUP or SIGUSR1 reopens it."}},
        {"-d|--daemon", {"Run in the background (implies -m and -s; needs -o)."}},
        {"-s|--syslog", {"Send the banner and errors to syslog."}},
        {"--fromfile <file>", {"Read more paths, one per line, from <file>", "(a single `-' means standard input)."}},
        {"@<path>", {"Leave <path> out of a recursive watch."}},
        {"--exclude <regex>", {"Drop events whose path matches the POSIX", "extended regular expression <regex>. When given", "more than once, only the last one is used."}},
        {"--excludei <regex>", {"As --exclude, ignoring case."}},
        {"--include <regex>", {"Drop events whose path does not match <regex>."}},
        {"--includei <regex>", {"As --include, ignoring case."}},
        {"-r|--recursive", {"Watch each directory with everything below it,", "including directories made later."}},
        {"-P|--no-dereference", {"Watch a symbolic link itself, not its target."}},
        {"-c|--csv", {"Print events as CSV lines: path,events,name."}},
        {"--json", {"Print events as JSON Lines, with process, user", "and absolute path (see the man page)."}},
        {"--journal", {"Send events to journald as structured entries", "(FSWAIT_* fields) instead of standard output."}},
        {"--bounded-queue", {"Use the kernel's queue limit instead of an", "unlimited queue (then events can be lost)."}},
        {"--on-overflow <action>", {"When events were lost: rescan (warn, repair the", "watch, go on; the default) or exit (status 3)."}},
        {"-I|--inotify", {"Watch with inotify (no process attribution: %p %c", "%u print ?). The default without CAP_SYS_ADMIN."}},
        {"-F|--fanotify", {"Watch with fanotify only: fail rather than fall", "back to inotify."}},
        {"-S|--filesystem", {"Watch the whole filesystem each path is on", "(fanotify; paths print absolute)."}},
        {"--format <fmt>", {
            "Print each event as <fmt>, followed by a newline:",
            "%w watched path     %f name inside it",
            "%e event names      %Xe names joined by X",
            "%T time (--timefmt) %0 NUL byte",
            "%n newline          %% a percent sign",
            "Added by fswait:",
            "%p process id       %c command name",
            "%u user name        %k rename cookie (hex)"}},
        {"--no-newline", {"Do not add the newline after --format."}},
        {"--timefmt <fmt>", {"strftime(3) format for %T in --format."}},
    });
}

void append_exit_status(std::string& out) {
    out += "Exit status:\n"
           "\t0  an event you asked for happened\n"
           "\t1  an error, or an event you did not ask for\n"
           "\t   (the watched object was deleted or unmounted)\n"
           "\t2  --timeout passed without any event\n";
}

// Kept last in the text: the event completion reads up to the next line that
// does not start with a TAB.
void append_events(std::string& out) {
    append_section(out, "Events:", {
        {"access", {"contents were read"}},
        {"modify", {"contents were written"}},
        {"attrib", {"metadata changed (permissions, owner, times, links)"}},
        {"close_write", {"closed after being opened for writing"}},
        {"close_nowrite", {"closed after being opened read-only"}},
        {"close", {"close_write or close_nowrite"}},
        {"open", {"opened"}},
        {"moved_to", {"an entry was renamed into a watched directory"}},
        {"moved_from", {"an entry was renamed out of a watched directory"}},
        {"move", {"moved_to or moved_from"}},
        {"move_self", {"a watched file or directory itself was renamed"}},
        {"create", {"an entry was created in a watched directory"}},
        {"delete", {"an entry was deleted from a watched directory"}},
        {"delete_self", {"a watched file or directory itself was deleted"}},
        {"unmount", {"the filesystem holding it was unmounted"}},
    });
}

}  // namespace

std::string wait_help_text(std::string_view prog) {
    std::string out = version_text(prog);
    out += "Wait for changes to files and directories, and tell who made them.\n";
    out += "Usage: ";
    out += prog;
    out += " [ options ] path [ path ... ]\n";
    append_options(out);
    out += '\n';
    append_exit_status(out);
    out += '\n';
    append_events(out);
    return out;
}

std::string version_text(std::string_view prog) {
    std::string out(prog);
    out += ' ';
    out += FSWAIT_VERSION;
    out += '\n';
    return out;
}

}  // namespace fswait::compat
