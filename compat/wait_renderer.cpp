#include "compat/wait_renderer.hpp"

#include "compat/csv.hpp"
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
    if (!o.requested) return o;
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

}  // namespace fswait::compat
