#include "core/Error.h"
#include "core/storage/ContentHash.h"
#include "core/storage/HeatmapCodec.h"
#include "core/storage/ProjectFile.h"
#include "core/storage/RunOwner.h"
#include "core/storage/Schema.h"
#include "core/storage/Sqlite.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>
#include <tuple>

using ds::ProjectFile;

class TestProjectFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();

    void createsProjectInWalModeAtCurrentVersion();
    void imagesRoundTripAndDuplicateHashesAreSkipped();
    void masksRoundTripPixelExact();
    void modelsRoundTripWithStateByteExact();
    void modelByIdIsTheListedOneOrNone();
    void runsAndResultsRoundTrip();
    void runsRecordScoringTimePerImage();
    void settingsRoundTrip();
    void chosenThresholdAndLatestDoneRun();
    void foreignKeysAreEnforced();
    void deletingModelDeletesItsRunsAndResults();
    void uncommittedTransactionLeavesNothing();
    void failedWriteRollsBackWholeTransaction();
    void nestedTransactionRollsBackAlone();
    void discardRunLeavesProjectAsBefore();
    void migratesVersion1ProjectKeepingData();
    void migratesVersion2ProjectWithUnknownScoringTime();
    void migratesVersion3ProjectRebuildingImagesKeepingEveryRow();
    void migrationRefusesDanglingReferenceAndLeavesFileAsItWas();
    void migratesVersion4ProjectKeepingRunsAndTheirIdSequence();
    void runOfADeadProcessIsInterruptedOnOpenAndCanBeResumed();
    void tamperedFilesAreDamagedProjectsNotInternalErrors();
    void openForReadingReadsAndNeverWrites();
    void unknownLabelRoundTrips();
    void setSplitMovesAllOrNone();
    void defectTypesTakeLowestFreeIdAndRejectBadInput();
    void renamingDefectTypeRelabelsItsImages();
    void deletingDefectTypeUntypesItsRegionsEverywhere();
    void reviewsFormAnAuditTrailWithLatestVerdictPerImage();
    void verdictNamesRoundTrip();
    void maskEditsReplaceMaskAndKeepSnapshots();
    void invalidMaskEditWritesNothing();
    void saveCopyAsWritesWholeProject();
    void saveCopyAsReplacesExistingFile();
    void saveCopyAsRefusesProjectItself();
    void saveCopyAsFailureIsClearErrorLeavingNothing();
    void refusesNewerSchemaVersion();
    void refusesGarbageFile_data();
    void refusesGarbageFile();
    void refusesTruncatedProject_data();
    void refusesTruncatedProject();
    void refusesOtherSqliteDatabase();
    void openRequiresExistingFile();
    void unwritableLocationIsClearError();
    void readOnlyFileOrFolderIsClearError();
    void workerThreadWritesWhileOwnerReadsAndWrites();
    void projectDatabaseFilesAreKnownUnderAnySpelling();

private:
    std::string projectPath(const char* name = "project.dsproj") const;

    std::unique_ptr<QTemporaryDir> dir_;
};

namespace {

// What function() threw: "InputError: <message>" or "Error: <message>"; "" when it returned.
std::string thrownBy(const std::function<void()>& function)
{
    try {
        function();
    } catch (const ds::InputError& error) {
        return std::string("InputError: ") + error.what();
    } catch (const ds::Error& error) {
        return std::string("Error: ") + error.what();
    }
    return {};
}

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

ds::ImageRecord makeImage(int number, ds::Split split, const std::string& label = ds::kGoodLabel)
{
    ds::ImageRecord image;
    image.path = "/data/bottle/image_" + std::to_string(number) + ".png";
    image.sha256 = ds::sha256Hex({static_cast<std::uint8_t>(number), 0x5a});
    image.width = 40 + number;
    image.height = 30 + number;
    image.split = split;
    image.label = label;
    return image;
}

auto imageFields(const ds::ImageRecord& image)
{
    return std::tie(image.id, image.path, image.sha256, image.width, image.height, image.split, image.label, image.hasMask);
}

std::vector<std::uint8_t> randomBytes(std::size_t size, std::uint64_t seed)
{
    cv::RNG rng(seed);
    std::vector<std::uint8_t> bytes(size);
    for (std::uint8_t& byte : bytes)
        byte = static_cast<std::uint8_t>(rng.uniform(0, 256));
    return bytes;
}

cv::Mat randomMap(int rows, int cols, int type, double low, double high, std::uint64_t seed)
{
    cv::Mat map(rows, cols, type);
    cv::RNG rng(seed);
    rng.fill(map, cv::RNG::UNIFORM, low, high);
    return map;
}

ds::ModelRecord makeModel(std::vector<std::uint8_t> state)
{
    ds::ModelRecord model;
    model.name = "bottle patchcore";
    model.method = "patchcore";
    model.paramsJson = R"({"coreset_ratio":0.1,"k":9})";
    model.backbone = "wide_resnet50_2";
    model.state = std::move(state);
    model.trainSeconds = 12.5;
    model.nTrain = 209;
    model.threshold = 3.75;
    return model;
}

ds::ResultRecord makeResult(std::int64_t runId, std::int64_t imageId, double score, cv::Mat heatmap)
{
    ds::ResultRecord result;
    result.runId = runId;
    result.imageId = imageId;
    result.score = score;
    result.heatmap = std::move(heatmap);
    result.threshold = 0.7;
    return result;
}

std::int64_t queryInt(ds::SqliteConnection& connection, const char* sql)
{
    ds::SqliteStatement statement(connection, sql);
    statement.step();
    return statement.int64At(0);
}

std::int64_t rowCount(const std::string& path, const std::string& table)
{
    ds::SqliteConnection connection(path, SQLITE_OPEN_READWRITE);
    return queryInt(connection, ("SELECT count(*) FROM " + table).c_str());
}

// Row counts of every table, to show that an operation left the project as it was.
std::vector<std::int64_t> allRowCounts(const std::string& path)
{
    std::vector<std::int64_t> counts;
    for (const char* table :
         {"images", "masks", "models", "runs", "results", "settings", "defect_types", "reviews", "mask_edits"})
        counts.push_back(rowCount(path, table));
    return counts;
}

// A project file as an older DefectScope wrote it: the migrations up to `version` only.
void createProjectAtVersion(const std::string& path, int version)
{
    ds::SqliteConnection connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    connection.execute("PRAGMA application_id = " + std::to_string(ds::schema::kApplicationId));
    for (const ds::schema::Migration& migration : ds::schema::migrations())
        if (migration.version <= version)
            connection.execute(migration.sql);
    connection.execute("PRAGMA user_version = " + std::to_string(version));
}

void writeFile(const QString& path, const std::vector<std::uint8_t>& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size())),
             static_cast<qint64>(bytes.size()));
}

QByteArray readFile(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

double maxAbsDifference(const cv::Mat& a, const cv::Mat& b)
{
    return cv::norm(a, b, cv::NORM_INF);
}

} // namespace

void TestProjectFile::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
}

std::string TestProjectFile::projectPath(const char* name) const
{
    return dir_->filePath(QString::fromUtf8(name)).toStdString();
}

void TestProjectFile::createsProjectInWalModeAtCurrentVersion()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    QCOMPARE(project.path(), path);
    QCOMPARE(project.schemaVersion(), ds::schema::currentVersion());
    QVERIFY(ds::schema::currentVersion() >= 2);

    ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
    ds::SqliteStatement journalMode(raw, "PRAGMA journal_mode");
    QVERIFY(journalMode.step());
    QCOMPARE(journalMode.textAt(0), std::string("wal"));
    QCOMPARE(queryInt(raw, "PRAGMA user_version"), ds::schema::currentVersion());
    QCOMPARE(queryInt(raw, "PRAGMA application_id"), ds::schema::kApplicationId);
    // Made under a temporary name and linked into place: nothing of that is left beside it.
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
        QVERIFY2(entry.path().filename().string().find(".creating-") == std::string::npos, entry.path().c_str());
    // A second process creating the same project meanwhile finds it whole and opens it.
    QCOMPARE(ProjectFile::openOrCreate(path).schemaVersion(), ds::schema::currentVersion());
}

void TestProjectFile::imagesRoundTripAndDuplicateHashesAreSkipped()
{
    const std::string path = projectPath();
    std::vector<ds::ImageRecord> added
        = {makeImage(1, ds::Split::Train), makeImage(2, ds::Split::Test, "broken_large"), makeImage(3, ds::Split::Holdout)};
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        for (ds::ImageRecord& image : added) {
            const ds::AddImageResult result = project.addImage(image);
            QVERIFY(result.inserted);
            image.id = result.id;
        }
        // Same bytes under another path and split: skipped, the first copy's id returned.
        ds::ImageRecord copy = makeImage(1, ds::Split::Test, "contamination");
        copy.path = "/elsewhere/copy.png";
        const ds::AddImageResult duplicate = project.addImage(copy);
        QVERIFY(!duplicate.inserted);
        QCOMPARE(duplicate.id, added[0].id);
    }

    ProjectFile project = ProjectFile::open(path);
    const std::vector<ds::ImageRecord> all = project.images();
    QCOMPARE(all.size(), added.size());
    for (std::size_t i = 0; i < added.size(); ++i)
        QVERIFY(imageFields(all[i]) == imageFields(added[i]));

    const std::vector<ds::ImageRecord> test = project.images(ds::Split::Test);
    QCOMPARE(test.size(), std::size_t(1));
    QVERIFY(imageFields(test[0]) == imageFields(added[1]));
    QCOMPARE(project.images(ds::Split::Holdout).size(), std::size_t(1));

    const std::optional<ds::ImageRecord> one = project.image(added[2].id);
    QVERIFY(one);
    QVERIFY(imageFields(*one) == imageFields(added[2]));
    QVERIFY(!project.image(12345));
}

