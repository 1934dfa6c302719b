// Captures what is written to fd 2 (getopt prints its own diagnostics), and
// runs an option parser under that capture.
#pragma once

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

namespace fswait::test {

// Sends fd 2 to a temporary file for the lifetime of the object.
class StderrCapture {
public:
    StderrCapture() : file_(std::tmpfile()), saved_(dup(2)) {
        BOOST_REQUIRE(file_ != nullptr);
        BOOST_REQUIRE(saved_ >= 0);
        std::fflush(stderr);
        BOOST_REQUIRE(dup2(fileno(file_), 2) == 2);
    }
    ~StderrCapture() {
        std::fflush(stderr);
        dup2(saved_, 2);
        close(saved_);
        std::fclose(file_);
    }
    std::string text() {
        std::fflush(stderr);
        std::rewind(file_);
        std::string out;
        char buf[512];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) out.append(buf, n);
        return out;
    }

private:
    std::FILE* file_;
    int saved_;
};

// Everything one call of a getopt-based parser produced, including what
// getopt wrote to fd 2 itself.
template <class Result>
struct ParserRun {
    Result result;
    std::string getopt_stderr;
    std::vector<std::string> argv_after;  // getopt permutes argv in place
};

template <class Parse>
auto run_parser(Parse parse, const char* argv0, std::initializer_list<const char*> args) {
    std::vector<std::string> storage{argv0};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);

    ParserRun<decltype(parse(0, argv.data()))> run;
    StderrCapture capture;
    run.result = parse(static_cast<int>(storage.size()), argv.data());
    run.getopt_stderr = capture.text();
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) run.argv_after.emplace_back(argv[i]);
    return run;
}

}  // namespace fswait::test
