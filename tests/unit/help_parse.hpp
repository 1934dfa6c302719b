// How bash-completion reads a --help text (its _parse_help and
// _inotifywait_events), for the help-layout tests of both tools.
#pragma once

#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fswait::test {

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// bash-completion's _parse_help: lines that start (after blanks) with '-',
// split on blanks , / |; the first long option wins, else the first short
// one; a word that is not an option ends the search; "<arg>" tails are cut.
inline std::set<std::string> parse_help_like_bash_completion(const std::string& help) {
    std::set<std::string> found;
    for (std::string line : lines_of(help)) {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] != '-') continue;
        for (char& c : line)
            if (c == '\t' || c == ',' || c == '/' || c == '|') c = ' ';
        std::istringstream words(line);
        std::string option;
        for (std::string w; words >> w;) {
            if (w.rfind("---", 0) == 0) break;
            if (w.rfind("--", 0) == 0 && w.size() > 2) {
                option = w;
                break;
            }
            if (w[0] != '-' || w.size() < 2) break;
            if (option.empty()) option = w;
        }
        if (!option.empty()) found.insert(option.substr(0, option.find_first_of("<{().[=")));
    }
    return found;
}

// bash-completion's _inotifywait_events: from "Events:" to the next line
// that does not start with a TAB, the word right after a leading TAB.
inline std::vector<std::string> events_like_bash_completion(const std::string& help) {
    std::vector<std::string> names;
    bool inside = false;
    for (const std::string& line : lines_of(help)) {
        if (!inside) {
            inside = line.rfind("Events:", 0) == 0;
            continue;
        }
        if (!line.empty() && line[0] != '\t') break;
        if (line.size() < 2 || line[0] != '\t' || line[1] == ' ' || line[1] == '\t') continue;
        const std::size_t end = line.find_first_of(" \t", 1);
        if (end == std::string::npos) continue;
        names.push_back(line.substr(1, end - 1));
    }
    return names;
}

}  // namespace fswait::test
