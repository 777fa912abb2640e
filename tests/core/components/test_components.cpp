// The building blocks the detectors share, each against an answer known without it:
// anomaly-map finishing, coreset sampling, feature aggregation, Gaussian statistics,
// nearest neighbours and the cv::Mat / tensor conversions.
#include "core/Error.h"
#include "core/components/AnomalyMap.h"
#include "core/components/CoresetSampler.h"
#include "core/components/FeatureAggregation.h"
#include "core/components/GaussianStatistics.h"
#include "core/components/NearestNeighbours.h"
#include "core/components/TensorImage.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <cmath>

class TestComponents : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void anomalyMapKeepsAConstantAndPlacesAHotPatch();
    void coresetPicksTheFarOutPointFirstOrSecond();
    void coresetOfAtLeastAllPointsIsEveryPoint();
    void aggregationAlignsMapsOntoTheChosenGridAndScalesThem();
    void unitRmsScalesAreInverseRootMeanSquares();
    void gaussianStatisticsGiveTheMahalanobisDistanceOfAKnownGaussian();
    void gaussianStatisticsNeedTwoSamples();
    void nearestNeighboursMatchBruteForce();
    void imagesBecomePlanarBatchesAndTensorsBecomeMats();
};

void TestComponents::anomalyMapKeepsAConstantAndPlacesAHotPatch()
{
    const cv::Mat flat(4, 4, CV_32F, cv::Scalar(2.5f));
    const cv::Mat finished = ds::finishAnomalyMap(flat, cv::Size(64, 32), 48);
    QCOMPARE(finished.size(), cv::Size(48, 48));
    double min = 0, max = 0;
    cv::minMaxLoc(finished, &min, &max);
    QVERIFY(std::abs(min - 2.5) < 1e-5 && std::abs(max - 2.5) < 1e-5);

    // One hot patch in the bottom-right of a 4 x 4 grid: the map peaks in that quarter.
    cv::Mat hot = cv::Mat::zeros(4, 4, CV_32F);
    hot.at<float>(3, 3) = 1.0f;
    const cv::Mat map = ds::finishAnomalyMap(hot, cv::Size(64, 64), 64);
    QCOMPARE(map.size(), cv::Size(64, 64));
    cv::Point peak;
    cv::minMaxLoc(map, nullptr, &max, nullptr, &peak);
    QVERIFY(max > 0.0 && max <= 1.0);
    QVERIFY2(peak.x >= 48 && peak.y >= 48, qPrintable(QStringLiteral("peak at %1, %2").arg(peak.x).arg(peak.y)));
    QCOMPARE(map.at<float>(0, 0), 0.0f);
}

void TestComponents::coresetPicksTheFarOutPointFirstOrSecond()
{
    // 99 points near the origin and one far out; whatever the first (random) pick, the
    // second is the point farthest from it, so the far one is always among two picks.
    for (const int64_t dimension : {int64_t(2), int64_t(64)}) { // unprojected, then projected to 16
        torch::manual_seed(3);
        torch::Tensor points = 0.1 * torch::randn({100, dimension});
        const int64_t farOut = 57;
        points[farOut] += 100.0;
        for (uint64_t seed = 0; seed < 5; ++seed) {
            ds::JobContext job;
            const torch::Tensor picked = ds::greedyCoresetIndices(points, 2, 16, seed, job);
            QCOMPARE(picked.size(0), int64_t(2));
            QVERIFY(picked[0].item<int64_t>() != picked[1].item<int64_t>());
            QVERIFY2((picked == farOut).any().item<bool>(),
                     qPrintable(QStringLiteral("dimension %1 seed %2").arg(dimension).arg(seed)));
        }
    }
}

void TestComponents::coresetOfAtLeastAllPointsIsEveryPoint()
{
    ds::JobContext job;
    const torch::Tensor picked = ds::greedyCoresetIndices(torch::randn({7, 3}), 7, 16, 0, job);
    QVERIFY(torch::equal(picked, torch::arange(7, torch::kLong)));
}

