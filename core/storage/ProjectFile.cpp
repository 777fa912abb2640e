#include "core/storage/ProjectFile.h"

#include "core/Error.h"
#include "core/storage/AtomicFile.h"
#include "core/storage/HeatmapCodec.h"
#include "core/storage/RunOwner.h"
#include "core/storage/Schema.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <utility>

namespace ds {

namespace {

// How long a write waits for another connection's write transaction before failing.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

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

void migrate(SqliteConnection& connection)
{
    if (pragmaInt(connection, "PRAGMA user_version") == schema::currentVersion())
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

Split splitAt(const SqliteStatement& statement, int column, const std::string& path)
{
    const std::optional<Split> split = splitFromName(statement.textAt(column));
    if (!split)
        throw InputError("Project file " + quoted(path) + " is damaged: unknown image split '" + statement.textAt(column) + "'");
    return *split;
}

RunStatus runStatusAt(const SqliteStatement& statement, int column, const std::string& path)
{
    const std::optional<RunStatus> status = runStatusFromName(statement.textAt(column));
    if (!status)
        throw InputError("Project file " + quoted(path) + " is damaged: unknown run status '" + statement.textAt(column) + "'");
    return *status;
}

// Columns: id, path, sha256, width, height, split, label, has mask.
constexpr const char* kSelectImages = "SELECT images.id, path, sha256, width, height, split, label, masks.image_id IS NOT NULL "
                                      "FROM images LEFT JOIN masks ON masks.image_id = images.id ";

ImageRecord imageAt(const SqliteStatement& statement, const std::string& path)
{
    ImageRecord image;
    image.id = statement.int64At(0);
    image.path = statement.textAt(1);
    image.sha256 = statement.textAt(2);
    image.width = static_cast<int>(statement.int64At(3));
    image.height = static_cast<int>(statement.int64At(4));
    image.split = splitAt(statement, 5, path);
    image.label = statement.textAt(6);
    image.hasMask = statement.int64At(7) != 0;
    return image;
}

cv::Mat decodeStoredHeatmap(const SqliteStatement& statement, int pngColumn, int minColumn, int maxColumn,
                            const std::string& path)
{
    if (statement.isNullAt(pngColumn))
        return {};
    try {
        return decodeHeatmap(statement.blobAt(pngColumn), static_cast<float>(statement.doubleAt(minColumn)),
                             static_cast<float>(statement.doubleAt(maxColumn)));
    } catch (const InputError& error) {
        throw InputError("Project file " + quoted(path) + " is damaged: " + error.what());
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

// Columns: id, model_id, created_at, finished_at, status, threshold, ms_per_image, owner.
constexpr const char* kSelectRuns
    = "SELECT id, model_id, created_at, finished_at, status, threshold, ms_per_image, coalesce(owner, '') FROM runs ";

RunRecord runAt(const SqliteStatement& statement, const std::string& path)
{
    RunRecord run;
    run.id = statement.int64At(0);
    run.modelId = statement.int64At(1);
    run.createdAt = statement.textAt(2);
    run.finishedAt = statement.textAt(3);
    run.status = runStatusAt(statement, 4, path);
    // A connection that only reads cannot mark a dead writer's run; it says so all the same.
    if (run.status == RunStatus::Running && runOwnerIsGone(statement.textAt(7)))
        run.status = RunStatus::Interrupted;
    run.threshold = statement.doubleAt(5);
    if (!statement.isNullAt(6))
        run.msPerImage = statement.doubleAt(6);
    return run;
}

// Masks are stored as lossless PNGs.
std::vector<std::uint8_t> maskPng(const cv::Mat& mask)
{
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", mask, png))
        throw Error("Cannot store mask: PNG encoding failed");
    return png;
}

// The mask as stored, after checking that it covers the image exactly.
std::vector<std::uint8_t> encodeMask(const cv::Mat& mask, const ImageRecord& image)
{
    if (mask.cols != image.width || mask.rows != image.height)
        throw InputError("Mask of " + std::to_string(mask.cols) + "x" + std::to_string(mask.rows) + " does not match image "
                         + quoted(image.path) + " of " + std::to_string(image.width) + "x" + std::to_string(image.height));
    return maskPng(mask);
}

// what: the stored mask's owner for the message, e.g. "the mask of image 3".
cv::Mat decodeMask(const std::vector<std::uint8_t>& png, const std::string& path, const std::string& what)
{
    cv::Mat mask;
    try {
        mask = cv::imdecode(png, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception&) {
        // Left empty: reported below like any other undecodable data.
    }
    if (mask.empty() || mask.type() != CV_8UC1)
        throw InputError("Project file " + quoted(path) + " is damaged: " + what + " is not an 8-bit grayscale PNG");
    return mask;
}

bool isHexColour(const std::string& color)
{
    return color.size() == 7 && color[0] == '#'
        && std::all_of(color.begin() + 1, color.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string lowerCase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

void checkDefectTypeFields(const std::string& name, const std::string& color)
{
    if (name.empty())
        throw InputError("A defect type needs a name");
    if (name == kGoodLabel || name == kUntypedDefectName)
        throw InputError("'" + name + "' cannot name a defect type: it is reserved");
    if (!isHexColour(color))
        throw InputError("Colour '" + color + "' of defect type '" + name + "' is not of the form #rrggbb");
}

// Throws ds::InputError when another type than exceptId already has that name.
void requireUnusedTypeName(SqliteConnection& db, const std::string& name, int exceptId)
{
    SqliteStatement statement(db, "SELECT 1 FROM defect_types WHERE name = ? AND id <> ?");
    statement.bind(1, name).bind(2, exceptId);
    if (statement.step())
        throw InputError("Project file " + quoted(db.path()) + " already has a defect type named '" + name + "'");
}

void bindContext(SqliteStatement& statement, int firstParameter, const ReviewContext& context)
{
    if (context.modelId)
        statement.bind(firstParameter, *context.modelId);
    else
        statement.bindNull(firstParameter);
    if (context.runId)
        statement.bind(firstParameter + 1, *context.runId);
    else
        statement.bindNull(firstParameter + 1);
    if (context.threshold)
        statement.bind(firstParameter + 2, *context.threshold);
    else
        statement.bindNull(firstParameter + 2);
}

ReviewContext contextAt(const SqliteStatement& statement, int firstColumn)
{
    ReviewContext context;
    if (!statement.isNullAt(firstColumn))
        context.modelId = statement.int64At(firstColumn);
    if (!statement.isNullAt(firstColumn + 1))
        context.runId = statement.int64At(firstColumn + 1);
    if (!statement.isNullAt(firstColumn + 2))
        context.threshold = statement.doubleAt(firstColumn + 2);
    return context;
}

// Columns: id, image_id, verdict, reviewer, created_at, model_id, run_id, threshold.
constexpr const char* kSelectReviews
    = "SELECT id, image_id, verdict, reviewer, created_at, model_id, run_id, threshold FROM reviews ";

ReviewRecord reviewAt(const SqliteStatement& statement, const std::string& path)
{
    ReviewRecord review;
    review.id = statement.int64At(0);
    review.imageId = statement.int64At(1);
    const std::optional<Verdict> verdict = verdictFromName(statement.textAt(2));
    if (!verdict)
        throw InputError("Project file " + quoted(path) + " is damaged: unknown review verdict '" + statement.textAt(2) + "'");
    review.verdict = *verdict;
    review.reviewer = statement.textAt(3);
    review.createdAt = statement.textAt(4);
    review.context = contextAt(statement, 5);
    return review;
}

bool imageExists(SqliteConnection& db, std::int64_t imageId)
{
    SqliteStatement statement(db, "SELECT 1 FROM images WHERE id = ?");
    statement.bind(1, imageId);
    return statement.step();
}

} // namespace

const char* verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Defect: return "defect";
    case Verdict::Good: return "good";
    case Verdict::Unsure: return "unsure";
    }
    return "";
}

std::optional<Verdict> verdictFromName(const std::string& name)
{
    for (Verdict verdict : {Verdict::Defect, Verdict::Good, Verdict::Unsure})
        if (name == verdictName(verdict))
            return verdict;
    return std::nullopt;
}

const char* splitName(Split split)
{
    switch (split) {
    case Split::Train: return "train";
    case Split::Test: return "test";
    case Split::Holdout: return "holdout";
    }
    return "";
}

std::optional<Split> splitFromName(const std::string& name)
{
    for (Split split : {Split::Train, Split::Test, Split::Holdout})
        if (name == splitName(split))
            return split;
    return std::nullopt;
}

const char* runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Done: return "done";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Interrupted: return "interrupted";
    }
    return "";
}

std::optional<RunStatus> runStatusFromName(const std::string& name)
{
    for (RunStatus status :
         {RunStatus::Running, RunStatus::Done, RunStatus::Failed, RunStatus::Cancelled, RunStatus::Interrupted})
        if (name == runStatusName(status))
            return status;
    return std::nullopt;
}

ProjectFile ProjectFile::open(const std::string& path)
{
    return openPath(path, false);
}

ProjectFile ProjectFile::openOrCreate(const std::string& path)
{
    return openPath(path, true);
}

namespace {

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

} // namespace

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

ProjectFile ProjectFile::openPath(const std::string& path, bool mayCreate)
{
    requireProjectPath(path, mayCreate);
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

AddImageResult ProjectFile::addImage(const ImageRecord& image)
{
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    SqliteStatement insert(db,
                           "INSERT INTO images (path, sha256, width, height, split, label) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING");
    insert.bind(1, image.path)
        .bind(2, image.sha256)
        .bind(3, image.width)
        .bind(4, image.height)
        .bind(5, std::string(splitName(image.split)))
        .bind(6, image.label)
        .run();
    AddImageResult result {db.lastInsertRowId(), db.changes() == 1};
    if (!result.inserted) {
        SqliteStatement existing(db, "SELECT id FROM images WHERE sha256 = ?");
        existing.bind(1, image.sha256).step();
        result.id = existing.int64At(0);
    }
    transaction.commit();
    return result;
}

std::vector<ImageRecord> ProjectFile::images(std::optional<Split> split) const
{
    const std::string sql = std::string(kSelectImages) + (split ? "WHERE split = ? ORDER BY images.id" : "ORDER BY images.id");
    SqliteStatement statement(connection(), sql.c_str());
    if (split)
        statement.bind(1, std::string(splitName(*split)));
    std::vector<ImageRecord> images;
    while (statement.step())
        images.push_back(imageAt(statement, path()));
    return images;
}

std::optional<ImageRecord> ProjectFile::image(std::int64_t imageId) const
{
    const std::string sql = std::string(kSelectImages) + "WHERE images.id = ?";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, imageId);
    if (!statement.step())
        return std::nullopt;
    return imageAt(statement, path());
}

void ProjectFile::setMask(std::int64_t imageId, const cv::Mat& mask)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        throw Error("Cannot store mask: expected a non-empty single-channel 8-bit image");
    const std::optional<ImageRecord> target = image(imageId);
    if (!target)
        throw Error("Cannot store mask: project " + quoted(path()) + " has no image with id " + std::to_string(imageId));
    SqliteStatement statement(connection(),
                              "INSERT INTO masks (image_id, png) VALUES (?, ?) "
                              "ON CONFLICT (image_id) DO UPDATE SET png = excluded.png");
    statement.bind(1, imageId).bind(2, encodeMask(mask, *target)).run();
}

cv::Mat ProjectFile::mask(std::int64_t imageId) const
{
    SqliteStatement statement(connection(), "SELECT png FROM masks WHERE image_id = ?");
    statement.bind(1, imageId);
    if (!statement.step())
        return {};
    return decodeMask(statement.blobAt(0), path(), "the mask of image " + std::to_string(imageId));
}

void ProjectFile::setSplit(const std::vector<std::int64_t>& imageIds, Split split)
{
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    SqliteStatement update(db, "UPDATE images SET split = ? WHERE id = ?");
    for (std::int64_t imageId : imageIds) {
        update.reset();
        update.bind(1, std::string(splitName(split))).bind(2, imageId).run();
        if (db.changes() == 0)
            throw InputError("Cannot change the split: project " + quoted(path()) + " has no image with id "
                             + std::to_string(imageId));
    }
    transaction.commit();
}

std::vector<DefectType> ProjectFile::defectTypes() const
{
    SqliteStatement statement(connection(), "SELECT id, name, color FROM defect_types ORDER BY id");
    std::vector<DefectType> types;
    while (statement.step())
        types.push_back({static_cast<int>(statement.int64At(0)), statement.textAt(1), statement.textAt(2)});
    return types;
}

int ProjectFile::addDefectType(const std::string& name, const std::string& color)
{
    checkDefectTypeFields(name, color);
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    requireUnusedTypeName(db, name, 0);
    int id = 1;
    for (const DefectType& type : defectTypes()) {
        if (type.id != id)
            break;
        ++id;
    }
    if (id >= kUntypedDefect)
        throw InputError("Project file " + quoted(path()) + " already has " + std::to_string(kUntypedDefect - 1)
                         + " defect types, the most a mask can tell apart");
    SqliteStatement insert(db, "INSERT INTO defect_types (id, name, color) VALUES (?, ?, ?)");
    insert.bind(1, id).bind(2, name).bind(3, lowerCase(color)).run();
    transaction.commit();
    return id;
}

void ProjectFile::updateDefectType(const DefectType& type)
{
    checkDefectTypeFields(type.name, type.color);
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    SqliteStatement current(db, "SELECT name FROM defect_types WHERE id = ?");
    current.bind(1, type.id);
    if (!current.step())
        throw InputError("Project file " + quoted(path()) + " has no defect type with id " + std::to_string(type.id));
    const std::string oldName = current.textAt(0);
    requireUnusedTypeName(db, type.name, type.id);
    SqliteStatement update(db, "UPDATE defect_types SET name = ?, color = ? WHERE id = ?");
    update.bind(1, type.name).bind(2, lowerCase(type.color)).bind(3, type.id).run();
    SqliteStatement relabel(db, "UPDATE images SET label = ? WHERE label = ?");
    relabel.bind(1, type.name).bind(2, oldName).run();
    transaction.commit();
}

void ProjectFile::deleteDefectType(int id)
{
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    SqliteStatement remove(db, "DELETE FROM defect_types WHERE id = ?");
    remove.bind(1, id).run();
    if (db.changes() == 0)
        return;
    // The id may be handed out again, so no stored mask may keep using it, not even a
    // snapshot in the audit trail. Rows are rewritten while the scan reads them: sqlite
    // allows updating the current row, and a row seen twice would need no change anyway.
    const auto untype = [&](const char* select, const char* update, const char* owner) {
        SqliteStatement masks(db, select);
        SqliteStatement store(db, update);
        while (masks.step()) {
            const std::int64_t key = masks.int64At(0);
            cv::Mat mask = decodeMask(masks.blobAt(1), path(), owner + std::to_string(key));
            const cv::Mat regions = mask == id;
            if (cv::countNonZero(regions) == 0)
                continue;
            mask.setTo(kUntypedDefect, regions);
            store.reset();
            store.bind(1, maskPng(mask)).bind(2, key).run();
        }
    };
    untype("SELECT image_id, png FROM masks", "UPDATE masks SET png = ? WHERE image_id = ?", "the mask of image ");
    untype("SELECT id, snapshot_png FROM mask_edits WHERE snapshot_png IS NOT NULL",
           "UPDATE mask_edits SET snapshot_png = ? WHERE id = ?", "the snapshot of mask edit ");
    transaction.commit();
}

std::int64_t ProjectFile::addReview(const ReviewRecord& review)
{
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    if (!imageExists(db, review.imageId))
        throw InputError("Cannot record the review: project " + quoted(path()) + " has no image with id "
                         + std::to_string(review.imageId));
    SqliteStatement insert(db,
                           "INSERT INTO reviews (image_id, verdict, reviewer, model_id, run_id, threshold) "
                           "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, review.imageId).bind(2, std::string(verdictName(review.verdict))).bind(3, review.reviewer);
    bindContext(insert, 4, review.context);
    insert.run();
    const std::int64_t id = db.lastInsertRowId();
    transaction.commit();
    return id;
}

std::vector<ReviewRecord> ProjectFile::reviews(std::int64_t imageId) const
{
    const std::string sql = std::string(kSelectReviews) + "WHERE image_id = ? ORDER BY id";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, imageId);
    std::vector<ReviewRecord> reviews;
    while (statement.step())
        reviews.push_back(reviewAt(statement, path()));
    return reviews;
}

std::map<std::int64_t, ReviewRecord> ProjectFile::latestReviews() const
{
    const std::string sql = std::string(kSelectReviews) + "WHERE id IN (SELECT max(id) FROM reviews GROUP BY image_id)";
    SqliteStatement statement(connection(), sql.c_str());
    std::map<std::int64_t, ReviewRecord> latest;
    while (statement.step()) {
        ReviewRecord review = reviewAt(statement, path());
        latest.emplace(review.imageId, std::move(review));
    }
    return latest;
}

std::int64_t ProjectFile::saveMaskEdit(const MaskEditRecord& edit, const cv::Mat& mask)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        throw InputError("Cannot save the mask edit: expected a non-empty single-channel 8-bit mask");
    SqliteConnection& db = connection();
    SqliteTransaction transaction(db);
    const std::optional<ImageRecord> target = image(edit.imageId);
    if (!target)
        throw InputError("Cannot save the mask edit: project " + quoted(path()) + " has no image with id "
                         + std::to_string(edit.imageId));
    const std::vector<std::uint8_t> png = encodeMask(mask, *target);
    const int defectPixels = cv::countNonZero(mask);
    if (defectPixels == 0) {
        SqliteStatement remove(db, "DELETE FROM masks WHERE image_id = ?");
        remove.bind(1, edit.imageId).run();
    } else {
        SqliteStatement store(db,
                              "INSERT INTO masks (image_id, png) VALUES (?, ?) "
                              "ON CONFLICT (image_id) DO UPDATE SET png = excluded.png");
        store.bind(1, edit.imageId).bind(2, png).run();
    }
    SqliteStatement insert(db,
                           "INSERT INTO mask_edits (image_id, reviewer, model_id, run_id, threshold, action, "
                           "defect_pixels, snapshot_png) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, edit.imageId).bind(2, edit.reviewer);
    bindContext(insert, 3, edit.context);
    insert.bind(6, edit.action).bind(7, defectPixels);
    if (defectPixels == 0)
        insert.bindNull(8);
    else
        insert.bind(8, png);
    insert.run();
    const std::int64_t id = db.lastInsertRowId();
    transaction.commit();
    return id;
}

std::vector<MaskEditRecord> ProjectFile::maskEdits(std::int64_t imageId) const
{
    SqliteStatement statement(connection(),
                              "SELECT id, image_id, reviewer, created_at, model_id, run_id, threshold, action, "
                              "defect_pixels FROM mask_edits WHERE image_id = ? ORDER BY id");
    statement.bind(1, imageId);
    std::vector<MaskEditRecord> edits;
    while (statement.step()) {
        MaskEditRecord edit;
        edit.id = statement.int64At(0);
        edit.imageId = statement.int64At(1);
        edit.reviewer = statement.textAt(2);
        edit.createdAt = statement.textAt(3);
        edit.context = contextAt(statement, 4);
        edit.action = statement.textAt(7);
        edit.defectPixels = statement.int64At(8);
        edits.push_back(std::move(edit));
    }
    return edits;
}

cv::Mat ProjectFile::maskEditSnapshot(std::int64_t editId) const
{
    SqliteStatement statement(connection(),
                              "SELECT snapshot_png, images.width, images.height FROM mask_edits "
                              "JOIN images ON images.id = mask_edits.image_id WHERE mask_edits.id = ?");
    statement.bind(1, editId);
    if (!statement.step())
        throw Error("Project file " + quoted(path()) + " has no mask edit with id " + std::to_string(editId));
    if (statement.isNullAt(0))
        return cv::Mat::zeros(static_cast<int>(statement.int64At(2)), static_cast<int>(statement.int64At(1)), CV_8UC1);
    return decodeMask(statement.blobAt(0), path(), "the snapshot of mask edit " + std::to_string(editId));
}

std::int64_t ProjectFile::addModel(const ModelRecord& model)
{
    SqliteConnection& db = connection();
    SqliteStatement statement(db,
                              "INSERT INTO models (name, method, params_json, backbone, state, "
                              "train_seconds, n_train, threshold) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    statement.bind(1, model.name)
        .bind(2, model.method)
        .bind(3, model.paramsJson)
        .bind(4, model.backbone)
        .bind(5, model.state)
        .bind(6, model.trainSeconds)
        .bind(7, model.nTrain)
        .bind(8, model.threshold)
        .run();
    return db.lastInsertRowId();
}

std::vector<ModelRecord> ProjectFile::models() const
{
    // length(state) is answered from the record header without reading the blob.
    SqliteStatement statement(connection(),
                              "SELECT id, name, method, params_json, backbone, length(state), "
                              "train_seconds, n_train, threshold, created_at "
                              "FROM models ORDER BY id");
    std::vector<ModelRecord> models;
    while (statement.step()) {
        ModelRecord model;
        model.id = statement.int64At(0);
        model.name = statement.textAt(1);
        model.method = statement.textAt(2);
        model.paramsJson = statement.textAt(3);
        model.backbone = statement.textAt(4);
        model.stateBytes = statement.int64At(5);
        model.trainSeconds = statement.doubleAt(6);
        model.nTrain = static_cast<int>(statement.int64At(7));
        model.threshold = statement.doubleAt(8);
        model.createdAt = statement.textAt(9);
        models.push_back(std::move(model));
    }
    return models;
}

std::vector<std::uint8_t> ProjectFile::modelState(std::int64_t modelId) const
{
    SqliteStatement statement(connection(), "SELECT state FROM models WHERE id = ?");
    statement.bind(1, modelId);
    if (!statement.step())
        throw Error("Project file " + quoted(path()) + " has no model with id " + std::to_string(modelId));
    return statement.blobAt(0);
}

void ProjectFile::deleteModel(std::int64_t modelId)
{
    SqliteStatement statement(connection(), "DELETE FROM models WHERE id = ?");
    statement.bind(1, modelId).run();
}

std::int64_t ProjectFile::beginRun(std::int64_t modelId, double threshold)
{
    SqliteConnection& db = connection();
    SqliteStatement statement(db, "INSERT INTO runs (model_id, status, threshold, owner) VALUES (?, 'running', ?, ?)");
    statement.bind(1, modelId).bind(2, threshold).bind(3, currentRunOwner()).run();
    return db.lastInsertRowId();
}

void ProjectFile::resumeRun(std::int64_t runId)
{
    SqliteConnection& db = connection();
    SqliteStatement statement(db,
                              "UPDATE runs SET status = 'running', owner = ?, finished_at = NULL "
                              "WHERE id = ? AND status = 'interrupted'");
    statement.bind(1, currentRunOwner()).bind(2, runId).run();
    if (db.changes() == 0)
        throw InputError("Project file " + quoted(path()) + " has no interrupted run with id " + std::to_string(runId));
}

std::vector<RunRecord> ProjectFile::interruptedRuns() const
{
    const std::string sql = std::string(kSelectRuns) + "WHERE status = 'interrupted' ORDER BY id";
    SqliteStatement statement(connection(), sql.c_str());
    std::vector<RunRecord> runs;
    while (statement.step())
        runs.push_back(runAt(statement, path()));
    return runs;
}

int ProjectFile::resultCount(std::int64_t runId) const
{
    SqliteStatement statement(connection(), "SELECT count(*) FROM results WHERE run_id = ?");
    statement.bind(1, runId);
    statement.step();
    return int(statement.int64At(0));
}

void ProjectFile::addResult(const ResultRecord& result)
{
    SqliteStatement statement(connection(),
                              "INSERT INTO results (run_id, image_id, score, heatmap_png, "
                              "heatmap_min, heatmap_max, threshold) VALUES (?, ?, ?, ?, ?, ?, ?)");
    statement.bind(1, result.runId).bind(2, result.imageId).bind(3, result.score);
    if (result.heatmap.empty()) {
        statement.bindNull(4).bindNull(5).bindNull(6);
    } else {
        float min = 0.0f;
        float max = 0.0f;
        const std::vector<std::uint8_t> png = encodeHeatmap(result.heatmap, min, max);
        statement.bind(4, png).bind(5, static_cast<double>(min)).bind(6, static_cast<double>(max));
    }
    statement.bind(7, result.threshold).run();
}

void ProjectFile::finishRun(std::int64_t runId, RunStatus status, std::optional<double> msPerImage)
{
    if (status == RunStatus::Running)
        throw Error("finishRun: a run cannot finish with status 'running'");
    // An interrupted run has not finished: it keeps no end time.
    const std::string sql = std::string("UPDATE runs SET status = ?, ms_per_image = ?, finished_at = ")
        + (status == RunStatus::Interrupted ? "NULL" : kNow) + " WHERE id = ?";
    SqliteConnection& db = connection();
    SqliteStatement statement(db, sql.c_str());
    statement.bind(1, std::string(runStatusName(status)));
    if (msPerImage)
        statement.bind(2, *msPerImage);
    else
        statement.bindNull(2);
    statement.bind(3, runId).run();
    if (db.changes() == 0)
        throw Error("Project file " + quoted(path()) + " has no run with id " + std::to_string(runId));
}

void ProjectFile::discardRun(std::int64_t runId)
{
    SqliteStatement statement(connection(), "DELETE FROM runs WHERE id = ?");
    statement.bind(1, runId).run();
}

std::vector<RunRecord> ProjectFile::runs(std::int64_t modelId) const
{
    const std::string sql = std::string(kSelectRuns) + "WHERE model_id = ? ORDER BY id";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, modelId);
    std::vector<RunRecord> runs;
    while (statement.step())
        runs.push_back(runAt(statement, path()));
    return runs;
}

std::optional<RunRecord> ProjectFile::run(std::int64_t runId) const
{
    const std::string sql = std::string(kSelectRuns) + "WHERE id = ?";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, runId);
    if (!statement.step())
        return std::nullopt;
    return runAt(statement, path());
}

std::vector<ResultRecord> ProjectFile::results(std::int64_t runId, Heatmaps heatmaps) const
{
    // With Skip the blob column is not selected, so sqlite does not read it from disk.
    const std::string sql = std::string("SELECT image_id, score, threshold, heatmap_min, "
                                        "heatmap_max, ")
        + (heatmaps == Heatmaps::Load ? "heatmap_png" : "NULL") + " FROM results WHERE run_id = ? ORDER BY image_id";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, runId);
    std::vector<ResultRecord> results;
    while (statement.step()) {
        ResultRecord result;
        result.runId = runId;
        result.imageId = statement.int64At(0);
        result.score = statement.doubleAt(1);
        result.threshold = statement.doubleAt(2);
        result.heatmapMin = static_cast<float>(statement.doubleAt(3));
        result.heatmapMax = static_cast<float>(statement.doubleAt(4));
        result.heatmap = decodeStoredHeatmap(statement, 5, 3, 4, path());
        if (!std::isfinite(result.score) || !std::isfinite(result.threshold))
            throw InputError("Project file " + quoted(path()) + " is damaged: run " + std::to_string(runId)
                             + " holds a score or threshold that is not a number for image " + std::to_string(result.imageId));
        results.push_back(std::move(result));
    }
    return results;
}

cv::Mat ProjectFile::heatmap(std::int64_t runId, std::int64_t imageId) const
{
    SqliteStatement statement(connection(),
                              "SELECT heatmap_png, heatmap_min, heatmap_max FROM results "
                              "WHERE run_id = ? AND image_id = ?");
    statement.bind(1, runId).bind(2, imageId);
    if (!statement.step())
        return {};
    return decodeStoredHeatmap(statement, 0, 1, 2, path());
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

std::optional<RunRecord> ProjectFile::latestDoneRun(std::int64_t modelId) const
{
    const std::vector<RunRecord> all = runs(modelId);
    const auto latest
        = std::find_if(all.rbegin(), all.rend(), [](const RunRecord& run) { return run.status == RunStatus::Done; });
    return latest == all.rend() ? std::nullopt : std::optional<RunRecord>(*latest);
}

namespace {
std::string chosenThresholdKey(std::int64_t modelId)
{
    return "view/threshold/" + std::to_string(modelId);
}
} // namespace

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
