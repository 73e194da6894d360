// The conventions every command shares (conventions.cc, docs/cli.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace verdict::cli {

using App = CLI::App;

// The candidate nearest to `word` when it is close enough to be a typo, else "".
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

// Before parsing: an unknown command ("verdict tirage") is a usage error with the nearest
// command ("did you mean 'triage'?"). Returns the exit code, or nothing to go on.
std::optional<int> check_command(App& app, int argc, char** argv);

// After a parse error: when an argument is an option the command does not have, prints
// "verdict triage: unknown option '--explian'; did you mean '--explain'?" and returns true.
bool explain_unknown_option(App& app, int argc, char** argv);

// `verdict help [COMMAND...]`: the help of the app or of a command, without requiring the
// command's own required options.
int cmd_help(App& app, const std::vector<std::string>& words);

// `verdict version [--format json]`: the version, the C ABI version and build information.
int cmd_version(const std::string& format);

// `verdict completion bash|zsh|fish`: a completion script generated from `app`.
int cmd_completion(App& app, const std::string& shell);

// `-o FILE`: stdout (std::cout and printf alike) goes to FILE from now on. Returns kExitOk,
// or kExitUsage with "cannot write FILE: REASON" on stderr.
int redirect_output(const std::string& path);

}  // namespace verdict::cli
