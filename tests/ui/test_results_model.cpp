// ResultsModel: the ranked, threshold-dependent table of one run's results.
#include "ui/models/ResultsModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using ds::ui::ResultsModel;

class TestResultsModel : public QObject {
    Q_OBJECT

private:
    static std::vector<ResultsModel::Row> sampleRows()
    {
        return {{1, QStringLiteral("good/000.png"), QStringLiteral("good"), 2.5},
                {2, QStringLiteral("scratch/000.png"), QStringLiteral("scratch"), 9.0},
                {3, QStringLiteral("good/001.png"), QStringLiteral("good"), 1.0},
                {4, QStringLiteral("hole/000.png"), QStringLiteral("hole"), 6.0},
                {5, QStringLiteral("good/002.png"), QStringLiteral("good"), 4.0}};
    }

    static int defectsIn(const QAbstractItemModel& model)
    {
        int count = 0;
        for (int row = 0; row < model.rowCount(); ++row)
            count += model.index(row, ResultsModel::VerdictColumn).data().toString() == QStringLiteral("Defect");
        return count;
    }

private Q_SLOTS:
    void emptyModel()
    {
        ResultsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(ResultsModel::ColumnCount));
        QCOMPARE(model.headerData(ResultsModel::ScoreColumn, Qt::Horizontal).toString(), QStringLiteral("Score"));
        QCOMPARE(model.defectCount(), 0);
    }

    void setRowsResetsOnce()
    {
        ResultsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setRows(sampleRows(), 5.0);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        const QModelIndex second = model.index(1, ResultsModel::ImageColumn);
        QCOMPARE(second.data().toString(), QStringLiteral("scratch/000.png"));
        QCOMPARE(second.data(ResultsModel::ImageIdRole).toLongLong(), 2);
        QCOMPARE(second.data(ResultsModel::ScoreRole).toDouble(), 9.0);
        QCOMPARE(model.index(1, ResultsModel::LabelColumn).data().toString(), QStringLiteral("scratch"));
        QCOMPARE(model.index(1, ResultsModel::ScoreColumn).data().toString(), QStringLiteral("9.0000"));
        model.clear();
        QCOMPARE(resets.count(), 2);
        QCOMPARE(model.rowCount(), 0);
    }

    void proxySortsByScoreDescending()
    {
        ResultsModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(ResultsModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        model.setRows(sampleRows(), 5.0);
        QList<double> scores;
        QList<qint64> ids;
        for (int row = 0; row < proxy.rowCount(); ++row) {
            scores << proxy.index(row, 0).data(ResultsModel::ScoreRole).toDouble();
            ids << proxy.index(row, 0).data(ResultsModel::ImageIdRole).toLongLong();
        }
        QCOMPARE(scores, (QList<double>{9.0, 6.0, 4.0, 2.5, 1.0}));
        QCOMPARE(ids, (QList<qint64>{2, 4, 5, 1, 3}));

        // Numeric, not textual: 10 ranks above 9.
        auto rows = sampleRows();
        rows.push_back({6, QStringLiteral("crack/000.png"), QStringLiteral("crack"), 10.0});
        model.setRows(rows, 5.0);
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::ImageIdRole).toLongLong(), 6);
        QCOMPARE(proxy.index(proxy.rowCount() - 1, 0).data(ResultsModel::ImageIdRole).toLongLong(), 3);
    }

    void verdictFollowsThreshold()
    {
        ResultsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(sampleRows(), 5.0);
        QCOMPARE(model.defectCount(), 2);
        QCOMPARE(defectsIn(model), 2);
        QCOMPARE(model.index(0, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Good"));   // 2.5
        QCOMPARE(model.index(1, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Defect")); // 9.0

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setThreshold(2.5); // score >= threshold is a defect
        QCOMPARE(changed.count(), 1);
        const QModelIndex topLeft = changed.first().at(0).value<QModelIndex>();
        const QModelIndex bottomRight = changed.first().at(1).value<QModelIndex>();
        QCOMPARE(topLeft.column(), int(ResultsModel::VerdictColumn));
        QCOMPARE(bottomRight.row(), 4);
        QCOMPARE(model.defectCount(), 4);
        QCOMPARE(defectsIn(model), 4);
        QCOMPARE(model.index(0, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Defect"));

        model.setThreshold(100.0);
        QCOMPARE(defectsIn(model), 0);
        model.setThreshold(0.0);
        QCOMPARE(defectsIn(model), 5);
        changed.clear();
        model.setThreshold(0.0); // unchanged: no signal
        QCOMPARE(changed.count(), 0);
    }

    void sortByVerdictFollowsThreshold()
    {
        ResultsModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(ResultsModel::SortRole);
        proxy.setDynamicSortFilter(true);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(sampleRows(), 5.0);
        proxy.sort(ResultsModel::VerdictColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Defect"));
        model.setThreshold(100.0);
        QCOMPARE(defectsIn(proxy), 0);
        model.setThreshold(1.5);
        QCOMPARE(defectsIn(proxy), 4);
        QCOMPARE(proxy.index(4, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Good"));
        QCOMPARE(proxy.index(4, 0).data(ResultsModel::ImageIdRole).toLongLong(), 3);
    }
};

QTEST_MAIN(TestResultsModel)
#include "test_results_model.moc"
