// exportResults on a hand-made project with real image files: the CSV compared byte for
// byte with what is written out below, the PNGs checked per image, and failures that must
// leave no CSV behind.
#include "core/Error.h"
#include "core/review/ResultsExport.h"
#include "core/storage/ContentHash.h"
#include "core/storage/ProjectFile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>

#include <functional>

using namespace ds;

namespace {

std::string readText(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string("<missing>");
}

using Names = std::vector<std::string>;

// The files in folder, hidden ones (temporary files) included, by name; the project's own
// files (with its write-ahead log while open) left out.
Names filesIn(const std::string& folder)
{
    Names names;
    for (const QString& name : QDir(QString::fromStdString(folder)).entryList(QDir::Files | QDir::Hidden, QDir::Name))
        if (!name.startsWith(QStringLiteral("project.dsproj")))
            names.push_back(name.toStdString());
    return names;
}

// What function() threw: "Error: <message>" ("" when it returned).
std::string errorFrom(const std::function<void()>& function)
{
    try {
        function();
    } catch (const Error& error) {
        return std::string("Error: ") + error.what();
    }
    return {};
}

} // namespace

class TestResultsExport : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> dir_;
    std::string projectPath_;
    std::string partsFolder_;
    std::int64_t runId_ = 0;
    int images_ = 0;
    std::int64_t quotedId_ = 0;
    std::int64_t missingId_ = 0;
    cv::Mat quotedMask_;

    std::string path(const std::string& name) const { return dir_->filePath(QString::fromStdString(name)).toStdString(); }

    // An image file of 12 x 10 pixels in the parts folder, imported with its label.
    std::int64_t addImage(ProjectFile& project, const std::string& name, const std::string& label)
    {
        const std::string file = partsFolder_ + "/" + name;
        cv::Mat pixels(10, 12, CV_8UC3, cv::Scalar(40, 80, 120 + 10 * ++images_)); // distinct content
        if (!cv::imwrite(file, pixels))
            qFatal("cannot write test image");
        ImageRecord image;
        image.path = file;
        image.sha256 = sha256HexOfFile(file);
        image.width = 12;
        image.height = 10;
        image.split = Split::Test;
        image.label = label;
        return project.addImage(image).id;
    }

    void addResult(ProjectFile& project, std::int64_t imageId, double score, bool withHeatmap)
    {
        ResultRecord result;
        result.runId = runId_;
        result.imageId = imageId;
        result.score = score;
        if (withHeatmap)
            result.heatmap = cv::Mat(4, 4, CV_32F, cv::Scalar(float(score)));
        result.threshold = 1.0;
        project.addResult(result);
    }

    static void review(ProjectFile& project, std::int64_t imageId, Verdict verdict)
    {
        ReviewRecord record;
        record.imageId = imageId;
        record.verdict = verdict;
        project.addReview(record);
    }

    std::string expectedCsv() const
    {
        return "path,score,model_verdict,human_verdict,defect_types,label\n" + partsFolder_ + "/plain.png,0.5,good,,,good\n"
            + "\"" + partsFolder_ + "/a,\"\"b\"\".png\",2,defect,good,scratch;untyped,'=2+5\n" + partsFolder_
            + "/unknown.png,1,defect,unsure,\"dent, deep;untyped\",\n" + partsFolder_ + "/missing.png,0.1,good,defect,,good\n";
    }

