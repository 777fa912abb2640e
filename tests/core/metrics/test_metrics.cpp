#include "core/Error.h"
#include "core/metrics/Metrics.h"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

// Scores with ties, used by several tests. Sorted descending:
//   score  0.9  0.8  0.8  0.6  0.6  0.6  0.3
//   label   1    1    0    1    0    0    0      P = 3 defective, N = 4 good
const std::vector<float> kTiedScores {0.6f, 0.9f, 0.3f, 0.8f, 0.6f, 0.8f, 0.6f};
const std::vector<int> kTiedLabels {0, 1, 0, 0, 1, 1, 0};

// The 4x4 AUPRO hand case. Region A is the single pixel at (0,0); region B is the
// three pixels (2,2), (3,1), (3,3), one region only because 8-connectivity joins
// diagonal neighbours. 12 good pixels.
cv::Mat twoRegionMap()
{
    return (cv::Mat_<float>(4, 4) << //
                0.9f,
            0.9f, 0.7f, 0.7f, //
            0.6f, 0.6f, 0.1f, 0.1f, //
            0.1f, 0.1f, 0.8f, 0.1f, //
            0.1f, 0.6f, 0.1f, 0.1f);
}

cv::Mat twoRegionMask()
{
    return (cv::Mat_<std::uint8_t>(4, 4) << //
                255,
            0, 0, 0, //
            0, 0, 0, 0, //
            0, 0, 255, 0, //
            0, 255, 0, 255);
}

// Random maps quantized to steps of 0.05 (so there are many ties), defects drawn as
// rectangles and discs scoring higher on average; every third image is defect-free.
void makeRandomImages(std::vector<cv::Mat>& maps, std::vector<cv::Mat>& masks, int count)
{
    std::mt19937 random(7);
    std::uniform_int_distribution<int> coordinate(0, 23);
    std::uniform_int_distribution<int> step(0, 14);
    for (int i = 0; i < count; ++i) {
        cv::Mat mask(24, 24, CV_8U, cv::Scalar(0));
        if (i % 3 != 0) {
            cv::rectangle(mask, cv::Point(coordinate(random), coordinate(random)),
                          cv::Point(coordinate(random), coordinate(random)), cv::Scalar(255), cv::FILLED);
            cv::circle(mask, cv::Point(coordinate(random), coordinate(random)), 1 + i % 4, cv::Scalar(255), cv::FILLED);
        }
        cv::Mat map(24, 24, CV_32F);
        for (int y = 0; y < map.rows; ++y)
            for (int x = 0; x < map.cols; ++x)
                map.at<float>(y, x) = 0.05f * float(step(random) + (mask.at<std::uint8_t>(y, x) ? 6 : 0));
        maps.push_back(map);
        masks.push_back(i % 3 != 0 ? mask : cv::Mat());
    }
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rocAucCases_data();
    void rocAucCases();
    void rocAucMatchesPairwiseCount();
    void rocCurvePoints();
    void f1MaxCases_data();
    void f1MaxCases();
    void pixelAurocTinyMaps();
    void pixelAurocEqualsRocAucOfAllPixels();
    void auproPerfectDetector();
    void auproTwoRegionsByHand_data();
    void auproTwoRegionsByHand();
    void auproRightOnOneRegionOnly();
    void auproInvariantToMonotonicTransform();
    void invalidInputThrows();
};

void TestMetrics::rocAucCases_data()
{
    QTest::addColumn<std::vector<float>>("scores");
    QTest::addColumn<std::vector<int>>("labels");
    QTest::addColumn<double>("expected");

    QTest::addRow("perfect") << std::vector<float> {0.1f, 0.2f, 0.8f, 0.9f} << std::vector<int> {0, 0, 1, 1} << 1.0;
    QTest::addRow("inverted") << std::vector<float> {0.1f, 0.2f, 0.8f, 0.9f} << std::vector<int> {1, 1, 0, 0} << 0.0;
    // Defective {2, 3} against good {1, 4}: 2>1, 3>1 win, 2<4, 3<4 lose -> 2/4.
    QTest::addRow("random half, interleaved") << std::vector<float> {1, 2, 3, 4} << std::vector<int> {0, 1, 1, 0} << 0.5;
    QTest::addRow("random half, all tied") << std::vector<float> {5, 5, 5, 5, 5} << std::vector<int> {0, 1, 0, 1, 1} << 0.5;
    // kTiedScores: count defective-good pairs, a tie counting half.
    //   defective 0.9 beats all 4 good                          -> 4
    //   defective 0.8 ties good 0.8, beats 0.6, 0.6, 0.3        -> 0.5 + 3 = 3.5
    //   defective 0.6 loses to 0.8, ties 0.6 twice, beats 0.3   -> 0 + 1 + 1 = 2
    // AUC = 9.5 / (3 * 4) = 19/24.
    QTest::addRow("ties by hand") << kTiedScores << kTiedLabels << 19.0 / 24.0;
}

