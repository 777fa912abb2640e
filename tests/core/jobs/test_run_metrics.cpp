// Run metrics on small projects whose scores, heatmaps and masks are written by hand, so
// every expected value is worked out below; and once on a real training and scoring job.
#include "core/Error.h"
#include "core/jobs/ProjectJobs.h"
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Metrics.h"
#include "core/storage/ContentHash.h"
#include "core/storage/ProjectFile.h"
#include "core/storage/Sqlite.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"

#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

#include <cmath>

using namespace ds;

namespace {

constexpr double kTolerance = 1e-9;

// Builds a project image by image; each image gets its score, heatmap and mask in run_.
class HandMadeRun {
public:
    explicit HandMadeRun(const std::string& path)
        : project_(ProjectFile::openOrCreate(path))
    {
        ModelRecord model;
        model.name = "hand-made";
        model.method = "padim";
        model.backbone = "resnet18";
        model.state = {1};
        model.trainSeconds = 42.5;
        modelId_ = project_.addModel(model);
        runId_ = project_.beginRun(modelId_, 1.0);
    }

    std::int64_t add(const std::string& label, double score, const cv::Mat& heatmap = {}, const cv::Mat& mask = {},
                     cv::Size size = {4, 2})
    {
        ImageRecord image;
        image.path = "/images/" + std::to_string(++count_) + ".png";
        image.sha256 = sha256Hex({std::uint8_t(count_), 0x77});
        image.width = size.width;
        image.height = size.height;
        image.split = Split::Test;
        image.label = label;
        const std::int64_t id = project_.addImage(image).id;
        if (!mask.empty())
            project_.setMask(id, mask);
        ResultRecord result;
        result.runId = runId_;
        result.imageId = id;
        result.score = score;
        result.heatmap = heatmap;
        result.threshold = 1.0;
        project_.addResult(result);
        return id;
    }

    void review(std::int64_t imageId, Verdict verdict)
    {
        ReviewRecord record;
        record.imageId = imageId;
        record.verdict = verdict;
        record.reviewer = "inspector";
        project_.addReview(record);
    }

    void finish(std::optional<double> msPerImage) { project_.finishRun(runId_, RunStatus::Done, msPerImage); }
    const ProjectFile& project() const { return project_; }
    std::int64_t runId() const { return runId_; }

private:
    ProjectFile project_;
    std::int64_t modelId_ = 0;
    std::int64_t runId_ = 0;
    int count_ = 0;
};

cv::Mat map2x4(std::initializer_list<float> values)
{
    return cv::Mat(std::vector<float>(values), true).reshape(1, 2);
}

cv::Mat mask2x4(std::initializer_list<std::uint8_t> values)
{
    return cv::Mat(std::vector<std::uint8_t>(values), true).reshape(1, 2);
}

} // namespace

