#include "core/storage/Sqlite.h"

#include "core/Error.h"

#include <sqlite3.h>

#include <stdexcept>

namespace ds {

SqliteConnection::SqliteConnection(const std::string& path, int openFlags, const std::string& uri)
    : path_(path)
{
    const int rc = sqlite3_open_v2(uri.empty() ? path.c_str() : uri.c_str(), &db_,
                                   openFlags | (uri.empty() ? 0 : SQLITE_OPEN_URI), nullptr);
    if (rc != SQLITE_OK) {
        // sqlite returns a handle even on failure (unless out of memory); it must be closed.
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Error("Cannot open project file " + quoted(path_) + ": " + message
                    + " (check that the folder exists and is writable)");
    }
}

SqliteConnection::~SqliteConnection()
{
    sqlite3_close_v2(db_);
}

void SqliteConnection::execute(const std::string& sql)
{
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        throwError(rc);
}

std::int64_t SqliteConnection::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(db_);
}

int SqliteConnection::changes() const
{
    return sqlite3_changes(db_);
}

void SqliteConnection::throwError(int code) const
{
    const std::string detail = sqlite3_errmsg(db_);
    switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: throw InputError(quoted(path_) + " is damaged or is not a DefectScope project file (" + detail + ")");
    case SQLITE_CANTOPEN:
        // In WAL mode sqlite creates <file>-wal and <file>-shm next to the project.
        throw Error("Cannot open project file " + quoted(path_) + ": " + detail + " (the file and its folder must be writable)");
    case SQLITE_READONLY:
        throw Error("Project file " + quoted(path_) + " cannot be written: " + detail
                    + " (the file and its folder must be writable)");
    case SQLITE_BUSY:
        throw Error("Project file " + quoted(path_) + " is busy: another DefectScope window or job kept it locked (" + detail
                    + ")");
    case SQLITE_ERROR:
        // The program's statements match its schema, so a missing or doubled table or
        // column means the file's tables were changed or its version number was.
        for (const char* sign : {"no such table", "no such column", "already exists", "duplicate column"})
            if (detail.find(sign) != std::string::npos)
                throw InputError("Project file " + quoted(path_) + " is damaged: its tables do not match its schema version ("
                                 + detail + ")");
        throw Error("Project file " + quoted(path_) + ": " + detail);
    default: throw Error("Project file " + quoted(path_) + ": " + detail);
    }
}

SqliteStatement::SqliteStatement(SqliteConnection& connection, const char* sql)
    : connection_(connection)
{
    const int rc = sqlite3_prepare_v2(connection.handle(), sql, -1, &statement_, nullptr);
    if (rc != SQLITE_OK)
        connection_.throwError(rc);
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(statement_);
}

SqliteStatement& SqliteStatement::bind(int parameter, int value)
{
    return bind(parameter, static_cast<std::int64_t>(value));
}

SqliteStatement& SqliteStatement::bind(int parameter, std::int64_t value)
{
    const int rc = sqlite3_bind_int64(statement_, parameter, value);
    if (rc != SQLITE_OK)
        connection_.throwError(rc);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int parameter, double value)
{
    const int rc = sqlite3_bind_double(statement_, parameter, value);
    if (rc != SQLITE_OK)
        connection_.throwError(rc);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int parameter, const std::string& text)
{
    const int rc = sqlite3_bind_text64(statement_, parameter, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        connection_.throwError(rc);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int parameter, const std::vector<std::uint8_t>& blob)
{
    // A null data pointer would bind SQL NULL, so an empty blob is bound as a zero-length one.
    const int rc = blob.empty() ? sqlite3_bind_zeroblob(statement_, parameter, 0)
                                : sqlite3_bind_blob64(statement_, parameter, blob.data(), blob.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK)
        connection_.throwError(rc);
    return *this;
}

SqliteStatement& SqliteStatement::bindNull(int parameter)
{
    const int rc = sqlite3_bind_null(statement_, parameter);
    if (rc != SQLITE_OK)
        connection_.throwError(rc);
    return *this;
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    connection_.throwError(rc);
}

void SqliteStatement::run()
{
    while (step()) {
    }
}

void SqliteStatement::reset()
{
    // sqlite3_reset repeats the last step's error, which step() has already thrown.
    sqlite3_reset(statement_);
}

bool SqliteStatement::isNullAt(int column) const
{
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::int64At(int column) const
{
    return sqlite3_column_int64(statement_, column);
}

double SqliteStatement::doubleAt(int column) const
{
    return sqlite3_column_double(statement_, column);
}

std::string SqliteStatement::textAt(int column) const
{
    const auto* text = sqlite3_column_text(statement_, column);
    const int size = sqlite3_column_bytes(statement_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
}

std::vector<std::uint8_t> SqliteStatement::blobAt(int column) const
{
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
    const int size = sqlite3_column_bytes(statement_, column);
    return data ? std::vector<std::uint8_t>(data, data + size) : std::vector<std::uint8_t>();
}

SqliteTransaction::SqliteTransaction(SqliteConnection& connection)
    : connection_(connection)
    , nested_(connection.transactionDepth_ > 0)
{
    // Some errors (disk full, I/O) make sqlite roll back the whole transaction by itself;
    // carrying on would autocommit the following writes one by one.
    if (nested_ && sqlite3_get_autocommit(connection.handle()))
        throw Error("Project file " + quoted(connection.path())
                    + ": the enclosing transaction was rolled back after an earlier error");
    connection_.execute(nested_ ? "SAVEPOINT ds_nested" : "BEGIN IMMEDIATE");
    ++connection_.transactionDepth_;
}

SqliteTransaction::~SqliteTransaction()
{
    if (finished_)
        return;
    // Errors are ignored: when sqlite already rolled back by itself there is nothing to undo.
    sqlite3_exec(connection_.handle(), nested_ ? "ROLLBACK TO ds_nested; RELEASE ds_nested" : "ROLLBACK", nullptr, nullptr,
                 nullptr);
    --connection_.transactionDepth_;
}

void SqliteTransaction::commit()
{
    if (finished_)
        throw std::logic_error("SqliteTransaction::commit() called twice");
    connection_.execute(nested_ ? "RELEASE ds_nested" : "COMMIT");
    finished_ = true;
    --connection_.transactionDepth_;
}

} // namespace ds
