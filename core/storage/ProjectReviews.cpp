// ProjectFile: defect types, reviewers' verdicts and mask edits (the audit trails).
#include "core/storage/ProjectFile.h"

#include "core/Error.h"
#include "core/storage/ProjectFileMasks.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cctype>

namespace ds {

namespace {

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
            cv::Mat mask = project_file::decodeMask(masks.blobAt(1), path(), owner + std::to_string(key));
            const cv::Mat regions = mask == id;
            if (cv::countNonZero(regions) == 0)
                continue;
            mask.setTo(kUntypedDefect, regions);
            store.reset();
            store.bind(1, project_file::maskPng(mask)).bind(2, key).run();
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
    const std::vector<std::uint8_t> png = project_file::encodeMask(mask, *target);
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
    return project_file::decodeMask(statement.blobAt(0), path(), "the snapshot of mask edit " + std::to_string(editId));
}

} // namespace ds