void TestMetrics::rocAucCases()
{
    QFETCH(std::vector<float>, scores);
    QFETCH(std::vector<int>, labels);
    QFETCH(double, expected);
    QCOMPARE(ds::rocAuc(scores, labels), expected);
}

void TestMetrics::rocAucMatchesPairwiseCount()
{
    std::mt19937 random(11);
    std::uniform_int_distribution<int> step(0, 20); // few distinct values: many ties
    std::vector<float> scores;
    std::vector<int> labels;
    for (int i = 0; i < 300; ++i) {
        labels.push_back(i % 3 == 0 ? 1 : 0);
        scores.push_back(0.1f * float(step(random) + 3 * labels.back()));
    }
    double wins = 0;
    double pairs = 0;
    for (std::size_t d = 0; d < scores.size(); ++d) {
        for (std::size_t g = 0; g < scores.size(); ++g) {
            if (labels[d] != 1 || labels[g] != 0)
                continue;
            wins += scores[d] > scores[g] ? 1.0 : scores[d] == scores[g] ? 0.5 : 0.0;
            pairs += 1;
        }
    }
    QCOMPARE(ds::rocAuc(scores, labels), wins / pairs);
}

void TestMetrics::rocCurvePoints()
{
    // kTiedScores, one point per distinct score (tp and fp counted at score >= t):
    //   t     +inf  0.9   0.8   0.6   0.3
    //   tp     0     1     2     3     3      TPR = tp / 3
    //   fp     0     0     1     3     4      FPR = fp / 4
    const ds::RocCurve curve = ds::rocCurve(kTiedScores, kTiedLabels);
    const std::vector<double> thresholds {std::numeric_limits<double>::infinity(), 0.9f, 0.8f, 0.6f, 0.3f};
    QCOMPARE(curve.thresholds, thresholds);
    QCOMPARE(curve.tpr, (std::vector<double> {0.0, 1.0 / 3, 2.0 / 3, 1.0, 1.0}));
    QCOMPARE(curve.fpr, (std::vector<double> {0.0, 0.0, 0.25, 0.75, 1.0}));
}

void TestMetrics::f1MaxCases_data()
{
    QTest::addColumn<std::vector<float>>("scores");
    QTest::addColumn<std::vector<int>>("labels");
    QTest::addColumn<double>("f1");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<double>("precision");
    QTest::addColumn<double>("recall");

    // P = 4; F1 = 2 tp / (tp + fp + P) at each cut:
    //   cut at  0.95  0.9   0.7   0.6   0.5   0.4   0.2
    //   tp       1     1     2     3     3     4     4
    //   fp       0     1     1     1     2     2     3
    //   F1      2/5   2/6   4/7   6/8   6/9  8/10  8/11
    // Best: cut at 0.4, precision 4/6, recall 1; threshold midway to 0.2.
    QTest::addRow("cut inside") << std::vector<float> {0.95f, 0.9f, 0.7f, 0.6f, 0.5f, 0.4f, 0.2f}
                                << std::vector<int> {1, 0, 1, 1, 0, 1, 0} << 0.8 << (double(0.4f) + double(0.2f)) / 2 << 4.0 / 6
                                << 1.0;
    //   cut at  0.9   0.5   0.3
    //   F1      2/3   2/4   4/5   -> everything flagged, threshold is the lowest score
    QTest::addRow("everything flagged") << std::vector<float> {0.3f, 0.5f, 0.9f} << std::vector<int> {1, 0, 1} << 0.8
                                        << double(0.3f) << 2.0 / 3 << 1.0;
    // kTiedScores, P = 3:
    //   cut at  0.9   0.8   0.6   0.3
    //   tp       1     2     3     3
    //   fp       0     1     3     4
    //   F1      2/4   4/6   6/9   6/10
    // 0.8 and 0.6 tie at 2/3; the higher cut wins, threshold midway from 0.8 to 0.6.
    QTest::addRow("ties in scores and in F1")
        << kTiedScores << kTiedLabels << 2.0 / 3 << (double(0.8f) + double(0.6f)) / 2 << 2.0 / 3 << 2.0 / 3;
}