private Q_SLOTS:
    void init()
    {
        images_ = 0;
        dir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(dir_->isValid());
        partsFolder_ = path("parts");
        QVERIFY(QDir().mkpath(QString::fromStdString(partsFolder_)));
        projectPath_ = path("project.dsproj");
        ProjectFile project = ProjectFile::openOrCreate(projectPath_);
        const int scratch = project.addDefectType("scratch", "#ff0000");
        const int dent = project.addDefectType("dent, deep", "#00ff00");
        ModelRecord model;
        model.name = "m";
        model.method = "padim";
        model.backbone = "resnet18";
        model.state = {1};
        runId_ = project.beginRun(project.addModel(model), 1.0);

        addResult(project, addImage(project, "plain.png", kGoodLabel), 0.5, true);

        // A defect type's folder named like a spreadsheet formula.
        quotedId_ = addImage(project, "a,\"b\".png", "=2+5");
        quotedMask_ = cv::Mat::zeros(10, 12, CV_8UC1);
        quotedMask_(cv::Rect(0, 0, 3, 3)).setTo(kUntypedDefect);
        quotedMask_(cv::Rect(5, 5, 2, 2)).setTo(scratch);
        project.setMask(quotedId_, quotedMask_);
        review(project, quotedId_, Verdict::Good);
        addResult(project, quotedId_, 2.0, true);

        // Scored exactly at the threshold: a defect. Its mask holds a value no type has.
        const std::int64_t unknown = addImage(project, "unknown.png", kUnknownLabel);
        cv::Mat mask = cv::Mat::zeros(10, 12, CV_8UC1);
        mask.at<std::uint8_t>(1, 1) = std::uint8_t(dent);
        mask.at<std::uint8_t>(2, 2) = 9;
        project.setMask(unknown, mask);
        review(project, unknown, Verdict::Unsure);
        addResult(project, unknown, 1.0, false);

        // Its file is gone by the time of the export: no overlay, the rest is exported.
        missingId_ = addImage(project, "missing.png", kGoodLabel);
        QVERIFY(QFile::remove(QString::fromStdString(partsFolder_ + "/missing.png")));
        review(project, missingId_, Verdict::Defect);
        addResult(project, missingId_, 0.1, true);
        project.finishRun(runId_, RunStatus::Done);
    }

    void csvHasOneQuotedRowPerImage()
    {
        ResultsExportOptions options;
        options.csvPath = path("results.csv");
        JobContext job;
        const ResultsExportReport report = exportResults(projectPath_, runId_, 1.0, options, job);
        QCOMPARE(report.rows, 4);
        QCOMPARE(report.pngs, 0);
        QVERIFY(report.skipped.empty());
        QCOMPARE(readText(options.csvPath), expectedCsv());
        QCOMPARE(filesIn(path("")), (Names {"results.csv"}));
    }

    void modelVerdictFollowsTheGivenThreshold()
    {
        ResultsExportOptions options;
        options.csvPath = path("strict.csv");
        JobContext job;
        exportResults(projectPath_, runId_, 0.25, options, job);
        const std::string csv = readText(options.csvPath);
        QVERIFY2(csv.find("/plain.png,0.5,defect,") != std::string::npos, csv.c_str());
        QVERIFY2(csv.find("/missing.png,0.1,good,") != std::string::npos, csv.c_str());
    }

    void pngsWrittenPerImageWhenAsked()
    {
        ResultsExportOptions options;
        options.csvPath = path("results.csv");
        options.pngFolder = path("images/out"); // created
        JobContext job;
        const ResultsExportReport report = exportResults(projectPath_, runId_, 1.0, options, job);
        // plain: heatmap, overlay; quoted: mask, heatmap, overlay; unknown: mask (no
        // heatmap); missing: heatmap (its original is gone, so no overlay).
        QCOMPARE(report.pngs, 7);
        QCOMPARE(report.skipped.size(), std::size_t(1));
        QCOMPARE(report.skipped[0].path, partsFolder_ + "/missing.png");
        QCOMPARE(filesIn(options.pngFolder).size(), std::size_t(7));
        const std::string quotedStem = options.pngFolder + "/" + std::to_string(quotedId_) + "_a,\"b\"";
        const cv::Mat mask = cv::imread(quotedStem + "_mask.png", cv::IMREAD_UNCHANGED);
        QCOMPARE(mask.type(), CV_8UC1);
        QCOMPARE(cv::norm(mask, quotedMask_, cv::NORM_INF), 0.0);
        for (const char* kind : {"_heatmap.png", "_overlay.png"}) {
            const cv::Mat png = cv::imread(quotedStem + kind, cv::IMREAD_UNCHANGED);
            QCOMPARE(png.type(), CV_8UC3);
            QCOMPARE(png.size(), cv::Size(12, 10));
        }
        QVERIFY(
            QFile::exists(QString::fromStdString(options.pngFolder + "/" + std::to_string(missingId_) + "_missing_heatmap.png")));
        QCOMPARE(readText(options.csvPath), expectedCsv());
    }

    void pngKindsCanBeLeftOut()
    {
        ResultsExportOptions options;
        options.csvPath = path("results.csv");
        options.pngFolder = path("masks-only");
        options.overlays = false;
        options.heatmaps = false;
        JobContext job;
        const ResultsExportReport report = exportResults(projectPath_, runId_, 1.0, options, job);
        QCOMPARE(report.pngs, 2);
        QVERIFY(report.skipped.empty());
        const Names files = filesIn(options.pngFolder);
        QCOMPARE(files.size(), std::size_t(2));
        for (const std::string& file : files)
            QVERIFY2(file.size() > 9 && file.compare(file.size() - 9, 9, "_mask.png") == 0, file.c_str());
    }

    void missingCsvFolderIsClearErrorLeavingNothing()
    {
        ResultsExportOptions options;
        options.csvPath = path("no-such-folder/results.csv");
        options.pngFolder = path("pngs");
        JobContext job;
        const std::string failure = errorFrom([&] { exportResults(projectPath_, runId_, 1.0, options, job); });
        QVERIFY2(failure.find(options.csvPath) != std::string::npos && failure.find("does not exist") != std::string::npos,
                 failure.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path("no-such-folder"))));
        QVERIFY(!QFile::exists(QString::fromStdString(options.pngFolder)));
    }

    void unknownRunIsErrorLeavingNothing()
    {
        ResultsExportOptions options;
        options.csvPath = path("results.csv");
        JobContext job;
        const std::string failure = errorFrom([&] { exportResults(projectPath_, runId_ + 5, 1.0, options, job); });
        QVERIFY2(failure.find(projectPath_) != std::string::npos, failure.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(options.csvPath)));
    }

    void failedOrCancelledExportKeepsThePreviousCsv()
    {
        ResultsExportOptions options;
        options.csvPath = path("results.csv");
        QFile previous(QString::fromStdString(options.csvPath));
        QVERIFY(previous.open(QIODevice::WriteOnly));
        previous.write("previous export\n");
        previous.close();

        // The PNG folder's name is taken by a file, so no PNG can be written.
        options.pngFolder = path("taken");
        QFile blocker(QString::fromStdString(options.pngFolder));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        JobContext job;
        const std::string failure = errorFrom([&] { exportResults(projectPath_, runId_, 1.0, options, job); });
        QVERIFY2(failure.find(options.pngFolder) != std::string::npos, failure.c_str());
        QCOMPARE(readText(options.csvPath), std::string("previous export\n"));

        options.pngFolder.clear();
        JobContext cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, exportResults(projectPath_, runId_, 1.0, options, cancelled));
        QCOMPARE(readText(options.csvPath), std::string("previous export\n"));
        QCOMPARE(filesIn(path("")), (Names {"results.csv", "taken"}));

        // A successful export replaces it whole.
        exportResults(projectPath_, runId_, 1.0, options, job);
        QCOMPARE(readText(options.csvPath), expectedCsv());
    }
};

QTEST_GUILESS_MAIN(TestResultsExport)
#include "test_results_export.moc"
