#pragma once
#include <cstdint>
#include <vector>

// The project file's table layout, as an ordered list of migrations. ProjectFile applies
// them; tests use them to build files at older versions.
namespace ds::schema {

// Stored in PRAGMA application_id to tell a project from any other SQLite file: "DSPJ".
inline constexpr std::int32_t kApplicationId = 0x4453504A;

// One step from version - 1 to version; PRAGMA user_version holds the version reached.
struct Migration {
    int version;
    const char* sql;
    // The step rebuilds a table that others reference (SQLite cannot drop a CHECK in
    // place): it runs with foreign keys off, as SQLite's documented procedure requires,
    // and the references are checked before it commits.
    bool rebuildsTables = false;
};

// Append-only: a released step is never edited, a schema change is a new step.
const std::vector<Migration>& migrations();

// Version of the last migration: what this build writes and the newest it opens.
int currentVersion();

} // namespace ds::schema
