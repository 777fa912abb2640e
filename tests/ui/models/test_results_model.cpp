// ResultsModel: the ranked, threshold-dependent table of one run's results.
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ResultsModel.h"
#include "ui/models/ThumbnailLoader.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QColor>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using ds::ui::ResultsFilterProxy;
using ds::ui::ResultsModel;

class TestResultsModel : public QObject {
    Q_OBJECT

private:
    static std::vector<ResultsModel::Row> sampleRows()
    {
        // Truth as the dataset labels say; nobody has reviewed yet.
        return {{1, QStringLiteral("good/000.png"), QStringLiteral("good"), 2.5, {}, false},
                {2, QStringLiteral("scratch/000.png"), QStringLiteral("scratch"), 9.0, {}, true},
                {3, QStringLiteral("good/001.png"), QStringLiteral("good"), 1.0, {}, false},
                {4, QStringLiteral("hole/000.png"), QStringLiteral("hole"), 6.0, {}, true},
                {5, QStringLiteral("good/002.png"), QStringLiteral("good"), 4.0, {}, false}};
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
        QCOMPARE(scores, (QList<double> {9.0, 6.0, 4.0, 2.5, 1.0}));
        QCOMPARE(ids, (QList<qint64> {2, 4, 5, 1, 3}));

        // Numeric, not textual: 10 ranks above 9.
        auto rows = sampleRows();
        rows.push_back({6, QStringLiteral("crack/000.png"), QStringLiteral("crack"), 10.0, {}, true});
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
        QCOMPARE(model.index(0, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Good")); // 2.5
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

    void appendRowInsertsAtTheEnd()
    {
        ResultsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ResultsFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({}, 5.0);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (const ResultsModel::Row& row : sampleRows())
            model.appendRow(row);
        QCOMPARE(inserted.count(), 5);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(4, 0).data(ResultsModel::ImageIdRole).toLongLong(), 5);
        // The ranked view stays ranked while rows arrive.
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::ScoreRole).toDouble(), 9.0);
        QCOMPARE(proxy.index(4, 0).data(ResultsModel::ScoreRole).toDouble(), 1.0);
    }

    void verdictAndMisclassifiedRoles()
    {
        ResultsModel model;
        auto rows = sampleRows();
        rows.push_back({6, QStringLiteral("new.png"), QString(), 7.0, {}, std::nullopt}); // truth unknown
        model.setRows(rows, 5.0);
        // good 2.5 -> Good (right), scratch 9 -> Defect (right), good 4 -> Good (right),
        // hole 6 -> Defect (right), unknown 7 -> Defect (never misclassified).
        QList<bool> misclassified;
        for (int row = 0; row < model.rowCount(); ++row)
            misclassified << model.index(row, 0).data(ResultsModel::MisclassifiedRole).toBool();
        QCOMPARE(misclassified, (QList<bool> {false, false, false, false, false, false}));
        model.setThreshold(3.0); // good 4 is now flagged: a false positive
        QVERIFY(model.index(4, 0).data(ResultsModel::MisclassifiedRole).toBool());
        QVERIFY(model.index(4, 0).data(ResultsModel::DefectRole).toBool());
        model.setThreshold(8.0); // hole 6 now passes: a false negative
        QVERIFY(model.index(3, 0).data(ResultsModel::MisclassifiedRole).toBool());
        QVERIFY(!model.index(3, 0).data(ResultsModel::DefectRole).toBool());
        QVERIFY(!model.index(5, 0).data(ResultsModel::MisclassifiedRole).toBool());
        QCOMPARE(model.index(5, ResultsModel::LabelColumn).data().toString(), QStringLiteral("—"));

        // A reviewer overrules the label: the human verdict is shown apart from the model's,
        // and the truth it implies decides what counts as misclassified.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setReview(4, QStringLiteral("good"), false, true); // hole/000 (6.0) is in fact good
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(3, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Good"));
        QCOMPARE(model.index(3, ResultsModel::VerdictColumn).data().toString(), QStringLiteral("Good")); // 6 < 8
        QVERIFY(!model.index(3, 0).data(ResultsModel::MisclassifiedRole).toBool());
        QVERIFY(model.index(3, 0).data(ResultsModel::ReviewedRole).toBool());
        QVERIFY(!model.index(0, 0).data(ResultsModel::ReviewedRole).toBool());
        QCOMPARE(model.index(0, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("—"));
        model.setReview(6, QStringLiteral("unsure"), std::nullopt, false);
        QCOMPARE(model.index(5, ResultsModel::ReviewColumn).data().toString(), QStringLiteral("Unsure"));
        QCOMPARE(model.row(6)->review, QStringLiteral("unsure"));
        QVERIFY(!model.row(99));
    }

    void rankingAndUnreviewedFilter()
    {
        ResultsModel model;
        ResultsFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        model.setRows(sampleRows(), 5.0);
        proxy.setRanking({4, 5, 2}); // e.g. nearest the threshold first; the rest after, by id
        QList<qint64> ids;
        for (int row = 0; row < proxy.rowCount(); ++row)
            ids << proxy.index(row, 0).data(ResultsModel::ImageIdRole).toLongLong();
        QCOMPARE(ids, (QList<qint64> {4, 5, 2, 1, 3}));
        proxy.setRanking({});
        proxy.sort(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::ImageIdRole).toLongLong(), 2);

        proxy.setShow(ResultsFilterProxy::Show::Unreviewed);
        QCOMPARE(proxy.rowCount(), 5);
        model.setReview(2, QStringLiteral("defect"), true, true); // reviewed rows leave the queue
        QCOMPARE(proxy.rowCount(), 4);
        model.setReview(3, QStringLiteral("unsure"), false, false);
        QCOMPARE(proxy.rowCount(), 3);
    }

    void filterProxyFollowsThreshold()
    {
        ResultsModel model;
        ResultsFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        model.setRows(sampleRows(), 5.0);
        QCOMPARE(proxy.rowCount(), 5);

        proxy.setShow(ResultsFilterProxy::Show::Flagged);
        QCOMPARE(proxy.rowCount(), 2); // 9 and 6
        model.setThreshold(2.0); // rows join as the threshold drops
        QCOMPARE(proxy.rowCount(), 4);
        model.setThreshold(9.5);
        QCOMPARE(proxy.rowCount(), 0);

        proxy.setShow(ResultsFilterProxy::Show::Misclassified);
        QCOMPARE(proxy.rowCount(), 2); // scratch 9 and hole 6 pass at 9.5: false negatives
        model.setThreshold(3.0); // good 4 flagged: the one false positive
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::ImageIdRole).toLongLong(), 5);

