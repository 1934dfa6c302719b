// fswait's --help and --version texts. The layout is an interface:
// bash-completion's _parse_help reads the TAB-indented "-x|--long" lines, and
// its event completion reads the TAB-indented names under "Events:".
#pragma once

#include <string>
#include <string_view>

namespace fswait::compat {

std::string wait_help_text(std::string_view prog);  // for --help (stdout, exit 0)
std::string version_text(std::string_view prog);    // "<prog> <FSWAIT_VERSION>\n"

}  // namespace fswait::compat