void TestComponents::aggregationAlignsMapsOntoTheChosenGridAndScalesThem()
{
    const torch::Tensor fine = torch::full({1, 1, 4, 4}, 2.0);
    const torch::Tensor coarse = torch::full({1, 1, 2, 2}, 3.0);
    // Onto the coarse grid: the fine map is averaged down.
    const torch::Tensor down = ds::aggregateFeatures({fine, coarse}, 1, 1);
    QCOMPARE(down.sizes().vec(), std::vector<int64_t>({1, 2, 2, 2}));
    QVERIFY(torch::allclose(down[0][0], torch::full({2, 2}, 2.0)));
    QVERIFY(torch::allclose(down[0][1], torch::full({2, 2}, 3.0)));
    // Onto the fine grid: the coarse map is upsampled; scales multiply each map, and a 3 x 3
    // neighbourhood average leaves a constant map as it is (borders included).
    const torch::Tensor up = ds::aggregateFeatures({fine, coarse}, 0, 3, {0.5, 2.0});
    QCOMPARE(up.sizes().vec(), std::vector<int64_t>({1, 2, 4, 4}));
    QVERIFY(torch::allclose(up[0][0], torch::full({4, 4}, 1.0)));
    QVERIFY(torch::allclose(up[0][1], torch::full({4, 4}, 6.0)));

    // Local averaging over 3 x 3: the centre of a single spike gets a ninth of it.
    torch::Tensor spike = torch::zeros({1, 1, 5, 5});
    spike[0][0][2][2] = 9.0;
    const torch::Tensor averaged = ds::aggregateFeatures({spike}, 0, 3);
    QCOMPARE(averaged[0][0][2][2].item<float>(), 1.0f);
    QCOMPARE(averaged[0][0][0][0].item<float>(), 0.0f);
}

void TestComponents::unitRmsScalesAreInverseRootMeanSquares()
{
    const std::vector<double> scales
        = ds::unitRmsScales({torch::full({1, 2, 3, 3}, 4.0), torch::tensor({3.0f, -4.0f, 3.0f, -4.0f}).view({1, 1, 2, 2})});
    QCOMPARE(scales.size(), std::size_t(2));
    QVERIFY(std::abs(scales[0] - 0.25) < 1e-9);
    QVERIFY(std::abs(scales[1] - 1.0 / std::sqrt(12.5)) < 1e-6);
}

void TestComponents::gaussianStatisticsGiveTheMahalanobisDistanceOfAKnownGaussian()
{
    // Position 0 sees (+-1, 0) and (0, +-2): mean 0, sample variances 2/3 and 8/3, no
    // covariance. Position 1 sees the same points shifted by (10, -5). Given in two batches.
    const auto batch = [](std::vector<std::pair<float, float>> points) {
        torch::Tensor features = torch::zeros({int64_t(points.size()), 2, 2}); // B x D x P
        for (size_t i = 0; i < points.size(); ++i) {
            features[int64_t(i)][0][0] = points[i].first;
            features[int64_t(i)][1][0] = points[i].second;
            features[int64_t(i)][0][1] = points[i].first + 10.0f;
            features[int64_t(i)][1][1] = points[i].second - 5.0f;
        }
        return features;
    };
    ds::GaussianStatistics statistics;
    statistics.accumulate(batch({{1, 0}, {-1, 0}}));
    statistics.accumulate(batch({{0, 2}, {0, -2}}));
    statistics.finish(0.0);
    QVERIFY(torch::allclose(statistics.mean(), torch::tensor({0.0f, 0.0f, 10.0f, -5.0f}).view({2, 2}), 1e-6, 1e-6));
    const torch::Tensor expectedInverse = torch::diag(torch::tensor({1.5f, 0.375f}));
    QVERIFY(torch::allclose(statistics.inverseCovariance()[0], expectedInverse, 1e-5, 1e-6));
    QVERIFY(torch::allclose(statistics.inverseCovariance()[1], expectedInverse, 1e-5, 1e-6));

    // (1, 2) away from each mean: 1 * 1.5 + 4 * 0.375 = 3; at the mean: 0.
    const torch::Tensor distances = statistics.squaredMahalanobis(batch({{1, 2}, {0, 0}}));
    QCOMPARE(distances.sizes().vec(), std::vector<int64_t>({2, 2})); // B x P
    QVERIFY(torch::allclose(distances, torch::tensor({3.0f, 3.0f, 0.0f, 0.0f}).view({2, 2}), 1e-5, 1e-5));
}