void TestProjectFile::masksRoundTripPixelExact()
{
    const std::string path = projectPath();
    const ds::ImageRecord withMask = makeImage(1, ds::Split::Test, "crack");
    const cv::Mat mask = randomMap(withMask.height, withMask.width, CV_8UC1, 0, 256, 11);
    std::int64_t maskedId = 0;
    std::int64_t plainId = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        maskedId = project.addImage(withMask).id;
        plainId = project.addImage(makeImage(2, ds::Split::Test)).id;
        project.setMask(maskedId, cv::Mat::zeros(mask.size(), CV_8UC1));
        project.setMask(maskedId, mask); // replaces the first one

        const std::string wrongSize = thrownBy([&] { project.setMask(plainId, cv::Mat::zeros(5, 5, CV_8UC1)); });
        QVERIFY2(startsWith(wrongSize, "InputError: "), wrongSize.c_str());
        const std::string wrongType = thrownBy([&] { project.setMask(plainId, cv::Mat::zeros(32, 42, CV_8UC3)); });
        QVERIFY2(startsWith(wrongType, "Error: "), wrongType.c_str());
    }

    ProjectFile project = ProjectFile::open(path);
    const cv::Mat stored = project.mask(maskedId);
    QCOMPARE(stored.type(), CV_8UC1);
    QCOMPARE(stored.size(), mask.size());
    QCOMPARE(maxAbsDifference(stored, mask), 0.0);
    QVERIFY(project.mask(plainId).empty());
    QVERIFY(project.image(maskedId)->hasMask);
    QVERIFY(!project.image(plainId)->hasMask);
    QCOMPARE(rowCount(path, "masks"), 1);
}

void TestProjectFile::modelsRoundTripWithStateByteExact()
{
    const std::string path = projectPath();
    ds::ModelRecord model = makeModel(randomBytes(300 * 1024, 3));
    model.nHeldOut = 11;
    std::int64_t modelId = 0;
    std::int64_t emptyStateId = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        modelId = project.addModel(model);
        emptyStateId = project.addModel(makeModel({}));
    }

    ProjectFile project = ProjectFile::open(path);
    const std::vector<ds::ModelRecord> models = project.models();
    QCOMPARE(models.size(), std::size_t(2));
    const ds::ModelRecord& listed = models[0];
    QCOMPARE(listed.id, modelId);
    QCOMPARE(listed.name, model.name);
    QCOMPARE(listed.method, model.method);
    QCOMPARE(listed.paramsJson, model.paramsJson);
    QCOMPARE(listed.backbone, model.backbone);
    QVERIFY(listed.state.empty());
    QCOMPARE(listed.stateBytes, static_cast<std::int64_t>(model.state.size()));
    QCOMPARE(listed.trainSeconds, model.trainSeconds);
    QCOMPARE(listed.nTrain, model.nTrain);
    QCOMPARE(listed.nHeldOut, std::optional<int>(11));
    QCOMPARE(models[1].nHeldOut, std::optional<int>()); // not given: unknown, not zero
    QCOMPARE(listed.threshold, model.threshold);
    QCOMPARE(listed.createdAt.size(), std::string("2024-01-01T00:00:00.000Z").size());
    QCOMPARE(listed.createdAt.back(), 'Z');

    QVERIFY(project.modelState(modelId) == model.state);
    QVERIFY(project.modelState(emptyStateId).empty());
    QCOMPARE(models[1].stateBytes, std::int64_t(0));
    const std::string missing = thrownBy([&] { project.modelState(999); });
    QVERIFY2(startsWith(missing, "Error: ") && contains(missing, path), missing.c_str());
}

// model(id) answers what models() lists for that id, without the state, and nothing for an
// id that was never given or was deleted.
void TestProjectFile::modelByIdIsTheListedOneOrNone()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    ds::ModelRecord second = makeModel({9, 8, 7});
    second.name = "second";
    second.threshold = 0.25;
    const std::int64_t firstId = project.addModel(makeModel({1, 2}));
    const std::int64_t secondId = project.addModel(second);

    const std::optional<ds::ModelRecord> found = project.model(secondId);
    QVERIFY(found.has_value());
    const ds::ModelRecord listed = project.models().back();
    QCOMPARE(found->id, secondId);
    QCOMPARE(found->name, std::string("second"));
    QCOMPARE(found->threshold, 0.25);
    QCOMPARE(found->stateBytes, std::int64_t(3));
    QVERIFY(found->state.empty());
    QCOMPARE(found->createdAt, listed.createdAt);
    QCOMPARE(found->paramsJson, listed.paramsJson);
    QCOMPARE(project.model(firstId)->name, std::string("bottle patchcore"));

    QVERIFY(!project.model(secondId + 1).has_value());
    project.deleteModel(firstId);
    QVERIFY(!project.model(firstId).has_value());
}

void TestProjectFile::runsAndResultsRoundTrip()
{
    const std::string path = projectPath();
    const cv::Mat heatmap = randomMap(56, 56, CV_32FC1, 0.5, 9.0, 5);
    std::int64_t runId = 0;
    std::int64_t modelId = 0;
    std::int64_t withMapId = 0;
    std::int64_t withoutMapId = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        withMapId = project.addImage(makeImage(1, ds::Split::Test, "crack")).id;
        withoutMapId = project.addImage(makeImage(2, ds::Split::Test)).id;
        modelId = project.addModel(makeModel(randomBytes(100, 1)));
        runId = project.beginRun(modelId, 0.7);

        const std::vector<ds::RunRecord> running = project.runs(modelId);
        QCOMPARE(running.size(), std::size_t(1));
        QCOMPARE(running[0].status, ds::RunStatus::Running);
        QVERIFY(running[0].finishedAt.empty());

        project.addResult(makeResult(runId, withMapId, 8.5, heatmap));
        project.addResult(makeResult(runId, withoutMapId, 0.25, cv::Mat()));
        project.finishRun(runId, ds::RunStatus::Done);

        const std::string stillRunning = thrownBy([&] { project.finishRun(runId, ds::RunStatus::Running); });
        QVERIFY2(startsWith(stillRunning, "Error: "), stillRunning.c_str());
        const std::string unknownRun = thrownBy([&] { project.finishRun(runId + 100, ds::RunStatus::Done); });
        QVERIFY2(startsWith(unknownRun, "Error: "), unknownRun.c_str());
    }

    ProjectFile project = ProjectFile::open(path);
    const std::vector<ds::RunRecord> runs = project.runs(modelId);
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(runs[0].id, runId);
    QCOMPARE(runs[0].modelId, modelId);
    QCOMPARE(runs[0].status, ds::RunStatus::Done);
    QCOMPARE(runs[0].threshold, 0.7);
    QVERIFY(!runs[0].createdAt.empty());
    QVERIFY(runs[0].finishedAt >= runs[0].createdAt);

    double expectedMin = 0.0;
    double expectedMax = 0.0;
    cv::minMaxLoc(heatmap, &expectedMin, &expectedMax);
    const double tolerance = (expectedMax - expectedMin) / 65535.0;

    const std::vector<ds::ResultRecord> results = project.results(runId, ProjectFile::Heatmaps::Load);
    QCOMPARE(results.size(), std::size_t(2));
    QCOMPARE(results[0].runId, runId);
    QCOMPARE(results[0].imageId, withMapId);
    QCOMPARE(results[0].score, 8.5);
    QCOMPARE(results[0].threshold, 0.7);
    QCOMPARE(results[0].heatmapMin, static_cast<float>(expectedMin));
    QCOMPARE(results[0].heatmapMax, static_cast<float>(expectedMax));
    QCOMPARE(results[0].heatmap.type(), CV_32FC1);
    QCOMPARE(results[0].heatmap.size(), heatmap.size());
    QVERIFY(maxAbsDifference(results[0].heatmap, heatmap) <= tolerance);
    QCOMPARE(results[1].imageId, withoutMapId);
    QCOMPARE(results[1].score, 0.25);
    QVERIFY(results[1].heatmap.empty());

    const std::vector<ds::ResultRecord> listed = project.results(runId, ProjectFile::Heatmaps::Skip);
    QCOMPARE(listed.size(), std::size_t(2));
    QVERIFY(listed[0].heatmap.empty());
    QCOMPARE(listed[0].heatmapMax, static_cast<float>(expectedMax));

    QVERIFY(maxAbsDifference(project.heatmap(runId, withMapId), heatmap) <= tolerance);
    QVERIFY(project.heatmap(runId, withoutMapId).empty());
    QVERIFY(project.heatmap(runId + 100, withMapId).empty());
}

void TestProjectFile::runsRecordScoringTimePerImage()
{
    const std::string path = projectPath();
    std::int64_t modelId = 0;
    std::int64_t timedRunId = 0;
    std::int64_t untimedRunId = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        modelId = project.addModel(makeModel({1}));
        timedRunId = project.beginRun(modelId, 0.5);
        QVERIFY(!project.run(timedRunId)->msPerImage); // unknown while running
        project.finishRun(timedRunId, ds::RunStatus::Done, 12.75);
        untimedRunId = project.beginRun(modelId, 0.5);
        project.finishRun(untimedRunId, ds::RunStatus::Cancelled);
    }

    ProjectFile project = ProjectFile::open(path);
    const std::vector<ds::RunRecord> runs = project.runs(modelId);
    QCOMPARE(runs.size(), std::size_t(2));
    QCOMPARE(runs[0].msPerImage, std::optional<double>(12.75));
    QVERIFY(!runs[1].msPerImage);

    const std::optional<ds::RunRecord> timed = project.run(timedRunId);
    QVERIFY(timed);
    QCOMPARE(timed->id, timedRunId);
    QCOMPARE(timed->modelId, modelId);
    QCOMPARE(timed->status, ds::RunStatus::Done);
    QCOMPARE(timed->threshold, 0.5);
    QCOMPARE(timed->finishedAt, runs[0].finishedAt);
    QCOMPARE(timed->msPerImage, std::optional<double>(12.75));
    QCOMPARE(project.run(untimedRunId)->status, ds::RunStatus::Cancelled);
    QVERIFY(!project.run(untimedRunId + 100));
}

