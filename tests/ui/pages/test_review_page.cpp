// The review page on its own, each test on a fresh copy of a scored project: the ranked
// results with filters and navigation, verdicts by keyboard, mask edits with undo, the
// threshold, exports, and what is kept for the next time the project opens.
#include "core/jobs/RunMetrics.h"
#include "tests/support/ResultsOrder.h"
#include "tests/support/ScoredProject.h"
#include "ui/ImagePane.h"
#include "ui/ReviewPanel.h"
#include "ui/jobs/JobRunner.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ResultsModel.h"
#include "ui/models/ResultsPane.h"
#include "ui/pages/ReviewPage.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/review/DefectTypesDialog.h"
#include "ui/review/MaskEditor.h"
#include "ui/review/ReviewHistoryView.h"
#include "ui/widgets/ColourBar.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <memory>

using ds::ui::ResultsModel;
using ds::ui::ReviewPage;

namespace {

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

// The page in a window of its own, as the workbench places it, with its actions and a job
// runner for what it asks to run.
class Host {
public:
    explicit Host(const QString& path)
        : path_(path)
        , project_(ds::ProjectFile::open(path.toStdString()))
    {
        page_ = new ReviewPage(&models_, &window_);
        auto* layout = new QHBoxLayout(&window_);
        layout->addWidget(page_->resultsPane());
        layout->addWidget(page_->reviewTab());
        page_->addNavigationActions(&menu_);
        page_->addReviewActions(&menu_);
        page_->addExportActions(&menu_);
        QObject::connect(page_, &ReviewPage::jobRequested, &jobs_,
                         [this](const QString& title, const ds::ui::JobRunner::Work& work) { jobs_.start(title, work); });
        models_.setSummaries(ds::modelSummaries(project_));
        page_->setProject(&project_, path);
        page_->showModel(models_.modelIdAt(0));
        page_->updateActions(true);
        window_.resize(1200, 800);
        window_.show();
    }

    ReviewPage& page() { return *page_; }
    QWidget& window() { return window_; }
    ds::ProjectFile& project() { return project_; }
    QAction* action(const char* name) { return menu_.findChild<QAction*>(QString::fromLatin1(name)); }
    // Runs what the page asked for and returns whether it succeeded.
    bool runRequestedJob(const std::function<void()>& request)
    {
        QSignalSpy finished(&jobs_, &ds::ui::JobRunner::finished);
        request();
        if (!jobs_.isRunning() && finished.isEmpty())
            return false;
        if (finished.isEmpty() && !finished.wait(300000))
            return false;
        return finished.first().first().value<ds::ui::JobOutcome>().status == ds::ui::JobOutcome::Status::Succeeded;
    }

private:
    QString path_;
    ds::ProjectFile project_; // outlives the page, which writes through it until destroyed
    ds::ui::ModelsModel models_;
    ds::ui::JobRunner jobs_;
    QMenu menu_;
    QWidget window_;
    ReviewPage* page_ = nullptr; // owned by window_
};

} // namespace

Q_DECLARE_METATYPE(ds::ui::JobOutcome)

