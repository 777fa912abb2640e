// ProjectFile: inspection runs, their per-image results and heatmaps.
#include "core/storage/ProjectFile.h"

#include "core/Error.h"
#include "core/storage/HeatmapCodec.h"
#include "core/storage/RunOwner.h"

#include <algorithm>
#include <cmath>

namespace ds {

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

RunStatus runStatusAt(const SqliteStatement& statement, int column, const std::string& path)
{
    const std::optional<RunStatus> status = runStatusFromName(statement.textAt(column));
    if (!status)
        throw InputError("Project file " + quoted(path) + " is damaged: unknown run status '" + statement.textAt(column) + "'");
    return *status;
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

} // namespace

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

std::optional<RunRecord> ProjectFile::latestDoneRun(std::int64_t modelId) const
{
    const std::vector<RunRecord> all = runs(modelId);
    const auto latest
        = std::find_if(all.rbegin(), all.rend(), [](const RunRecord& run) { return run.status == RunStatus::Done; });
    return latest == all.rend() ? std::nullopt : std::optional<RunRecord>(*latest);
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

} // namespace ds
