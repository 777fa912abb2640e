// What a report says about a model, checked against the figures measured directly.
#include "core/Error.h"
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Threshold.h"
#include "core/review/GroundTruth.h"
#include "core/review/ReportData.h"
#include "core/storage/ProjectFile.h"
#include "tests/support/ReportProject.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace ds;

class TestReportData : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    test::ReportProject made_;

    static void compareMetrics(const RunMetrics& actual, const RunMetrics& expected)
    {
        QCOMPARE(actual.imageAuroc, expected.imageAuroc);
        QCOMPARE(actual.pixelAuroc, expected.pixelAuroc);
        QCOMPARE(actual.aupro, expected.aupro);
        QCOMPARE(actual.f1Max, expected.f1Max);
        QCOMPARE(actual.f1Threshold, expected.f1Threshold);
        QCOMPARE(actual.nGood, expected.nGood);
        QCOMPARE(actual.nDefective, expected.nDefective);
        QCOMPARE(actual.nWithMask, expected.nWithMask);
        QCOMPARE(actual.nReviewed, expected.nReviewed);
        QCOMPARE(actual.nUnknown, expected.nUnknown);
        QCOMPARE(actual.msPerImage, expected.msPerImage);
        QCOMPARE(actual.trainSeconds, expected.trainSeconds);
    }

    // The run's scores and truth labels of the images whose truth is known, by image id.
    static void knownTruth(const ProjectFile& project, std::int64_t runId, std::vector<float>& scores, std::vector<int>& labels)
    {
        const auto truth = effectiveTruth(project);
        for (const ResultRecord& result : project.results(runId, ProjectFile::Heatmaps::Skip)) {
            if (const std::optional<bool> defective = truth.at(result.imageId).defective) {
                scores.push_back(float(result.score));
                labels.push_back(*defective ? 1 : 0);
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        made_ = test::makeReportProject(dir_.path().toStdString());
    }

    void figuresEqualRunMetricsAndConfusionAtTheRunsThreshold()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        const ReportData report = gatherReport(project, made_.padim, std::nullopt, 5);
        const RunRecord run = *project.run(made_.padimRun);
        QCOMPARE(report.measured.run.id, made_.padimRun);
        QCOMPARE(report.measured.model.id, made_.padim);
        QCOMPARE(report.measured.model.name, std::string("PaDiM small"));
        compareMetrics(report.measured.metrics, computeRunMetrics(project, made_.padimRun));
        QVERIFY(report.measured.metrics.imageAuroc.has_value());
        QVERIFY(report.measured.metrics.pixelAuroc.has_value());
        // Two verdicts turned labelled images around and one gave the unlabelled image a truth.
        QVERIFY(report.measured.metrics.nReviewed >= 3);

        QCOMPARE(report.threshold.source, ThresholdSource::Run);
        QCOMPARE(report.threshold.value, run.threshold);
        std::vector<float> scores;
        std::vector<int> labels;
        knownTruth(project, made_.padimRun, scores, labels);
        QCOMPARE(report.measured.scores, scores);
        QCOMPARE(report.measured.labels, labels);
        const Confusion expected = confusionAt(scores, labels, run.threshold);
        QCOMPARE(report.confusion.tp, expected.tp);
        QCOMPARE(report.confusion.fp, expected.fp);
        QCOMPARE(report.confusion.tn, expected.tn);
        QCOMPARE(report.confusion.fn, expected.fn);

        const auto results = project.results(made_.padimRun, ProjectFile::Heatmaps::Skip);
        QCOMPARE(report.scoredImages.size(), results.size());
        for (size_t i = 0; i < results.size(); ++i) {
            QCOMPARE(report.scoredImages[i].imageId, results[i].imageId);
            QCOMPARE(report.scoredImages[i].score, results[i].score);
        }
        QCOMPARE(report.flaggedCount, int(std::count_if(results.begin(), results.end(), [&](const ResultRecord& r) {
                     return r.score >= run.threshold;
                 })));
    }

    void projectSummaryCountsSplitsTruthAndReviews()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        const ReportProjectSummary summary = gatherReport(project, made_.padim, std::nullopt, 0).project;
        QCOMPARE(summary.path, made_.path);
        QCOMPARE(summary.trainImages, int(project.images(Split::Train).size()));
        QCOMPARE(summary.testImages, int(project.images(Split::Test).size()));
        QCOMPARE(summary.holdoutImages, int(project.images(Split::Holdout).size()));
        int good = 0, defective = 0, unknown = 0;
        for (const auto& [id, truth] : effectiveTruth(project))
            ++(!truth.defective ? unknown : *truth.defective ? defective : good);
        QCOMPARE(summary.goodImages, good);
        QCOMPARE(summary.defectiveImages, defective);
        QCOMPARE(summary.unknownImages, unknown);
        QCOMPARE(unknown, 0); // the one unlabelled image was judged
        QCOMPARE(summary.reviewedImages, 5);
    }

    void thresholdGivenElseChosenElseTheRuns()
    {
        ProjectFile project = ProjectFile::open(made_.path);
        QCOMPARE(gatherReport(project, made_.padim, 0.25, 0).threshold.value, 0.25);
        QCOMPARE(gatherReport(project, made_.padim, 0.25, 0).threshold.source, ThresholdSource::Given);
        project.setChosenThreshold(made_.padim, 0.5);
        const ReportData chosen = gatherReport(project, made_.padim, std::nullopt, 0);
        QCOMPARE(chosen.threshold.value, 0.5);
        QCOMPARE(chosen.threshold.source, ThresholdSource::Chosen);
        QCOMPARE(gatherReport(project, made_.padim, 0.25, 0).threshold.source, ThresholdSource::Given);
        project.setSetting("view/threshold/" + std::to_string(made_.padim), ""); // no choice again
        QCOMPARE(gatherReport(project, made_.padim, std::nullopt, 0).threshold.source, ThresholdSource::Run);
    }

    void topFlaggedAreTheHighestScoresAtOrAboveTheThreshold()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        std::vector<double> scores;
        for (const ResultRecord& result : project.results(made_.padimRun, ProjectFile::Heatmaps::Skip))
            scores.push_back(result.score);
        std::sort(scores.rbegin(), scores.rend());
        const double threshold = scores.at(scores.size() / 2); // about half the images flagged
        const int flagged = int(std::count_if(scores.begin(), scores.end(), [&](double s) { return s >= threshold; }));

        const ReportData top3 = gatherReport(project, made_.padim, threshold, 3);
        QCOMPARE(top3.flaggedCount, flagged);
        QCOMPARE(top3.topFlagged.size(), size_t(3));
        for (size_t i = 0; i < 3; ++i)
            QCOMPARE(top3.topFlagged[i].score, scores[i]);

        const ReportData all = gatherReport(project, made_.padim, threshold, 1000);
        QCOMPARE(int(all.topFlagged.size()), flagged);
        const auto latest = project.latestReviews();
        for (const FlaggedImage& image : all.topFlagged) {
            QVERIFY(image.score >= threshold);
            QCOMPARE(image.modelVerdict, Verdict::Defect);
            QCOMPARE(image.path, project.image(image.imageId)->path);
            QCOMPARE(image.label, project.image(image.imageId)->label);
            QVERIFY(!image.heatmap.empty());
            const auto review = latest.find(image.imageId);
            QCOMPARE(image.humanVerdict.has_value(), review != latest.end());
            if (review != latest.end())
                QCOMPARE(*image.humanVerdict, review->second.verdict);
            QCOMPARE(image.mask.empty(), !project.image(image.imageId)->hasMask);
        }
        QVERIFY(std::is_sorted(all.topFlagged.begin(), all.topFlagged.end(),
                               [](const FlaggedImage& a, const FlaggedImage& b) { return a.score > b.score; }));
        QVERIFY(gatherReport(project, made_.padim, threshold, 0).topFlagged.empty());
    }

    void flaggedImagesNameTheDefectTypesInTheirMask()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        const ReportData report = gatherReport(project, made_.padim, -1e9, 1000); // everything flagged
        QCOMPARE(report.topFlagged.size(), report.scoredImages.size());
        for (const FlaggedImage& image : report.topFlagged) {
            if (image.imageId == made_.typedMask)
                QCOMPARE(image.defectTypes, (std::vector<std::string> {"scratch", kUntypedDefectName}));
            else if (image.mask.empty())
                QVERIFY(image.defectTypes.empty());
            else // imported ground truth, typed by its dataset class
                QCOMPARE(image.defectTypes, std::vector<std::string> {image.label});
        }
    }

    void reviewerStatsCountVerdictsAndAgreementInTheirContext()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        const std::vector<ReviewerStats> reviewers = gatherReport(project, made_.padim, std::nullopt, 0).reviewers;
        QCOMPARE(reviewers.size(), size_t(2));
        const ReviewerStats& ana = reviewers[0];
        QCOMPARE(ana.reviewer, std::string("ana"));
        QCOMPARE(ana.defect, 1);
        QCOMPARE(ana.good, 1);
        QCOMPARE(ana.unsure, 0);
        QCOMPARE(ana.compared, 2);
        QCOMPARE(ana.agreed, 1);
        const ReviewerStats& ben = reviewers[1];
        QCOMPARE(ben.reviewer, std::string("ben"));
        QCOMPARE(ben.defect, 1);
        QCOMPARE(ben.good, 1);
        QCOMPARE(ben.unsure, 1);
        QCOMPARE(ben.compared, 0);
        QCOMPARE(ben.agreed, 0);
    }

    void comparisonHoldsEveryOtherModelWithAFinishedRun()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        const ReportData report = gatherReport(project, made_.padim, std::nullopt, 0);
        QCOMPARE(report.comparison.size(), size_t(1)); // not itself, not the unscored model
        const MeasuredRun& patchcore = report.comparison[0];
        QCOMPARE(patchcore.model.id, made_.patchcore);
        QCOMPARE(patchcore.run.id, made_.patchcoreRun);
        compareMetrics(patchcore.metrics, computeRunMetrics(project, made_.patchcoreRun));
        std::vector<float> scores;
        std::vector<int> labels;
        knownTruth(project, made_.patchcoreRun, scores, labels);
        QCOMPARE(patchcore.scores, scores);
        QCOMPARE(patchcore.labels, labels);

        const ReportData fromPatchcore = gatherReport(project, made_.patchcore, std::nullopt, 0);
        QCOMPARE(fromPatchcore.comparison.size(), size_t(1));
        QCOMPARE(fromPatchcore.comparison[0].model.id, made_.padim);
    }

    void unknownOrUnscoredModelIsAnInputError()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        QVERIFY_THROWS_EXCEPTION(InputError, gatherReport(project, 9999, std::nullopt, 5));
        try {
            gatherReport(project, made_.unscored, std::nullopt, 5);
            QFAIL("a model without a finished run was reported on");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("score the test images first") != std::string::npos, e.what());
        }
    }

    void reportsProgressAndStopsWhenCancelled()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        JobContext job;
        double last = 0.0;
        bool monotonic = true;
        job.setProgressCallback([&](double fraction, const std::string&) {
            monotonic = monotonic && fraction >= last - 1e-9;
            last = fraction;
        });
        gatherReport(project, made_.padim, std::nullopt, 3, &job);
        QVERIFY(monotonic);
        QCOMPARE(last, 1.0);

        JobContext cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, gatherReport(project, made_.padim, std::nullopt, 3, &cancelled));
    }
};

QTEST_GUILESS_MAIN(TestReportData)
#include "test_report_data.moc"