void TestProjectFile::settingsRoundTrip()
{
    const std::string path = projectPath();
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        project.setSetting("view/threshold/1", "0.5");
        project.setSetting("view/threshold/1", "0.625");
        project.setSetting("view/lastImageId", "42");
        project.setSetting("empty", "");
    }
    ProjectFile project = ProjectFile::open(path);
    QCOMPARE(project.setting("view/threshold/1"), std::optional<std::string>("0.625"));
    QCOMPARE(project.setting("view/lastImageId"), std::optional<std::string>("42"));
    QCOMPARE(project.setting("empty"), std::optional<std::string>(""));
    QVERIFY(!project.setting("missing"));
}

void TestProjectFile::chosenThresholdAndLatestDoneRun()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    const std::int64_t modelId = project.addModel(makeModel({1}));
    QVERIFY(!project.latestDoneRun(modelId));
    const std::int64_t first = project.beginRun(modelId, 1.0);
    project.finishRun(first, ds::RunStatus::Done);
    const std::int64_t second = project.beginRun(modelId, 2.0);
    project.finishRun(second, ds::RunStatus::Done);
    project.finishRun(project.beginRun(modelId, 3.0), ds::RunStatus::Cancelled);
    project.beginRun(modelId, 4.0); // still running
    QCOMPARE(project.latestDoneRun(modelId)->id, second);
    QVERIFY(!project.latestDoneRun(modelId + 1));

    QVERIFY(!project.chosenThreshold(modelId));
    const double chosen = 0.1 + 0.2; // not exactly representable in short decimal
    project.setChosenThreshold(modelId, chosen);
    QCOMPARE(project.chosenThreshold(modelId), std::optional<double>(chosen));
    QVERIFY(!project.chosenThreshold(modelId + 1));
    project.setSetting("view/threshold/" + std::to_string(modelId), "not a number");
    QVERIFY(!project.chosenThreshold(modelId));
    project.setSetting("view/threshold/" + std::to_string(modelId), "inf");
    QVERIFY(!project.chosenThreshold(modelId));
}

void TestProjectFile::foreignKeysAreEnforced()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::int64_t modelId = project.addModel(makeModel({1, 2, 3}));
    const std::int64_t runId = project.beginRun(modelId, 1.0);

    const std::string missingImage = thrownBy([&] { project.addResult(makeResult(runId, 777, 1.0, cv::Mat())); });
    QVERIFY2(startsWith(missingImage, "Error: ") && contains(missingImage, "FOREIGN KEY") && contains(missingImage, path),
             missingImage.c_str());
    const std::string missingModel = thrownBy([&] { project.beginRun(modelId + 50, 1.0); });
    QVERIFY2(startsWith(missingModel, "Error: "), missingModel.c_str());
    const std::string missingImageMask = thrownBy([&] { project.setMask(777, cv::Mat::zeros(4, 4, CV_8UC1)); });
    QVERIFY2(startsWith(missingImageMask, "Error: "), missingImageMask.c_str());

    QCOMPARE(rowCount(path, "results"), 0);
    QCOMPARE(rowCount(path, "runs"), 1);
    QCOMPARE(rowCount(path, "masks"), 0);
}

void TestProjectFile::deletingModelDeletesItsRunsAndResults()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::int64_t imageId = project.addImage(makeImage(1, ds::Split::Test)).id;
    const std::int64_t kept = project.addModel(makeModel({1}));
    const std::int64_t deleted = project.addModel(makeModel({2}));
    const std::int64_t keptRun = project.beginRun(kept, 1.0);
    const std::int64_t deletedRun = project.beginRun(deleted, 1.0);
    project.addResult(makeResult(keptRun, imageId, 1.0, randomMap(8, 8, CV_32FC1, 0, 1, 1)));
    project.addResult(makeResult(deletedRun, imageId, 2.0, randomMap(8, 8, CV_32FC1, 0, 1, 2)));

    project.deleteModel(deleted);
    project.deleteModel(deleted + 100); // unknown id: no-op

    QCOMPARE(project.models().size(), std::size_t(1));
    QCOMPARE(project.models()[0].id, kept);
    QVERIFY(project.runs(deleted).empty());
    QVERIFY(project.results(deletedRun, ProjectFile::Heatmaps::Skip).empty());
    QCOMPARE(project.runs(kept).size(), std::size_t(1));
    QCOMPARE(project.results(keptRun, ProjectFile::Heatmaps::Skip).size(), std::size_t(1));
    QCOMPARE(rowCount(path, "results"), 1);
    QCOMPARE(project.images().size(), std::size_t(1));
    // Ids of deleted models are not handed out again.
    QVERIFY(project.addModel(makeModel({3})) > deleted);
}

void TestProjectFile::uncommittedTransactionLeavesNothing()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::vector<std::int64_t> before = allRowCounts(path);
    {
        ProjectFile::Transaction transaction(project);
        const std::int64_t imageId = project.addImage(makeImage(1, ds::Split::Test)).id;
        project.setMask(imageId, cv::Mat::zeros(31, 41, CV_8UC1));
        const std::int64_t modelId = project.addModel(makeModel({1, 2}));
        const std::int64_t runId = project.beginRun(modelId, 0.5);
        project.addResult(makeResult(runId, imageId, 0.1, randomMap(4, 4, CV_32FC1, 0, 1, 3)));
        project.setSetting("k", "v");
        // Leaving the scope without commit().
    }
    QVERIFY(allRowCounts(path) == before);
    QVERIFY(project.images().empty());

    {
        ProjectFile::Transaction transaction(project);
        project.addImage(makeImage(1, ds::Split::Test));
        project.addImage(makeImage(2, ds::Split::Test));
        transaction.commit();
    }
    QCOMPARE(ProjectFile::open(path).images().size(), std::size_t(2));
}

void TestProjectFile::failedWriteRollsBackWholeTransaction()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::vector<std::int64_t> before = allRowCounts(path);

    const std::string error = thrownBy([&] {
        ProjectFile::Transaction transaction(project);
        const std::int64_t imageId = project.addImage(makeImage(1, ds::Split::Test)).id;
        const std::int64_t runId = project.beginRun(project.addModel(makeModel({7})), 0.5);
        project.addResult(makeResult(runId, imageId, 0.9, cv::Mat()));
        project.addResult(makeResult(runId, imageId + 1000, 0.9, cv::Mat())); // no such image
        transaction.commit();
    });
    QVERIFY2(startsWith(error, "Error: "), error.c_str());
    QVERIFY(allRowCounts(path) == before);

    // The connection is usable afterwards.
    QVERIFY(project.addImage(makeImage(1, ds::Split::Test)).inserted);
}

void TestProjectFile::nestedTransactionRollsBackAlone()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    {
        ProjectFile::Transaction outer(project);
        project.addImage(makeImage(1, ds::Split::Train));
        {
            ProjectFile::Transaction inner(project);
            project.addImage(makeImage(2, ds::Split::Train));
        }
        {
            ProjectFile::Transaction inner(project);
            project.addImage(makeImage(3, ds::Split::Train));
            inner.commit();
        }
        outer.commit();
    }
    const std::vector<ds::ImageRecord> images = ProjectFile::open(path).images();
    QCOMPARE(images.size(), std::size_t(2));
    QCOMPARE(images[0].sha256, makeImage(1, ds::Split::Train).sha256);
    QCOMPARE(images[1].sha256, makeImage(3, ds::Split::Train).sha256);
}

void TestProjectFile::discardRunLeavesProjectAsBefore()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    std::vector<std::int64_t> imageIds;
    for (int i = 0; i < 3; ++i)
        imageIds.push_back(project.addImage(makeImage(i, ds::Split::Test)).id);
    const std::int64_t modelId = project.addModel(makeModel({1, 2, 3}));
    const std::vector<std::int64_t> before = allRowCounts(path);

    const std::int64_t runId = project.beginRun(modelId, 0.5);
    for (std::int64_t imageId : imageIds)
        project.addResult(makeResult(runId, imageId, 0.5, randomMap(16, 16, CV_32FC1, 0, 2, 9)));
    QCOMPARE(rowCount(path, "results"), 3); // each result is visible as soon as written
    project.discardRun(runId);

    QVERIFY(allRowCounts(path) == before);
    QVERIFY(project.runs(modelId).empty());
    QVERIFY(project.results(runId, ProjectFile::Heatmaps::Skip).empty());
    project.discardRun(runId); // already gone: no-op
    // A later run never reuses the discarded id.
    QVERIFY(project.beginRun(modelId, 0.5) > runId);
}

void TestProjectFile::migratesVersion4ProjectKeepingRunsAndTheirIdSequence()
{
    const std::string path = projectPath("v4.dsproj");
    createProjectAtVersion(path, 4);
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("INSERT INTO images (id, path, sha256, width, height, split, label) VALUES "
                    "(1, '/a.png', '"
                    + ds::sha256Hex({1})
                    + "', 4, 4, 'test', 'good');"
                      "INSERT INTO models (id, name, method, params_json, backbone, state, train_seconds, n_train, threshold) "
                      "VALUES (1, 'm', 'padim', '{}', 'resnet18', x'00', 1.0, 5, 2.0);"
                      "INSERT INTO runs (id, model_id, status, threshold, finished_at, ms_per_image) "
                      "VALUES (3, 1, 'done', 2.5, '2024-05-01T10:00:00.000Z', 7.5);"
                      "INSERT INTO runs (id, model_id, status, threshold) VALUES (9, 1, 'running', 2.5);"
                      "DELETE FROM runs WHERE id = 9;" // discarded: its id must stay used
                      "INSERT INTO runs (id, model_id, status, threshold) VALUES (5, 1, 'running', 2.5);"
                      "INSERT INTO results (run_id, image_id, score, threshold) VALUES (3, 1, 1.5, 2.5);"
                      "INSERT INTO results (run_id, image_id, score, threshold) VALUES (5, 1, 1.0, 2.5);");
    }
    ProjectFile project = ProjectFile::open(path);
    QCOMPARE(project.schemaVersion(), ds::schema::currentVersion());
    const std::vector<ds::RunRecord> runs = project.runs(1);
    QCOMPARE(runs.size(), std::size_t(2));
    QCOMPARE(runs[0].id, std::int64_t(3));
    QCOMPARE(runs[0].status, ds::RunStatus::Done);
    QCOMPARE(runs[0].msPerImage, std::optional<double>(7.5));
    QCOMPARE(project.models().front().nHeldOut, std::optional<int>()); // trained before it was recorded
    QCOMPARE(project.results(3, ProjectFile::Heatmaps::Skip).size(), std::size_t(1));
    // Left running by a version that recorded no owner: nothing can still be writing it.
    QCOMPARE(runs[1].status, ds::RunStatus::Interrupted);
    QCOMPARE(project.resultCount(5), 1);
    QVERIFY(project.beginRun(1, 2.5) > 9);
    project.deleteModel(1); // references to the rebuilt table still cascade
    QCOMPARE(rowCount(path, "results"), 0);
}

