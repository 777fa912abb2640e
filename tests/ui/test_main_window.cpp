// MainWindow driven through the same public slots its menu actions use: new project,
// import a synthetic MVTec dataset, train, score, rank, move the threshold, cancel a
// training job, and reopen the project in a fresh window.
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"
#include "ui/MainWindow.h"
#include "ui/TrainDialog.h"
#include "ui/models/ResultsModel.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/ImagePane.h"
#include "ui/review/MaskEditor.h"
#include "core/review/ReviewQueue.h"
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

int defectVerdicts(const QAbstractItemModel& model)
{
    int count = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        count += model.index(row, ResultsModel::VerdictColumn).data().toString() == QStringLiteral("Defect");
    return count;
}

int scoresAtOrAbove(const QAbstractItemModel& model, double threshold)
{
    int count = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        count += model.index(row, 0).data(ResultsModel::ScoreRole).toDouble() >= threshold;
    return count;
}

bool rankedByScoreDescending(const QAbstractItemModel& model)
{
    for (int row = 1; row < model.rowCount(); ++row)
        if (model.index(row - 1, 0).data(ResultsModel::ScoreRole).toDouble()
            < model.index(row, 0).data(ResultsModel::ScoreRole).toDouble())
            return false;
    return true;
}

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
    QString dataset_;
    QString project_;
    int testImages_ = 0;
    std::unique_ptr<MainWindow> window_;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("DefectScopeTests"));
        QSettings().clear();
        QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("tester"));
        QVERIFY(dir_.isValid());
        const ds::SyntheticSpec spec = ds::test::smallPartSpec();
        dataset_ = QString::fromStdString(ds::writeSyntheticDataset(dir_.filePath(QStringLiteral("data")).toStdString(), spec));
        testImages_ = ds::test::testImageCount(spec);
        project_ = dir_.filePath(QStringLiteral("inspection.dsproj"));
        window_ = std::make_unique<MainWindow>();
        window_->show();
    }

    void noProjectDisablesActions()
    {
        QVERIFY(window_->projectPath().isEmpty());
        QCOMPARE(window_->windowTitle(), QStringLiteral("DefectScope"));
        QVERIFY(actionEnabled(*window_, "newProjectAction"));
        QVERIFY(actionEnabled(*window_, "openProjectAction"));
        QVERIFY(!actionEnabled(*window_, "importDatasetAction"));
        QVERIFY(!actionEnabled(*window_, "importImagesAction"));
        QVERIFY(!actionEnabled(*window_, "trainAction"));
        QVERIFY(!actionEnabled(*window_, "scoreAction"));
        // Without a project a job refuses to start.
        QVERIFY(!runJob(*window_, [&] { window_->scoreTestImages(); }));
        QVERIFY(!window_->isJobRunning());
    }

    void importTrainAndScore()
    {
        QSignalSpy changed(window_.get(), &MainWindow::projectChanged);
        QVERIFY(window_->openProject(project_));
        QCOMPARE(changed.count(), 1);
        QVERIFY(window_->windowTitle().contains(QStringLiteral("inspection.dsproj")));
        QVERIFY(actionEnabled(*window_, "importDatasetAction"));
        QVERIFY(actionEnabled(*window_, "trainAction"));
        QVERIFY(!actionEnabled(*window_, "scoreAction")); // no model yet

        QVERIFY(runJob(*window_, [&] { window_->importDataset(dataset_); }));
        QVERIFY(!window_->isJobRunning());

        QVERIFY(runJob(*window_, [&] { window_->startTraining(ds::test::smallSettings(), QStringLiteral("gui-model")); }));
        QCOMPARE(window_->modelsModel()->rowCount(), 1);
        QCOMPARE(window_->modelsModel()->index(0, 0).data().toString(), QStringLiteral("gui-model"));
        QCOMPARE(window_->modelsModel()->index(0, 1).data().toString(), QStringLiteral("padim"));
        QVERIFY(window_->modelsPage()->view()->selectedModelId() != 0); // the new model is selected
        QCOMPARE(window_->reviewPage()->resultsProxy()->rowCount(), 0); // not scored yet
        QVERIFY(actionEnabled(*window_, "scoreAction"));

        // Rows appear one by one while scoring, before the finished run replaces them.
        QSignalSpy inserted(window_->reviewPage()->resultsModel(), &QAbstractItemModel::rowsInserted);
        // Live rows already know the truth (the dataset's labels here), like the finished run's.
        int liveRowsWithTruth = 0;
        const auto counting = connect(window_->reviewPage()->resultsModel(), &QAbstractItemModel::rowsInserted, this,
                                      [&](const QModelIndex&, int first, int) {
                                          liveRowsWithTruth
                                              += window_->reviewPage()->resultsModel()->rows()[size_t(first)].truth.has_value();
                                      });
        bool lockedWhileScoring = false;
        QVERIFY(runJob(*window_, [&] {
            window_->scoreTestImages();
            // Another model's rows must not mix with the live ones, nor the threshold move.
            lockedWhileScoring = !window_->modelsPage()->view()->isEnabled()
                && !window_->reviewPage()->thresholdSlider()->isEnabled() && actionEnabled(*window_, "cancelJobAction");
        }));
        QVERIFY(lockedWhileScoring);
        QVERIFY(window_->modelsPage()->view()->isEnabled());
        QVERIFY(window_->reviewPage()->thresholdSlider()->isEnabled());
        QVERIFY(!actionEnabled(*window_, "cancelJobAction")); // Esc does nothing without a job
        QCOMPARE(inserted.count(), testImages_);
        disconnect(counting);
        QCOMPARE(liveRowsWithTruth, testImages_);
        QCOMPARE(window_->reviewPage()->resultsProxy()->rowCount(), testImages_);
        // The job log kept what happened.
        const QString log = window_->jobPanel()->log()->toPlainText();
        QVERIFY(log.contains(QStringLiteral("Training started.")));
        QVERIFY(log.contains(QStringLiteral("Scored %1 images.").arg(testImages_)));
        // What was held out to set the threshold is said, not hidden in the count.
        QVERIFY2(log.contains(QRegularExpression(
                     QStringLiteral("Trained on \\d+ images in .* \\(\\d+ images? held out to set the threshold\\)"))),
                 qPrintable(log));
    }

    void filtersAndNavigation()
    {
        ds::ui::ResultsFilterProxy& proxy = *window_->reviewPage()->resultsProxy();
        const ResultsModel& source = *window_->reviewPage()->resultsModel();
        const int all = proxy.rowCount();
        QCOMPARE(all, testImages_);

        window_->reviewPage()->showFilter()->setCurrentIndex(
            window_->reviewPage()->showFilter()->findData(int(ds::ui::ResultsFilterProxy::Show::Flagged)));
        QCOMPARE(proxy.rowCount(), source.defectCount());
        for (int row = 0; row < proxy.rowCount(); ++row)
            QVERIFY(proxy.index(row, 0).data(ResultsModel::DefectRole).toBool());
        // The filter follows the threshold: at the top score at most one image stays flagged.
        QSlider* slider = window_->reviewPage()->thresholdSlider();
        const int saved = slider->value();
        slider->setValue(slider->maximum());
        QVERIFY(proxy.rowCount() <= 1);
        slider->setValue(slider->minimum());
        QCOMPARE(proxy.rowCount(), all);
        slider->setValue(saved);

        window_->reviewPage()->showFilter()->setCurrentIndex(
            window_->reviewPage()->showFilter()->findData(int(ds::ui::ResultsFilterProxy::Show::Misclassified)));
        int misclassified = 0;
        for (const ResultsModel::Row& row : source.rows())
            misclassified += row.truth && (row.score >= source.threshold()) != *row.truth;
        QCOMPARE(proxy.rowCount(), misclassified);
        window_->reviewPage()->showFilter()->setCurrentIndex(0);
        QCOMPARE(proxy.rowCount(), all);

        // One entry per label besides "All labels"; picking one shows only its images.
        QComboBox* labels = window_->reviewPage()->labelFilter();
        QCOMPARE(labels->count(), 1 + 1 + int(ds::defectTypes("part").size()));
        labels->setCurrentIndex(labels->findData(QStringLiteral("good")));
        QCOMPARE(proxy.rowCount(), 4);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, ResultsModel::LabelColumn).data().toString(), QStringLiteral("good"));
        QVERIFY(rankedByScoreDescending(proxy));
        labels->setCurrentIndex(0);
        QCOMPARE(proxy.rowCount(), all);

        // Next / previous walk the ranked list and show each image.
        window_->reviewPage()->resultsView()->setCurrentIndex(proxy.index(0, 0));
        const qint64 first = window_->reviewPage()->imageId();
        window_->findChild<QAction*>(QStringLiteral("nextImageAction"))->trigger();
        QCOMPARE(window_->reviewPage()->resultsView()->currentIndex().row(), 1);
        QCOMPARE(window_->reviewPage()->imageId(), proxy.index(1, 0).data(ResultsModel::ImageIdRole).toLongLong());
        // Decoded off the GUI thread, then shown.
        QTRY_COMPARE(window_->reviewPage()->shownImageId(), window_->reviewPage()->imageId());
        QVERIFY(window_->reviewPage()->imagePane()->hasImage());
        window_->findChild<QAction*>(QStringLiteral("previousImageAction"))->trigger();
        QCOMPARE(window_->reviewPage()->imageId(), first);
        window_->reviewPage()->previousImage(); // at the top: stays
        QCOMPARE(window_->reviewPage()->imageId(), first);
    }

    void resultsAreRankedAndShown()
    {
        const QAbstractItemModel& results = *window_->reviewPage()->resultsProxy();
        QVERIFY(results.rowCount() > 0);
        QVERIFY(rankedByScoreDescending(results));
        // Defects rank above good images on this easy dataset, at least at the very top.
        QVERIFY(results.index(0, ResultsModel::LabelColumn).data().toString() != QStringLiteral("good"));
        // The top row is selected and its overlay shown.
        QCOMPARE(window_->reviewPage()->resultsView()->currentIndex().row(), 0);
        QTRY_VERIFY(window_->reviewPage()->imagePane()->hasImage());
    }

    void reviewWithTheKeyboard()
    {
        ds::ui::ResultsFilterProxy& proxy = *window_->reviewPage()->resultsProxy();
        QTableView* table = window_->reviewPage()->resultsView();
        table->setCurrentIndex(proxy.index(0, 0));
        table->setFocus();
        QApplication::setActiveWindow(window_.get());
        QVERIFY(QTest::qWaitForWindowActive(window_.get()));
        const qint64 first = proxy.index(0, 0).data(ResultsModel::ImageIdRole).toLongLong();
        const qint64 second = proxy.index(1, 0).data(ResultsModel::ImageIdRole).toLongLong();
        const qint64 third = proxy.index(2, 0).data(ResultsModel::ImageIdRole).toLongLong();
        const bool firstIsDefect = proxy.index(0, 0).data(ResultsModel::DefectRole).toBool();
        const double threshold = window_->reviewPage()->currentThreshold();

        // G, D, U on the top three: each recorded, each moving on to the next image.
        QTest::keyClick(table, Qt::Key_G);
        QCOMPARE(window_->reviewPage()->imageId(), second);
        QTest::keyClick(table, Qt::Key_D);
        QCOMPARE(window_->reviewPage()->imageId(), third);
        QTest::keyClick(table, Qt::Key_U);
        QCOMPARE(proxy.index(0, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Good"));
        QCOMPARE(proxy.index(1, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Defect"));
        QCOMPARE(proxy.index(2, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Unsure"));
        // The model's verdict is untouched by the person's.
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::DefectRole).toBool(), firstIsDefect);

        // Every verdict is in the project with who, when and what was shown.
        {
            const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
            const std::vector<ds::ReviewRecord> reviews = project.reviews(first);
            QCOMPARE(reviews.size(), size_t(1));
            QCOMPARE(reviews[0].verdict, ds::Verdict::Good);
            QCOMPARE(QString::fromStdString(reviews[0].reviewer), QStringLiteral("tester"));
            QVERIFY(!reviews[0].createdAt.empty());
            QVERIFY(reviews[0].context.modelId && reviews[0].context.runId);
            QCOMPARE(*reviews[0].context.threshold, threshold);
            QCOMPARE(project.latestReviews().size(), size_t(3));
        }
        // The top image was a defect by its label: judged Good, it now counts as good, so the
        // plots' labels follow the reviewer (the top score is a false positive now if flagged).
        const ds::Confusion confusion = window_->reviewPage()->thresholdPlots()->confusion();
        int truthGood = 0, truthDefect = 0;
        for (const ResultsModel::Row& row : window_->reviewPage()->resultsModel()->rows())
            if (row.truth)
                (*row.truth ? truthDefect : truthGood) += 1;
        QCOMPARE(confusion.tn + confusion.fp, truthGood);
        QCOMPARE(confusion.tp + confusion.fn, truthDefect);
        QCOMPARE(window_->reviewPage()->resultsModel()->row(first)->truth, std::optional<bool>(false));
        QVERIFY(window_->reviewPage()->thresholdPlots()->summaryText().contains(QStringLiteral("2 from reviewers")));
        QTRY_VERIFY_WITH_TIMEOUT(
            window_->reviewPage()->metricsLabel()->text().contains(QStringLiteral("2 labels from reviewers")), 20000);

        // The history of the first image, shown when it is selected again.
        window_->reviewPage()->selectImage(first);
        QCOMPARE(window_->reviewPage()->historyView()->topLevelItemCount(), 1);
        QCOMPARE(window_->reviewPage()->historyView()->topLevelItem(0)->text(1), QStringLiteral("tester"));
        QVERIFY(window_->reviewPage()->historyView()->topLevelItem(0)->text(2).contains(QStringLiteral("good")));
        QVERIFY(window_->reviewPage()->reviewPanel()->humanVerdictText().contains(QStringLiteral("Good")));

        // The queue of images nobody reviewed yet.
        window_->reviewPage()->showFilter()->setCurrentIndex(
            window_->reviewPage()->showFilter()->findData(int(ds::ui::ResultsFilterProxy::Show::Unreviewed)));
        QCOMPARE(proxy.rowCount(), testImages_ - 3);
        window_->reviewPage()->showFilter()->setCurrentIndex(0);

        // A filter picked from its list hands the keys back to reviewing: N steps to the
        // next image instead of picking "Not yet reviewed" in the focused box.
        QComboBox* show = window_->reviewPage()->showFilter();
        show->setFocus();
        QVERIFY(show->hasFocus());
        Q_EMIT show->activated(0);
        window_->reviewPage()->selectImage(first);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_N);
        QCOMPARE(show->currentIndex(), 0);
        QCOMPARE(window_->reviewPage()->imageId(), second);

        // Nearest the threshold first: the order core gives, then back to the score ranking.
        window_->reviewPage()->setReviewOrder(int(ds::ui::ReviewPanel::Order::NearestThreshold));
        std::vector<std::int64_t> ids;
        std::vector<double> scores;
        for (const ResultsModel::Row& row : window_->reviewPage()->resultsModel()->rows()) {
            ids.push_back(row.imageId);
            scores.push_back(row.score);
        }
        const std::vector<std::int64_t> expected
            = ds::reviewOrder(ids, scores, window_->reviewPage()->currentThreshold(), ds::ReviewOrder::NearestThresholdFirst);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, 0).data(ResultsModel::ImageIdRole).toLongLong(), expected[size_t(row)]);
        window_->reviewPage()->setReviewOrder(int(ds::ui::ReviewPanel::Order::HighestScore));
        QVERIFY(rankedByScoreDescending(proxy));
    }

    void maskEditsAreSavedWithUndo()
    {
        // The top image, a defect with a ground-truth mask from the dataset.
        window_->reviewPage()->resultsView()->setCurrentIndex(window_->reviewPage()->resultsProxy()->index(0, 0));
        const qint64 imageId = window_->reviewPage()->imageId();
        const cv::Mat original = ds::ProjectFile::open(project_.toStdString()).mask(imageId);
        QVERIFY(!original.empty());
        QTRY_COMPARE(window_->reviewPage()->shownImageId(), imageId);

        window_->findChild<QAction*>(QStringLiteral("editMaskAction"))->setChecked(true);
        QVERIFY(window_->reviewPage()->imagePane()->isMaskEditingEnabled());
        window_->reviewPage()->imagePane()->maskEditor()->acceptPredictedRegion();
        const cv::Mat edited = window_->reviewPage()->imagePane()->currentMask();
        {
            const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
            const std::vector<ds::MaskEditRecord> edits = project.maskEdits(imageId);
            QCOMPARE(edits.size(), size_t(1));
            QCOMPARE(QString::fromStdString(edits[0].action), QStringLiteral("accept predicted region"));
            QCOMPARE(QString::fromStdString(edits[0].reviewer), QStringLiteral("tester"));
            QVERIFY(edits[0].context.threshold.has_value());
            QCOMPARE(cv::countNonZero(project.mask(imageId) != edited), 0);
        }
        QVERIFY(window_->reviewPage()
                    ->historyView()
                    ->topLevelItem(window_->reviewPage()->historyView()->topLevelItemCount() - 1)
                    ->text(2)
                    .contains(QStringLiteral("accept predicted region")));

        // Undo restores the dataset's mask exactly, and is itself recorded.
        window_->reviewPage()->imagePane()->undoStack()->undo();
        {
            const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
            QCOMPARE(project.maskEdits(imageId).size(), size_t(2));
            QCOMPARE(cv::countNonZero(project.mask(imageId) != original), 0);
        }
        window_->findChild<QAction*>(QStringLiteral("editMaskAction"))->setChecked(false);
    }

    void exportResultsWritesOneRowPerImage()
    {
        ds::ResultsExportOptions options;
        options.csvPath = dir_.filePath(QStringLiteral("results.csv")).toStdString();
        options.pngFolder = dir_.filePath(QStringLiteral("pngs")).toStdString();
        options.heatmaps = false;
        QVERIFY(runJob(*window_, [&] { window_->reviewPage()->exportResults(options); }));
        QFile csv(QString::fromStdString(options.csvPath));
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.value(0), QStringLiteral("path,score,model_verdict,human_verdict,defect_types,label"));
        QCOMPARE(lines.size(), testImages_ + 1);
        QCOMPARE(lines.filter(QStringLiteral(",good,good,")).size() + lines.filter(QStringLiteral(",defect,good,")).size(), 1);
        // An overlay and, for images with a mask, the mask; no heatmaps.
        const QStringList pngs = QDir(QString::fromStdString(options.pngFolder)).entryList({QStringLiteral("*.png")});
        QCOMPARE(pngs.filter(QStringLiteral("_overlay.png")).size(), testImages_);
        QVERIFY(!pngs.filter(QStringLiteral("_mask.png")).isEmpty());
        QVERIFY(pngs.filter(QStringLiteral("_heatmap.png")).isEmpty());

        // Reports for stakeholders, at the threshold shown.
        const QString html = dir_.filePath(QStringLiteral("report.html"));
        QVERIFY(runJob(*window_, [&] { window_->reviewPage()->exportReport(html); }));
        QFile htmlFile(html);
        QVERIFY(htmlFile.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(htmlFile.readAll());
        QVERIFY(text.contains(QStringLiteral("id=\"image-auroc\"")));
        // Shown in the detector's units with four significant digits.
        const double threshold = window_->reviewPage()->currentThreshold();
        const int decimals = std::clamp(3 - int(std::floor(std::log10(std::abs(threshold)))), 0, 12);
        QVERIFY2(text.contains(QString::number(threshold, 'f', decimals)),
                 qPrintable(QStringLiteral("threshold %1").arg(threshold)));
        const QString pdf = dir_.filePath(QStringLiteral("report.pdf"));
        QVERIFY(runJob(*window_, [&] { window_->reviewPage()->exportReport(pdf); }));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.read(5) == "%PDF-");
    }

    void thresholdSliderChangesVerdicts()
    {
        QSlider* slider = window_->reviewPage()->thresholdSlider();
        QVERIFY(slider->isEnabled());
        const QAbstractItemModel& results = *window_->reviewPage()->resultsProxy();
        // Initially the run's threshold.
        QCOMPARE(defectVerdicts(results), scoresAtOrAbove(results, window_->reviewPage()->currentThreshold()));

        slider->setValue(slider->minimum());
        const int atMinimum = defectVerdicts(results);
        QCOMPARE(atMinimum, results.rowCount()); // minimum = lowest score: everything is a defect
        QCOMPARE(atMinimum, scoresAtOrAbove(results, window_->reviewPage()->currentThreshold()));

        slider->setValue((slider->minimum() + slider->maximum()) / 2);
        const int atMiddle = defectVerdicts(results);
        QCOMPARE(atMiddle, scoresAtOrAbove(results, window_->reviewPage()->currentThreshold()));

        slider->setValue(slider->maximum());
        const int atMaximum = defectVerdicts(results);
        QCOMPARE(atMaximum, scoresAtOrAbove(results, window_->reviewPage()->currentThreshold()));
        QVERIFY(atMaximum <= 1);
        QVERIFY(atMinimum >= atMiddle);
        QVERIFY(atMiddle >= atMaximum);
        QVERIFY(atMinimum > atMaximum);
        QVERIFY(rankedByScoreDescending(results)); // verdicts change, ranking does not
    }

    void inspectImageWithoutAddingIt()
    {
        // The top-ranked test image, inspected alone, scores as it did in the run.
        const QModelIndex top = window_->reviewPage()->resultsProxy()->index(0, 0);
        const double runScore = top.data(ResultsModel::ScoreRole).toDouble();
        const QString relative = top.data().toString(); // "<type>/<file>"
        const QString path = QDir(dataset_).filePath(QStringLiteral("test/") + relative);
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        const size_t imagesBefore = ds::ProjectFile::open(project_.toStdString()).images().size();

        QSignalSpy inspected(window_->inspectPanel(), &ds::ui::InspectPanel::inspected);
        window_->openOrImportPaths({}); // nothing dropped: nothing happens
        window_->centralTabs()->setCurrentWidget(window_->inspectPanel());
        window_->inspectPanel()->inspectFile(path);
        QVERIFY(inspected.wait(kJobTimeoutMs) || !inspected.isEmpty());
        const double score = inspected.first().at(0).toDouble();
        QVERIFY2(std::abs(score - runScore) <= 1e-3 * std::max(1.0, std::abs(runScore)),
                 qPrintable(QStringLiteral("%1 vs %2").arg(score).arg(runScore)));
        // The verdict agrees with the run's, unless the score sits on the threshold itself
        // (it may be set to a run score), where the tolerance above allows either.
        const double threshold = window_->reviewPage()->currentThreshold();
        if (std::abs(runScore - threshold) > 1e-3 * std::max(1.0, std::abs(runScore)))
            QVERIFY2(inspected.first().at(1).toBool() == (runScore >= threshold),
                     qPrintable(QStringLiteral("score %1, threshold %2").arg(runScore).arg(threshold)));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).images().size(), imagesBefore);
        window_->centralTabs()->setCurrentIndex(0);
    }

    void droppedImagesImportOnceEach()
    {
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

        QVERIFY(runJob(*window_, [&] {
            window_->openOrImportPaths({fresh, QDir(trainFolder).filePath(trainFiles[1]), broken});
        }));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Train).size(), before + 1);
        // Dropping the same files again adds nothing.
        QVERIFY(runJob(*window_, [&] { window_->openOrImportPaths({fresh}); }));
        QCOMPARE(ds::ProjectFile::open(project_.toStdString()).images(ds::Split::Train).size(), before + 1);
        QCOMPARE(window_->reviewPage()->resultsProxy()->rowCount(), testImages_); // the run shown is unchanged
    }

    void cancelledTrainingAddsNoModel()
    {
        ds::DetectorSettings settings = ds::test::smallSettings();
        settings.imageSize = 256; // slower, so the cancel lands mid-job
        QSignalSpy finished(window_.get(), &MainWindow::jobFinished);
        window_->startTraining(settings, QStringLiteral("cancelled-model"));
        QVERIFY(window_->isJobRunning());
        // One job at a time: everything that starts one is disabled meanwhile.
        QVERIFY(!actionEnabled(*window_, "trainAction"));
        QVERIFY(!actionEnabled(*window_, "scoreAction"));
        QVERIFY(!actionEnabled(*window_, "importDatasetAction"));
        QVERIFY(window_->findChild<QWidget*>(QStringLiteral("jobPanel"))->isVisible());
        auto* cancel = window_->findChild<QPushButton*>(QStringLiteral("cancelJobButton"));
        QVERIFY(cancel && cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(finished.wait(60000) || !finished.isEmpty());
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(!window_->isJobRunning());
        QVERIFY(!window_->findChild<QWidget*>(QStringLiteral("jobPanel"))->isVisible());
        QVERIFY(actionEnabled(*window_, "trainAction"));
        QCOMPARE(window_->modelsModel()->rowCount(), 1);
        const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
        QCOMPARE(project.models().size(), size_t(1));
        // The window is usable again afterwards.
        QCOMPARE(window_->reviewPage()->resultsProxy()->rowCount(), testImages_);
    }

    void reopenedProjectShowsModelAndResults()
    {
        std::vector<double> scores;
        for (int row = 0; row < window_->reviewPage()->resultsProxy()->rowCount(); ++row)
            scores.push_back(window_->reviewPage()->resultsProxy()->index(row, 0).data(ResultsModel::ScoreRole).toDouble());
        const double userThreshold = window_->reviewPage()->currentThreshold(); // moved by the slider test
        window_->reviewPage()->nextImage();
        const qint64 shownImage = window_->reviewPage()->imageId();
        QVERIFY(shownImage != 0);
        window_.reset();

        MainWindow reopened;
        reopened.show();
        QVERIFY(reopened.openProject(project_));
        QCOMPARE(reopened.modelsModel()->rowCount(), 1);
        QCOMPARE(reopened.modelsModel()->index(0, 0).data().toString(), QStringLiteral("gui-model"));
        QCOMPARE(reopened.reviewPage()->resultsProxy()->rowCount(), testImages_);
        QVERIFY(rankedByScoreDescending(*reopened.reviewPage()->resultsProxy()));
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
        const QString copy = dir_.filePath(QStringLiteral("queue.dsproj"));
        ds::ProjectFile::open(project_.toStdString()).saveCopyAs(copy.toStdString());
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
        std::vector<std::int64_t> ids;
        std::vector<double> scores;
        for (const ResultsModel::Row& row : window.reviewPage()->resultsModel()->rows()) {
            ids.push_back(row.imageId);
            scores.push_back(row.score);
        }
        const std::vector<std::int64_t> expected
            = ds::reviewOrder(ids, scores, window.reviewPage()->currentThreshold(), ds::ReviewOrder::NearestThresholdFirst);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, 0).data(ResultsModel::ImageIdRole).toLongLong(), expected[size_t(row)]);
    }

    // A run a kill left behind is offered for resuming or discarding when the project opens.
    void interruptedRunIsResumedOrDiscarded()
    {
        const QString copy = dir_.filePath(QStringLiteral("interrupted.dsproj"));
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
        ds::ProjectFile::open(project_.toStdString()).saveCopyAs(copy.toStdString());
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
        // Train in the copy (its model was deleted above) the way a user does: Model → Train…,
        // fill in the dialog, press Train, wait; then score.
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(dir_.filePath(QStringLiteral("copy.dsproj"))));
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
        QVERIFY(rankedByScoreDescending(*window.reviewPage()->resultsProxy()));

        // The one test image reviewed Good (the copy kept the verdicts) joins the training
        // set, and a model with the same settings is trained on it.
        const size_t trainBefore
            = ds::ProjectFile::open(dir_.filePath(QStringLiteral("copy.dsproj")).toStdString()).images(ds::Split::Train).size();
        QVERIFY(runJob(window, [&] { QVERIFY(window.modelsPage()->retrainWithReviewedGood()); }));
        const ds::ProjectFile copy = ds::ProjectFile::open(dir_.filePath(QStringLiteral("copy.dsproj")).toStdString());
        QCOMPARE(copy.images(ds::Split::Train).size(), trainBefore + 1);
        QCOMPARE(copy.models().size(), size_t(2));
        QCOMPARE(copy.models().back().method, std::string("patchcore"));
        QVERIFY(QString::fromStdString(copy.models().back().name).endsWith(QStringLiteral("+ 1 reviewed")));
        QVERIFY(copy.models().back().nTrain > copy.models().front().nTrain);
        QVERIFY(!window.modelsPage()->retrainWithReviewedGood()); // nothing left to move
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
            QCOMPARE(method->itemData(i, Qt::ToolTipRole).toString(), QString::fromStdString(info.description));
        }

        // A parameter with named choices is a list of those names; the choice is its index.
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
