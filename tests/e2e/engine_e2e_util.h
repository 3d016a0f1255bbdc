// Helpers for the engine's end-to-end tests: a tree's exact content (paths, kinds, modes,
// bytes, link targets) for byte-for-byte comparisons, running the binary in the background,
// and waiting for a journal record.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace upgrade::testing {

/// Everything about a directory tree that rollback must restore: for each relative path, its
/// kind, mode and content (or link target).
std::map<std::string, std::string> TreeOf(const std::string& root);

/// Starts `argv` in its own process group with output to `log`; returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log);

/// Waits up to `seconds` for a line of a journal under `state_dir` containing every piece in
/// `needles`; true when one appeared.
bool WaitForJournalLine(const std::string& state_dir, const std::vector<std::string>& needles,
                        int seconds);

/// Every file's bytes under `dir`, concatenated (to grep for what must never be stored).
std::string AllBytesUnder(const std::string& dir);

}  // namespace upgrade::testing