void TestComponents::gaussianStatisticsNeedTwoSamples()
{
    ds::GaussianStatistics statistics;
    statistics.accumulate(torch::ones({1, 3, 4}));
    QVERIFY_THROWS_EXCEPTION(ds::InputError, statistics.finish());
}

void TestComponents::nearestNeighboursMatchBruteForce()
{
    torch::manual_seed(11);
    const torch::Tensor queries = torch::randn({40, 8});
    const torch::Tensor bank = torch::randn({150, 8});
    const auto [distances, indices] = ds::nearestNeighbours(queries, bank, 5);
    QCOMPARE(indices.sizes().vec(), std::vector<int64_t>({40, 5}));
    for (int64_t q = 0; q < queries.size(0); ++q) {
        const torch::Tensor all = (bank - queries[q]).pow(2).sum(1).sqrt(); // every distance, by definition
        const auto [expected, expectedIndices] = all.topk(5, 0, /*largest=*/false, /*sorted=*/true);
        QVERIFY(torch::equal(indices[q], expectedIndices));
        QVERIFY(torch::allclose(distances[q], expected, 1e-4, 1e-4));
    }
    // More neighbours than the bank holds: all of it, nearest first.
    const auto [few, fewIndices] = ds::nearestNeighbours(queries.slice(0, 0, 1), bank.slice(0, 0, 3), 10);
    QCOMPARE(fewIndices.size(1), int64_t(3));
    QVERIFY((few[0].slice(0, 1) >= few[0].slice(0, 0, 2)).all().item<bool>());
}

void TestComponents::imagesBecomePlanarBatchesAndTensorsBecomeMats()
{
    cv::Mat image(2, 3, CV_32FC3, cv::Scalar(0.1f, 0.5f, 0.9f)); // R, G, B as loadImageRgb gives them
    image.at<cv::Vec3f>(1, 2) = cv::Vec3f(1.0f, 0.0f, 0.25f);
    const torch::Tensor unit = ds::imagesToBatch({image}, image.size(), torch::kCPU, ds::InputNormalisation::Unit);
    QCOMPARE(unit.sizes().vec(), std::vector<int64_t>({1, 3, 2, 3}));
    QCOMPARE(unit[0][0][0][0].item<float>(), 0.1f);
    QCOMPARE(unit[0][2][0][0].item<float>(), 0.9f);
    QCOMPARE(unit[0][0][1][2].item<float>(), 1.0f);
    QCOMPARE(unit[0][2][1][2].item<float>(), 0.25f);
    const torch::Tensor imageNet = ds::imagesToBatch({image}, image.size(), torch::kCPU);
    QVERIFY(std::abs(imageNet[0][1][0][0].item<float>() - (0.5f - 0.456f) / 0.224f) < 1e-5f);
    QVERIFY_THROWS_EXCEPTION(ds::InputError, ds::imagesToBatch({cv::Mat(2, 2, CV_8UC3)}, cv::Size(2, 2), torch::kCPU));

    const cv::Mat mask = (cv::Mat_<float>(2, 2) << 0, 1, 1, 0);
    const torch::Tensor masks = ds::masksToBatch({mask, 1.0f - mask}, torch::kCPU);
    QCOMPARE(masks.sizes().vec(), std::vector<int64_t>({2, 2, 2}));
    QCOMPARE(masks[1][0][0].item<float>(), 1.0f);
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::masksToBatch({mask, cv::Mat::zeros(3, 3, CV_32F)}, torch::kCPU));

    const torch::Tensor map = torch::arange(6, torch::kFloat32).view({2, 3}).t(); // not contiguous
    const cv::Mat converted = ds::tensorToMat(map);
    QCOMPARE(converted.size(), cv::Size(2, 3));
    QCOMPARE(converted.at<float>(2, 1), 5.0f);
    QCOMPARE(converted.at<float>(1, 0), 1.0f);
}

QTEST_GUILESS_MAIN(TestComponents)
#include "test_components.moc"
