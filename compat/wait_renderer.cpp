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
    if (filter_) {
        path_.assign(w_).append(ev.name);
        if (filter_->drops(path_)) {
            o.filtered = true;
            return o;
        }
    }
    o.requested = requested_.kinds.has(ev.kind);
    if (style_ == Style::json && ev.kind == Kind::overflow) {
        // Loss is never silent in JSON: an overflow record whatever -e says.
        JsonRecord r;
        r.type = "overflow";
        r.time = ev.time;
        r.message = "the kernel event queue overflowed; events were lost";
        append_json_line(out, r);
        return o;
    }
    if (!o.requested) return o;
    if (style_ == Style::json) {
        render_json(ev, out);
        return o;
    }
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
    return o;
}

void WaitRenderer::render_json(const Event& ev, std::string& out) {
    abs_.clear();
    if (ev.root >= 0 && static_cast<std::size_t>(ev.root) < roots_.size()) {
        const RootSpelling& r = roots_[static_cast<std::size_t>(ev.root)];
        if (!r.absolute.empty()) {
            abs_ = r.absolute;
            for (std::string_view part : {std::string_view(ev.dir), std::string_view(ev.name)})
                if (!part.empty()) (abs_ == "/" ? abs_ : abs_ += '/') += part;
        }
    }
    JsonRecord r;
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
    append_json_line(out, r);
}

}  // namespace fswait::compat
