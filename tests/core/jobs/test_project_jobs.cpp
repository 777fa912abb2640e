// The train/infer jobs end to end on a project file: what a user does from either front end.
#include "core/Error.h"
#include "core/jobs/EvaluateJob.h"
#include "core/jobs/ProjectJobs.h"
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

using namespace ds;
namespace fs = std::filesystem;

class TestProjectJobs : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string dataset_;

    std::string projectPath(const char* name) const { return dir_.filePath(QString::fromLatin1(name)).toStdString(); }

    static DetectorSettings smallPadim()
    {
        DetectorSettings settings;
        settings.method = "padim";
        settings.imageSize = 64;
        return settings;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        SyntheticSpec spec;
        spec.category = "part";
        spec.imageSize = 96;
        spec.trainGood = 20;
        spec.testGood = 6;
        spec.testDefectsPerType = 2;
        dataset_ = writeSyntheticDataset(dir_.filePath(QStringLiteral("data")).toStdString(), spec);
        // One damaged file among the good images: reported and skipped, never fatal.
        std::ofstream(fs::path(dataset_) / "train" / "good" / "zz_broken.png") << "not a png";
    }

    void importTrainInferAndReopen()
    {
        const std::string project = projectPath("flow.dsproj");
        JobContext job;
        const ImportReport imported = importMvtecDataset(project, dataset_, job);
        QCOMPARE(imported.skipped.size(), size_t(1));
        QVERIFY(imported.skipped.front().path.find("zz_broken.png") != std::string::npos);
        const int testCount = 6 + 2 * int(defectTypes("part").size());
        QCOMPARE(imported.added, 20 + testCount);

        // Importing again adds nothing: same content hashes.
        const ImportReport again = importMvtecDataset(project, dataset_, job);
        QCOMPARE(again.added, 0);
        QCOMPARE(again.duplicates, 20 + testCount);

        const TrainOutcome trained = trainModel(project, smallPadim(), "", job);
        QCOMPARE(trained.trainCount + trained.heldOutCount, 20);
        QVERIFY(trained.heldOutCount >= 1);
        QVERIFY(trained.threshold > 0);

        int streamed = 0;
        const InferOutcome inferred = inferImages(project, trained.modelId, {}, job, [&](const ResultRecord&) { ++streamed; });
        QCOMPARE(inferred.scored, testCount);
        QCOMPARE(streamed, testCount);
        QVERIFY(inferred.f1Threshold.has_value());

        // Reopening shows everything again.
        const ProjectFile reopened = ProjectFile::open(project);
        QCOMPARE(int(reopened.images(Split::Test).size()), testCount);
        int masks = 0;
        for (const ImageRecord& image : reopened.images(Split::Test))
            masks += image.hasMask ? 1 : 0;
        QCOMPARE(masks, testCount - 6);
        const auto models = reopened.models();
        QCOMPARE(int(models.size()), 1);
        QCOMPARE(models.front().threshold, trained.threshold);
        // The model record carries every parameter's value, defaults included.
        const DetectorSettings stored = DetectorSettings::fromJson(models.front().paramsJson);
        for (const ParameterSpec& spec : detectorInfo(stored.method).parameters)
            QVERIFY2(stored.parameters.count(spec.key), spec.key.c_str());
        const auto runs = reopened.runs(trained.modelId);
        QCOMPARE(int(runs.size()), 1);
        QCOMPARE(runs.front().status, RunStatus::Done);
        const auto results = reopened.results(runs.front().id, ProjectFile::Heatmaps::Load);
        QCOMPARE(int(results.size()), testCount);
        QCOMPARE(results.front().heatmap.rows, 64);
    }

    // A project's image replaced by another file (or its path edited to one) is not
    // scored: it is skipped, saying it changed since import.
    void imagesChangedSinceImportAreNotUsed()
    {
        const std::string project = projectPath("changed.dsproj");
        JobContext job;
        importMvtecDataset(project, dataset_, job);
        const TrainOutcome trained = trainModel(project, smallPadim(), "", job);
        const std::vector<ImageRecord> tests = ProjectFile::open(project).images(Split::Test);
        const std::string victim = tests.front().path;
        const std::string saved = victim + ".orig";
        fs::copy_file(victim, saved);
        fs::copy_file(tests.back().path, victim, fs::copy_options::overwrite_existing);
        const InferOutcome inferred = inferImages(project, trained.modelId, {}, job, {});
        fs::rename(saved, victim);
        QCOMPARE(inferred.scored, int(tests.size()) - 1);
        QCOMPARE(inferred.skipped.size(), size_t(1));
        QCOMPARE(inferred.skipped.front().path, victim);
        QVERIFY2(inferred.skipped.front().reason.find("changed or moved since it was imported") != std::string::npos,
                 inferred.skipped.front().reason.c_str());
    }

    // Each test/<class> folder but good becomes the defect type of that name, and that
    // class's ground-truth masks carry the type's id; importing again adds no type.
    void mvtecClassesBecomeDefectTypesTypingTheirMasks()
    {
        const std::string project = projectPath("typed.dsproj");
        {
            // A type the project already has keeps its id and colour.
            ProjectFile existing = ProjectFile::openOrCreate(project);
            existing.addDefectType(defectTypes("part").back(), "#123456");
        }
        JobContext job;
        importMvtecDataset(project, dataset_, job);
        importMvtecDataset(project, dataset_, job);

        const ProjectFile reopened = ProjectFile::open(project);
        const std::vector<DefectType> types = reopened.defectTypes();
        std::vector<std::string> names;
        std::set<std::string> colours;
        for (const DefectType& type : types) {
            names.push_back(type.name);
            colours.insert(type.color);
        }
        std::vector<std::string> expected = defectTypes("part");
        std::rotate(expected.rbegin(), expected.rbegin() + 1, expected.rend()); // the existing one came first
        std::sort(expected.begin() + 1, expected.end()); // then the classes as the folders sort
        QCOMPARE(names, expected);
        QCOMPARE(types.front().color, std::string("#123456"));
        QCOMPARE(colours.size(), types.size());

        std::map<std::string, int> idOf;
        for (const DefectType& type : types)
            idOf[type.name] = type.id;
        int typedMasks = 0;
        for (const ImageRecord& image : reopened.images(Split::Test)) {
            if (image.label == kGoodLabel) {
                QVERIFY(!image.hasMask);
                continue;
            }
            QVERIFY2(image.hasMask, image.path.c_str());
            const cv::Mat mask = reopened.mask(image.id);
            double lowest = 0, highest = 0;
            cv::minMaxLoc(mask, &lowest, &highest, nullptr, nullptr, mask != 0);
            QCOMPARE(int(lowest), idOf.at(image.label));
            QCOMPARE(int(highest), idOf.at(image.label));
            ++typedMasks;
        }
        QCOMPARE(typedMasks, 2 * int(types.size()));
    }

    void cancelledImportWritesNothing()
    {
        const std::string project = projectPath("cancel-import.dsproj");
        JobContext job;
        // Cancel while the test split is being checked, after the train split was.
        job.setProgressCallback([&](double fraction, const std::string&) {
            if (fraction > 0.6)
                job.cancel();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, importMvtecDataset(project, dataset_, job));
        if (fs::exists(project))
            QVERIFY(ProjectFile::open(project).images().empty());
    }

    void cancelledTrainingLeavesProjectUnchanged()
    {
        const std::string project = projectPath("cancel.dsproj");
        JobContext importJob;
        importMvtecDataset(project, dataset_, importJob);
        JobContext job;
        // Cancel as soon as training starts extracting features.
        job.setProgressCallback([&](double, const std::string& stage) {
            if (stage == "Extracting features")
                job.cancel();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainModel(project, smallPadim(), "", job));
        QVERIFY(ProjectFile::open(project).models().empty());
    }

    void imagesJoinTrainingOnlyWithTheTrainedModel()
    {
        const std::string project = projectPath("promote.dsproj");
        JobContext importJob;
        importMvtecDataset(project, dataset_, importJob);
        std::vector<std::int64_t> promoted;
        for (const ImageRecord& image : ProjectFile::open(project).images(Split::Test))
            if (image.label == kGoodLabel && promoted.size() < 2)
                promoted.push_back(image.id);
        const size_t trainBefore = ProjectFile::open(project).images(Split::Train).size();

        JobContext cancelled;
        cancelled.setProgressCallback([&](double, const std::string& stage) {
            if (stage == "Extracting features")
                cancelled.cancel();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainModel(project, smallPadim(), "", cancelled, promoted));
        QCOMPARE(ProjectFile::open(project).images(Split::Train).size(), trainBefore); // nothing moved

        JobContext job;
        const TrainOutcome trained = trainModel(project, smallPadim(), "", job, promoted);
        const ProjectFile file = ProjectFile::open(project);
        QCOMPARE(file.images(Split::Train).size(), trainBefore + promoted.size());
        for (const std::int64_t id : promoted)
            QCOMPARE(file.image(id)->split, Split::Train);
        QCOMPARE(size_t(trained.trainCount + trained.heldOutCount), trainBefore + promoted.size());
    }

    void cancelledInferenceLeavesNoRun()
    {
        const std::string project = projectPath("cancel-infer.dsproj");
        JobContext job;
        importMvtecDataset(project, dataset_, job);
        const TrainOutcome trained = trainModel(project, smallPadim(), "", job);
        JobContext cancelling;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, inferImages(project, trained.modelId, {}, cancelling, [&](const ResultRecord&) { cancelling.cancel(); }));
        QVERIFY(ProjectFile::open(project).runs(trained.modelId).empty());
    }

    void scoringWithoutTestImagesSaysSoAndMakesNoRun()
    {
        const std::string project = projectPath("no-test.dsproj");
        JobContext job;
        std::vector<DatasetItem> good;
        for (const std::string& path : listImageFiles((fs::path(dataset_) / "train" / "good").string()))
            good.push_back({path, kGoodLabel, {}});
        importImages(project, good, Split::Train, job);
        const TrainOutcome trained = trainModel(project, smallPadim(), "", job);
        try {
            inferImages(project, trained.modelId, {}, job);
            QFAIL("an empty run was made");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("no test images") != std::string::npos, e.what());
        }
        QVERIFY(ProjectFile::open(project).runs(trained.modelId).empty());
    }

    void evaluateReportsTheJsonContract()
    {
        JobContext job;
        const EvaluationReport report = evaluateDataset(dataset_, smallPadim(), job);
        QCOMPARE(report.trainCount, 20);
        QCOMPARE(report.skipped.size(), size_t(1));
        QVERIFY(report.imageAuroc > 0.5 && report.imageAuroc <= 1.0);
        QVERIFY(report.pixelAuroc > 0.5 && report.pixelAuroc <= 1.0);
        QVERIFY(report.aupro > 0.0 && report.aupro <= 1.0);
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(report.toJson())).object();
        QStringList keys = json.keys();
        keys.sort();
        QStringList expected = {QStringLiteral("dataset"),
                                QStringLiteral("method"),
                                QStringLiteral("backbone"),
                                QStringLiteral("image_size"),
                                QStringLiteral("n_train"),
                                QStringLiteral("n_test"),
                                QStringLiteral("image_auroc"),
                                QStringLiteral("pixel_auroc"),
                                QStringLiteral("aupro"),
                                QStringLiteral("f1_max"),
                                QStringLiteral("threshold"),
                                QStringLiteral("train_seconds"),
                                QStringLiteral("infer_ms_per_image"),
                                QStringLiteral("peak_rss_mb"),
                                QStringLiteral("image_auroc_by_type")};
        expected.sort();
        QCOMPARE(keys, expected);
        QCOMPARE(json.value(QStringLiteral("image_auroc")).toDouble(), report.imageAuroc);
        const QJsonObject byType = json.value(QStringLiteral("image_auroc_by_type")).toObject();
        QVERIFY(!report.imageAurocByType.empty());
        QCOMPARE(size_t(byType.size()), report.imageAurocByType.size());
        for (const auto& [type, auroc] : report.imageAurocByType)
            QCOMPARE(byType.value(QString::fromStdString(type)).toDouble(), auroc);
    }

    // Masks evaluate cannot use as they are are named, never resized, thresholded or
    // dropped silently.
    void evaluateSaysWhatItDidWithMasks()
    {
        const fs::path copy = fs::path(dir_.filePath(QStringLiteral("masks")).toStdString());
        fs::copy(dataset_, copy, fs::copy_options::recursive);
        std::vector<fs::path> masks;
        for (const auto& entry : fs::recursive_directory_iterator(copy / "ground_truth"))
            if (entry.is_regular_file())
                masks.push_back(entry.path());
        std::sort(masks.begin(), masks.end());
        QVERIFY(masks.size() >= 3);
        const cv::Mat original = cv::imread(masks[0].string(), cv::IMREAD_GRAYSCALE);
        cv::Mat smaller;
        cv::resize(original, smaller, original.size() / 2, 0, 0, cv::INTER_NEAREST);
        QVERIFY(cv::imwrite(masks[0].string(), smaller));
        cv::Mat soft;
        cv::GaussianBlur(cv::imread(masks[1].string(), cv::IMREAD_GRAYSCALE), soft, cv::Size(5, 5), 2);
        QVERIFY(cv::imwrite(masks[1].string(), soft));
        fs::remove(masks[2]);

        JobContext job;
        const EvaluationReport report = evaluateDataset(copy.string(), smallPadim(), job);
        const auto skippedMask = std::find_if(report.skipped.begin(), report.skipped.end(),
                                              [&](const SkippedFile& file) { return file.path == masks[0].string(); });
        QVERIFY(skippedMask != report.skipped.end());
        QVERIFY2(skippedMask->reason.find("mask is 48x48 but its image is 96x96") != std::string::npos,
                 skippedMask->reason.c_str());
        QCOMPARE(report.notes.size(), size_t(2));
        QVERIFY2(report.notes[0].find("1 defective test image(s) have no mask") == 0, report.notes[0].c_str());
        QVERIFY2(report.notes[1].find("1 mask(s) hold grey levels") == 0, report.notes[1].c_str());
        QVERIFY(report.pixelAuroc > 0.5); // the other masks still count
    }

    void missingModelIsInputError()
    {
        const std::string project = projectPath("flow.dsproj");
        JobContext job;
        QVERIFY_THROWS_EXCEPTION(InputError, inferImages(project, 999, {}, job));
    }
};

QTEST_GUILESS_MAIN(TestProjectJobs)
#include "test_project_jobs.moc"