void TestProjectFile::runOfADeadProcessIsInterruptedOnOpenAndCanBeResumed()
{
    const std::string path = projectPath();
    std::int64_t dead = 0, live = 0, remote = 0, done = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        const std::int64_t imageId = project.addImage(makeImage(1, ds::Split::Test)).id;
        const std::int64_t modelId = project.addModel(makeModel({1}));
        dead = project.beginRun(modelId, 0.5);
        project.addResult(makeResult(dead, imageId, 0.7, cv::Mat()));
        live = project.beginRun(modelId, 0.5);
        remote = project.beginRun(modelId, 0.5);
        done = project.beginRun(modelId, 0.5);
        project.finishRun(done, ds::RunStatus::Done);
    }
    // The owner of `dead` becomes a process that has exited; `remote`'s another machine's.
    QProcess exited;
    exited.start(QStringLiteral("true"), {});
    QVERIFY(exited.waitForStarted());
    const qint64 exitedPid = exited.processId();
    QVERIFY(exited.waitForFinished());
    QStringList owner = QString::fromStdString(ds::currentRunOwner()).split(QLatin1Char(' '));
    QCOMPARE(owner.size(), 4);
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        QStringList deadOwner = owner;
        deadOwner[2] = QString::number(exitedPid);
        QStringList remoteOwner = owner;
        remoteOwner[0] = QStringLiteral("some-other-host");
        raw.execute("UPDATE runs SET owner = '" + deadOwner.join(QLatin1Char(' ')).toStdString()
                    + "' WHERE id = " + std::to_string(dead) + "; UPDATE runs SET owner = '"
                    + remoteOwner.join(QLatin1Char(' ')).toStdString() + "' WHERE id = " + std::to_string(remote));
    }
    ProjectFile project = ProjectFile::open(path);
    QCOMPARE(project.run(dead)->status, ds::RunStatus::Interrupted);
    QVERIFY(project.run(dead)->finishedAt.empty());
    QCOMPARE(project.run(live)->status, ds::RunStatus::Running); // this process is still scoring it
    QCOMPARE(project.run(remote)->status, ds::RunStatus::Running); // cannot be checked from here
    QCOMPARE(project.run(done)->status, ds::RunStatus::Done);
    QCOMPARE(project.interruptedRuns().size(), std::size_t(1));
    QCOMPARE(project.resultCount(dead), 1); // its results are kept

    QVERIFY_THROWS_EXCEPTION(ds::InputError, project.resumeRun(done));
    project.resumeRun(dead);
    QCOMPARE(project.run(dead)->status, ds::RunStatus::Running);
    QVERIFY(ProjectFile::open(path).run(dead)->status == ds::RunStatus::Running); // owned by a live process now
    project.finishRun(dead, ds::RunStatus::Done);
    QVERIFY(project.interruptedRuns().empty());
}

// Edits made with foreign keys off or the schema changed by hand: each is a damaged
// project (ds::InputError, exit code 3), named as such, never an internal error.
void TestProjectFile::tamperedFilesAreDamagedProjectsNotInternalErrors()
{
    const auto expectDamaged = [](const std::function<void()>& action, const char* detail) {
        try {
            action();
            QFAIL("no error");
        } catch (const ds::InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("damaged")), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QString::fromLatin1(detail)), e.what());
        }
    };
    const std::string path = projectPath();
    std::int64_t runId = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        const std::int64_t imageId = project.addImage(makeImage(1, ds::Split::Test)).id;
        runId = project.beginRun(project.addModel(makeModel({1})), 0.5);
        project.addResult(makeResult(runId, imageId, 0.7, randomMap(8, 8, CV_32FC1, 0, 1, 4)));
        project.finishRun(runId, ds::RunStatus::Done);
    }
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("UPDATE results SET heatmap_max = 9e999"); // +infinity
    }
    expectDamaged([&] { ProjectFile::open(path).heatmap(runId, 1); }, "valid range");
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("UPDATE results SET heatmap_max = 1, score = -9e999");
    }
    expectDamaged([&] { ProjectFile::open(path).results(runId, ProjectFile::Heatmaps::Skip); }, "not a number");
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("PRAGMA user_version = 2"); // the tables are newer than the number says
    }
    expectDamaged([&] { ProjectFile::open(path); }, "do not match its schema version");
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("PRAGMA user_version = " + std::to_string(ds::schema::currentVersion()) + "; DROP TABLE results");
    }
    expectDamaged([&] { ProjectFile::open(path).results(runId, ProjectFile::Heatmaps::Skip); }, "no such table: results");
}

void TestProjectFile::openForReadingReadsAndNeverWrites()
{
    const std::string path = projectPath();
    std::int64_t runId = 0;
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        const std::int64_t modelId = project.addModel(makeModel({1}));
        project.addImage(makeImage(1, ds::Split::Test));
        runId = project.beginRun(modelId, 0.5);
    }
    const QByteArray before = readFile(path);
    {
        const ProjectFile reader = ProjectFile::openForReading(path);
        QCOMPARE(reader.images().size(), std::size_t(1));
        QCOMPARE(reader.run(runId)->status, ds::RunStatus::Running); // nothing is marked when only reading
        ProjectFile writable = ProjectFile::openForReading(path);
        QVERIFY_THROWS_EXCEPTION(ds::Error, writable.setSetting("k", "v"));
    }
    QCOMPARE(readFile(path), before);
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("UPDATE runs SET owner = NULL"); // as if its writer had died
    }
    QCOMPARE(ProjectFile::openForReading(path).run(runId)->status, ds::RunStatus::Interrupted); // said, not written
    QVERIFY_THROWS_EXCEPTION(ds::InputError, ProjectFile::openForReading(projectPath("absent.dsproj")));
    const std::string old = projectPath("old-for-reading.dsproj");
    createProjectAtVersion(old, 3);
    try {
        ProjectFile::openForReading(old);
        QFAIL("an older project was read without being brought up to date");
    } catch (const ds::InputError& e) {
        QVERIFY2(std::string(e.what()).find("older version") != std::string::npos, e.what());
    }
}

void TestProjectFile::migratesVersion1ProjectKeepingData()
{
    const std::string path = projectPath("old.dsproj");
    const cv::Mat mask = randomMap(30, 40, CV_8UC1, 0, 256, 21);
    const cv::Mat heatmap = randomMap(28, 28, CV_32FC1, 1.0, 4.0, 22);
    const std::vector<std::uint8_t> state = randomBytes(5000, 23);
    const std::string hash = ds::sha256Hex({9, 9, 9});
    createProjectAtVersion(path, 1);
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        ds::SqliteStatement image(raw,
                                  "INSERT INTO images (id, path, sha256, width, height, "
                                  "split, label) VALUES (1, '/old/a.png', ?, 40, 30, "
                                  "'test', 'scratch')");
        image.bind(1, hash).run();
        std::vector<std::uint8_t> maskPng;
        QVERIFY(cv::imencode(".png", mask, maskPng));
        ds::SqliteStatement maskRow(raw, "INSERT INTO masks (image_id, png) VALUES (1, ?)");
        maskRow.bind(1, maskPng).run();
        ds::SqliteStatement model(raw,
                                  "INSERT INTO models (id, name, method, params_json, "
                                  "backbone, state, train_seconds, n_train, threshold) "
                                  "VALUES (1, 'm', 'padim', '{}', 'resnet18', ?, 3.0, "
                                  "50, 2.0)");
        model.bind(1, state).run();
        raw.execute("INSERT INTO runs (id, model_id, status, threshold) VALUES (1, 1, 'done', 2.5)");
        float min = 0.0f;
        float max = 0.0f;
        const std::vector<std::uint8_t> heatmapPng = ds::encodeHeatmap(heatmap, min, max);
        ds::SqliteStatement result(raw,
                                   "INSERT INTO results (run_id, image_id, score, "
                                   "heatmap_png, heatmap_min, heatmap_max, threshold) "
                                   "VALUES (1, 1, 3.25, ?, ?, ?, 2.5)");
        result.bind(1, heatmapPng).bind(2, double(min)).bind(3, double(max)).run();
    }

    ProjectFile project = ProjectFile::open(path);
    QCOMPARE(project.schemaVersion(), ds::schema::currentVersion());

    const std::vector<ds::ImageRecord> images = project.images(ds::Split::Test);
    QCOMPARE(images.size(), std::size_t(1));
    QCOMPARE(images[0].path, std::string("/old/a.png"));
    QCOMPARE(images[0].sha256, hash);
    QCOMPARE(images[0].label, std::string("scratch"));
    QVERIFY(images[0].hasMask);
    QCOMPARE(maxAbsDifference(project.mask(1), mask), 0.0);
    QVERIFY(project.modelState(1) == state);
    QCOMPARE(project.models()[0].method, std::string("padim"));

    const std::vector<ds::RunRecord> runs = project.runs(1);
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(runs[0].status, ds::RunStatus::Done);
    QCOMPARE(runs[0].threshold, 2.5);
    QVERIFY(runs[0].finishedAt.empty()); // column added by version 2
    QVERIFY(!runs[0].msPerImage); // column added by version 3
    QVERIFY(project.latestReviews().empty()); // table added by version 4

    const std::vector<ds::ResultRecord> results = project.results(1, ProjectFile::Heatmaps::Load);
    QCOMPARE(results.size(), std::size_t(1));
    QCOMPARE(results[0].score, 3.25);
    QVERIFY(maxAbsDifference(results[0].heatmap, heatmap) <= (results[0].heatmapMax - results[0].heatmapMin) / 65535.0);

    // What version 2 added works on the migrated file.
    project.setSetting("view/lastImageId", "1");
    QCOMPARE(project.setting("view/lastImageId"), std::optional<std::string>("1"));
    project.finishRun(project.beginRun(1, 2.5), ds::RunStatus::Cancelled);
    QVERIFY(!project.runs(1).back().finishedAt.empty());
    ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
    QCOMPARE(queryInt(raw,
                      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                      "('images_by_split', 'runs_by_model', 'results_by_image')"),
             3);
}

