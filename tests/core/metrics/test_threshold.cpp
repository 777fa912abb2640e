#include "core/Error.h"
#include "core/metrics/Threshold.h"

#include <QtTest>

#include <cmath>
#include <numeric>
#include <vector>

class TestThreshold : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void goodQuantile_data();
    void goodQuantile();
    void fewGoodImagesGetTheThreeSigmaLimit();
    void defaultQuantileFlagsFewGoodImages();
    void f1Optimal();
    void confusion_data();
    void confusion();
    void invalidInputThrows();
};

void TestThreshold::goodQuantile_data()
{
    QTest::addColumn<std::vector<float>>("scores");
    QTest::addColumn<double>("quantile");
    QTest::addColumn<double>("expected");

    // The quantile q of n sorted scores x sits at rank h = (n - 1) q:
    // x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
    const std::vector<float> oneToFive {4, 1, 5, 3, 2};
    QTest::addRow("median") << oneToFive << 0.5 << 3.0; // h = 2
    QTest::addRow("0.99 of 1..5") << oneToFive << 0.99 << 4.96; // h = 3.96: 4 + 0.96 * 1
    QTest::addRow("minimum") << oneToFive << 0.0 << 1.0; // h = 0
    QTest::addRow("maximum") << oneToFive << 1.0 << 5.0; // h = 4
    // Sorted 10 20 30 40, h = 0.9: 10 + 0.9 * 10.
    QTest::addRow("0.3 of 10..40") << std::vector<float> {40, 10, 30, 20} << 0.3 << 19.0;
    // Sorted 2 2 2 7, h = 2.25: x[2] + 0.25 * (x[3] - x[2]) = 2 + 0.25 * 5.
    QTest::addRow("ties") << std::vector<float> {2, 7, 2, 2} << 0.75 << 3.25;
    QTest::addRow("single score") << std::vector<float> {0.25f} << 0.99 << 0.25;
}

void TestThreshold::goodQuantile()
{
    QFETCH(std::vector<float>, scores);
    QFETCH(double, quantile);
    QFETCH(double, expected);
    QCOMPARE(ds::goodQuantileThreshold(scores, quantile), expected);
}

void TestThreshold::fewGoodImagesGetTheThreeSigmaLimit()
{
    // Six held-out scores 1..6: the 0.99 quantile is 5.95 (almost the maximum); mean 3.5
    // and sample standard deviation sqrt(3.5) put the 3-sigma limit at 3.5 + 3 * 1.8708.
    const std::vector<float> few {1, 2, 3, 4, 5, 6};
    QCOMPARE(ds::goodImagesThreshold(few), 3.5 + 3.0 * std::sqrt(3.5));
    // Many scores with one far outlier: the quantile sits above the 3-sigma limit and wins.
    std::vector<float> many(200, 1.0f);
    many[0] = 1000.0f;
    many[1] = 1000.0f;
    many[2] = 1000.0f;
    QCOMPARE(ds::goodImagesThreshold(many), ds::goodQuantileThreshold(many));
    QVERIFY(ds::goodImagesThreshold(many) > 100.0);
    QCOMPARE(ds::goodImagesThreshold({2.5f}), 2.5);
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodImagesThreshold({}));
}

void TestThreshold::defaultQuantileFlagsFewGoodImages()
{
    // Good scores 0..99: the 0.99 quantile is at rank 98.01, i.e. 98.01, so only the
    // image scoring 99 is flagged.
    std::vector<float> goodScores(100);
    std::iota(goodScores.begin(), goodScores.end(), 0.0f);
    const double threshold = ds::goodQuantileThreshold(goodScores);
    QCOMPARE(threshold, 98.01);
    const ds::Confusion counts = ds::confusionAt(goodScores, std::vector<int>(goodScores.size(), 0), threshold);
    QCOMPARE(counts.fp, 1);
    QCOMPARE(counts.tn, 99);
}

void TestThreshold::f1Optimal()
{
    // Sorted descending with P = 4 defective; F1 = 2 tp / (tp + fp + P) at each cut:
    //   cut at  0.95  0.9   0.7   0.6   0.5   0.4   0.2
    //   F1      2/5   2/6   4/7   6/8   6/9  8/10  8/11
    // Best cut is 0.4; the threshold is midway to the next score 0.2, i.e. 0.3,
    // flagging all 4 defective and 2 of the 3 good images.
    const std::vector<float> scores {0.2f, 0.95f, 0.5f, 0.7f, 0.9f, 0.4f, 0.6f};
    const std::vector<int> labels {0, 1, 0, 1, 0, 1, 1};
    const double threshold = ds::f1OptimalThreshold(scores, labels);
    QCOMPARE(threshold, (double(0.4f) + double(0.2f)) / 2);
    const ds::Confusion counts = ds::confusionAt(scores, labels, threshold);
    QCOMPARE(counts.tp, 4);
    QCOMPARE(counts.fp, 2);
    QCOMPARE(counts.tn, 1);
    QCOMPARE(counts.fn, 0);
}

void TestThreshold::confusion_data()
{
    QTest::addColumn<double>("threshold");
    QTest::addColumn<int>("tp");
    QTest::addColumn<int>("fp");
    QTest::addColumn<int>("tn");
    QTest::addColumn<int>("fn");

    // Scores/labels of confusion(): defective 0.9, 0.6, 0.3; good 0.8, 0.6, 0.1.
    QTest::addRow("above all") << 1.0 << 0 << 0 << 3 << 3;
    QTest::addRow("equal score counts as defective") << double(0.6f) << 2 << 2 << 1 << 1;
    QTest::addRow("between") << 0.2 << 3 << 2 << 1 << 0;
    QTest::addRow("below all") << 0.0 << 3 << 3 << 0 << 0;
}

void TestThreshold::confusion()
{
    QFETCH(double, threshold);
    QFETCH(int, tp);
    QFETCH(int, fp);
    QFETCH(int, tn);
    QFETCH(int, fn);
    const std::vector<float> scores {0.9f, 0.8f, 0.6f, 0.6f, 0.3f, 0.1f};
    const std::vector<int> labels {1, 0, 1, 0, 1, 0};
    const ds::Confusion counts = ds::confusionAt(scores, labels, threshold);
    QCOMPARE(counts.tp, tp);
    QCOMPARE(counts.fp, fp);
    QCOMPARE(counts.tn, tn);
    QCOMPARE(counts.fn, fn);
}

void TestThreshold::invalidInputThrows()
{
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodQuantileThreshold({}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodQuantileThreshold({1, 2}, 1.5));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodQuantileThreshold({1, 2}, -0.1));
    // A model that scores a good image NaN or infinite gets no threshold at all.
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodImagesThreshold({1, NAN, 2}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodImagesThreshold({1, -INFINITY, 2}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::goodImagesThreshold({1, INFINITY}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::f1OptimalThreshold({0.1f, 0.2f}, {1}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::f1OptimalThreshold({0.1f, 0.2f}, {0, 0}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::confusionAt({0.1f, 0.2f}, {1}, 0.5));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::confusionAt({0.1f}, {-1}, 0.5));
}

QTEST_APPLESS_MAIN(TestThreshold)
#include "test_threshold.moc"
