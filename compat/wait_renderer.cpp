#include "compat/wait_renderer.hpp"

#include "compat/csv.hpp"
#include "compat/json_line.hpp"
#include "compat/watch_path.hpp"

namespace fswait::compat {

WaitRenderer::Outcome WaitRenderer::render(const Event& ev, std::time_t now, std::string& out) {
    w_.clear();
    if (ev.root >= 0 && static_cast<std::size_t>(ev.root) < roots_.size()) {
        const RootSpelling& r = roots_[static_cast<std::size_t>(ev.root)];
        w_ = watch_path(r.typed, r.is_dir, ev.dir);
    }
    Outcome o;
    if (ev.kind == Kind::overflow) return render_overflow(ev, now, out);
    if (filter_) {
        path_.assign(w_).append(ev.name);
        if (filter_->drops(path_)) {
            o.filtered = true;
            return o;
        }
    }
    o.requested = requested_.kinds.has(ev.kind);
    if (!o.requested) return o;
    o.line = true;
    fill_record(ev);
    if (style_ == Style::json) {
        append_json_line(out, record_);
        return o;
    }
    render_text(ev, now, out);
    return o;
}

// Loss is never silent in structured outputs: an overflow record whatever
// -e says. No path belongs to it, so no --exclude/--include can hide it.
WaitRenderer::Outcome WaitRenderer::render_overflow(const Event& ev, std::time_t now, std::string& out) {
    Outcome o;
    o.requested = requested_.kinds.has(ev.kind);
    record_ = JsonRecord{};
    record_.type = "overflow";
    record_.time = ev.time;
    record_.message = "the kernel event queue overflowed; events were lost";
    if (style_ == Style::json) append_json_line(out, record_);
    else if (o.requested) render_text(ev, now, out);
    o.line = style_ == Style::json || o.requested;
    return o;
}

void WaitRenderer::render_text(const Event& ev, std::time_t now, std::string& out) {
    EventText t;
    t.w = w_;
    t.f = ev.name;
    t.kinds = ev.kind;
    t.is_dir = ev.is_dir;
    t.cookie = ev.cookie;
    t.pid = ev.pid;
    t.process = ev.process.get();
    if (style_ == Style::csv) render_csv(t, out);
    else format_.render(t, now, out);
}

void WaitRenderer::fill_record(const Event& ev) {
    abs_.clear();
    if (ev.root >= 0 && static_cast<std::size_t>(ev.root) < roots_.size()) {
        const RootSpelling& r = roots_[static_cast<std::size_t>(ev.root)];
        if (!r.absolute.empty()) {
            abs_ = r.absolute;
            for (std::string_view part : {std::string_view(ev.dir), std::string_view(ev.name)})
                if (!part.empty()) (abs_ == "/" ? abs_ : abs_ += '/') += part;
        }
    }
    JsonRecord& r = record_;
    r = JsonRecord{};
    r.type = "event";
    r.time = ev.time;
    r.kinds = ev.kind;
    r.is_dir = ev.is_dir;
    r.watch = w_;
    r.name = ev.name;
    r.path = abs_;
    r.pid = ev.pid;
    r.process = ev.process.get();
    r.cookie = ev.cookie;
}

}  // namespace fswait::compat
