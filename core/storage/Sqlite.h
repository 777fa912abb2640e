#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ds {

// Thin RAII layer over the sqlite3 C API for the project file. Every failure throws:
// ds::InputError when the file itself is bad (SQLITE_CORRUPT, SQLITE_NOTADB), ds::Error
// otherwise; both messages name the file and carry sqlite's own message.
//
// A connection belongs to the thread that opened it (opened with SQLITE_OPEN_NOMUTEX).
class SqliteConnection {
public:
    // openFlags: SQLITE_OPEN_* flags for sqlite3_open_v2. uri, when given, is opened
    // instead of path (an SQLite "file:" URI with parameters); messages still name path.
    // Throws ds::Error when the file cannot be opened or created.
    SqliteConnection(const std::string& path, int openFlags, const std::string& uri = {});
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    const std::string& path() const { return path_; }
    sqlite3* handle() const { return db_; }

    // Runs one or more ';'-separated statements that return no rows.
    void execute(const std::string& sql);
    std::int64_t lastInsertRowId() const;
    // Rows changed by the most recent INSERT, UPDATE or DELETE.
    int changes() const;

    // Throws the exception matching sqlite result code `code`, with the connection's
    // latest error message.
    [[noreturn]] void throwError(int code) const;

private:
    friend class SqliteTransaction;

    std::string path_;
    sqlite3* db_ = nullptr;
    // Open SqliteTransaction objects on this connection, outermost included.
    int transactionDepth_ = 0;
};

// One prepared statement. Parameters are numbered from 1 and columns from 0, as in sqlite.
class SqliteStatement {
public:
    SqliteStatement(SqliteConnection& connection, const char* sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Values are copied into the statement, so temporaries are fine.
    SqliteStatement& bind(int parameter, int value);
    SqliteStatement& bind(int parameter, std::int64_t value);
    SqliteStatement& bind(int parameter, double value);
    SqliteStatement& bind(int parameter, const std::string& text);
    SqliteStatement& bind(int parameter, const std::vector<std::uint8_t>& blob);
    SqliteStatement& bindNull(int parameter);

    // Advances to the next row: true while a row is available, false when done.
    bool step();
    // Steps a statement that returns no rows (INSERT, UPDATE, DELETE, PRAGMA x = y).
    void run();
    // Makes the statement ready to step again from the start; bindings are kept until
    // bound anew.
    void reset();

    bool isNullAt(int column) const;
    std::int64_t int64At(int column) const;
    double doubleAt(int column) const;
    std::string textAt(int column) const;
    std::vector<std::uint8_t> blobAt(int column) const;

private:
    SqliteConnection& connection_;
    sqlite3_stmt* statement_ = nullptr;
};

// Makes a group of writes atomic: rolled back by the destructor unless commit() was
// called. The outermost one is BEGIN IMMEDIATE, so it takes the write lock up front and a
// concurrent writer waits in the busy handler instead of failing on a lock upgrade; nested
// ones are savepoints, so a failed inner group is undone without ending the outer one.
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteConnection& connection);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;

    void commit();

private:
    SqliteConnection& connection_;
    bool nested_;
    bool finished_ = false;
};

} // namespace ds