        proxy.setShow(ResultsFilterProxy::Show::All);
        proxy.setLabel(QStringLiteral("good"));
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.index(0, 0).data(ResultsModel::ScoreRole).toDouble(), 4.0); // still ranked
        proxy.setShow(ResultsFilterProxy::Show::Flagged);
        QCOMPARE(proxy.rowCount(), 1); // flagged and good
        proxy.setLabel(QString());
        proxy.setShow(ResultsFilterProxy::Show::All);
        QCOMPARE(proxy.rowCount(), 5);
    }

    void thumbnailsDecorateTheImageColumn()
    {
        QTemporaryDir dir;
        QImage picture(120, 60, QImage::Format_RGB888);
        picture.fill(QColor(200, 40, 40));
        const QString path = dir.filePath(QStringLiteral("wide.png"));
        QVERIFY(picture.save(path));

        const QImage thumbnail = ds::ui::ThumbnailLoader::makeThumbnail(path, 40);
        QCOMPARE(thumbnail.size(), QSize(40, 20)); // longest side fitted, aspect kept
        QCOMPARE(thumbnail.pixelColor(10, 10), QColor(200, 40, 40));
        QVERIFY(ds::ui::ThumbnailLoader::makeThumbnail(dir.filePath(QStringLiteral("missing.png")), 40).isNull());

        ResultsModel model;
        model.setRows(sampleRows(), 5.0);
        ds::ui::ThumbnailLoader loader(40);
        QObject::connect(&loader, &ds::ui::ThumbnailLoader::thumbnailReady, &model, &ResultsModel::setThumbnail);
        QSignalSpy ready(&loader, &ds::ui::ThumbnailLoader::thumbnailReady);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        loader.load({{2, path}, {3, dir.filePath(QStringLiteral("missing.png"))}});
        QVERIFY(ready.wait(10000));
        QCOMPARE(ready.first().at(0).toLongLong(), 2);
        QCOMPARE(changed.last().at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(model.index(1, ResultsModel::ImageColumn).data(Qt::DecorationRole).value<QImage>().size(), QSize(40, 20));
        QVERIFY(!model.index(0, ResultsModel::ImageColumn).data(Qt::DecorationRole).isValid());
        QVERIFY(model.hasThumbnail(2));
        model.clearThumbnails();
        QVERIFY(!model.hasThumbnail(2));
    }
};

QTEST_MAIN(TestResultsModel)
#include "test_results_model.moc"
