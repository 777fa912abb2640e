// effectiveTruth on hand-made projects: every combination of dataset label and review
// history, each expected value stated next to it.
#include "core/review/GroundTruth.h"
#include "core/storage/ContentHash.h"
#include "core/storage/ProjectFile.h"

#include <QTemporaryDir>
#include <QTest>

using namespace ds;

class TestGroundTruth : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    int images_ = 0;

    std::int64_t addImage(ProjectFile& project, const std::string& label)
    {
        ImageRecord image;
        image.path = "/parts/" + std::to_string(++images_) + ".png";
        image.sha256 = sha256Hex({std::uint8_t(images_), 0x31});
        image.width = 8;
        image.height = 8;
        image.split = Split::Test;
        image.label = label;
        return project.addImage(image).id;
    }

    static void review(ProjectFile& project, std::int64_t imageId, Verdict verdict)
    {
        ReviewRecord record;
        record.imageId = imageId;
        record.verdict = verdict;
        record.reviewer = "inspector";
        project.addReview(record);
    }

    static void expectTruth(const std::map<std::int64_t, ImageTruth>& truth, std::int64_t imageId, std::optional<bool> defective,
                            bool fromReviewer)
    {
        QVERIFY(truth.count(imageId) == 1);
        QCOMPARE(truth.at(imageId).defective, defective);
        QCOMPARE(truth.at(imageId).fromReviewer, fromReviewer);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void labelsDecideWithoutReviews()
    {
        ProjectFile project = ProjectFile::openOrCreate(dir_.filePath(QStringLiteral("labels.dsproj")).toStdString());
        const std::int64_t good = addImage(project, kGoodLabel);
        const std::int64_t crack = addImage(project, "crack");
        const std::int64_t unknown = addImage(project, kUnknownLabel);

        const std::map<std::int64_t, ImageTruth> truth = effectiveTruth(project);
        QCOMPARE(truth.size(), std::size_t(3));
        expectTruth(truth, good, false, false);
        expectTruth(truth, crack, true, false);
        expectTruth(truth, unknown, std::nullopt, false);
    }

    void latestDecidedVerdictWinsOverLabel()
    {
        ProjectFile project = ProjectFile::openOrCreate(dir_.filePath(QStringLiteral("reviews.dsproj")).toStdString());
        const std::int64_t crackJudgedGood = addImage(project, "crack");
        review(project, crackJudgedGood, Verdict::Good);
        const std::int64_t goodJudgedDefect = addImage(project, kGoodLabel);
        review(project, goodJudgedDefect, Verdict::Defect);
        const std::int64_t unknownJudgedDefect = addImage(project, kUnknownLabel);
        review(project, unknownJudgedDefect, Verdict::Defect);
        const std::int64_t unknownJudgedGood = addImage(project, kUnknownLabel);
        review(project, unknownJudgedGood, Verdict::Good);
        const std::int64_t changedMind = addImage(project, kGoodLabel);
        review(project, changedMind, Verdict::Good);
        review(project, changedMind, Verdict::Defect);

        const std::map<std::int64_t, ImageTruth> truth = effectiveTruth(project);
        expectTruth(truth, crackJudgedGood, false, true);
        expectTruth(truth, goodJudgedDefect, true, true);
        expectTruth(truth, unknownJudgedDefect, true, true);
        expectTruth(truth, unknownJudgedGood, false, true);
        expectTruth(truth, changedMind, true, true);
    }

    void unsureLeavesTheLabel()
    {
        ProjectFile project = ProjectFile::openOrCreate(dir_.filePath(QStringLiteral("unsure.dsproj")).toStdString());
        const std::int64_t crackUnsure = addImage(project, "crack");
        review(project, crackUnsure, Verdict::Unsure);
        const std::int64_t unknownUnsure = addImage(project, kUnknownLabel);
        review(project, unknownUnsure, Verdict::Unsure);
        // An Unsure after a verdict withdraws it: the label is what is known again.
        const std::int64_t goodWithdrawn = addImage(project, kGoodLabel);
        review(project, goodWithdrawn, Verdict::Defect);
        review(project, goodWithdrawn, Verdict::Unsure);
        // A verdict after an Unsure decides.
        const std::int64_t decidedLater = addImage(project, "crack");
        review(project, decidedLater, Verdict::Unsure);
        review(project, decidedLater, Verdict::Good);

        const std::map<std::int64_t, ImageTruth> truth = effectiveTruth(project);
        expectTruth(truth, crackUnsure, true, false);
        expectTruth(truth, unknownUnsure, std::nullopt, false);
        expectTruth(truth, goodWithdrawn, false, false);
        expectTruth(truth, decidedLater, false, true);
    }
};

QTEST_GUILESS_MAIN(TestGroundTruth)
#include "test_ground_truth.moc"