class TestReviewPage : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<ds::test::ScoredProject> scored_;
    QString path_; // this test's own copy
    int testImages_ = 0;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ds::ui::JobOutcome>();
        QCoreApplication::setOrganizationName(QStringLiteral("DefectScopeTests"));
        QSettings().clear();
        QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("tester"));
        QVERIFY(dir_.isValid());
        scored_ = std::make_unique<ds::test::ScoredProject>(dir_.path());
        testImages_ = scored_->testImages();
    }

    void init() { path_ = scored_->copy(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".dsproj")); }

    void resultsAreRankedAndShown()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        const QAbstractItemModel& results = *page.resultsProxy();
        QCOMPARE(results.rowCount(), testImages_);
        QVERIFY(ds::test::rankedByScoreDescending(results));
        // Defects rank above good images on this easy dataset, at least at the very top.
        QVERIFY(results.index(0, ResultsModel::LabelColumn).data().toString() != QStringLiteral("good"));
        // The top row is selected and its overlay shown once decoded off the GUI thread.
        QCOMPARE(page.resultsView()->currentIndex().row(), 0);
        QTRY_COMPARE(page.shownImageId(), page.imageId());
        QVERIFY(page.imagePane()->hasImage());
        QVERIFY(host.action("defectAction")->isEnabled());
    }

    void filtersAndNavigation()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        ds::ui::ResultsFilterProxy& proxy = *page.resultsProxy();
        const ResultsModel& source = *page.resultsModel();
        const int all = proxy.rowCount();
        QCOMPARE(all, testImages_);

        page.showFilter()->setCurrentIndex(page.showFilter()->findData(int(ds::ui::ResultsFilterProxy::Show::Flagged)));
        QCOMPARE(proxy.rowCount(), source.defectCount());
        for (int row = 0; row < proxy.rowCount(); ++row)
            QVERIFY(proxy.index(row, 0).data(ResultsModel::DefectRole).toBool());
        // The filter follows the threshold: at the top score at most one image stays flagged.
        QSlider* slider = page.thresholdSlider();
        const int saved = slider->value();
        slider->setValue(slider->maximum());
        QVERIFY(proxy.rowCount() <= 1);
        slider->setValue(slider->minimum());
        QCOMPARE(proxy.rowCount(), all);
        slider->setValue(saved);

        page.showFilter()->setCurrentIndex(page.showFilter()->findData(int(ds::ui::ResultsFilterProxy::Show::Misclassified)));
        int misclassified = 0;
        for (const ResultsModel::Row& row : source.rows())
            misclassified += row.truth && (row.score >= source.threshold()) != *row.truth;
        QCOMPARE(proxy.rowCount(), misclassified);
        page.showFilter()->setCurrentIndex(0);
        QCOMPARE(proxy.rowCount(), all);

        // One entry per label besides "All labels"; picking one shows only its images.
        QComboBox* labels = page.labelFilter();
        QCOMPARE(labels->count(), 1 + 1 + int(ds::defectTypes("part").size()));
        labels->setCurrentIndex(labels->findData(QStringLiteral("good")));
        QCOMPARE(proxy.rowCount(), 4);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, ResultsModel::LabelColumn).data().toString(), QStringLiteral("good"));
        QVERIFY(ds::test::rankedByScoreDescending(proxy));
        labels->setCurrentIndex(0);
        QCOMPARE(proxy.rowCount(), all);

        // Next / previous walk the ranked list and show each image.
        page.resultsView()->setCurrentIndex(proxy.index(0, 0));
        const qint64 first = page.imageId();
        host.action("nextImageAction")->trigger();
        QCOMPARE(page.resultsView()->currentIndex().row(), 1);
        QCOMPARE(page.imageId(), proxy.index(1, 0).data(ResultsModel::ImageIdRole).toLongLong());
        QTRY_COMPARE(page.shownImageId(), page.imageId());
        host.action("previousImageAction")->trigger();
        QCOMPARE(page.imageId(), first);
        page.previousImage(); // at the top: stays
        QCOMPARE(page.imageId(), first);
    }

    void reviewWithTheKeyboard()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        ds::ui::ResultsFilterProxy& proxy = *page.resultsProxy();
        QTableView* table = page.resultsView();
        table->setCurrentIndex(proxy.index(0, 0));
        table->setFocus();
        QApplication::setActiveWindow(&host.window());
        QVERIFY(QTest::qWaitForWindowActive(&host.window()));
        const qint64 first = proxy.index(0, 0).data(ResultsModel::ImageIdRole).toLongLong();
        const qint64 second = proxy.index(1, 0).data(ResultsModel::ImageIdRole).toLongLong();
        const qint64 third = proxy.index(2, 0).data(ResultsModel::ImageIdRole).toLongLong();
        const bool firstIsDefect = proxy.index(0, 0).data(ResultsModel::DefectRole).toBool();
        const double threshold = page.currentThreshold();

        // G, D, U on the top three: each recorded, each moving on to the next image.
        QTest::keyClick(table, Qt::Key_G);
        QCOMPARE(page.imageId(), second);
        QTest::keyClick(table, Qt::Key_D);
        QCOMPARE(page.imageId(), third);
        QTest::keyClick(table, Qt::Key_U);
        QCOMPARE(proxy.index(0, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Good"));
        QCOMPARE(proxy.index(1, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Defect"));
        QCOMPARE(proxy.index(2, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Unsure"));
        // The model's verdict is untouched by the person's.
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::DefectRole).toBool(), firstIsDefect);

        // Every verdict is in the project with who, when and what was shown.
        {
            const ds::ProjectFile project = ds::ProjectFile::open(path_.toStdString());
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
        // plots' labels follow the reviewer.
        const ds::Confusion confusion = page.thresholdPlots()->confusion();
        int truthGood = 0, truthDefect = 0;
        for (const ResultsModel::Row& row : page.resultsModel()->rows())
            if (row.truth)
                (*row.truth ? truthDefect : truthGood) += 1;
        QCOMPARE(confusion.tn + confusion.fp, truthGood);
        QCOMPARE(confusion.tp + confusion.fn, truthDefect);
        QCOMPARE(page.resultsModel()->row(first)->truth, std::optional<bool>(false));
        QVERIFY(page.thresholdPlots()->summaryText().contains(QStringLiteral("2 from reviewers")));
        QTRY_VERIFY_WITH_TIMEOUT(page.metricsLabel()->text().contains(QStringLiteral("2 labels from reviewers")), 20000);

        // The history of the first image, shown when it is selected again.
        page.selectImage(first);
        QCOMPARE(page.historyView()->topLevelItemCount(), 1);
        QCOMPARE(page.historyView()->topLevelItem(0)->text(1), QStringLiteral("tester"));
        QVERIFY(page.historyView()->topLevelItem(0)->text(2).contains(QStringLiteral("good")));
        QCOMPARE(page.historyView()->topLevelItem(0)->text(3), QStringLiteral("gui-model")); // the model by name
        QVERIFY(page.reviewPanel()->humanVerdictText().contains(QStringLiteral("Good")));

        // The queue of images nobody reviewed yet.
        page.showFilter()->setCurrentIndex(page.showFilter()->findData(int(ds::ui::ResultsFilterProxy::Show::Unreviewed)));
        QCOMPARE(proxy.rowCount(), testImages_ - 3);
        page.showFilter()->setCurrentIndex(0);

        // A filter picked from its list hands the keys back to reviewing: N steps to the
        // next image instead of picking "Not yet reviewed" in the focused box.
        QComboBox* show = page.showFilter();
        show->setFocus();
        QVERIFY(show->hasFocus());
        Q_EMIT show->activated(0);
        page.selectImage(first);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_N);
        QCOMPARE(show->currentIndex(), 0);
        QCOMPARE(page.imageId(), second);

        // Nearest the threshold first: the order core gives, then back to the score ranking.
        page.setReviewOrder(int(ds::ui::ReviewPanel::Order::NearestThreshold));
        const std::vector<std::int64_t> expected = ds::test::queueOrder(*page.resultsModel());
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, 0).data(ResultsModel::ImageIdRole).toLongLong(), expected[size_t(row)]);
        page.setReviewOrder(int(ds::ui::ReviewPanel::Order::HighestScore));
        QVERIFY(ds::test::rankedByScoreDescending(proxy));
    }

    void maskEditsAreSavedWithUndo()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        // The top image, a defect with a ground-truth mask from the dataset.
        page.resultsView()->setCurrentIndex(page.resultsProxy()->index(0, 0));
        const qint64 imageId = page.imageId();
        const cv::Mat original = ds::ProjectFile::open(path_.toStdString()).mask(imageId);
        QVERIFY(!original.empty());
        QTRY_COMPARE(page.shownImageId(), imageId);

        host.action("editMaskAction")->setChecked(true);
        QVERIFY(page.imagePane()->isMaskEditingEnabled());
        page.imagePane()->maskEditor()->acceptPredictedRegion();
        const cv::Mat edited = page.imagePane()->currentMask();
        {
            const ds::ProjectFile project = ds::ProjectFile::open(path_.toStdString());
            const std::vector<ds::MaskEditRecord> edits = project.maskEdits(imageId);
            QCOMPARE(edits.size(), size_t(1));
            QCOMPARE(QString::fromStdString(edits[0].action), QStringLiteral("accept predicted region"));
            QCOMPARE(QString::fromStdString(edits[0].reviewer), QStringLiteral("tester"));
            QVERIFY(edits[0].context.threshold.has_value());
            QCOMPARE(cv::countNonZero(project.mask(imageId) != edited), 0);
        }
        QVERIFY(page.historyView()
                    ->topLevelItem(page.historyView()->topLevelItemCount() - 1)
                    ->text(2)
                    .contains(QStringLiteral("accept predicted region")));

        // Undo restores the dataset's mask exactly, and is itself recorded.
        page.imagePane()->undoStack()->undo();
        {
            const ds::ProjectFile project = ds::ProjectFile::open(path_.toStdString());
            QCOMPARE(project.maskEdits(imageId).size(), size_t(2));
            QCOMPARE(cv::countNonZero(project.mask(imageId) != original), 0);
        }
    }

    // Review → Defect Types…: adding a type keeps the open image's mask history (undo and
    // redo still work); deleting one drops it, since its id may come to name another type.
    void addingADefectTypeKeepsTheMaskHistory()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        const qint64 imageId = page.imageId();
        QTRY_COMPARE(page.shownImageId(), imageId);
        host.action("editMaskAction")->setChecked(true);
        page.imagePane()->maskEditor()->acceptPredictedRegion();
        QCOMPARE(page.imagePane()->undoStack()->count(), 1);

        const auto editTypes = [&](const std::function<void(ds::ui::DefectTypesDialog*)>& edit) {
            bool edited = false;
            QTimer::singleShot(0, &host.window(), [&] {
                auto* dialog = qobject_cast<ds::ui::DefectTypesDialog*>(QApplication::activeModalWidget());
                if (!dialog)
                    return;
                edit(dialog);
                edited = true;
                dialog->reject();
            });
            host.action("defectTypesAction")->trigger(); // returns once the dialog closes
            return edited;
        };
        QVERIFY(editTypes(
            [](ds::ui::DefectTypesDialog* dialog) { QVERIFY(dialog->addType(QStringLiteral("weld spatter"), Qt::red)); }));
        QTRY_COMPARE(page.shownImageId(), imageId); // the run was read again, the image shown again
        QCOMPARE(page.imagePane()->undoStack()->count(), 1);
        page.imagePane()->undoStack()->undo();
        QCOMPARE(ds::ProjectFile::open(path_.toStdString()).maskEdits(imageId).size(), size_t(2));

        const int added = ds::ProjectFile::open(path_.toStdString()).defectTypes().back().id;
        QVERIFY(editTypes([added](ds::ui::DefectTypesDialog* dialog) { QVERIFY(dialog->deleteType(added)); }));
        QTRY_COMPARE(page.shownImageId(), imageId);
        QCOMPARE(page.imagePane()->undoStack()->count(), 0);
    }

    void exportsWriteTheRunShown()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        page.giveVerdict(ds::Verdict::Good); // the top image, reviewed
        ds::ResultsExportOptions options;
        options.csvPath = dir_.filePath(QStringLiteral("results.csv")).toStdString();
        options.pngFolder = dir_.filePath(QStringLiteral("pngs")).toStdString();
        options.heatmaps = false;
        QVERIFY(host.runRequestedJob([&] { page.exportResults(options); }));
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
        QVERIFY(host.runRequestedJob([&] { page.exportReport(html); }));
        QFile htmlFile(html);
        QVERIFY(htmlFile.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(htmlFile.readAll());
        QVERIFY(text.contains(QStringLiteral("id=\"image-auroc\"")));
        // Shown in the detector's units with four significant digits.
        const double threshold = page.currentThreshold();
        const int decimals = std::clamp(3 - int(std::floor(std::log10(std::abs(threshold)))), 0, 12);
        QVERIFY2(text.contains(QString::number(threshold, 'f', decimals)),
                 qPrintable(QStringLiteral("threshold %1").arg(threshold)));
        const QString pdf = dir_.filePath(QStringLiteral("report.pdf"));
        QVERIFY(host.runRequestedJob([&] { page.exportReport(pdf); }));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.read(5) == "%PDF-");
    }

    void thresholdSliderChangesVerdicts()
    {
        Host host(path_);
        ReviewPage& page = host.page();
        QSignalSpy moved(&page, &ReviewPage::thresholdChanged);
        QSlider* slider = page.thresholdSlider();
        QVERIFY(slider->isEnabled());
        const QAbstractItemModel& results = *page.resultsProxy();
        // Initially the run's threshold.
        QCOMPARE(defectVerdicts(results), scoresAtOrAbove(results, page.currentThreshold()));

        slider->setValue(slider->minimum());
        const int atMinimum = defectVerdicts(results);
        QCOMPARE(atMinimum, results.rowCount()); // minimum = lowest score: everything is a defect
        QCOMPARE(atMinimum, scoresAtOrAbove(results, page.currentThreshold()));

        slider->setValue((slider->minimum() + slider->maximum()) / 2);
        const int atMiddle = defectVerdicts(results);
        QCOMPARE(atMiddle, scoresAtOrAbove(results, page.currentThreshold()));

        slider->setValue(slider->maximum());
        const int atMaximum = defectVerdicts(results);
        QCOMPARE(atMaximum, scoresAtOrAbove(results, page.currentThreshold()));
        QVERIFY(atMaximum <= 1);
        QVERIFY(atMinimum >= atMiddle);
        QVERIFY(atMiddle >= atMaximum);
        QVERIFY(atMinimum > atMaximum);
        QVERIFY(ds::test::rankedByScoreDescending(results)); // verdicts change, ranking does not
        // The heatmap keeps its colours (around the run's own threshold); its key marks the
        // threshold where it now is.
        const ds::ColourScale scale = page.imagePane()->colourBar()->scale();
        const double runThreshold = ds::ProjectFile::open(path_.toStdString()).latestDoneRun(scored_->modelId())->threshold;
        QCOMPARE(scale.low, ds::colourScaleAround(runThreshold).low);
        QCOMPARE(scale.high, ds::colourScaleAround(runThreshold).high);
        QCOMPARE(page.imagePane()->colourBar()->threshold(), page.currentThreshold());
        // The models list and the inspection learn of each move, with the model's id.
        QVERIFY(moved.count() >= 2); // the middle step may land where the slider stood
        QCOMPARE(moved.last().at(0).toLongLong(), scored_->modelId());
        QCOMPARE(moved.last().at(1).toDouble(), page.currentThreshold());
        // Written to the project for the next session (shortly, or when the page goes).
        QVERIFY(page.saveThresholdNow());
        QCOMPARE(*ds::ProjectFile::open(path_.toStdString()).chosenThreshold(scored_->modelId()), page.currentThreshold());
    }

    // The review order and the threshold chosen come back when the project is opened again.
    void reviewOrderAndThresholdComeBack()
    {
        double chosen = 0;
        {
            Host host(path_);
            host.page().setReviewOrder(int(ds::ui::ReviewPanel::Order::NearestThreshold));
            QSlider* slider = host.page().thresholdSlider();
            slider->setValue(slider->maximum() / 3);
            chosen = host.page().currentThreshold();
        }
        Host reopened(path_);
        ReviewPage& page = reopened.page();
        QCOMPARE(page.reviewPanel()->order(), ds::ui::ReviewPanel::Order::NearestThreshold);
        QCOMPARE(page.currentThreshold(), chosen);
        const std::vector<std::int64_t> expected = ds::test::queueOrder(*page.resultsModel());
        for (int row = 0; row < page.resultsProxy()->rowCount(); ++row)
            QCOMPARE(page.resultsProxy()->index(row, 0).data(ResultsModel::ImageIdRole).toLongLong(), expected[size_t(row)]);
    }
};

QTEST_MAIN(TestReviewPage)
#include "test_review_page.moc"