void TestProjectFile::migratesVersion2ProjectWithUnknownScoringTime()
{
    const std::string path = projectPath("v2.dsproj");
    createProjectAtVersion(path, 2);
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("INSERT INTO models (id, name, method, params_json, backbone, state, "
                    "train_seconds, n_train, threshold) VALUES (1, 'm', 'padim', '{}', "
                    "'resnet18', x'00', 4.5, 20, 2.0);"
                    "INSERT INTO runs (id, model_id, status, threshold, finished_at) "
                    "VALUES (1, 1, 'done', 2.5, '2024-05-01T10:00:00.000Z');"
                    "INSERT INTO settings (key, value) VALUES ('view/threshold/1', '2.75')");
    }

    ProjectFile project = ProjectFile::open(path);
    QCOMPARE(project.schemaVersion(), ds::schema::currentVersion());
    const std::vector<ds::RunRecord> runs = project.runs(1);
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(runs[0].status, ds::RunStatus::Done);
    QCOMPARE(runs[0].finishedAt, std::string("2024-05-01T10:00:00.000Z"));
    QVERIFY(!runs[0].msPerImage); // scored before the time was recorded
    QCOMPARE(project.setting("view/threshold/1"), std::optional<std::string>("2.75"));
    QCOMPARE(project.models()[0].trainSeconds, 4.5);

    // A run scored after the migration records its time.
    const std::int64_t runId = project.beginRun(1, 2.5);
    project.finishRun(runId, ds::RunStatus::Done, 3.5);
    QCOMPARE(project.run(runId)->msPerImage, std::optional<double>(3.5));
}

void TestProjectFile::migratesVersion3ProjectRebuildingImagesKeepingEveryRow()
{
    const std::string path = projectPath("v3.dsproj");
    const cv::Mat mask = randomMap(31, 41, CV_8UC1, 0, 256, 31);
    const cv::Mat heatmap = randomMap(16, 16, CV_32FC1, 0.0, 2.0, 32);
    createProjectAtVersion(path, 3);
    {
        // Ids with gaps, as after deletions: references must keep pointing at the same rows.
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        ds::SqliteStatement image(raw,
                                  "INSERT INTO images (id, path, sha256, width, height, split, label) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)");
        image.bind(1, 5)
            .bind(2, std::string("/old/good.png"))
            .bind(3, ds::sha256Hex({5}))
            .bind(4, 40)
            .bind(5, 30)
            .bind(6, std::string("train"))
            .bind(7, std::string("good"))
            .run();
        image.reset();
        image.bind(1, 9)
            .bind(2, std::string("/old/crack.png"))
            .bind(3, ds::sha256Hex({9}))
            .bind(4, 41)
            .bind(5, 31)
            .bind(6, std::string("test"))
            .bind(7, std::string("crack"))
            .run();
        std::vector<std::uint8_t> maskPng;
        QVERIFY(cv::imencode(".png", mask, maskPng));
        ds::SqliteStatement maskRow(raw, "INSERT INTO masks (image_id, png) VALUES (9, ?)");
        maskRow.bind(1, maskPng).run();
        raw.execute("INSERT INTO models (id, name, method, params_json, backbone, state, train_seconds, "
                    "n_train, threshold) VALUES (3, 'm', 'padim', '{}', 'resnet18', x'0102', 4.5, 20, 2.0);"
                    "INSERT INTO runs (id, model_id, status, threshold, finished_at, ms_per_image) "
                    "VALUES (7, 3, 'done', 2.5, '2024-05-01T10:00:00.000Z', 12.5);"
                    "INSERT INTO settings (key, value) VALUES ('view/lastImageId', '9')");
        float min = 0.0f;
        float max = 0.0f;
        const std::vector<std::uint8_t> heatmapPng = ds::encodeHeatmap(heatmap, min, max);
        ds::SqliteStatement result(raw,
                                   "INSERT INTO results (run_id, image_id, score, heatmap_png, heatmap_min, "
                                   "heatmap_max, threshold) VALUES (7, ?, ?, ?, ?, ?, 2.5)");
        result.bind(1, 5).bind(2, 1.25).bind(3, heatmapPng).bind(4, double(min)).bind(5, double(max)).run();
        result.reset();
        result.bind(1, 9).bind(2, 3.5).run();
    }
    const std::vector<std::int64_t> countsBefore = {2, 1, 1, 1, 2, 1};

    {
        ProjectFile project = ProjectFile::open(path);
        QCOMPARE(project.schemaVersion(), ds::schema::currentVersion());
        const std::vector<ds::ImageRecord> images = project.images();
        QCOMPARE(images.size(), std::size_t(2));
        QCOMPARE(images[0].id, std::int64_t(5));
        QCOMPARE(images[0].path, std::string("/old/good.png"));
        QCOMPARE(images[0].label, std::string("good"));
        QCOMPARE(images[0].split, ds::Split::Train);
        QCOMPARE(images[1].id, std::int64_t(9));
        QCOMPARE(images[1].label, std::string("crack"));
        QCOMPARE(images[1].width, 41);
        QVERIFY(images[1].hasMask);
        QCOMPARE(maxAbsDifference(project.mask(9), mask), 0.0);
        const std::vector<ds::ResultRecord> results = project.results(7, ProjectFile::Heatmaps::Load);
        QCOMPARE(results.size(), std::size_t(2));
        QCOMPARE(results[0].imageId, std::int64_t(5));
        QVERIFY(maxAbsDifference(results[0].heatmap, heatmap) <= (results[0].heatmapMax - results[0].heatmapMin) / 65535.0);
        QCOMPARE(results[1].score, 3.5);
        QCOMPARE(project.run(7)->msPerImage, std::optional<double>(12.5));
        QCOMPARE(project.setting("view/lastImageId"), std::optional<std::string>("9"));

        // The rebuilt table keeps its constraints, and references to it are enforced again.
        const std::string missingImage = thrownBy([&] { project.addResult(makeResult(7, 777, 1.0, cv::Mat())); });
        QVERIFY2(contains(missingImage, "FOREIGN KEY"), missingImage.c_str());
        ds::ImageRecord duplicate = makeImage(1, ds::Split::Test, ds::kUnknownLabel);
        duplicate.sha256 = ds::sha256Hex({9});
        QVERIFY(!project.addImage(duplicate).inserted);
        QCOMPARE(project.addImage(makeImage(1, ds::Split::Test, ds::kUnknownLabel)).id, std::int64_t(10));
    }

    ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
    std::vector<std::int64_t> countsAfter = allRowCounts(path);
    countsAfter[0] -= 1; // the image added above
    countsAfter.resize(countsBefore.size());
    QCOMPARE(countsAfter, countsBefore);
    ds::SqliteStatement check(raw, "PRAGMA foreign_key_check");
    QVERIFY(!check.step());
    ds::SqliteStatement integrity(raw, "PRAGMA integrity_check");
    QVERIFY(integrity.step());
    QCOMPARE(integrity.textAt(0), std::string("ok"));
    QCOMPARE(queryInt(raw,
                      "SELECT count(*) FROM sqlite_master WHERE name IN ('images_by_split', "
                      "'images_v4')"),
             1);
    // Deleting an image still cascades to what refers to it.
    raw.execute("PRAGMA foreign_keys = ON; DELETE FROM images WHERE id = 9");
    QCOMPARE(rowCount(path, "masks"), 0);
    QCOMPARE(rowCount(path, "results"), 1);
}

void TestProjectFile::migrationRefusesDanglingReferenceAndLeavesFileAsItWas()
{
    const std::string path = projectPath("broken.dsproj");
    createProjectAtVersion(path, 3);
    {
        // Written with foreign keys off (sqlite's default), as only a damaged file holds it.
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("INSERT INTO masks (image_id, png) VALUES (42, x'00')");
    }
    const std::string refused = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY2(startsWith(refused, "InputError: ") && contains(refused, path) && contains(refused, "masks"), refused.c_str());
    ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
    QCOMPARE(queryInt(raw, "PRAGMA user_version"), 3);
    QCOMPARE(queryInt(raw, "SELECT count(*) FROM sqlite_master WHERE name IN ('images_v4', 'reviews')"), 0);
    QCOMPARE(rowCount(path, "masks"), 1);
}

void TestProjectFile::unknownLabelRoundTrips()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    const std::int64_t id = project.addImage(makeImage(1, ds::Split::Test, ds::kUnknownLabel)).id;
    QCOMPARE(project.image(id)->label, std::string());
    QCOMPARE(project.images(ds::Split::Test).at(0).label, std::string(ds::kUnknownLabel));
}

