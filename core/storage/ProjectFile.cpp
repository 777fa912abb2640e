// The ProjectFile's connection: opening, schema, Save As, settings and transactions. The
// tables' methods live in ProjectImages.cpp, ProjectModels.cpp, ProjectRuns.cpp and
// ProjectReviews.cpp.
#include "core/storage/ProjectFile.h"

#include "core/Error.h"
#include "core/storage/AtomicFile.h"
#include "core/storage/RunOwner.h"
#include "core/storage/Schema.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

namespace ds {

namespace {

// How long a write waits for another connection's write transaction before failing.
constexpr int kBusyTimeoutMs = 5000;

int pragmaInt(SqliteConnection& connection, const char* pragma)
{
    SqliteStatement statement(connection, pragma);
    statement.step();
    return static_cast<int>(statement.int64At(0));
}

bool hasNoSchemaObjects(SqliteConnection& connection)
{
    SqliteStatement statement(connection, "SELECT count(*) FROM sqlite_master");
    statement.step();
    return statement.int64At(0) == 0;
}

void enableWriteAheadLog(SqliteConnection& connection)
{
    SqliteStatement statement(connection, "PRAGMA journal_mode = WAL");
    statement.step();
    const std::string mode = statement.textAt(0);
    if (mode != "wal")
        throw Error("Project file " + quoted(connection.path()) + " cannot use write-ahead logging (journal mode stays '" + mode
                    + "'); network drives do not support it");
}

// Turns foreign key enforcement off for its lifetime (it cannot change inside a
// transaction, so this wraps one) and back on, also when a migration step fails.
class ForeignKeysOff {
public:
    explicit ForeignKeysOff(SqliteConnection& connection)
        : connection_(connection)
    {
        connection_.execute("PRAGMA foreign_keys = OFF");
    }
    ~ForeignKeysOff()
    {
        try {
            connection_.execute("PRAGMA foreign_keys = ON");
        } catch (const Error&) {
            // Only fails on a closed connection, which is then never used again.
        }
    }
    ForeignKeysOff(const ForeignKeysOff&) = delete;
    ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

private:
    SqliteConnection& connection_;
};

// A step that rebuilt a table must leave every reference pointing at a row.
void requireIntactReferences(SqliteConnection& connection, int version)
{
    SqliteStatement check(connection, "PRAGMA foreign_key_check");
    if (check.step())
        throw InputError("Project file " + quoted(connection.path()) + " is damaged: upgrading it to schema version "
                         + std::to_string(version) + " found a row of table '" + check.textAt(0)
                         + "' that refers to a missing row of table '" + check.textAt(2) + "'");
}

// A new project gets every step in one transaction: a process killed while creating it
// leaves an empty file or a current project, never one at an older version (which a
// read-only opening refuses).
bool createSchema(SqliteConnection& connection)
{
    ForeignKeysOff foreignKeysOff(connection);
    SqliteTransaction transaction(connection);
    if (pragmaInt(connection, "PRAGMA user_version") != 0)
        return false; // read under the write lock: another connection created it meanwhile
    connection.execute("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
    for (const schema::Migration& migration : schema::migrations())
        connection.execute(migration.sql);
    requireIntactReferences(connection, schema::currentVersion());
    connection.execute("PRAGMA user_version = " + std::to_string(schema::currentVersion()));
    transaction.commit();
    return true;
}

void migrate(SqliteConnection& connection)
{
    const int version = pragmaInt(connection, "PRAGMA user_version");
    if (version == schema::currentVersion() || (version == 0 && createSchema(connection)))
        return;
    for (const schema::Migration& migration : schema::migrations()) {
        std::optional<ForeignKeysOff> foreignKeysOff;
        if (migration.rebuildsTables)
            foreignKeysOff.emplace(connection);
        SqliteTransaction transaction(connection);
        // Read under the write lock: another connection may have just applied this step.
        const int version = pragmaInt(connection, "PRAGMA user_version");
        if (version >= migration.version)
            continue;
        if (version == 0)
            connection.execute("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
        connection.execute(migration.sql);
        if (migration.rebuildsTables)
            requireIntactReferences(connection, migration.version);
        connection.execute("PRAGMA user_version = " + std::to_string(migration.version));
        transaction.commit();
    }
}

// Runs still "running" whose process is gone were interrupted: say so, once, here.
void markInterruptedRuns(SqliteConnection& connection)
{
    std::vector<std::int64_t> gone;
    {
        SqliteStatement running(connection, "SELECT id, coalesce(owner, '') FROM runs WHERE status = 'running'");
        while (running.step())
            if (runOwnerIsGone(running.textAt(1)))
                gone.push_back(running.int64At(0));
    }
    for (std::int64_t id : gone) {
        SqliteStatement mark(connection, "UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'");
        mark.bind(1, id).run();
    }
}

void requireProjectPath(const std::string& path, bool mayCreate)
{
    std::error_code ignored;
    const bool exists = std::filesystem::exists(path, ignored);
    if (!exists && !mayCreate)
        throw InputError("Project file " + quoted(path) + " does not exist");
    if (exists && !std::filesystem::is_regular_file(path, ignored))
        throw InputError(quoted(path) + " is not a file");
}

// The first statements that read the file: garbage, truncated or damaged files fail here
// with ds::InputError, before anything is written. Returns the schema version.
int requireOurProject(SqliteConnection& connection, bool mayCreate)
{
    const std::string& path = connection.path();
    const int applicationId = pragmaInt(connection, "PRAGMA application_id");
    const int version = pragmaInt(connection, "PRAGMA user_version");
    const bool isProject = applicationId == schema::kApplicationId;
    const bool isEmpty = applicationId == 0 && version == 0 && hasNoSchemaObjects(connection);
    if (!isProject && !(isEmpty && mayCreate))
        throw InputError(quoted(path) + " is not a DefectScope project file");
    if (version > schema::currentVersion())
        throw InputError("Project file " + quoted(path) + " was saved by a newer version of DefectScope (schema version "
                         + std::to_string(version) + ", this version opens up to " + std::to_string(schema::currentVersion())
                         + "); update DefectScope to open it");
    return version;
}

// SQLite names the files beside a database after its real path, symlinks resolved.
std::string realPathOf(const std::string& path)
{
    std::error_code error;
    const std::filesystem::path real = std::filesystem::weakly_canonical(path, error);
    return error ? path : real.string();
}

// SQLite reads a write-ahead-logged file through a shared-memory file beside it, which it
// cannot create where the file or its folder is write-protected. Such a file is read as
// immutable only when nothing has it open: a connection keeps -wal and -shm files beside
// it, and an immutable reader beside a writer reads pages being changed without locks and
// misses what the log holds.
bool readAsImmutable(const std::string& path)
{
    const std::filesystem::path file(realPathOf(path));
    const std::string folder = file.has_parent_path() ? file.parent_path().string() : std::string(".");
    if (access(file.c_str(), W_OK) == 0 && access(folder.c_str(), W_OK) == 0)
        return false;
    std::error_code ignored;
    return !std::filesystem::exists(file.string() + "-wal", ignored) && !std::filesystem::exists(file.string() + "-shm", ignored);
}

// The file name as an SQLite URI, for opening with parameters.
std::string uriOf(const std::string& path, const char* parameters)
{
    std::string uri = "file:";
    for (const char c : std::filesystem::absolute(path).string()) {
        if (c == '%' || c == '?' || c == '#') {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            uri += escaped;
        } else {
            uri += c;
        }
    }
    return uri + "?" + parameters;
}

std::string chosenThresholdKey(std::int64_t modelId)
{
    return "view/threshold/" + std::to_string(modelId);
}

} // namespace

ProjectFile ProjectFile::open(const std::string& path)
{
    return openPath(path, false);
}

ProjectFile ProjectFile::openOrCreate(const std::string& path)
{
    return openPath(path, true);
}

bool isProjectDatabaseFile(const std::string& file, const std::string& projectPath)
{
    const std::string database = realPathOf(projectPath);
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        if (std::filesystem::equivalent(file, database + suffix, ignored))
            return true;
    return false;
}

ProjectFile ProjectFile::openForReading(const std::string& path)
{
    requireProjectPath(path, false);
    auto connection = std::make_unique<SqliteConnection>(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                                         readAsImmutable(path) ? uriOf(path, "immutable=1") : std::string());
    sqlite3_busy_timeout(connection->handle(), kBusyTimeoutMs);
    if (requireOurProject(*connection, false) < schema::currentVersion())
        throw InputError("Project file " + quoted(path)
                         + " was saved by an older version of DefectScope: open it once where it can be written, "
                           "to bring it up to date");
    return ProjectFile(std::move(connection));
}

// A new project appears whole: it is made under a temporary name beside its path and
// linked into place once complete, so a process killed while creating it leaves no file
// at the path (at worst a "<name>.creating-<pid>" beside it). Another process that made
// the project meanwhile wins; this one then opens theirs.
static void createProjectFile(const std::string& path)
{
    const std::string temporary = path + ".creating-" + std::to_string(::getpid());
    const auto removeTemporary = [&] {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(temporary + suffix, ignored);
    };
    removeTemporary();
    try {
        SqliteConnection connection(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        enableWriteAheadLog(connection);
        migrate(connection);
    } catch (const Error&) {
        removeTemporary();
        throw Error("Cannot create project file " + quoted(path) + " (check that its folder exists and is writable)");
    }
    // Closed: its log is checkpointed into the file and removed, so the file alone is whole.
    if (::link(temporary.c_str(), path.c_str()) != 0 && errno != EEXIST) {
        std::error_code error;
        std::filesystem::rename(temporary, path, error); // file systems without hard links
        if (error) {
            removeTemporary();
            throw Error("Cannot create project file " + quoted(path) + ": " + error.message());
        }
    }
    removeTemporary();
}

ProjectFile ProjectFile::openPath(const std::string& path, bool mayCreate)
{
    requireProjectPath(path, mayCreate);
    std::error_code missing;
    if (mayCreate && !std::filesystem::exists(path, missing))
        createProjectFile(path);
    auto connection = std::make_unique<SqliteConnection>(
        path, SQLITE_OPEN_READWRITE | (mayCreate ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX);
    // sqlite silently falls back to read-only when the file is write-protected.
    if (sqlite3_db_readonly(connection->handle(), "main") == 1)
        throw Error("Project file " + quoted(path) + " is read-only: DefectScope needs to write to it (check its permissions)");
    sqlite3_busy_timeout(connection->handle(), kBusyTimeoutMs);
    connection->execute("PRAGMA foreign_keys = ON");
    requireOurProject(*connection, mayCreate);
    enableWriteAheadLog(*connection);
    // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits.
    connection->execute("PRAGMA synchronous = NORMAL");
    migrate(*connection);
    markInterruptedRuns(*connection);
    return ProjectFile(std::move(connection));
}

ProjectFile::ProjectFile(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection))
    , ownerThread_(std::this_thread::get_id())
{
}

ProjectFile::ProjectFile(ProjectFile&&) noexcept = default;
ProjectFile& ProjectFile::operator=(ProjectFile&&) noexcept = default;
ProjectFile::~ProjectFile() = default;

SqliteConnection& ProjectFile::connection() const
{
    assert(std::this_thread::get_id() == ownerThread_ && "a ProjectFile must only be used from the thread that opened it");
    return *connection_;
}

const std::string& ProjectFile::path() const
{
    return connection_->path();
}

int ProjectFile::schemaVersion() const
{
    return pragmaInt(connection(), "PRAGMA user_version");
}

void ProjectFile::saveCopyAs(const std::string& target) const
{
    namespace fs = std::filesystem;
    const std::string failure = "Could not save a copy of the project as " + quoted(target) + ": ";
    std::error_code error;
    if (fs::equivalent(target, path(), error))
        throw Error(failure + "that is the project's own file");
    // sqlite would replay the log of the file being replaced onto the copy.
    if (fs::exists(target + "-wal", error))
        throw Error(failure + "that project is open in DefectScope or was not closed properly");

    const fs::path temporary = temporaryNameNextTo(target);
    std::string reason;
    try {
        SqliteStatement vacuum(connection(), "VACUUM INTO ?");
        vacuum.bind(1, temporary.string()).run();
    } catch (const Error&) {
        // sqlite's own words (e.g. "database or disk is full"): the exception's message
        // names the project being copied as the file that failed.
        reason = sqlite3_errmsg(connection().handle());
    }
    // VACUUM INTO does not sync its output.
    if (reason.empty())
        reason = syncToDisk(temporary);
    if (reason.empty()) {
        fs::rename(temporary, target, error);
        if (error)
            reason = error.message();
    }
    if (!reason.empty()) {
        fs::remove(temporary, error);
        throw Error(failure + reason);
    }
}

void ProjectFile::setSetting(const std::string& key, const std::string& value)
{
    SqliteStatement statement(connection(),
                              "INSERT INTO settings (key, value) VALUES (?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    statement.bind(1, key).bind(2, value).run();
}

std::optional<std::string> ProjectFile::setting(const std::string& key) const
{
    SqliteStatement statement(connection(), "SELECT value FROM settings WHERE key = ?");
    statement.bind(1, key);
    if (!statement.step())
        return std::nullopt;
    return statement.textAt(0);
}

std::optional<double> ProjectFile::chosenThreshold(std::int64_t modelId) const
{
    const std::optional<std::string> stored = setting(chosenThresholdKey(modelId));
    if (!stored || stored->empty())
        return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(stored->c_str(), &end);
    if (*end != '\0' || !std::isfinite(value))
        return std::nullopt;
    return value;
}

void ProjectFile::setChosenThreshold(std::int64_t modelId, double threshold)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", threshold); // round-trips exactly
    setSetting(chosenThresholdKey(modelId), text);
}

ProjectFile::Transaction::Transaction(ProjectFile& project)
    : transaction_(project.connection())
{
}

void ProjectFile::Transaction::commit()
{
    transaction_.commit();
}

} // namespace ds
