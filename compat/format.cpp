#include "compat/format.hpp"

#include <charconv>
#include <utility>

#include "compat/event_names.hpp"

namespace fswait::compat {

namespace {

// Above this a --timefmt that keeps yielding zero bytes is taken to be
// genuinely empty; glibc width flags ("%5000Y") make any smaller fixed
// bound wrong.
constexpr std::size_t kMaxTimeText = 1u << 16;

template <typename Int>
void append_number(std::string& out, Int value, int base) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, base);
    out.append(buf, res.ptr);
}

// Unknown attribution prints "?" so that a field never silently vanishes
// from a space-separated line.
void append_or_unknown(std::string& out, std::string_view s) {
    if (s.empty())
        out += '?';
    else
        out += s;
}

}  // namespace

Format::Format(std::string_view fmt, bool newline, std::optional<std::string> timefmt)
    : timefmt_(std::move(timefmt)) {
    // inotifywait appends the newline to the format before scanning it, so a
    // trailing lone '%' pairs with that newline and prints "%\n".
    std::string full(fmt);
    if (newline) full += '\n';
    parse(full);
}

Format Format::default_line() { return Format("%w %,e %f", true); }

void Format::add_text(std::string_view bytes) {
    if (tokens_.empty() || tokens_.back().op != Op::text) {
        tokens_.push_back(Token{Op::text, ',', static_cast<std::uint32_t>(text_.size()), 0});
    }
    text_ += bytes;
    tokens_.back().size += static_cast<std::uint32_t>(bytes.size());
}

// Specifier precedence follows inotifywait: the fixed letters win over the
// "%Xe" rule, so "%ne" is a newline then 'e' and "%%e" is "%e".
void Format::parse(std::string_view fmt) {
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%' || i + 1 == fmt.size()) {
            add_text(fmt.substr(i, 1));
            continue;
        }
        const char c = fmt[++i];
        switch (c) {
        case '%': add_text("%"); continue;
        case '0': add_text(std::string_view("\0", 1)); continue;
        case 'n': add_text("\n"); continue;
        case 'w': tokens_.push_back(Token{Op::watch}); continue;
        case 'f': tokens_.push_back(Token{Op::name}); continue;
        case 'e': tokens_.push_back(Token{Op::events}); continue;
        case 'T': tokens_.push_back(Token{Op::time}); continue;
        case 'p': tokens_.push_back(Token{Op::pid}); continue;
        case 'c': tokens_.push_back(Token{Op::comm}); continue;
        case 'u': tokens_.push_back(Token{Op::user}); continue;
        case 'k': tokens_.push_back(Token{Op::cookie}); continue;
        default: break;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == 'e') {
            tokens_.push_back(Token{Op::events, c});
            ++i;
            continue;
        }
        add_text(fmt.substr(i - 1, 2));
    }
}

void Format::render_time(std::time_t now, std::string& out) const {
    if (!timefmt_ || timefmt_->empty()) return;
    std::tm tm{};
    if (!localtime_r(&now, &tm)) return;
    const std::size_t start = out.size();
    // strftime reports "did not fit" and "empty result" alike (0), so grow
    // the room a few times before concluding the text is empty.
    for (std::size_t room = 64 + 4 * timefmt_->size(); room <= kMaxTimeText; room *= 4) {
        out.resize(start + room);
        const std::size_t n = std::strftime(out.data() + start, room, timefmt_->c_str(), &tm);
        if (n > 0) {
            out.resize(start + n);
            return;
        }
    }
    out.resize(start);
}

void Format::render(const EventText& ev, std::time_t now, std::string& out) const {
    for (const Token& t : tokens_) {
        switch (t.op) {
        case Op::text: out.append(text_, t.begin, t.size); break;
        case Op::watch: out += ev.w; break;
        case Op::name: out += ev.f; break;
        case Op::events: append_event_names(out, ev.kinds, ev.is_dir, t.sep); break;
        case Op::time: render_time(now, out); break;
        case Op::pid:
            if (ev.pid == 0)
                out += '?';
            else
                append_number(out, ev.pid, 10);
            break;
        case Op::comm: append_or_unknown(out, ev.process ? std::string_view(ev.process->comm) : ""); break;
        case Op::user: append_or_unknown(out, ev.process ? std::string_view(ev.process->user) : ""); break;
        case Op::cookie: append_number(out, ev.cookie, 16); break;
        }
    }
}

bool Format::valid() const {
    EventText fake;
    fake.kinds = kAllFileKinds;
    std::string out;
    // A fixed time keeps the check deterministic.
    render(fake, 0, out);
    return !out.empty();
}

bool Format::uses_process() const {
    for (const Token& t : tokens_)
        if (t.op == Op::comm || t.op == Op::user) return true;
    return false;
}

}  // namespace fswait::compat
