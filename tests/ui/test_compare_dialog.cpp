// The Compare Models dialog on a small synthetic project with a PaDiM and a PatchCore model
// scored by core's jobs, and a third model never scored.
#include "core/jobs/ProjectJobs.h"
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Metrics.h"
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"
#include "ui/CompareDialog.h"
#include "ui/plots/RocComparePlot.h"
#include "ui/widgets/ImageView.h"

#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QPushButton>
#include <QTest>

#include <algorithm>

using ds::ui::CompareDialog;

namespace {

constexpr int kMeasureTimeoutMs = 60000;

bool compareAndWait(CompareDialog& dialog, const QList<qint64>& modelIds)
{
    QSignalSpy ready(&dialog, &CompareDialog::comparisonReady);
    dialog.setSelectedModels(modelIds);
    return ready.wait(kMeasureTimeoutMs);
}

} // namespace

class TestCompareDialog : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString project_;
    qint64 padimId_ = 0;
    qint64 patchcoreId_ = 0;
    qint64 unscoredId_ = 0;
    int testImages_ = 0;

    ds::RunScores scoresOf(qint64 modelId) const
    {
        const ds::ProjectFile project = ds::ProjectFile::open(project_.toStdString());
        return ds::runScores(project, project.runs(modelId).back().id);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const ds::SyntheticSpec spec = ds::test::smallPartSpec(1);
        const std::string dataset = ds::writeSyntheticDataset(dir_.filePath(QStringLiteral("data")).toStdString(), spec);
        testImages_ = ds::test::testImageCount(spec);
        project_ = dir_.filePath(QStringLiteral("compare.dsproj"));
        const std::string project = project_.toStdString();
        ds::JobContext job;
        ds::importMvtecDataset(project, dataset, job);
        padimId_ = ds::trainModel(project, ds::test::smallSettings("padim"), "PaDiM 64", job).modelId;
        patchcoreId_ = ds::trainModel(project, ds::test::smallSettings("patchcore"), "PatchCore 64", job).modelId;
        unscoredId_ = ds::trainModel(project, ds::test::smallSettings("padim"), "Not scored", job).modelId;
        ds::inferImages(project, padimId_, {}, job);
        ds::inferImages(project, patchcoreId_, {}, job);
    }

    void listsModelsWithScoredOnesPicked()
    {
        CompareDialog dialog(project_);
        QCOMPARE(dialog.modelList()->count(), 3);
        int picked = 0;
        for (int row = 0; row < dialog.modelList()->count(); ++row)
            picked += dialog.modelList()->item(row)->checkState() == Qt::Checked;
        QCOMPARE(picked, 2);
        QSignalSpy ready(&dialog, &CompareDialog::comparisonReady);
        QVERIFY(ready.wait(kMeasureTimeoutMs));
        QCOMPARE(dialog.metricsTable()->rowCount(), 2);
    }

    void tableShowsEachModelsMetrics()
    {
        CompareDialog dialog(project_);
        dialog.show();
        QVERIFY(compareAndWait(dialog, {padimId_, patchcoreId_}));
        QTableWidget* table = dialog.metricsTable();
        QCOMPARE(table->rowCount(), 2);
        const QList<qint64> ids = {padimId_, patchcoreId_};
        const QStringList names = {QStringLiteral("PaDiM 64"), QStringLiteral("PatchCore 64")};
        const QStringList methods = {QStringLiteral("padim"), QStringLiteral("patchcore")};
        for (int row = 0; row < 2; ++row) {
            QCOMPARE(table->item(row, CompareDialog::ModelColumn)->text(), names[row]);
            QCOMPARE(table->item(row, CompareDialog::MethodColumn)->text(), methods[row]);
            QCOMPARE(table->item(row, CompareDialog::BackboneColumn)->text(), QStringLiteral("resnet18"));
            const ds::RunScores scores = scoresOf(ids[row]);
            const double auroc = ds::rocAuc(scores.scores, scores.labels);
            QTableWidgetItem* aurocItem = table->item(row, CompareDialog::ImageAurocColumn);
            QCOMPARE(aurocItem->data(CompareDialog::ValueRole).toDouble(), auroc);
            QCOMPARE(aurocItem->text(), QString::number(auroc, 'f', 3));
            // Every defective synthetic image has a mask: pixel metrics are there.
            QVERIFY(table->item(row, CompareDialog::PixelAurocColumn)->data(CompareDialog::ValueRole).isValid());
            QVERIFY(table->item(row, CompareDialog::AuproColumn)->data(CompareDialog::ValueRole).isValid());
            QVERIFY(table->item(row, CompareDialog::F1MaxColumn)->data(CompareDialog::ValueRole).toDouble() > 0.0);
            QVERIFY(table->item(row, CompareDialog::MsPerImageColumn)->data(CompareDialog::ValueRole).toDouble() > 0.0);
            QVERIFY(table->item(row, CompareDialog::TrainingTimeColumn)->text().endsWith(QStringLiteral(" s")));
        }
    }

    void plotOverlaysOneRocCurvePerModel()
    {
        CompareDialog dialog(project_);
        QVERIFY(compareAndWait(dialog, {padimId_, patchcoreId_}));
        ds::ui::RocComparePlot* plot = dialog.rocPlot();
        QCOMPARE(plot->curveCount(), 2);
        const ds::RunScores padim = scoresOf(padimId_);
        QCOMPARE(plot->legendText(0), QStringLiteral("%1 · PaDiM 64").arg(ds::rocAuc(padim.scores, padim.labels), 0, 'f', 3));
        QVERIFY(plot->legendText(1).endsWith(QStringLiteral(" · PatchCore 64")));
        // The legend sits under the curves, whole, never over them.
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(!plot->legendRect().isEmpty());
        QVERIFY2(!plot->legendRect().intersects(plot->curvesRect()), "the legend covers the curves");
        QVERIFY(plot->legendRect().bottom() <= plot->height());
    }

    void unscoredModelAsksForScoring()
    {
        CompareDialog dialog(project_);
        QVERIFY(compareAndWait(dialog, {padimId_, unscoredId_}));
        QTableWidget* table = dialog.metricsTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, CompareDialog::ModelColumn)->text(), QStringLiteral("Not scored"));
        QCOMPARE(table->item(1, CompareDialog::ImageAurocColumn)->text(), QStringLiteral("score the test images first"));
        QVERIFY(!table->item(1, CompareDialog::ImageAurocColumn)->data(CompareDialog::ValueRole).isValid());
        QVERIFY(table->columnSpan(1, CompareDialog::ImageAurocColumn) > 1);
        QCOMPARE(dialog.rocPlot()->curveCount(), 1);
        QCOMPARE(dialog.imageViews().size(), 2);
        QVERIFY(dialog.imageViews()[0]->hasImage());
        QVERIFY(!dialog.imageViews()[1]->hasImage());
    }

    void fewerThanTwoModelsAsksForMore()
    {
        CompareDialog dialog(project_);
        QVERIFY(compareAndWait(dialog, {patchcoreId_}));
        QCOMPARE(dialog.metricsTable()->rowCount(), 1);
        QVERIFY(dialog.statusText().contains(QStringLiteral("two or more")));
        QVERIFY(compareAndWait(dialog, {}));
        QCOMPARE(dialog.metricsTable()->rowCount(), 0);
        QCOMPARE(dialog.rocPlot()->curveCount(), 0);
        QCOMPARE(dialog.imagePicker()->count(), 0);
    }

    void imagesRankedByFirstModelWithOnePanePerModel()
    {
        CompareDialog dialog(project_);
        dialog.show();
        QVERIFY(compareAndWait(dialog, {padimId_, patchcoreId_}));
        QComboBox* picker = dialog.imagePicker();
        QCOMPARE(picker->count(), testImages_);
        const ds::RunScores padim = scoresOf(padimId_);
        const auto top = std::max_element(padim.scores.begin(), padim.scores.end()) - padim.scores.begin();
        QCOMPARE(picker->itemData(0).toLongLong(), padim.imageIds[size_t(top)]);
        QCOMPARE(picker->currentIndex(), 0);

        QCOMPARE(dialog.imageViews().size(), 2);
        for (ds::ui::ImageView* view : dialog.imageViews()) {
            QVERIFY(view->isVisible());
            QVERIFY(view->hasImage());
            QCOMPARE(view->imageSize(), QSize(64, 64));
        }
        QVERIFY(dialog.paneCaptions()[0]->text().contains(QStringLiteral("PaDiM 64")));
        QVERIFY(dialog.paneCaptions()[0]->text().contains(QString::number(padim.scores[size_t(top)], 'f', 3)));
        QVERIFY(dialog.paneCaptions()[1]->text().contains(QStringLiteral("PatchCore 64")));

        picker->setCurrentIndex(picker->count() - 1);
        const ds::RunScores patchcore = scoresOf(patchcoreId_);
        const qint64 shown = picker->currentData().toLongLong();
        const auto index = std::find(patchcore.imageIds.begin(), patchcore.imageIds.end(), shown) - patchcore.imageIds.begin();
        QVERIFY(dialog.paneCaptions()[1]->text().contains(QString::number(patchcore.scores[size_t(index)], 'f', 3)));
    }

    void panesZoomAndPanTogether()
    {
        CompareDialog dialog(project_);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(compareAndWait(dialog, {padimId_, patchcoreId_}));
        const QList<ds::ui::ImageView*> views = dialog.imageViews();
        QCOMPARE(views.size(), 2);

        views[0]->zoomIn();
        views[0]->zoomIn();
        QVERIFY(!views[0]->isFitMode());
        QCOMPARE(views[1]->zoom(), views[0]->zoom());
        QCOMPARE(views[1]->center(), views[0]->center());

        // A drag on the second pane pans the first.
        const QPoint start = views[1]->rect().center();
        const QPointF before = views[1]->center();
        QTest::mousePress(views[1], Qt::LeftButton, Qt::NoModifier, start);
        QTest::mouseMove(views[1], start + QPoint(30, 20));
        QTest::mouseRelease(views[1], Qt::LeftButton, Qt::NoModifier, start + QPoint(30, 20));
        QVERIFY(views[1]->center() != before);
        QCOMPARE(views[0]->center(), views[1]->center());
        QCOMPARE(views[0]->zoom(), views[1]->zoom());

        // Back to fit on one pane: every pane fits.
        views[1]->fitToWindow();
        QVERIFY(views[0]->isFitMode());
        QCOMPARE(views[0]->zoom(), views[1]->zoom());
        views[0]->zoomIn();

        // Another image of the same size keeps the shared view.
        const double zoom = views[0]->zoom();
        dialog.imagePicker()->setCurrentIndex(1);
        QCOMPARE(views[0]->zoom(), zoom);
        QCOMPARE(views[1]->zoom(), zoom);
    }

    void exportsDialogAsPng()
    {
        CompareDialog dialog(project_);
        dialog.show();
        QVERIFY(compareAndWait(dialog, {padimId_, patchcoreId_}));
        QCoreApplication::processEvents(); // lay out the new panes, as before any click
        const QString path = dir_.filePath(QStringLiteral("comparison.png"));
        QVERIFY(dialog.exportImage(path));
        const QImage saved(path);
        QVERIFY(!saved.isNull());
        // The comparison, not the dialog's buttons under it.
        QVERIFY(saved.height() < dialog.height() - dialog.findChild<QPushButton*>(QStringLiteral("exportImageButton"))->height());
        QVERIFY(saved.width() <= dialog.width());
        QVERIFY(!dialog.exportImage(dir_.filePath(QStringLiteral("no/such/folder/comparison.png"))));
    }

    void unreadableProjectIsReportedInTheDialog()
    {
        const QString missing = dir_.filePath(QStringLiteral("missing.dsproj"));
        CompareDialog dialog(missing);
        QCOMPARE(dialog.modelList()->count(), 0);
        QVERIFY(!dialog.isComputing());
        QVERIFY(dialog.statusText().startsWith(QStringLiteral("Could not open the project")));
        QVERIFY(dialog.statusText().contains(missing));
    }

    void closingWhileMeasuringIsSafe()
    {
        auto dialog = std::make_unique<CompareDialog>(project_);
        QVERIFY(dialog->isComputing());
        dialog.reset(); // cancels and waits for the worker
        QTest::qWait(50); // a late report from the worker must not reach the dead dialog
        CompareDialog again(project_);
        QVERIFY(compareAndWait(again, {padimId_, patchcoreId_}));
        QCOMPARE(again.metricsTable()->rowCount(), 2);
    }
};

QTEST_MAIN(TestCompareDialog)
#include "test_compare_dialog.moc"
