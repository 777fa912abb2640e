// ThresholdPlots: confusion counts on a hand-made case, the "needs both labels" note,
// and clicking the histogram to move the threshold.
#include "ui/plots/CurvePlot.h"
#include "ui/plots/ThresholdPlots.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using ds::ui::ThresholdPlots;

class TestThresholdPlots : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void confusionMatchesHandCount()
    {
        ThresholdPlots plots;
        // defective: 0.9 0.7 0.4   good: 0.8 0.3 0.2 0.1
        plots.setScores({0.9f, 0.8f, 0.7f, 0.4f, 0.3f, 0.2f, 0.1f}, {1, 0, 1, 1, 0, 0, 0});
        plots.setThreshold(0.5);
        QVERIFY(plots.hasBothClasses());
        ds::Confusion c = plots.confusion();
        QCOMPARE(c.tp, 2); // 0.9 0.7
        QCOMPARE(c.fp, 1); // 0.8
        QCOMPARE(c.tn, 3); // 0.3 0.2 0.1
        QCOMPARE(c.fn, 1); // 0.4
        QVERIFY(plots.summaryText().contains(QStringLiteral("0.667"))); // precision = recall = 2/3

        plots.setThreshold(0.4); // score >= t is defective: 0.4 is now flagged
        c = plots.confusion();
        QCOMPARE(c.tp, 3);
        QCOMPARE(c.fn, 0);
        QCOMPARE(c.fp, 1);
        QCOMPARE(c.tn, 3);
        // Pairs (defect > good): 0.9 beats 4, 0.7 beats 3, 0.4 beats 3 -> 10 of 12.
        QVERIFY(std::abs(plots.auroc() - 10.0 / 12.0) < 1e-9);
    }

    void unlabelledScoresOnlyInTheHistogram()
    {
        ThresholdPlots plots;
        // The labelled case above plus two unknown images, one on each side of the threshold.
        plots.setScores({0.9f, 0.8f, 0.7f, 0.4f, 0.3f, 0.2f, 0.1f, 0.95f, 0.05f}, {1, 0, 1, 1, 0, 0, 0, -1, -1});
        plots.setThreshold(0.5);
        QVERIFY(plots.hasBothClasses());
        const ds::Confusion c = plots.confusion();
        QCOMPARE(c.tp + c.fp + c.tn + c.fn, 7);
        QCOMPARE(c.tp, 2);
        QCOMPARE(c.fp, 1);
        QVERIFY(std::abs(plots.auroc() - 10.0 / 12.0) < 1e-9);
        plots.setLabelNote(QStringLiteral("7 labels, 2 from reviewers"));
        QVERIFY(plots.summaryText().contains(QStringLiteral("7 labels, 2 from reviewers")));
    }

    void suggestsTheF1OptimalThreshold()
    {
        ThresholdPlots plots;
        plots.setScores({0.9f, 0.8f, 0.7f, 0.4f, 0.3f, 0.2f, 0.1f}, {1, 0, 1, 1, 0, 0, 0});
        plots.setThreshold(0.85);
        // Flagging 0.9 0.8 0.7 0.4 gives TP 3, FP 1: F1 = 6/7, the best; the midpoint below 0.4 is 0.35.
        QVERIFY(plots.suggestedThreshold());
        QVERIFY(std::abs(*plots.suggestedThreshold() - 0.35) < 1e-6);
        QSignalSpy changed(&plots, &ThresholdPlots::thresholdChanged);
        auto* use = plots.findChild<QPushButton*>(QStringLiteral("useSuggestedButton"));
        QVERIFY(use && use->isEnabled());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(changed.size(), 1);
        QVERIFY(std::abs(plots.threshold() - 0.35) < 1e-6);
        QCOMPARE(plots.confusion().fn, 0);

        plots.setScores({0.1f, 0.2f}, {0, -1});
        QVERIFY(!plots.suggestedThreshold());
        QVERIFY(!use->isEnabled());
    }

    void curvesGrowPerName()
    {
        ds::ui::CurvePlot curves;
        QVERIFY(curves.isEmpty());
        curves.addPoint(QStringLiteral("loss"), 0, 1.0);
        curves.addPoint(QStringLiteral("loss"), 1, 0.5);
        curves.addPoint(QStringLiteral("validation"), 1, 0.7);
        QCOMPARE(curves.pointCount(QStringLiteral("loss")), 2);
        QCOMPARE(curves.pointCount(QStringLiteral("validation")), 1);
        QCOMPARE(curves.pointCount(QStringLiteral("other")), 0);
        curves.clear();
        QVERIFY(curves.isEmpty());
        QCOMPARE(curves.pointCount(QStringLiteral("loss")), 0);
    }

    void oneClassShowsNote()
    {
        ThresholdPlots plots;
        plots.setScores({0.1f, 0.2f, 0.3f}, {0, 0, 0});
        plots.setThreshold(0.25);
        QVERIFY(!plots.hasBothClasses());
        QCOMPARE(plots.confusion().tp + plots.confusion().fp + plots.confusion().tn + plots.confusion().fn, 0);
        QVERIFY(plots.summaryText().contains(QStringLiteral("needs good and defective labels")));
    }

    void clickingTheHistogramMovesTheThreshold()
    {
        ThresholdPlots plots;
        plots.resize(900, 260);
        plots.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plots));
        plots.setScores({0.9f, 0.8f, 0.7f, 0.4f, 0.3f, 0.2f, 0.1f}, {1, 0, 1, 1, 0, 0, 0});
        plots.setThreshold(0.85);
        QTest::qWait(50); // let the queued replot lay out the axes
        QWidget* histogram = plots.histogramWidget();
        QVERIFY(histogram);
        QSignalSpy changed(&plots, &ThresholdPlots::thresholdChanged);
        QTest::mouseClick(histogram, Qt::LeftButton, {}, plots.histogramPoint(0.5));
        QCOMPARE(changed.size(), 1);
        const double value = changed.first().first().toDouble();
        QVERIFY2(std::abs(value - 0.5) < 0.01, qPrintable(QString::number(value)));
        QCOMPARE(plots.threshold(), value);
        QCOMPARE(plots.confusion().tp, 2);
        QCOMPARE(plots.confusion().fn, 1);
    }

    // A plot without a size yet (in a hidden dock, before layout) paints nothing and says
    // nothing: no "QPainter::begin: Paint device returned engine == 0" on the console.
    void plotsWithoutASizeStayQuiet()
    {
        static QStringList warnings;
        warnings.clear();
        const QtMessageHandler previous
            = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& text) {
                  if (type == QtWarningMsg)
                      warnings << text;
              });
        QWidget window;
        auto* hidden = new ds::ui::CurvePlot(&window);
        hidden->resize(0, 0);
        hidden->hide();
        auto* thresholds = new ds::ui::ThresholdPlots(&window);
        thresholds->resize(0, 0);
        window.resize(400, 300);
        window.show();
        hidden->addPoint(QStringLiteral("loss"), 1, 0.5);
        thresholds->setScores({1.0f, 2.0f, 3.0f}, {0, 1, 1});
        thresholds->setThreshold(2.0);
        (void)window.grab(); // sends the pending resize events, as a screenshot does
        QTest::qWait(50); // queued replots
        qInstallMessageHandler(previous);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(hidden->pointCount(QStringLiteral("loss")), 1);
    }
};

QTEST_MAIN(TestThresholdPlots)
#include "test_threshold_plots.moc"