void TestProjectFile::setSplitMovesAllOrNone()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::int64_t first = project.addImage(makeImage(1, ds::Split::Test)).id;
    const std::int64_t second = project.addImage(makeImage(2, ds::Split::Test)).id;

    const std::string unknown = thrownBy([&] { project.setSplit({first, 999}, ds::Split::Train); });
    QVERIFY2(startsWith(unknown, "InputError: ") && contains(unknown, "999") && contains(unknown, path), unknown.c_str());
    QCOMPARE(project.image(first)->split, ds::Split::Test);

    project.setSplit({first, second}, ds::Split::Holdout);
    QCOMPARE(project.images(ds::Split::Holdout).size(), std::size_t(2));
    project.setSplit({second}, ds::Split::Train);
    QCOMPARE(project.image(first)->split, ds::Split::Holdout);
    QCOMPARE(project.image(second)->split, ds::Split::Train);
}

void TestProjectFile::defectTypesTakeLowestFreeIdAndRejectBadInput()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    QCOMPARE(project.addDefectType("scratch", "#FF0000"), 1);
    QCOMPARE(project.addDefectType("dent", "#00ff00"), 2);
    QCOMPARE(project.addDefectType("stain", "#0000ff"), 3);
    project.deleteDefectType(2);
    QCOMPARE(project.addDefectType("crack", "#123abc"), 2);

    const std::vector<ds::DefectType> types = project.defectTypes();
    QCOMPARE(types.size(), std::size_t(3));
    QCOMPARE(types[0].name, std::string("scratch"));
    QCOMPARE(types[0].color, std::string("#ff0000")); // stored in lower case
    QCOMPARE(types[1].id, 2);
    QCOMPARE(types[1].name, std::string("crack"));
    QCOMPARE(types[2].id, 3);

    for (const auto& [name, color] : std::vector<std::pair<std::string, std::string>> {{"", "#000000"},
                                                                                       {"scratch", "#000000"},
                                                                                       {"good", "#000000"},
                                                                                       {"untyped", "#000000"},
                                                                                       {"hole", "red"},
                                                                                       {"hole", "#12345"},
                                                                                       {"hole", "#12345g"}}) {
        const std::string refused = thrownBy([&] { project.addDefectType(name, color); });
        QVERIFY2(startsWith(refused, "InputError: "), (name + " " + color + ": " + refused).c_str());
    }
    const std::string unknownId = thrownBy([&] { project.updateDefectType({77, "hole", "#000000"}); });
    QVERIFY2(startsWith(unknownId, "InputError: ") && contains(unknownId, "77"), unknownId.c_str());
    const std::string takenName = thrownBy([&] { project.updateDefectType({1, "crack", "#000000"}); });
    QVERIFY2(startsWith(takenName, "InputError: ") && contains(takenName, "crack"), takenName.c_str());
    QCOMPARE(project.defectTypes().size(), std::size_t(3));
    project.deleteDefectType(77); // no such type: nothing happens
    QCOMPARE(project.defectTypes().size(), std::size_t(3));

    for (int i = 4; i <= 254; ++i)
        project.addDefectType("type " + std::to_string(i), "#000000");
    QCOMPARE(project.defectTypes().back().id, 254);
    const std::string full = thrownBy([&] { project.addDefectType("one too many", "#000000"); });
    QVERIFY2(startsWith(full, "InputError: ") && contains(full, "254"), full.c_str());
}

void TestProjectFile::renamingDefectTypeRelabelsItsImages()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    const int id = project.addDefectType("scratch", "#ff0000");
    const std::int64_t scratched = project.addImage(makeImage(1, ds::Split::Test, "scratch")).id;
    const std::int64_t dented = project.addImage(makeImage(2, ds::Split::Test, "dent")).id;

    project.updateDefectType({id, "deep scratch", "#00FF00"});
    QCOMPARE(project.defectTypes().at(0).name, std::string("deep scratch"));
    QCOMPARE(project.defectTypes().at(0).color, std::string("#00ff00"));
    QCOMPARE(project.image(scratched)->label, std::string("deep scratch"));
    QCOMPARE(project.image(dented)->label, std::string("dent"));

    project.updateDefectType({id, "deep scratch", "#0000ff"}); // recolour only
    QCOMPARE(project.defectTypes().at(0).color, std::string("#0000ff"));
}

void TestProjectFile::deletingDefectTypeUntypesItsRegionsEverywhere()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    const int scratch = project.addDefectType("scratch", "#ff0000");
    const int dent = project.addDefectType("dent", "#00ff00");
    const ds::ImageRecord record = makeImage(1, ds::Split::Test, "scratch");
    const std::int64_t imageId = project.addImage(record).id;
    cv::Mat mask = cv::Mat::zeros(record.height, record.width, CV_8UC1);
    mask(cv::Rect(0, 0, 5, 5)).setTo(scratch);
    mask(cv::Rect(10, 10, 4, 4)).setTo(dent);
    mask(cv::Rect(20, 20, 3, 3)).setTo(ds::kUntypedDefect);
    const std::int64_t editId = project.saveMaskEdit({0, imageId, "ana", {}, {}, "brush", 0}, mask);

    project.deleteDefectType(scratch);

    cv::Mat expected = mask.clone();
    expected(cv::Rect(0, 0, 5, 5)).setTo(ds::kUntypedDefect);
    QCOMPARE(maxAbsDifference(project.mask(imageId), expected), 0.0);
    QCOMPARE(maxAbsDifference(project.maskEditSnapshot(editId), expected), 0.0);
    QCOMPARE(project.defectTypes().size(), std::size_t(1));
    QCOMPARE(project.defectTypes().at(0).id, dent);
    QCOMPARE(project.image(imageId)->label, std::string("scratch"));
}

void TestProjectFile::reviewsFormAnAuditTrailWithLatestVerdictPerImage()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::int64_t first = project.addImage(makeImage(1, ds::Split::Test)).id;
    const std::int64_t second = project.addImage(makeImage(2, ds::Split::Test, ds::kUnknownLabel)).id;
    const std::int64_t modelId = project.addModel(makeModel({1}));
    const std::int64_t runId = project.beginRun(modelId, 0.5);

    ds::ReviewRecord review;
    review.imageId = first;
    review.verdict = ds::Verdict::Defect;
    review.reviewer = "ana";
    review.context = {modelId, runId, 0.75};
    const std::int64_t firstReview = project.addReview(review);
    review.verdict = ds::Verdict::Good;
    review.reviewer = "ben";
    review.context = {};
    const std::int64_t secondReview = project.addReview(review);
    review.imageId = second;
    review.verdict = ds::Verdict::Unsure;
    project.addReview(review);
    QVERIFY(secondReview > firstReview);

    const std::vector<ds::ReviewRecord> trail = project.reviews(first);
    QCOMPARE(trail.size(), std::size_t(2));
    QCOMPARE(trail[0].id, firstReview);
    QCOMPARE(trail[0].verdict, ds::Verdict::Defect);
    QCOMPARE(trail[0].reviewer, std::string("ana"));
    QCOMPARE(trail[0].context.modelId, std::optional<std::int64_t>(modelId));
    QCOMPARE(trail[0].context.runId, std::optional<std::int64_t>(runId));
    QCOMPARE(trail[0].context.threshold, std::optional<double>(0.75));
    QVERIFY(trail[0].createdAt.size() >= 20 && trail[0].createdAt.back() == 'Z');
    QCOMPARE(trail[1].verdict, ds::Verdict::Good);
    QVERIFY(!trail[1].context.modelId && !trail[1].context.runId && !trail[1].context.threshold);

    const std::map<std::int64_t, ds::ReviewRecord> latest = project.latestReviews();
    QCOMPARE(latest.size(), std::size_t(2));
    QCOMPARE(latest.at(first).id, secondReview);
    QCOMPARE(latest.at(first).verdict, ds::Verdict::Good);
    QCOMPARE(latest.at(second).verdict, ds::Verdict::Unsure);

    // The trail outlives the model the verdict was made with.
    project.deleteModel(modelId);
    QCOMPARE(project.reviews(first).at(0).context.modelId, std::optional<std::int64_t>(modelId));

    review.imageId = 999;
    const std::string unknown = thrownBy([&] { project.addReview(review); });
    QVERIFY2(startsWith(unknown, "InputError: ") && contains(unknown, "999") && contains(unknown, path), unknown.c_str());
    QCOMPARE(rowCount(path, "reviews"), 3);
}

void TestProjectFile::verdictNamesRoundTrip()
{
    QCOMPARE(std::string(ds::verdictName(ds::Verdict::Defect)), std::string("defect"));
    QCOMPARE(std::string(ds::verdictName(ds::Verdict::Good)), std::string("good"));
    QCOMPARE(std::string(ds::verdictName(ds::Verdict::Unsure)), std::string("unsure"));
    for (ds::Verdict verdict : {ds::Verdict::Defect, ds::Verdict::Good, ds::Verdict::Unsure})
        QCOMPARE(ds::verdictFromName(ds::verdictName(verdict)), std::optional<ds::Verdict>(verdict));
    QVERIFY(!ds::verdictFromName("Good"));
    QVERIFY(!ds::verdictFromName(""));
}

