#include "core/Error.h"
#include "core/storage/ContentHash.h"
#include "core/storage/HeatmapCodec.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

#include <cmath>
#include <limits>

class TestStorageCodecs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void heatmapRoundTripWithinOneLevel_data();
    void heatmapRoundTripWithinOneLevel();
    void constantHeatmapDecodesToItsValue();
    void heatmapKeepsLevelsWhenRangeIsSmallNextToValues();
    void heatmapRejectsNonFiniteValuesAndWrongType();
    void decodingGarbageIsInputError();
    void sha256MatchesKnownVectors();
    void sha256OfFileMatchesBytesAndNamesMissingPath();
};

namespace {

double maxAbsDifference(const cv::Mat& a, const cv::Mat& b)
{
    return cv::norm(a, b, cv::NORM_INF);
}

} // namespace

void TestStorageCodecs::heatmapRoundTripWithinOneLevel_data()
{
    QTest::addColumn<float>("low");
    QTest::addColumn<float>("high");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::newRow("unit range") << 0.0f << 1.0f << 64 << 48;
    QTest::newRow("scores") << 2.5f << 37.0f << 224 << 224;
    QTest::newRow("negative") << -5.0f << 3.0f << 7 << 13;
}

void TestStorageCodecs::heatmapRoundTripWithinOneLevel()
{
    QFETCH(float, low);
    QFETCH(float, high);
    QFETCH(int, rows);
    QFETCH(int, cols);
    cv::Mat map(rows, cols, CV_32FC1);
    cv::RNG rng(7);
    rng.fill(map, cv::RNG::UNIFORM, low, high);

    float min = 0.0f;
    float max = 0.0f;
    const std::vector<std::uint8_t> png = ds::encodeHeatmap(map, min, max);
    double expectedMin = 0.0;
    double expectedMax = 0.0;
    cv::minMaxLoc(map, &expectedMin, &expectedMax);
    QCOMPARE(min, static_cast<float>(expectedMin));
    QCOMPARE(max, static_cast<float>(expectedMax));

    const cv::Mat decoded = ds::decodeHeatmap(png, min, max);
    QCOMPARE(decoded.type(), CV_32FC1);
    QCOMPARE(decoded.rows, rows);
    QCOMPARE(decoded.cols, cols);
    QVERIFY(maxAbsDifference(decoded, map) <= (max - min) / 65535.0);
}

void TestStorageCodecs::constantHeatmapDecodesToItsValue()
{
    const cv::Mat map(10, 20, CV_32FC1, cv::Scalar(4.25f));
    float min = 0.0f;
    float max = 0.0f;
    const std::vector<std::uint8_t> png = ds::encodeHeatmap(map, min, max);
    QCOMPARE(min, 4.25f);
    QCOMPARE(max, 4.25f);
    const cv::Mat decoded = ds::decodeHeatmap(png, min, max);
    QCOMPARE(maxAbsDifference(decoded, map), 0.0);
}

void TestStorageCodecs::heatmapKeepsLevelsWhenRangeIsSmallNextToValues()
{
    // 65536 evenly spaced values in [100, 101]: each must land on its own level.
    cv::Mat map(256, 256, CV_32FC1);
    for (int i = 0; i < 65536; ++i)
        map.at<float>(i / 256, i % 256) = 100.0f + static_cast<float>(i) / 65535.0f;
    float min = 0.0f;
    float max = 0.0f;
    const std::vector<std::uint8_t> png = ds::encodeHeatmap(map, min, max);
    const cv::Mat decoded = ds::decodeHeatmap(png, min, max);
    // Tolerance: one level, plus one float32 ulp of the values themselves.
    const double ulp = std::nextafter(101.0f, 102.0f) - 101.0f;
    QVERIFY(maxAbsDifference(decoded, map) <= (max - min) / 65535.0 + ulp);
}

void TestStorageCodecs::heatmapRejectsNonFiniteValuesAndWrongType()
{
    float min = 0.0f;
    float max = 0.0f;
    cv::Mat withNan(4, 4, CV_32FC1, cv::Scalar(1.0f));
    withNan.at<float>(2, 3) = std::numeric_limits<float>::quiet_NaN();
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::encodeHeatmap(withNan, min, max));
    cv::Mat withInfinity(4, 4, CV_32FC1, cv::Scalar(1.0f));
    withInfinity.at<float>(0, 0) = std::numeric_limits<float>::infinity();
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::encodeHeatmap(withInfinity, min, max));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::encodeHeatmap(cv::Mat(4, 4, CV_8UC1), min, max));
    QVERIFY_THROWS_EXCEPTION(ds::Error, ds::encodeHeatmap(cv::Mat(), min, max));
}

void TestStorageCodecs::decodingGarbageIsInputError()
{
    const std::vector<std::uint8_t> garbage = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    QVERIFY_THROWS_EXCEPTION(ds::InputError, ds::decodeHeatmap(garbage, 0.0f, 1.0f));
    QVERIFY_THROWS_EXCEPTION(ds::InputError, ds::decodeHeatmap({}, 0.0f, 1.0f));
}

void TestStorageCodecs::sha256MatchesKnownVectors()
{
    QCOMPARE(ds::sha256Hex({}), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(ds::sha256Hex({'a', 'b', 'c'}), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

void TestStorageCodecs::sha256OfFileMatchesBytesAndNamesMissingPath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString filePath = dir.filePath(QStringLiteral("image.png"));
    const std::vector<std::uint8_t> bytes = {0x89, 'P', 'N', 'G', 0, 1, 2, 250};
    QFile file(filePath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size()));
    file.close();
    QCOMPARE(ds::sha256HexOfFile(filePath.toStdString()), ds::sha256Hex(bytes));

    const std::string missing = dir.filePath(QStringLiteral("missing.png")).toStdString();
    try {
        ds::sha256HexOfFile(missing);
        QFAIL("expected ds::InputError");
    } catch (const ds::InputError& error) {
        QVERIFY(std::string(error.what()).find(missing) != std::string::npos);
    }
}

QTEST_GUILESS_MAIN(TestStorageCodecs)
#include "test_storage_codecs.moc"