class TestRunMetrics : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(QString::fromLatin1(name)).toStdString(); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void imageMetricsMatchHandComputedValues()
    {
        HandMadeRun run(path("image.dsproj"));
        run.add(kGoodLabel, 1.0);
        run.add(kGoodLabel, 3.0);
        run.add("crack", 2.0);
        run.add("scratch", 4.0);
        run.finish(7.5);

        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        QCOMPARE(metrics.nGood, 2);
        QCOMPARE(metrics.nDefective, 2);
        QCOMPARE(metrics.nWithMask, 0);
        // Defective above good in 3 of the 4 pairs (2 < 3 is the miss).
        QVERIFY(metrics.imageAuroc);
        QCOMPARE(*metrics.imageAuroc, 0.75);
        // Flagging scores >= 2: TP 2, FP 1, FN 0, F1 = 2*2 / (2*2 + 1) = 0.8, the best of
        // (>=4: 0.667, >=3: 0.5, >=2: 0.8, >=1: 0.667); the threshold is midway to 1.
        QVERIFY(metrics.f1Max);
        QVERIFY(std::abs(*metrics.f1Max - 0.8) < kTolerance);
        QCOMPARE(metrics.f1Threshold, 1.5);
        // No masks: pixel metrics are absent, not zero.
        QVERIFY(!metrics.pixelAuroc);
        QVERIFY(!metrics.aupro);
        QCOMPARE(metrics.msPerImage, std::optional<double>(7.5));
        QCOMPARE(metrics.trainSeconds, 42.5);
    }

    void pixelMetricsMatchHandComputedValues()
    {
        HandMadeRun run(path("pixel.dsproj"));
        run.add(kGoodLabel, 1.0, map2x4({0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f}));
        // One defect pixel (0.35) among three good ones (0.2, 0.5, 0.1).
        run.add("crack", 3.0, map2x4({0.35f, 0.2f, 0.0f, 0.0f, 0.5f, 0.1f, 0.0f, 0.0f}), mask2x4({255, 0, 0, 0, 0, 0, 0, 0}),
                {4, 2});
        // Defective but without a mask: its pixels' truth is unknown, so it is left out
        // (counted as good pixels, its 0.99 would lower both pixel metrics).
        run.add("stain", 2.0, cv::Mat(2, 4, CV_32F, cv::Scalar(0.99f)));
        run.finish(std::nullopt);

        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        QCOMPARE(metrics.nGood, 1);
        QCOMPARE(metrics.nDefective, 2);
        QCOMPARE(metrics.nWithMask, 1);
        QCOMPARE(metrics.imageAuroc, std::optional<double>(1.0));
        QVERIFY(!metrics.msPerImage);
        // Good pixels: 0.1 0.2 0.3 0.4 0.1 0.2 0.3 0.4 (image 1) and 0.2 0 0 0.5 0.1 0 0
        // (image 2): 15, of which 0.4, 0.4 and 0.5 are above the defect's 0.35.
        QVERIFY(metrics.pixelAuroc);
        QVERIFY2(std::abs(*metrics.pixelAuroc - 12.0 / 15.0) < 1e-6, std::to_string(*metrics.pixelAuroc).c_str());
        // PRO is 0 until the threshold reaches 0.35, where 3 of 15 good pixels are flagged
        // (FPR 0.2), then 1: the area up to FPR 0.3 is 0.1, normalised 1/3.
        QVERIFY(metrics.aupro);
        QVERIFY2(std::abs(*metrics.aupro - 1.0 / 3.0) < 1e-6, std::to_string(*metrics.aupro).c_str());
    }

    void heatmapsAreStretchedOverLargeImagesAtWorkingSize()
    {
        // A 512 x 256 image with its defect on the left half; the 64 x 64 heatmap is high
        // on its left half. Compared at 256 x 128 after stretching the map to the image.
        const cv::Size imageSize(512, 256);
        cv::Mat mask(imageSize, CV_8UC1, cv::Scalar(0));
        mask(cv::Rect(0, 0, 256, 256)).setTo(255);
        cv::Mat heatmap(64, 64, CV_32F, cv::Scalar(0.0f));
        heatmap(cv::Rect(0, 0, 32, 64)).setTo(1.0f);
        HandMadeRun run(path("large.dsproj"));
        run.add("crack", 2.0, heatmap, mask, imageSize);
        run.finish(3.0);

        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        // One class only: no image metrics, but pixel metrics (defect and good pixels).
        QVERIFY(!metrics.imageAuroc);
        QVERIFY(!metrics.f1Max);
        QCOMPARE(metrics.pixelAuroc, std::optional<double>(1.0));
        QVERIFY(metrics.aupro);
        QVERIFY(std::abs(*metrics.aupro - 1.0) < 1e-9);
    }

    void runWithoutDefectsHasNoQualityMetrics()
    {
        HandMadeRun run(path("good-only.dsproj"));
        for (int i = 0; i < 3; ++i)
            run.add(kGoodLabel, 0.5 * i, cv::Mat(2, 4, CV_32F, cv::Scalar(0.1f * i)));
        run.finish(2.0);

        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        QCOMPARE(metrics.nGood, 3);
        QCOMPARE(metrics.nDefective, 0);
        QCOMPARE(metrics.nWithMask, 0);
        QVERIFY(!metrics.imageAuroc);
        QVERIFY(!metrics.f1Max);
        QVERIFY(!metrics.pixelAuroc);
        QVERIFY(!metrics.aupro);
        QCOMPARE(metrics.msPerImage, std::optional<double>(2.0));
    }

    void runScoresFollowImageIdsWithLabels()
    {
        HandMadeRun run(path("scores.dsproj"));
        const std::int64_t good = run.add(kGoodLabel, 0.25);
        const std::int64_t defect = run.add("dent", 0.75);
        run.finish(1.0);

        const RunScores scores = runScores(run.project(), run.runId());
        QCOMPARE(scores.imageIds, (std::vector<std::int64_t> {good, defect}));
        QCOMPARE(scores.scores, (std::vector<float> {0.25f, 0.75f}));
        QCOMPARE(scores.labels, (std::vector<int> {0, 1}));
    }

    void reviewerVerdictsOverrideLabelsAndUnknownImagesAreLeftOut()
    {
        HandMadeRun run(path("reviewed.dsproj"));
        const std::int64_t good = run.add(kGoodLabel, 1.0);
        const std::int64_t goodJudgedDefect = run.add(kGoodLabel, 3.0);
        run.review(goodJudgedDefect, Verdict::Defect);
        const std::int64_t crack = run.add("crack", 2.0);
        const std::int64_t scratchJudgedGood = run.add("scratch", 0.5);
        run.review(scratchJudgedGood, Verdict::Good);
        run.add(kUnknownLabel, 5.0);
        run.review(run.add(kUnknownLabel, 0.1), Verdict::Unsure);
        const std::int64_t crackWithdrawn = run.add("crack", 4.0);
        run.review(crackWithdrawn, Verdict::Good);
        run.review(crackWithdrawn, Verdict::Unsure);
        run.finish(1.0);

        // Truth: good 1.0 and 0.5; defective 3.0, 2.0 and 4.0; the two unknown images are
        // left out (counted as good, the 5.0 would lower the AUROC to 5/6).
        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        QCOMPARE(metrics.nGood, 2);
        QCOMPARE(metrics.nDefective, 3);
        QCOMPARE(metrics.nReviewed, 2);
        QCOMPARE(metrics.nUnknown, 2);
        QCOMPARE(metrics.imageAuroc, std::optional<double>(1.0));
        QVERIFY(metrics.f1Max && std::abs(*metrics.f1Max - 1.0) < kTolerance);
        QCOMPARE(metrics.f1Threshold, 1.5);

        const RunScores scores = runScores(run.project(), run.runId());
        QCOMPARE(scores.imageIds, (std::vector<std::int64_t> {good, goodJudgedDefect, crack, scratchJudgedGood, crackWithdrawn}));
        QCOMPARE(scores.labels, (std::vector<int> {0, 1, 1, 0, 1}));
    }

    void onlyUnknownImagesGiveNoMetrics()
    {
        HandMadeRun run(path("unknown-only.dsproj"));
        run.add(kUnknownLabel, 1.0, map2x4({1, 0, 0, 0, 0, 0, 0, 0}));
        run.add(kUnknownLabel, 2.0, map2x4({0, 0, 0, 0, 0, 0, 0, 1}), mask2x4({0, 0, 0, 0, 0, 0, 0, 255}));
        run.finish(1.0);

        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        QCOMPARE(metrics.nUnknown, 2);
        QCOMPARE(metrics.nGood + metrics.nDefective + metrics.nWithMask + metrics.nReviewed, 0);
        QVERIFY(!metrics.imageAuroc);
        QVERIFY(!metrics.pixelAuroc);
        QVERIFY(runScores(run.project(), run.runId()).imageIds.empty());
    }

    void pixelMetricsFollowReviewerVerdicts()
    {
        HandMadeRun run(path("pixel-reviewed.dsproj"));
        // Defect pixel 0.35 (mask value 7: a defect type's id), good pixels 0.2 0 0 0.5 0.1 0 0.
        run.add("crack", 3.0, map2x4({0.35f, 0.2f, 0.0f, 0.0f, 0.5f, 0.1f, 0.0f, 0.0f}), mask2x4({7, 0, 0, 0, 0, 0, 0, 0}));
        // Judged good: all 8 pixels are good, its mask notwithstanding (else 0.9 would be a
        // defect pixel).
        const std::int64_t judgedGood
            = run.add("scratch", 1.0, map2x4({0.9f, 0, 0, 0, 0, 0, 0, 0}), mask2x4({255, 0, 0, 0, 0, 0, 0, 0}));
        run.review(judgedGood, Verdict::Good);
        // Judged defective without a mask: its pixels' truth is unknown, left out.
        const std::int64_t judgedDefect = run.add(kGoodLabel, 2.0, cv::Mat(2, 4, CV_32F, cv::Scalar(0.99f)));
        run.review(judgedDefect, Verdict::Defect);
        run.finish(1.0);

        const RunMetrics metrics = computeRunMetrics(run.project(), run.runId());
        QCOMPARE(metrics.nGood, 1);
        QCOMPARE(metrics.nDefective, 2);
        QCOMPARE(metrics.nWithMask, 1);
        QCOMPARE(metrics.nReviewed, 2);
        // 15 good pixels, of which 0.5 and 0.9 are above the defect's 0.35.
        QVERIFY(metrics.pixelAuroc);
        QVERIFY2(std::abs(*metrics.pixelAuroc - 13.0 / 15.0) < 1e-6, std::to_string(*metrics.pixelAuroc).c_str());
        // PRO jumps from 0 to 1 at FPR 2/15: the area up to FPR 0.3 is 0.3 - 2/15, normalised 5/9.
        QVERIFY(metrics.aupro);
        QVERIFY2(std::abs(*metrics.aupro - 5.0 / 9.0) < 1e-6, std::to_string(*metrics.aupro).c_str());
    }

    void unknownRunIsAnError()
    {
        HandMadeRun run(path("unknown.dsproj"));
        QVERIFY_THROWS_EXCEPTION(Error, computeRunMetrics(run.project(), run.runId() + 1));
        QVERIFY_THROWS_EXCEPTION(Error, runScores(run.project(), run.runId() + 1));
    }

    // A result whose image was deleted with foreign keys off: a damaged project, named.
    void resultOfAMissingImageIsADamagedProject()
    {
        const std::string file = path("dangling.dsproj");
        std::int64_t runId = 0;
        {
            HandMadeRun run(file);
            run.add("good", 0.5);
            const std::int64_t gone = run.add("crack", 2.0);
            run.finish(1.0);
            runId = run.runId();
            SqliteConnection raw(file, SQLITE_OPEN_READWRITE);
            raw.execute("PRAGMA foreign_keys = OFF; DELETE FROM images WHERE id = " + std::to_string(gone));
        }
        const ProjectFile project = ProjectFile::open(file);
        try {
            computeRunMetrics(project, runId);
            QFAIL("no error");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("is damaged: run 1 has a result for image 2") != std::string::npos, e.what());
        }
    }

    void cancelledJobStopsReadingHeatmaps()
    {
        HandMadeRun run(path("cancel.dsproj"));
        run.add(kGoodLabel, 1.0, map2x4({0, 0, 0, 0, 0, 0, 0, 0}));
        run.add("crack", 2.0, map2x4({1, 0, 0, 0, 0, 0, 0, 0}), mask2x4({255, 0, 0, 0, 0, 0, 0, 0}));
        run.finish(1.0);
        JobContext job;
        job.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, computeRunMetrics(run.project(), run.runId(), &job));
    }

    void scoringJobRecordsTimeAndMetricsMatchItsScores()
    {
        const SyntheticSpec spec = test::smallPartSpec(1);
        const std::string dataset = writeSyntheticDataset(dir_.filePath(QStringLiteral("data")).toStdString(), spec);
        const std::string project = path("scored.dsproj");
        JobContext job;
        importMvtecDataset(project, dataset, job);
        const TrainOutcome trained = trainModel(project, test::smallSettings(), "padim", job);
        const InferOutcome inferred = inferImages(project, trained.modelId, {}, job);

        const ProjectFile file = ProjectFile::open(project);
        const std::optional<RunRecord> record = file.run(inferred.runId);
        QVERIFY(record && record->msPerImage);
        QVERIFY(*record->msPerImage > 0.0);

        const RunMetrics metrics = computeRunMetrics(file, inferred.runId, &job);
        const RunScores scores = runScores(file, inferred.runId);
        QCOMPARE(int(scores.scores.size()), inferred.scored);
        QCOMPARE(metrics.nGood, spec.testGood);
        QCOMPARE(metrics.nDefective, inferred.scored - spec.testGood);
        QCOMPARE(metrics.nWithMask, metrics.nDefective);
        QVERIFY(metrics.imageAuroc);
        QCOMPARE(*metrics.imageAuroc, rocAuc(scores.scores, scores.labels));
        QVERIFY(metrics.pixelAuroc && *metrics.pixelAuroc > 0.5);
        QVERIFY(metrics.aupro && *metrics.aupro > 0.0);
        QCOMPARE(metrics.msPerImage, record->msPerImage);
        QCOMPARE(metrics.trainSeconds, trained.trainSeconds);
    }
};

QTEST_GUILESS_MAIN(TestRunMetrics)
#include "test_run_metrics.moc"
