// The inspection panel: drop or open an image, see its score and verdict at once, move
// the threshold, and add the part to the project only when asked.
#include "core/jobs/Inspector.h"
#include "core/jobs/ProjectJobs.h"
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"
#include "ui/InspectPanel.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using ds::ui::InspectPanel;

namespace {

constexpr int kInspectTimeoutMs = 120000;

bool relativelyClose(double a, double b)
{
    return std::abs(a - b) <= 1e-4 * std::max({1.0, std::abs(a), std::abs(b)});
}

QMimeData* urlMime(const QList<QUrl>& urls)
{
    auto* mime = new QMimeData;
    mime->setUrls(urls);
    return mime;
}

bool dragAccepted(InspectPanel& panel, const QList<QUrl>& urls)
{
    const std::unique_ptr<QMimeData> mime(urlMime(urls));
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&panel, &enter);
    return enter.isAccepted();
}

// Waits until the panel has no inspection or import running.
bool waitIdle(const InspectPanel& panel)
{
    return QTest::qWaitFor([&] { return !panel.isBusy(); }, kInspectTimeoutMs);
}

} // namespace

class TestInspectPanel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString dataset_;
    QString project_;
    qint64 modelId_ = 0;
    double threshold_ = 0.0;

    QString testImage(const char* relative) const { return dataset_ + QStringLiteral("/test/") + QString::fromLatin1(relative); }

    // A part the project has never seen (resized, so its content differs from every import).
    QString newPart(const char* name, const char* source) const
    {
        cv::Mat image;
        cv::resize(cv::imread(testImage(source).toStdString()), image, cv::Size(80, 72));
        const QString path = dir_.filePath(QString::fromLatin1(name));
        return cv::imwrite(path.toStdString(), image) ? path : QString();
    }

    static qint64 trainPadim(const QString& project, int imageSize, double& threshold)
    {
        ds::DetectorSettings settings = ds::test::smallSettings();
        settings.imageSize = imageSize;
        ds::JobContext job;
        const ds::TrainOutcome trained = ds::trainModel(project.toStdString(), settings, "", job);
        threshold = trained.threshold;
        return trained.modelId;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const ds::SyntheticSpec spec = ds::test::smallPartSpec();
        dataset_ = QString::fromStdString(ds::writeSyntheticDataset(dir_.filePath(QStringLiteral("data")).toStdString(), spec));
        project_ = dir_.filePath(QStringLiteral("inspect.dsproj"));
        ds::JobContext job;
        ds::importMvtecDataset(project_.toStdString(), dataset_.toStdString(), job);
        modelId_ = trainPadim(project_, 64, threshold_);
    }

    void dragAcceptsLocalImagesOnly()
    {
        InspectPanel panel;
        QVERIFY(dragAccepted(panel, {QUrl::fromLocalFile(testImage("good/000.png"))}));
        QVERIFY(dragAccepted(
            panel,
            {QUrl::fromLocalFile(QStringLiteral("/tmp/notes.txt")), QUrl::fromLocalFile(QStringLiteral("/tmp/PART.TIFF"))}));
        QVERIFY(!dragAccepted(panel, {QUrl::fromLocalFile(QStringLiteral("/tmp/notes.txt"))}));
        QVERIFY(!dragAccepted(panel, {QUrl(QStringLiteral("https://example.com/part.png"))}));
        QVERIFY(!dragAccepted(panel, {}));
    }

    void droppedImageScoresAsTheInspectorDoes()
    {
        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        const QString path = testImage("scratch/000.png");
        const std::unique_ptr<QMimeData> mime(urlMime({QUrl::fromLocalFile(path)}));
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&panel, &drop);
        QVERIFY(drop.isAccepted());
        QVERIFY(inspected.wait(kInspectTimeoutMs));

        ds::Inspector inspector(project_.toStdString(), modelId_);
        const ds::InspectionResult expected = inspector.inspect(path.toStdString());
        const double score = inspected.first().at(0).toDouble();
        QVERIFY2(relativelyClose(score, expected.score), qPrintable(QString::number(score)));
        QCOMPARE(inspected.first().at(1).toBool(), score >= threshold_);
        QVERIFY2(panel.resultText().contains(QStringLiteral("model load")), qPrintable(panel.resultText()));
        QVERIFY(panel.resultText().contains(QStringLiteral("score ") + QString::number(score, 'g', 4)));

        // The next image reuses the loaded model.
        panel.inspectFile(testImage("good/001.png"));
        QVERIFY(inspected.wait(kInspectTimeoutMs));
        QVERIFY2(!panel.resultText().contains(QStringLiteral("model load")), qPrintable(panel.resultText()));
    }

    void thresholdFlipsTheVerdictWithoutInspectingAgain()
    {
        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        panel.inspectFile(testImage("good/002.png"));
        QVERIFY(inspected.wait(kInspectTimeoutMs));
        const double score = inspected.first().at(0).toDouble();

        panel.setThreshold(score * 0.9);
        QVERIFY2(panel.resultText().contains(QStringLiteral("DEFECT")), qPrintable(panel.resultText()));
        panel.setModel(project_, modelId_, score * 1.1); // same model: only the threshold moves
        QVERIFY2(panel.resultText().contains(QStringLiteral("GOOD")), qPrintable(panel.resultText()));
        QCOMPARE(panel.threshold(), score * 1.1);
        QTest::qWait(50);
        QCOMPARE(inspected.size(), 1);
    }

    void fileDroppedDuringAnInspectionWaitsOnlyTheLatest()
    {
        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        panel.inspectFile(testImage("good/000.png"));
        QVERIFY(panel.isBusy());
        panel.inspectFile(testImage("good/001.png"));
        panel.inspectFile(testImage("good/003.png"));
        QVERIFY(waitIdle(panel));
        QCOMPARE(inspected.size(), 2);
        QVERIFY2(panel.resultText().startsWith(QStringLiteral("003.png")), qPrintable(panel.resultText()));
    }

    void changingTheModelInspectsTheShownImageAgain()
    {
        double secondThreshold = 0.0;
        const qint64 secondModel = trainPadim(project_, 32, secondThreshold);
        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        const QString path = testImage("good/000.png");
        panel.inspectFile(path);
        QVERIFY(inspected.wait(kInspectTimeoutMs));

        panel.setModel(project_, secondModel, secondThreshold);
        QVERIFY(inspected.wait(kInspectTimeoutMs));
        ds::Inspector second(project_.toStdString(), secondModel);
        QVERIFY(relativelyClose(inspected.last().at(0).toDouble(), second.inspect(path.toStdString()).score));
        QVERIFY(panel.resultText().contains(QStringLiteral("threshold ") + QString::number(secondThreshold, 'g', 4)));
    }

    void unreadableFileFailsInline()
    {
        const QString broken = dir_.filePath(QStringLiteral("broken.png"));
        std::ofstream(broken.toStdString()) << "not a png";
        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        QSignalSpy failed(&panel, &InspectPanel::failed);
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        panel.inspectFile(broken);
        QVERIFY(failed.wait(kInspectTimeoutMs));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(broken), qPrintable(message));
        QCOMPARE(panel.messageText(), message);
        QVERIFY(inspected.isEmpty());
        QVERIFY(!panel.addButton()->isEnabled());

        // Still usable afterwards; a good result clears the error line.
        panel.inspectFile(testImage("good/000.png"));
        QVERIFY(inspected.wait(kInspectTimeoutMs));
        QVERIFY(panel.messageText().isEmpty());
    }

    void withoutModelFailsAtOnce()
    {
        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        panel.clearModel();
        QSignalSpy failed(&panel, &InspectPanel::failed);
        panel.inspectFile(testImage("good/000.png"));
        QCOMPARE(failed.size(), 1);
        QVERIFY(!panel.isBusy());
    }

    void addToProjectImportsOneTestImageOnce()
    {
        const QString part = newPart("new_part.png", "good/000.png");
        QVERIFY(!part.isEmpty());
        const auto testImages = [&] { return ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Test); };
        const size_t before = testImages().size();

        InspectPanel panel;
        panel.setModel(project_, modelId_, threshold_);
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        QSignalSpy added(&panel, &InspectPanel::addedToProject);
        panel.inspectFile(part);
        QVERIFY(inspected.wait(kInspectTimeoutMs));
        QCOMPARE(testImages().size(), before); // inspecting alone adds nothing

        QVERIFY(panel.addButton()->isEnabled());
        QTest::mouseClick(panel.addButton(), Qt::LeftButton);
        QVERIFY(added.wait(kInspectTimeoutMs));
        const std::vector<ds::ImageRecord> after = testImages();
        QCOMPARE(after.size(), before + 1);
        const qint64 imageId = added.first().first().toLongLong();
        const auto record = std::find_if(after.begin(), after.end(), [&](const ds::ImageRecord& r) { return r.id == imageId; });
        QVERIFY(record != after.end());
        QCOMPARE(QString::fromStdString(record->path), part);
        QCOMPARE(record->label, std::string(ds::kUnknownLabel)); // nobody has judged it yet
        QCOMPARE(record->width, 80);

        QVERIFY(waitIdle(panel));
        QTest::mouseClick(panel.addButton(), Qt::LeftButton);
        QVERIFY(waitIdle(panel));
        QVERIFY2(panel.messageText().contains(QStringLiteral("already in the project")), qPrintable(panel.messageText()));
        QCOMPARE(added.size(), 1);
        QCOMPARE(testImages().size(), before + 1);
    }
};

QTEST_MAIN(TestInspectPanel)
#include "test_inspect_panel.moc"