void TestProjectFile::maskEditsReplaceMaskAndKeepSnapshots()
{
    ProjectFile project = ProjectFile::openOrCreate(projectPath());
    const ds::ImageRecord record = makeImage(1, ds::Split::Test, "crack");
    const std::int64_t imageId = project.addImage(record).id;
    const int crack = project.addDefectType("crack", "#ff0000");

    cv::Mat first = cv::Mat::zeros(record.height, record.width, CV_8UC1);
    first(cv::Rect(2, 3, 4, 5)).setTo(crack);
    ds::MaskEditRecord edit;
    edit.imageId = imageId;
    edit.reviewer = "ana";
    edit.context = {std::nullopt, std::nullopt, 1.5};
    edit.action = "brush";
    edit.defectPixels = 12345; // filled by the project, whatever was passed
    const std::int64_t firstEdit = project.saveMaskEdit(edit, first);

    cv::Mat second = first.clone();
    second(cv::Rect(20, 20, 2, 2)).setTo(ds::kUntypedDefect);
    edit.action = "polygon";
    const std::int64_t secondEdit = project.saveMaskEdit(edit, second);
    QCOMPARE(maxAbsDifference(project.mask(imageId), second), 0.0);
    QVERIFY(project.image(imageId)->hasMask);

    edit.action = "erase all";
    const std::int64_t removal = project.saveMaskEdit(edit, cv::Mat::zeros(first.size(), CV_8UC1));
    QVERIFY(project.mask(imageId).empty());
    QVERIFY(!project.image(imageId)->hasMask);

    const std::vector<ds::MaskEditRecord> edits = project.maskEdits(imageId);
    QCOMPARE(edits.size(), std::size_t(3));
    QCOMPARE(edits[0].id, firstEdit);
    QCOMPARE(edits[0].action, std::string("brush"));
    QCOMPARE(edits[0].defectPixels, std::int64_t(20));
    QCOMPARE(edits[0].reviewer, std::string("ana"));
    QCOMPARE(edits[0].context.threshold, std::optional<double>(1.5));
    QVERIFY(!edits[0].context.modelId);
    QVERIFY(!edits[0].createdAt.empty());
    QCOMPARE(edits[1].id, secondEdit);
    QCOMPARE(edits[1].defectPixels, std::int64_t(24));
    QCOMPARE(edits[2].id, removal);
    QCOMPARE(edits[2].defectPixels, std::int64_t(0));

    QCOMPARE(maxAbsDifference(project.maskEditSnapshot(firstEdit), first), 0.0);
    QCOMPARE(maxAbsDifference(project.maskEditSnapshot(secondEdit), second), 0.0);
    const cv::Mat removed = project.maskEditSnapshot(removal);
    QCOMPARE(removed.size(), first.size());
    QCOMPARE(removed.type(), CV_8UC1);
    QCOMPARE(cv::countNonZero(removed), 0);
    const std::string unknown = thrownBy([&] { project.maskEditSnapshot(removal + 10); });
    QVERIFY2(startsWith(unknown, "Error: "), unknown.c_str());
}

void TestProjectFile::invalidMaskEditWritesNothing()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    const ds::ImageRecord record = makeImage(1, ds::Split::Test);
    const std::int64_t imageId = project.addImage(record).id;
    const std::vector<std::int64_t> before = allRowCounts(path);
    ds::MaskEditRecord edit;
    edit.imageId = imageId;
    edit.action = "brush";

    const std::string wrongSize = thrownBy([&] { project.saveMaskEdit(edit, cv::Mat::ones(5, 5, CV_8UC1)); });
    QVERIFY2(startsWith(wrongSize, "InputError: "), wrongSize.c_str());
    const std::string wrongType
        = thrownBy([&] { project.saveMaskEdit(edit, cv::Mat::ones(record.height, record.width, CV_8UC3)); });
    QVERIFY2(startsWith(wrongType, "InputError: "), wrongType.c_str());
    edit.imageId = 999;
    const std::string unknownImage
        = thrownBy([&] { project.saveMaskEdit(edit, cv::Mat::ones(record.height, record.width, CV_8UC1)); });
    QVERIFY2(startsWith(unknownImage, "InputError: ") && contains(unknownImage, "999"), unknownImage.c_str());
    QCOMPARE(allRowCounts(path), before);
}

void TestProjectFile::saveCopyAsWritesWholeProject()
{
    const std::string path = projectPath();
    const std::string copyPath = projectPath("copy.dsproj");
    const cv::Mat mask = randomMap(31, 41, CV_8UC1, 0, 256, 31);
    const cv::Mat heatmap = randomMap(24, 24, CV_32FC1, 0.0, 5.0, 32);
    const ds::ModelRecord model = makeModel(randomBytes(64 * 1024, 33));
    ProjectFile project = ProjectFile::openOrCreate(path);
    const std::int64_t goodId = project.addImage(makeImage(0, ds::Split::Train)).id;
    const std::int64_t defectId = project.addImage(makeImage(1, ds::Split::Test, "crack")).id;
    project.setMask(defectId, mask);
    const std::int64_t modelId = project.addModel(model);
    const std::int64_t runId = project.beginRun(modelId, 0.7);
    project.addResult(makeResult(runId, defectId, 4.5, heatmap));
    project.finishRun(runId, ds::RunStatus::Done, 8.25);
    project.setSetting("view/lastImageId", std::to_string(defectId));
    // Still only in the project's write-ahead log: the copy must include it all the same.
    QVERIFY(QFileInfo(QString::fromStdString(path + "-wal")).size() > 0);

    project.saveCopyAs(copyPath);

    QVERIFY(allRowCounts(copyPath) == allRowCounts(path));
    {
        ProjectFile copy = ProjectFile::open(copyPath);
        QCOMPARE(copy.schemaVersion(), ds::schema::currentVersion());
        const std::vector<ds::ImageRecord> images = copy.images();
        QCOMPARE(images.size(), std::size_t(2));
        QVERIFY(imageFields(images[0]) == imageFields(*project.image(goodId)));
        QVERIFY(imageFields(images[1]) == imageFields(*project.image(defectId)));
        QCOMPARE(maxAbsDifference(copy.mask(defectId), mask), 0.0);
        QVERIFY(copy.modelState(modelId) == model.state);
        QCOMPARE(copy.models()[0].name, model.name);
        const std::optional<ds::RunRecord> run = copy.run(runId);
        QVERIFY(run);
        QCOMPARE(run->status, ds::RunStatus::Done);
        QCOMPARE(run->msPerImage, std::optional<double>(8.25));
        const std::vector<ds::ResultRecord> results = copy.results(runId, ProjectFile::Heatmaps::Load);
        QCOMPARE(results.size(), std::size_t(1));
        QCOMPARE(results[0].score, 4.5);
        QCOMPARE(maxAbsDifference(results[0].heatmap, project.heatmap(runId, defectId)), 0.0);
        QCOMPARE(copy.setting("view/lastImageId"), std::optional<std::string>(std::to_string(defectId)));
    }

    // The project stays on its own file: later writes do not reach the copy.
    QCOMPARE(project.path(), path);
    project.addImage(makeImage(2, ds::Split::Train));
    QCOMPARE(rowCount(path, "images"), 3);
    QCOMPARE(rowCount(copyPath, "images"), 2);
    // Nothing but the two projects (and the open one's log files) is left in the folder.
    QStringList expected = {QStringLiteral("copy.dsproj"), QStringLiteral("project.dsproj"), QStringLiteral("project.dsproj-shm"),
                            QStringLiteral("project.dsproj-wal")};
    QCOMPARE(QDir(dir_->path()).entryList(QDir::Files | QDir::Hidden, QDir::Name), expected);
}

void TestProjectFile::saveCopyAsReplacesExistingFile()
{
    const std::string path = projectPath();
    const std::string target = projectPath("existing.dsproj");
    writeFile(QString::fromStdString(target), randomBytes(5000, 7));
    ProjectFile project = ProjectFile::openOrCreate(path);
    project.addImage(makeImage(1, ds::Split::Train));

    project.saveCopyAs(target);
    QCOMPARE(ProjectFile::open(target).images().size(), std::size_t(1));

    // An older copy of a project is replaced as a whole by a newer one.
    project.addImage(makeImage(2, ds::Split::Train));
    project.saveCopyAs(target);
    QCOMPARE(ProjectFile::open(target).images().size(), std::size_t(2));
}

void TestProjectFile::saveCopyAsRefusesProjectItself()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    project.addImage(makeImage(1, ds::Split::Train));
    const std::string otherSpelling = dir_->path().toStdString() + "/./project.dsproj";
    for (const std::string& target : {path, otherSpelling}) {
        const std::string error = thrownBy([&] { project.saveCopyAs(target); });
        QVERIFY2(startsWith(error, "Error: ") && contains(error, target) && contains(error, "own file"), error.c_str());
    }
    QCOMPARE(project.images().size(), std::size_t(1));
    project.addImage(makeImage(2, ds::Split::Train)); // still open and writable
}

void TestProjectFile::saveCopyAsFailureIsClearErrorLeavingNothing()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    project.addImage(makeImage(1, ds::Split::Train));
    const QStringList before = QDir(dir_->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);

    // Inside a "folder" that is a regular file: fails even for root.
    const QString plainFile = dir_->filePath(QStringLiteral("plain.txt"));
    writeFile(plainFile, {'x'});
    const std::string inPlainFile = plainFile.toStdString() + "/copy.dsproj";
    const std::string unwritable = thrownBy([&] { project.saveCopyAs(inPlainFile); });
    QVERIFY2(startsWith(unwritable, "Error: ") && contains(unwritable, inPlainFile), unwritable.c_str());

    // A folder in the way: the copy is written, then cannot take the folder's name.
    const QString folder = dir_->filePath(QStringLiteral("folder.dsproj"));
    QVERIFY(QDir().mkdir(folder));
    const std::string folderError = thrownBy([&] { project.saveCopyAs(folder.toStdString()); });
    QVERIFY2(startsWith(folderError, "Error: ") && contains(folderError, folder.toStdString()), folderError.c_str());

    // A project some connection still has open (its log is next to it) is not replaced.
    const std::string inUse = projectPath("in-use.dsproj");
    ProjectFile other = ProjectFile::openOrCreate(inUse);
    other.addImage(makeImage(5, ds::Split::Train));
    const std::string inUseError = thrownBy([&] { project.saveCopyAs(inUse); });
    QVERIFY2(startsWith(inUseError, "Error: ") && contains(inUseError, inUse), inUseError.c_str());
    QCOMPARE(other.images()[0].sha256, makeImage(5, ds::Split::Train).sha256);

    // No temporary file stayed behind.
    QStringList expected = before;
    expected << QStringLiteral("plain.txt") << QStringLiteral("folder.dsproj") << QStringLiteral("in-use.dsproj")
             << QStringLiteral("in-use.dsproj-shm") << QStringLiteral("in-use.dsproj-wal");
    expected.sort();
    QCOMPARE(QDir(dir_->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name), expected);
    QVERIFY(QDir(folder).isEmpty());
}