void TestMetrics::f1MaxCases()
{
    QFETCH(std::vector<float>, scores);
    QFETCH(std::vector<int>, labels);
    QFETCH(double, f1);
    QFETCH(double, threshold);
    QFETCH(double, precision);
    QFETCH(double, recall);
    const ds::F1Result result = ds::f1Max(scores, labels);
    QCOMPARE(result.f1, f1);
    QCOMPARE(result.threshold, threshold);
    QCOMPARE(result.precision, precision);
    QCOMPARE(result.recall, recall);
}

void TestMetrics::pixelAurocTinyMaps()
{
    // Image 1 has defects at its left column, image 2 has none (empty mask).
    //   defective pixels: 0.9, 0.4
    //   good pixels:      0.1, 0.4 | 0.2, 0.4, 0.0, 0.7      (N = 6)
    // 0.9 beats all 6 -> 6; 0.4 beats 0.1, 0.2, 0.0, ties 0.4 twice, loses to 0.7 -> 4.
    // AUROC = 10 / (2 * 6) = 5/6.
    const std::vector<cv::Mat> maps {(cv::Mat_<float>(2, 2) << 0.9f, 0.1f, 0.4f, 0.4f),
                                     (cv::Mat_<float>(2, 2) << 0.2f, 0.4f, 0.0f, 0.7f)};
    const std::vector<cv::Mat> masks {(cv::Mat_<std::uint8_t>(2, 2) << 1, 0, 255, 0), cv::Mat()};
    QCOMPARE(ds::pixelAuroc(maps, masks), 5.0 / 6.0);
}

void TestMetrics::pixelAurocEqualsRocAucOfAllPixels()
{
    std::vector<cv::Mat> maps, masks;
    makeRandomImages(maps, masks, 9);
    std::vector<float> scores;
    std::vector<int> labels;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        for (int y = 0; y < maps[i].rows; ++y) {
            for (int x = 0; x < maps[i].cols; ++x) {
                scores.push_back(maps[i].at<float>(y, x));
                labels.push_back(!masks[i].empty() && masks[i].at<std::uint8_t>(y, x) ? 1 : 0);
            }
        }
    }
    QCOMPARE(ds::pixelAuroc(maps, masks), ds::rocAuc(scores, labels));
}

void TestMetrics::auproPerfectDetector()
{
    std::vector<cv::Mat> maps, masks;
    makeRandomImages(maps, masks, 6);
    for (std::size_t i = 0; i < maps.size(); ++i) {
        maps[i].setTo(0.0f);
        if (!masks[i].empty())
            maps[i].setTo(1.0f, masks[i]);
    }
    QCOMPARE(ds::aupro(maps, masks), 1.0);
    QCOMPARE(ds::aupro(maps, masks, 1.0), 1.0);
}

void TestMetrics::auproTwoRegionsByHand_data()
{
    QTest::addColumn<double>("fprLimit");
    QTest::addColumn<double>("expected");

    // twoRegionMap(): 2 regions, so a pixel of A (size 1) adds 1/2 to PRO, a pixel of
    // B (size 3) adds 1/6; a good pixel adds 1/12 to FPR. Descending tie groups:
    //   score  pixels            FPR    PRO
    //   (start)                  0      0
    //   0.9    A + 1 good        1/12   1/2
    //   0.8    1 of B            1/12   2/3
    //   0.7    2 good            3/12   2/3
    //   0.6    1 of B + 2 good   5/12   5/6
    //   0.1    1 of B + 7 good   1      1
    // Trapezoids: [0, 1/12] -> 1/12 * (0 + 1/2) / 2 = 1/48; the vertical step adds 0;
    // [1/12, 3/12] -> 2/12 * 2/3 = 1/9; [3/12, 5/12] -> 1/6 * (2/3 + 5/6) / 2 = 1/8;
    // [5/12, 1] -> 7/12 * (5/6 + 1) / 2 = 77/144.
    //
    // Limit 0.3 falls in [3/12, 5/12]: PRO(0.3) = 2/3 + (0.3 - 0.25) / (1/6) * (1/6)
    // = 2/3 + 1/20 = 43/60, the partial trapezoid is 1/20 * (40/60 + 43/60) / 2 = 83/2400.
    // Area = 1/48 + 1/9 + 83/2400 = (150 + 800 + 249) / 7200 = 1199/7200;
    // divided by 0.3: 1199/2160.
    QTest::addRow("limit 0.3, interpolated") << 0.3 << 1199.0 / 2160.0;
    // Limit 0.25 = 3/12 is a curve point: (1/48 + 1/9) / 0.25 = (19/144) * 4 = 19/36.
    QTest::addRow("limit on a point") << 0.25 << 19.0 / 36.0;
    // Limit 0.05 falls in the first segment: PRO(0.05) = 0.05 * 6 = 0.3,
    // area 0.05 * 0.3 / 2 = 0.0075, divided by 0.05: 0.15.
    QTest::addRow("limit in first segment") << 0.05 << 0.15;
    // Whole curve: 1/48 + 1/9 + 1/8 + 77/144 = (3 + 16 + 18 + 77) / 144 = 19/24.
    QTest::addRow("limit 1") << 1.0 << 19.0 / 24.0;
}

