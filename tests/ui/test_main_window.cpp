// MainWindow driven through the same public slots its menu actions use: new project,
// import a synthetic MVTec dataset, train, score, rank, move the threshold, cancel a
// training job, and reopen the project in a fresh window.
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/ResultsOrder.h"
#include "tests/support/ScoredProject.h"
#include "tests/support/SmallDataset.h"
#include "ui/MainWindow.h"
#include "ui/TrainDialog.h"
#include "ui/models/ResultsModel.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/ImagePane.h"
#include "ui/review/MaskEditor.h"
#include "ui/InspectPanel.h"
#include "ui/ReviewPanel.h"
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ModelsView.h"
#include "ui/pages/ModelsPage.h"
#include "ui/pages/ReviewPage.h"
#include "ui/review/ReviewHistoryView.h"
#include "ui/review/ThresholdBar.h"
#include "ui/jobs/JobPanel.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QPushButton>
#include <QApplication>
#include <QLabel>
#include <QRegularExpression>
#include <QLineEdit>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>
#include <QUndoStack>
#include <QSignalSpy>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QPlainTextEdit>
#include <QTabWidget>

#include <algorithm>
#include <cmath>
#include <memory>

using ds::ui::MainWindow;
using ds::ui::ResultsModel;

namespace {

constexpr int kJobTimeoutMs = 300000;

// Runs one job started by start() and returns jobFinished's argument.
template <typename Start>
bool runJob(MainWindow& window, Start start)
{
    QSignalSpy finished(&window, &MainWindow::jobFinished);
    start();
    if (!window.isJobRunning() && finished.isEmpty())
        return false; // refused to start
    if (!finished.wait(kJobTimeoutMs) && finished.isEmpty())
        return false;
    return finished.first().first().toBool();
}

bool actionEnabled(const MainWindow& window, const char* name)
{
    const auto* action = window.findChild<QAction*>(QString::fromLatin1(name));
    return action && action->isEnabled();
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<ds::test::ScoredProject> scored_;
    QString dataset_;
    QString project_; // this test's own copy of the scored project
    int testImages_ = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("DefectScopeTests"));
        QSettings().clear();
        QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("tester"));
        QVERIFY(dir_.isValid());
        scored_ = std::make_unique<ds::test::ScoredProject>(dir_.path());
        dataset_ = scored_->dataset();
        testImages_ = scored_->testImages();
    }

    void init() { project_ = scored_->copy(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".dsproj")); }

    void noProjectDisablesActions()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.projectPath().isEmpty());
        QCOMPARE(window.windowTitle(), QStringLiteral("DefectScope"));
        QVERIFY(actionEnabled(window, "newProjectAction"));
        QVERIFY(actionEnabled(window, "openProjectAction"));
        QVERIFY(!actionEnabled(window, "importDatasetAction"));
        QVERIFY(!actionEnabled(window, "importImagesAction"));
        QVERIFY(!actionEnabled(window, "trainAction"));
        QVERIFY(!actionEnabled(window, "scoreAction"));
        // Without a project a job refuses to start.
        QVERIFY(!runJob(window, [&] { window.scoreTestImages(); }));
        QVERIFY(!window.isJobRunning());
    }

    void importTrainAndScore()
    {
        MainWindow window;
        window.show();
        QSignalSpy changed(&window, &MainWindow::projectChanged);
        const QString project = dir_.filePath(QStringLiteral("inspection.dsproj"));
        QVERIFY(window.openProject(project));
        QCOMPARE(changed.count(), 1);
        QVERIFY(window.windowTitle().contains(QStringLiteral("inspection.dsproj")));
        QVERIFY(actionEnabled(window, "importDatasetAction"));
        QVERIFY(actionEnabled(window, "trainAction"));
        QVERIFY(!actionEnabled(window, "scoreAction")); // no model yet

        QVERIFY(runJob(window, [&] { window.importDataset(dataset_); }));
        QVERIFY(!window.isJobRunning());

        QVERIFY(runJob(window, [&] { window.startTraining(ds::test::smallSettings(), QStringLiteral("gui-model")); }));
        QCOMPARE(window.modelsModel()->rowCount(), 1);
        QCOMPARE(window.modelsModel()->index(0, 0).data().toString(), QStringLiteral("gui-model"));
        QCOMPARE(window.modelsModel()->index(0, 1).data().toString(), QStringLiteral("padim"));
        QVERIFY(window.modelsPage()->view()->selectedModelId() != 0); // the new model is selected
        // The models list says what was held out to set the threshold, as the log does.
        const ds::ModelRecord trained = ds::ProjectFile::open(project.toStdString()).models().front();
        QVERIFY(trained.nHeldOut && *trained.nHeldOut > 0);
        QVERIFY(window.modelsModel()
                    ->index(0, 0)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("and %1 held out to set the threshold").arg(*trained.nHeldOut)));
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), 0); // not scored yet
        QVERIFY(actionEnabled(window, "scoreAction"));

        // Rows appear one by one while scoring, before the finished run replaces them.
        QSignalSpy inserted(window.reviewPage()->resultsModel(), &QAbstractItemModel::rowsInserted);
        // Live rows already know the truth (the dataset's labels here), like the finished run's.
        int liveRowsWithTruth = 0;
        const auto counting = connect(window.reviewPage()->resultsModel(), &QAbstractItemModel::rowsInserted, this,
                                      [&](const QModelIndex&, int first, int) {
                                          liveRowsWithTruth
                                              += window.reviewPage()->resultsModel()->rows()[size_t(first)].truth.has_value();
                                      });
        bool lockedWhileScoring = false;
        QVERIFY(runJob(window, [&] {
            window.scoreTestImages();
            // Another model's rows must not mix with the live ones, nor the threshold move.
            lockedWhileScoring = !window.modelsPage()->view()->isEnabled() && !window.reviewPage()->thresholdSlider()->isEnabled()
                && actionEnabled(window, "cancelJobAction");
        }));
        QVERIFY(lockedWhileScoring);
        QVERIFY(window.modelsPage()->view()->isEnabled());
        QVERIFY(window.reviewPage()->thresholdSlider()->isEnabled());
        QVERIFY(!actionEnabled(window, "cancelJobAction")); // Esc does nothing without a job
        QCOMPARE(inserted.count(), testImages_);
        disconnect(counting);
        QCOMPARE(liveRowsWithTruth, testImages_);
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), testImages_);
        // The job log kept what happened.
        const QString log = window.jobPanel()->log()->toPlainText();
        QVERIFY(log.contains(QStringLiteral("Training started.")));
        QVERIFY(log.contains(QStringLiteral("Scored %1 images.").arg(testImages_)));
        // What was held out to set the threshold is said, not hidden in the count.
        QVERIFY2(log.contains(QRegularExpression(
                     QStringLiteral("Trained on \\d+ images in .* \\(\\d+ images? held out to set the threshold\\)"))),
                 qPrintable(log));
    }

    void inspectImageWithoutAddingIt()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project_));
        // The top-ranked test image, inspected alone, scores as it did in the run.
        const QModelIndex top = window.reviewPage()->resultsProxy()->index(0, 0);
        const double runScore = top.data(ResultsModel::ScoreRole).toDouble();
        const QString relative = top.data().toString(); // "<type>/<file>"
        const QString path = QDir(dataset_).filePath(QStringLiteral("test/") + relative);
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        const size_t imagesBefore = ds::ProjectFile::open(project_.toStdString()).images().size();

        QSignalSpy inspected(window.inspectPanel(), &ds::ui::InspectPanel::inspected);
        window.openOrImportPaths({}); // nothing dropped: nothing happens
        window.centralTabs()->setCurrentWidget(window.inspectPanel());
        window.inspectPanel()->inspectFile(path);
        QVERIFY(inspected.wait(kJobTimeoutMs) || !inspected.isEmpty());
        const double score = inspected.first().at(0).toDouble();
        QVERIFY2(std::abs(score - runScore) <= 1e-3 * std::max(1.0, std::abs(runScore)),
                 qPrintable(QStringLiteral("%1 vs %2").arg(score).arg(runScore)));
        // The verdict agrees with the run's, unless the score sits on the threshold itself
        // (it may be set to a run score), where the tolerance above allows either.
        const double threshold = window.reviewPage()->currentThreshold();
        if (std::abs(runScore - threshold) > 1e-3 * std::max(1.0, std::abs(runScore)))
            QVERIFY2(inspected.first().at(1).toBool() == (runScore >= threshold),
                     qPrintable(QStringLiteral("score %1, threshold %2").arg(runScore).arg(threshold)));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).images().size(), imagesBefore);
        window.centralTabs()->setCurrentIndex(0);
    }

    void droppedImagesImportOnceEach()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project_));
        const QString trainFolder = QDir(dataset_).filePath(QStringLiteral("train/good"));
        const QStringList trainFiles = QDir(trainFolder).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
        QVERIFY(trainFiles.size() >= 2);
        // A new picture (mirrored), one already imported, and a broken file.
        const QString fresh = dir_.filePath(QStringLiteral("fresh.png"));
        QVERIFY(QImage(QDir(trainFolder).filePath(trainFiles[0])).mirrored(true, false).save(fresh));
        const QString broken = dir_.filePath(QStringLiteral("broken.png"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x89PNG\r\n\x1a\n truncated");
        file.close();
        const size_t before = ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Train).size();

        QVERIFY(runJob(window, [&] { window.openOrImportPaths({fresh, QDir(trainFolder).filePath(trainFiles[1]), broken}); }));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Train).size(), before + 1);
        // Dropping the same files again adds nothing.
        QVERIFY(runJob(window, [&] { window.openOrImportPaths({fresh}); }));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Train).size(), before + 1);
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), testImages_); // the run shown is unchanged
    }

    void cancelledTrainingAddsNoModel()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project_));
        ds::DetectorSettings settings = ds::test::smallSettings();
        settings.imageSize = 256; // slower, so the cancel lands mid-job
        QSignalSpy finished(&window, &MainWindow::jobFinished);
        window.startTraining(settings, QStringLiteral("cancelled-model"));
        QVERIFY(window.isJobRunning());
        // One job at a time: everything that starts one is disabled meanwhile.
        QVERIFY(!actionEnabled(window, "trainAction"));
        QVERIFY(!actionEnabled(window, "scoreAction"));
        QVERIFY(!actionEnabled(window, "importDatasetAction"));
        QVERIFY(window.findChild<QWidget*>(QStringLiteral("jobPanel"))->isVisible());
        auto* cancel = window.findChild<QPushButton*>(QStringLiteral("cancelJobButton"));
        QVERIFY(cancel && cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(finished.wait(60000) || !finished.isEmpty());
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(!window.isJobRunning());
        QVERIFY(!window.findChild<QWidget*>(QStringLiteral("jobPanel"))->isVisible());
        QVERIFY(actionEnabled(window, "trainAction"));
        QCOMPARE(window.modelsModel()->rowCount(), 1);
        const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
        QCOMPARE(project.models().size(), size_t(1));
        // The window is usable again afterwards.
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), testImages_);
    }

    void reopenedProjectShowsModelAndResults()
    {
        std::vector<double> scores;
        double userThreshold = 0;
        qint64 shownImage = 0;
        {
            MainWindow window;
            window.show();
            QVERIFY(window.openProject(project_));
            ds::ui::ReviewPage& page = *window.reviewPage();
            for (int row = 0; row < page.resultsProxy()->rowCount(); ++row)
                scores.push_back(page.resultsProxy()->index(row, 0).data(ResultsModel::ScoreRole).toDouble());
            for (ds::Verdict verdict : {ds::Verdict::Good, ds::Verdict::Defect, ds::Verdict::Unsure})
                page.giveVerdict(verdict); // each moves on to the next image
            page.thresholdSlider()->setValue(page.thresholdSlider()->maximum() / 3);
            userThreshold = page.currentThreshold();
            // The models list shows the threshold verdicts now use, not training's.
            QCOMPARE(window.modelsModel()->index(0, ds::ui::ModelsModel::ThresholdColumn).data().toString(),
                     QString::number(userThreshold, 'f', 4));
            shownImage = page.imageId();
            QVERIFY(shownImage != 0);
        }

        MainWindow reopened;
        reopened.show();
        QVERIFY(reopened.openProject(project_));
        QCOMPARE(reopened.modelsModel()->rowCount(), 1);
        QCOMPARE(reopened.modelsModel()->index(0, 0).data().toString(), QStringLiteral("gui-model"));
        QCOMPARE(reopened.reviewPage()->resultsProxy()->rowCount(), testImages_);
        QVERIFY(ds::test::rankedByScoreDescending(*reopened.reviewPage()->resultsProxy()));
        for (int row = 0; row < reopened.reviewPage()->resultsProxy()->rowCount(); ++row)
            QCOMPARE(reopened.reviewPage()->resultsProxy()->index(row, 0).data(ResultsModel::ScoreRole).toDouble(),
                     scores[size_t(row)]);
        QVERIFY(reopened.reviewPage()->thresholdSlider()->isEnabled());
        QCOMPARE(reopened.reviewPage()->imageId(), shownImage); // where the user left off
        int reviewed = 0;
        for (const ResultsModel::Row& row : reopened.reviewPage()->resultsModel()->rows())
            reviewed += !row.review.isEmpty();
        QCOMPARE(reviewed, 3); // the verdicts given before
        QCOMPARE(MainWindow::recentProjects().value(0), QFileInfo(project_).absoluteFilePath());

        // The user's threshold was kept per model; Reset goes back to the run's.
        QCOMPARE(reopened.reviewPage()->currentThreshold(), userThreshold);
        QCOMPARE(reopened.modelsModel()->index(0, ds::ui::ModelsModel::ThresholdColumn).data().toString(),
                 QString::number(userThreshold, 'f', 4));
        double runThreshold = 0;
        {
            const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
            const std::vector<ds::RunRecord> runs = project.runs(project.models().back().id);
            QVERIFY(!runs.empty());
            runThreshold = runs.back().threshold;
        }
        QVERIFY(std::abs(userThreshold - runThreshold) > 1e-6);
        QVERIFY(reopened.reviewPage()->thresholdBar()->resetButton()->isEnabled());
        QTest::mouseClick(reopened.reviewPage()->thresholdBar()->resetButton(), Qt::LeftButton);
        QCOMPARE(reopened.reviewPage()->currentThreshold(), runThreshold);
        QCOMPARE(reopened.reviewPage()->thresholdPlots()->threshold(), runThreshold);
    }

    // With "Nearest the threshold first", a new model's first run is shown in that order
    // (it kept the previous model's order: the model stayed selected, nothing re-ranked).
    void newModelsRunFollowsTheReviewQueue()
    {
        const QString copy = project_;
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(copy));
        window.reviewPage()->setReviewOrder(int(ds::ui::ReviewPanel::Order::NearestThreshold));
        QVERIFY(window.reviewPage()->imageId() != 0);
        QVERIFY(actionEnabled(window, "defectAction"));
        QVERIFY(!window.reviewPage()->reviewPanel()->modelVerdictText().isEmpty());
        QVERIFY(runJob(window, [&] { window.startTraining(ds::test::smallSettings("patchcore"), QStringLiteral("second")); }));
        // The new model has no run yet: nothing of the last image stays on the review bar,
        // and D/G/U are off rather than doing nothing.
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), 0);
        QVERIFY(window.reviewPage()->reviewPanel()->modelVerdictText().isEmpty());
        QVERIFY(window.reviewPage()->reviewPanel()->humanVerdictText().isEmpty());
        for (const char* verdict : {"defectAction", "goodAction", "unsureAction"})
            QVERIFY2(!actionEnabled(window, verdict), verdict);
        QVERIFY(runJob(window, [&] { window.scoreTestImages(); }));
        const ds::ui::ResultsFilterProxy& proxy = *window.reviewPage()->resultsProxy();
        QCOMPARE(proxy.rowCount(), testImages_);
        const std::vector<std::int64_t> expected = ds::test::queueOrder(*window.reviewPage()->resultsModel());
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, 0).data(ResultsModel::ImageIdRole).toLongLong(), expected[size_t(row)]);
    }

    // A run a kill left behind is offered for resuming or discarding when the project opens.
    void interruptedRunIsResumedOrDiscarded()
    {
        const QString copy = project_;
        const auto interruptRun = [&] {
            ds::ProjectFile project = ds::ProjectFile::open(copy.toStdString());
            const std::int64_t modelId = project.models().back().id;
            const std::int64_t runId = project.beginRun(modelId, 1.0);
            ds::ResultRecord result;
            result.runId = runId;
            result.imageId = project.images(ds::Split::Test).front().id;
            result.score = 0.5;
            result.threshold = 1.0;
            project.addResult(result);
            project.finishRun(runId, ds::RunStatus::Interrupted);
            return runId;
        };
        const std::int64_t resumed = interruptRun();
        {
            MainWindow window;
            window.show();
            QVERIFY(window.openProject(copy));
            auto* box = window.findChild<QMessageBox*>(QStringLiteral("interruptedRunBox"));
            QVERIFY(box);
            QVERIFY(box->text().contains(QStringLiteral("1 of %1 test images").arg(testImages_)));
            auto* resume = box->findChild<QPushButton*>(QStringLiteral("resumeRunButton"));
            QVERIFY(resume);
            QVERIFY(runJob(window, [&] { resume->click(); }));
            QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), testImages_); // the finished run is shown
        }
        {
            const ds::ProjectFile project = ds::ProjectFile::open(copy.toStdString());
            QCOMPARE(project.run(resumed)->status, ds::RunStatus::Done);
            QCOMPARE(project.resultCount(resumed), testImages_);
        }
        const std::int64_t discarded = interruptRun();
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(copy));
        auto* box = window.findChild<QMessageBox*>(QStringLiteral("interruptedRunBox"));
        QVERIFY(box);
        box->findChild<QPushButton*>(QStringLiteral("discardRunButton"))->click();
        QVERIFY(!ds::ProjectFile::open(copy.toStdString()).run(discarded));
        QVERIFY(!window.findChild<QMessageBox*>(QStringLiteral("interruptedRunBox")) || !box->isVisible());
    }

    void saveAsContinuesInTheCopy()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project_));
        const QString copy = QFileInfo(dir_.filePath(QStringLiteral("copy.dsproj"))).absoluteFilePath();
        QVERIFY(window.saveProjectAs(copy));
        QCOMPARE(window.projectPath(), copy);
        QVERIFY(window.windowTitle().contains(QStringLiteral("copy.dsproj")));
        QCOMPARE(window.modelsModel()->rowCount(), 1);
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), testImages_);
        QCOMPARE(MainWindow::recentProjects().value(0), copy);
        QCOMPARE(MainWindow::recentProjects().value(1), QFileInfo(project_).absoluteFilePath());
        // Saving onto the open project itself is refused, and nothing is lost.
        QVERIFY(!window.saveProjectAs(copy));
        QCOMPARE(window.projectPath(), copy);
        QCOMPARE(ds::ProjectFile::open(copy.toStdString()).models().size(), size_t(1));
        // The copy is independent: deleting its model leaves the original whole.
        QVERIFY(window.modelsPage()->deleteModel(window.modelsModel()->modelIdAt(0)));
        QCOMPARE(window.modelsModel()->rowCount(), 0);
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), 0);
        QVERIFY(!actionEnabled(window, "scoreAction"));
        QCOMPARE(ds::ProjectFile::open(copy.toStdString()).models().size(), size_t(0));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).models().size(), size_t(1));
    }

    void trainThroughTheDialog()
    {
        // A project without a model, one test image reviewed Good: train the way a user does,
        // Model → Train…, fill in the dialog, press Train, wait; then score.
        {
            ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
            project.deleteModel(scored_->modelId());
            ds::ReviewRecord review;
            review.imageId = project.images(ds::Split::Test).front().id;
            review.verdict = ds::Verdict::Good;
            review.reviewer = "tester";
            project.addReview(review);
        }
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project_));
        QCOMPARE(window.modelsModel()->rowCount(), 0);
        bool filled = false;
        bool estimateShown = false;
        QTimer::singleShot(0, &window, [&filled, &estimateShown] {
            auto* dialog = qobject_cast<ds::ui::TrainDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            auto* method = dialog->findChild<QComboBox*>(QStringLiteral("methodBox"));
            auto* estimate = dialog->findChild<QLabel*>(QStringLiteral("estimateLabel"));
            auto* backbone = dialog->findChild<QComboBox*>(QStringLiteral("backboneBox"));
            // A network trained from scratch: its own network, minutes of training shown before starting.
            method->setCurrentIndex(method->findData(QStringLiteral("draem")));
            const bool networkEstimated
                = estimate->text().contains(QRegularExpression(QStringLiteral("about \\d+ min for [1-9]\\d* good images")));
            const bool backboneDisabled = !backbone->isEnabled();
            method->setCurrentIndex(method->findData(QStringLiteral("patchcore")));
            estimateShown = networkEstimated && backboneDisabled && backbone->isEnabled()
                && estimate->text().contains(QStringLiteral(" s for "));
            dialog->findChild<QSpinBox*>(QStringLiteral("imageSizeBox"))->setValue(64);
            QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("modelNameEdit")), QStringLiteral("from-dialog"));
            filled = true;
            const auto buttons = dialog->findChildren<QPushButton*>();
            for (QPushButton* button : buttons)
                if (button->text() == QStringLiteral("Train"))
                    QTest::mouseClick(button, Qt::LeftButton);
        });
        QSignalSpy finished(&window, &MainWindow::jobFinished);
        window.findChild<QAction*>(QStringLiteral("trainAction"))->trigger(); // returns once the dialog closes
        QVERIFY(filled);
        QVERIFY(estimateShown);
        QVERIFY(finished.wait(kJobTimeoutMs) || !finished.isEmpty());
        QVERIFY(finished.first().first().toBool());
        QCOMPARE(window.modelsModel()->rowCount(), 1);
        QCOMPARE(window.modelsModel()->index(0, 0).data().toString(), QStringLiteral("from-dialog"));
        QCOMPARE(window.modelsModel()->index(0, 1).data().toString(), QStringLiteral("patchcore"));
        QVERIFY(runJob(window, [&] { window.findChild<QAction*>(QStringLiteral("scoreAction"))->trigger(); }));
        QCOMPARE(window.reviewPage()->resultsProxy()->rowCount(), testImages_);
        QVERIFY(ds::test::rankedByScoreDescending(*window.reviewPage()->resultsProxy()));

        // The one test image reviewed Good joins the training set, and a model with the same
        // settings is trained on it.
        const size_t trainBefore = ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Train).size();
        QVERIFY(runJob(window, [&] { QVERIFY(window.modelsPage()->retrainWithReviewedGood()); }));
        const ds::ProjectFile copy = ds::ProjectFile::open(project_.toStdString());
        QCOMPARE(copy.images(ds::Split::Train).size(), trainBefore + 1);
        QCOMPARE(copy.models().size(), size_t(2));
        QCOMPARE(copy.models().back().method, std::string("patchcore"));
        QVERIFY(QString::fromStdString(copy.models().back().name).endsWith(QStringLiteral("+ 1 reviewed")));
        QVERIFY(copy.models().back().nTrain > copy.models().front().nTrain);
        QVERIFY(!window.modelsPage()->retrainWithReviewedGood()); // nothing left to move
    }

    // On a 1366 px screen nothing falls off: long texts elide or wrap, the window never
    // widens itself, in review or in mask mode.
    void windowFitsA1366PixelScreen()
    {
        MainWindow window;
        window.resize(1300, 800);
        window.show();
        QVERIFY(window.openProject(project_));
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto widest = [&] { return std::max(window.minimumSizeHint().width(), window.minimumWidth()); };
        qInfo("minimum width: %d", widest());
        QVERIFY2(widest() <= 1366, qPrintable(QString::number(widest())));
        window.findChild<QAction*>(QStringLiteral("editMaskAction"))->setChecked(true);
        QCoreApplication::processEvents();
        qInfo("minimum width in mask mode: %d", widest());
        QVERIFY2(widest() <= 1366, qPrintable(QString::number(widest())));
        QCOMPARE(window.width(), 1300);
    }

    void trainDialogOffersRegistryAndDefaults()
    {
        // The dialog opens on the same defaults as the command line: DetectorSettings'.
        ds::ui::TrainDialog dialog;
        const ds::DetectorSettings settings = dialog.settings();
        const ds::DetectorSettings defaults;
        QCOMPARE(settings.method, defaults.method);
        QCOMPARE(settings.backbone, defaults.backbone);
        QCOMPARE(settings.imageSize, defaults.imageSize);
        QCOMPARE(settings.keepAspectRatio, defaults.keepAspectRatio);
        QCOMPARE(settings.automaticAspect, defaults.automaticAspect);
        const ds::DetectorInfo& defaultMethod = ds::detectorInfo(defaults.method);
        QCOMPARE(settings.parameters.size(), defaultMethod.parameters.size());
        for (const ds::ParameterSpec& spec : defaultMethod.parameters)
            QCOMPARE(settings.parameters.at(spec.key), spec.defaultValue);

        const auto combos = dialog.findChildren<QComboBox*>();
        QVERIFY(combos.size() >= 2);
        QComboBox* method = combos.first();
        QCOMPARE(method->count(), int(ds::detectorRegistry().size()));
        // Switching method rebuilds the parameter form with that method's specs.
        for (int i = 0; i < method->count(); ++i) {
            method->setCurrentIndex(i);
            const ds::DetectorInfo& info = ds::detectorRegistry()[size_t(i)];
            QCOMPARE(dialog.settings().method, info.method);
            QCOMPARE(dialog.settings().parameters.size(), info.parameters.size());
            // Each method starts from its own measured backbone (STFPM's teacher: resnet18).
            if (info.usesBackboneSetting)
                QCOMPARE(dialog.settings().backbone, info.defaultBackbone);
            QCOMPARE(method->itemData(i, Qt::ToolTipRole).toString(), QString::fromStdString(info.description));
        }

        // A parameter with named choices is a list of those names; the choice is its index.
        method->setCurrentIndex(method->findData(QStringLiteral("padim")));
        const auto lists = dialog.findChildren<QComboBox*>();
        const auto normalisation = std::find_if(lists.begin(), lists.end(),
                                                [](QComboBox* box) { return box->findText(QStringLiteral("Per image")) >= 0; });
        QVERIFY(normalisation != lists.end());
        QCOMPARE((*normalisation)->count(), 3);
        (*normalisation)->setCurrentIndex((*normalisation)->findText(QStringLiteral("Per image")));
        QCOMPARE(dialog.settings().parameters.at("input_normalisation"), 1.0);
    }

    void badProjectIsReportedNotThrown()
    {
        MainWindow window;
        const QString notAProject = dir_.filePath(QStringLiteral("junk.dsproj"));
        QFile junk(notAProject);
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("this is not a sqlite database, just some text that is long enough to be read");
        junk.close();
        QVERIFY(!window.openProject(notAProject));
        QVERIFY(window.projectPath().isEmpty());
        // The reason is in sight, not behind Show Details.
        auto* box = window.findChild<QMessageBox*>();
        QVERIFY(box);
        QVERIFY2(box->informativeText().contains(QStringLiteral("not a DefectScope project")),
                 qPrintable(box->informativeText()));
        QVERIFY(box->detailedText().isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
