// The models list: one row per model with the rules core decides once (ds::modelSummaries):
// the image AUROC of its latest run and the threshold verdicts use, the user's when chosen.
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Metrics.h"
#include "tests/support/ScoredProject.h"
#include "ui/models/ModelsModel.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using ds::ui::ModelsModel;

class TestModelsModel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<ds::test::ScoredProject> scored_;

    static QString cell(const ModelsModel& model, int column, int role = Qt::DisplayRole)
    {
        return model.index(0, column).data(role).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        scored_ = std::make_unique<ds::test::ScoredProject>(dir_.path());
    }

    void showsTheThresholdVerdictsUse()
    {
        ds::ProjectFile project = ds::ProjectFile::open(scored_->copy(QStringLiteral("chosen.dsproj")).toStdString());
        const std::int64_t modelId = scored_->modelId();
        const ds::RunRecord run = *project.latestDoneRun(modelId);
        ModelsModel model;
        model.setSummaries(ds::modelSummaries(project));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.modelIdAt(0), modelId);
        QCOMPARE(model.rowOf(modelId), std::optional<int>(0));
        QCOMPARE(cell(model, ModelsModel::NameColumn), QStringLiteral("gui-model"));
        QCOMPARE(cell(model, ModelsModel::MethodColumn), QStringLiteral("padim"));
        // Before the user moves it: the run's own threshold.
        QCOMPARE(cell(model, ModelsModel::ThresholdColumn), QString::number(run.threshold, 'f', 4));
        QVERIFY(cell(model, ModelsModel::ThresholdColumn, Qt::ToolTipRole).contains(QStringLiteral("Set by training")));
        // The AUROC of that run against the labels, as core measures it.
        const ds::RunScores scores = ds::runScores(project, run.id);
        QCOMPARE(cell(model, ModelsModel::AurocColumn), QString::number(ds::rocAuc(scores.scores, scores.labels), 'f', 3));

        // A threshold chosen in the workbench is the one shown, now and when read again.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setThreshold(modelId, run.threshold * 2);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(cell(model, ModelsModel::ThresholdColumn), QString::number(run.threshold * 2, 'f', 4));
        project.setChosenThreshold(modelId, run.threshold * 3);
        model.setSummaries(ds::modelSummaries(project));
        QCOMPARE(cell(model, ModelsModel::ThresholdColumn), QString::number(run.threshold * 3, 'f', 4));
        QVERIFY(cell(model, ModelsModel::ThresholdColumn, Qt::ToolTipRole).contains(QStringLiteral("Chosen")));
    }

    void aModelWithoutARunHasNoAuroc()
    {
        ds::ProjectFile project = ds::ProjectFile::open(scored_->copy(QStringLiteral("unscored.dsproj")).toStdString());
        project.discardRun(project.latestDoneRun(scored_->modelId())->id);
        const std::vector<ds::ModelSummary> summaries = ds::modelSummaries(project);
        QCOMPARE(summaries.size(), size_t(1));
        QVERIFY(!summaries[0].latestRun);
        QVERIFY(!summaries[0].imageAuroc);
        QCOMPARE(summaries[0].threshold, summaries[0].model.threshold); // training's
        ModelsModel model;
        model.setSummaries(summaries);
        QCOMPARE(cell(model, ModelsModel::AurocColumn), QStringLiteral("—"));
        QCOMPARE(model.summary(scored_->modelId() + 1), nullptr);
        QCOMPARE(model.modelIdAt(5), std::int64_t(0));
    }
};

QTEST_MAIN(TestModelsModel)
#include "test_models_model.moc"