void TestMetrics::auproTwoRegionsByHand()
{
    QFETCH(double, fprLimit);
    QFETCH(double, expected);
    QCOMPARE(ds::aupro({twoRegionMap()}, {twoRegionMask()}, fprLimit), expected);
}

void TestMetrics::auproRightOnOneRegionOnly()
{
    // Region A (1 pixel, image 1) scores above every good pixel; region B (a 3x3 block,
    // image 2) scores below all of them. PRO is 1/2 from FPR 0 until every good pixel is
    // flagged at FPR 1, so AUPRO = 1/2 at any limit: regions count equally whatever
    // their size (a pixel-weighted overlap would give 1/10).
    cv::Mat mapA(5, 5, CV_32F, cv::Scalar(0.5f));
    cv::Mat maskA(5, 5, CV_8U, cv::Scalar(0));
    mapA.at<float>(1, 1) = 0.9f;
    maskA.at<std::uint8_t>(1, 1) = 255;
    cv::Mat mapB(5, 5, CV_32F, cv::Scalar(0.5f));
    cv::Mat maskB(5, 5, CV_8U, cv::Scalar(0));
    mapB(cv::Rect(1, 1, 3, 3)).setTo(0.1f);
    maskB(cv::Rect(1, 1, 3, 3)).setTo(255);
    const std::vector<cv::Mat> maps {mapA, mapB, cv::Mat(5, 5, CV_32F, cv::Scalar(0.2f))};
    const std::vector<cv::Mat> masks {maskA, maskB, cv::Mat()};
    QCOMPARE(ds::aupro(maps, masks), 0.5);
    QCOMPARE(ds::aupro(maps, masks, 1.0), 0.5);
}

void TestMetrics::auproInvariantToMonotonicTransform()
{
    std::vector<cv::Mat> maps, masks;
    makeRandomImages(maps, masks, 12);
    std::vector<cv::Mat> transformed;
    for (const cv::Mat& map : maps) {
        cv::Mat exponential;
        cv::exp(map * 3.0, exponential);
        transformed.push_back(exponential - 7.0);
    }
    const double reference = ds::aupro(maps, masks);
    QVERIFY(reference > 0.1 && reference < 0.9);
    QCOMPARE(ds::aupro(transformed, masks), reference);
    QCOMPARE(ds::pixelAuroc(transformed, masks), ds::pixelAuroc(maps, masks));
}

void TestMetrics::invalidInputThrows()
{
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocAuc({0.1f, 0.2f}, {0, 1, 1}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocAuc({}, {}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocAuc({0.1f, 0.2f}, {1, 1}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocAuc({0.1f, 0.2f}, {0, 0}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocAuc({0.1f, 0.2f}, {0, 2}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocAuc({0.1f, std::numeric_limits<float>::quiet_NaN()}, {0, 1}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::rocCurve({0.1f, 0.2f}, {1, 1}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::f1Max({0.1f, 0.2f}, {0, 0}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::f1Max({0.1f}, {0, 1}));

    const cv::Mat map = twoRegionMap();
    const cv::Mat mask = twoRegionMask();
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::pixelAuroc({map, map}, {mask}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::pixelAuroc({}, {}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::pixelAuroc({map}, {cv::Mat(3, 4, CV_8U, cv::Scalar(0))}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::pixelAuroc({cv::Mat(4, 4, CV_8U, cv::Scalar(0))}, {mask}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::pixelAuroc({map}, {cv::Mat(4, 4, CV_32F, cv::Scalar(0))}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::pixelAuroc({map}, {cv::Mat()}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::aupro({map, map}, {mask}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::aupro({map}, {cv::Mat()}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::aupro({map}, {cv::Mat(4, 4, CV_8U, cv::Scalar(1))}));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::aupro({map}, {mask}, 0.0));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::aupro({map}, {mask}, 1.5));
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