void TestProjectFile::refusesNewerSchemaVersion()
{
    const std::string path = projectPath();
    ProjectFile::openOrCreate(path).addImage(makeImage(1, ds::Split::Train));
    const int newer = ds::schema::currentVersion() + 1;
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
        raw.execute("PRAGMA user_version = " + std::to_string(newer));
    }

    const std::string error = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY2(startsWith(error, "InputError: ") && contains(error, path) && contains(error, "newer version"), error.c_str());
    ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
    QCOMPARE(queryInt(raw, "PRAGMA user_version"), newer);
    QCOMPARE(queryInt(raw, "SELECT count(*) FROM images"), 1);
}

void TestProjectFile::refusesGarbageFile_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("10 bytes") << 10;
    QTest::newRow("100 bytes") << 100;
    QTest::newRow("5000 bytes") << 5000;
    QTest::newRow("64 KiB") << 65536;
}

void TestProjectFile::refusesGarbageFile()
{
    QFETCH(int, size);
    const std::string path = projectPath("garbage.dsproj");
    writeFile(QString::fromStdString(path), randomBytes(static_cast<std::size_t>(size), 42));
    const QByteArray original = readFile(path);

    for (const auto& openFunction : {&ProjectFile::open, &ProjectFile::openOrCreate}) {
        const std::string error = thrownBy([&] { openFunction(path); });
        QVERIFY2(startsWith(error, "InputError: ") && contains(error, path), error.c_str());
    }
    QCOMPARE(readFile(path), original);
}

void TestProjectFile::refusesTruncatedProject_data()
{
    QTest::addColumn<double>("keptFraction");
    QTest::newRow("half") << 0.5;
    QTest::newRow("one tenth") << 0.1;
    QTest::newRow("most") << 0.95;
}

void TestProjectFile::refusesTruncatedProject()
{
    QFETCH(double, keptFraction);
    const std::string path = projectPath();
    {
        ProjectFile project = ProjectFile::openOrCreate(path);
        for (int i = 0; i < 20; ++i)
            project.addImage(makeImage(i, ds::Split::Train));
        project.addModel(makeModel(randomBytes(200 * 1024, 8)));
    }
    // Closing the last connection checkpoints the log into the file and removes it.
    QVERIFY(!QFileInfo::exists(QString::fromStdString(path + "-wal")));
    QFile file(QString::fromStdString(path));
    QVERIFY(file.resize(static_cast<qint64>(file.size() * keptFraction)));

    const std::string error = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY2(startsWith(error, "InputError: ") && contains(error, path), error.c_str());
}

void TestProjectFile::refusesOtherSqliteDatabase()
{
    const std::string path = projectPath("other.db");
    {
        ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        raw.execute("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hello')");
    }
    for (const auto& openFunction : {&ProjectFile::open, &ProjectFile::openOrCreate}) {
        const std::string error = thrownBy([&] { openFunction(path); });
        QVERIFY2(startsWith(error, "InputError: ") && contains(error, path) && contains(error, "not a DefectScope project"),
                 error.c_str());
    }
    // Refused before anything was written: still a rollback-journal database.
    ds::SqliteConnection raw(path, SQLITE_OPEN_READWRITE);
    ds::SqliteStatement journalMode(raw, "PRAGMA journal_mode");
    QVERIFY(journalMode.step());
    QCOMPARE(journalMode.textAt(0), std::string("delete"));
}

void TestProjectFile::openRequiresExistingFile()
{
    const std::string path = projectPath("missing.dsproj");
    const std::string error = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY2(startsWith(error, "InputError: ") && contains(error, path), error.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));

    const std::string directory = dir_->path().toStdString();
    const std::string notAFile = thrownBy([&] { ProjectFile::openOrCreate(directory); });
    QVERIFY2(startsWith(notAFile, "InputError: ") && contains(notAFile, directory), notAFile.c_str());

    // An empty file (e.g. made by a save dialog) becomes a project only through openOrCreate.
    writeFile(QString::fromStdString(path), {});
    const std::string empty = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY2(startsWith(empty, "InputError: "), empty.c_str());
    QCOMPARE(ProjectFile::openOrCreate(path).schemaVersion(), ds::schema::currentVersion());
}

void TestProjectFile::unwritableLocationIsClearError()
{
    // Inside a "folder" that is a regular file: fails even for root.
    const QString plainFile = dir_->filePath(QStringLiteral("plain.txt"));
    writeFile(plainFile, {'x'});
    const std::string path = plainFile.toStdString() + "/project.dsproj";
    const std::string error = thrownBy([&] { ProjectFile::openOrCreate(path); });
    QVERIFY2(startsWith(error, "Error: ") && contains(error, path), error.c_str());

    const std::string inMissingFolder = projectPath("no/such/folder.dsproj");
    const std::string missingFolder = thrownBy([&] { ProjectFile::openOrCreate(inMissingFolder); });
    QVERIFY2(startsWith(missingFolder, "Error: ") && contains(missingFolder, inMissingFolder), missingFolder.c_str());
}

void TestProjectFile::readOnlyFileOrFolderIsClearError()
{
    if (geteuid() == 0)
        QSKIP("root ignores file permissions");
    const std::string path = projectPath();
    ProjectFile::openOrCreate(path).addImage(makeImage(1, ds::Split::Train));
    const QString file = QString::fromStdString(path);
    const QFile::Permissions writable = QFile::permissions(file);

    QVERIFY(QFile::setPermissions(file, QFile::ReadOwner | QFile::ReadGroup));
    const std::string readOnlyFile = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY(QFile::setPermissions(file, writable));
    QVERIFY2(startsWith(readOnlyFile, "Error: ") && contains(readOnlyFile, path) && contains(readOnlyFile, "read-only"),
             readOnlyFile.c_str());

    // The folder must be writable too: sqlite keeps <file>-wal and <file>-shm next to it.
    const QString folder = dir_->path();
    const QFile::Permissions folderWritable = QFile::permissions(folder);
    QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner));
    const std::string readOnlyFolder = thrownBy([&] { ProjectFile::open(path); });
    QVERIFY(QFile::setPermissions(folder, folderWritable));
    QVERIFY2(startsWith(readOnlyFolder, "Error: ") && contains(readOnlyFolder, path) && contains(readOnlyFolder, "writable"),
             readOnlyFolder.c_str());
}

void TestProjectFile::workerThreadWritesWhileOwnerReadsAndWrites()
{
    const std::string path = projectPath();
    ProjectFile project = ProjectFile::openOrCreate(path);
    constexpr int kImages = 40;
    std::vector<std::int64_t> imageIds;
    {
        ProjectFile::Transaction transaction(project);
        for (int i = 0; i < kImages; ++i)
            imageIds.push_back(project.addImage(makeImage(i, ds::Split::Test)).id);
        transaction.commit();
    }
    const std::int64_t runId = project.beginRun(project.addModel(makeModel({1})), 0.5);

    // The worker opens its own ProjectFile on the same path, as a job thread would.
    std::atomic<bool> workerDone {false};
    std::string workerError;
    std::thread worker([&] {
        workerError = thrownBy([&] {
            ProjectFile own = ProjectFile::open(path);
            for (int i = 0; i < kImages; ++i)
                own.addResult(makeResult(runId, imageIds[static_cast<std::size_t>(i)], i, randomMap(32, 32, CV_32FC1, 0, 1, i)));
            own.finishRun(runId, ds::RunStatus::Done);
        });
        workerDone = true;
    });
    std::size_t seen = 0;
    int writes = 0;
    const std::string ownerError = thrownBy([&] {
        while (!workerDone) {
            const std::size_t now = project.results(runId, ProjectFile::Heatmaps::Skip).size();
            QVERIFY(now >= seen);
            seen = now;
            project.setSetting("view/lastImageId", std::to_string(++writes));
        }
    });
    worker.join();
    QVERIFY2(workerError.empty(), workerError.c_str());
    QVERIFY2(ownerError.empty(), ownerError.c_str());
    QCOMPARE(project.results(runId, ProjectFile::Heatmaps::Skip).size(), std::size_t(kImages));
    QCOMPARE(project.runs(project.models()[0].id)[0].status, ds::RunStatus::Done);
}

// The project's file and SQLite's files beside it, however the path is spelled, are told
// apart from other files without being opened.
void TestProjectFile::projectDatabaseFilesAreKnownUnderAnySpelling()
{
    namespace fs = std::filesystem;
    const std::string path = projectPath();
    const ProjectFile project = ProjectFile::openOrCreate(path);
    const std::string link = projectPath("link.dsproj");
    fs::create_symlink(path, link);
    const std::string other = projectPath("other.dsproj");
    ProjectFile::openOrCreate(other);

    QVERIFY(ds::isProjectDatabaseFile(path, path));
    QVERIFY(ds::isProjectDatabaseFile(link, path));
    QVERIFY(ds::isProjectDatabaseFile(path, link));
    QVERIFY(ds::isProjectDatabaseFile(path + "-wal", link)); // SQLite names its log after the real file
    QVERIFY(ds::isProjectDatabaseFile(path + "-shm", path));
    const fs::path relative = fs::relative(path);
    QVERIFY(ds::isProjectDatabaseFile(relative.string(), path));
    QVERIFY(!ds::isProjectDatabaseFile(other, path));
    QVERIFY(!ds::isProjectDatabaseFile(projectPath("absent.png"), path));
}

QTEST_GUILESS_MAIN(TestProjectFile)
#include "test_project_file.moc"
