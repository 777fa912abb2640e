// Overlay rendering: the original JET overlay is unchanged, the colormap choice changes
// the heatmap colours, and the ground truth is outlined in green apart from the prediction.
#include "core/data/Overlay.h"

#include <QTest>
#include <opencv2/imgproc.hpp>

#include <set>
#include <tuple>

using namespace ds;

namespace cv {
// Readable QCOMPARE failures for pixels.
char* toString(const Vec3b& bgr)
{
    return QTest::toString(QStringLiteral("BGR(%1, %2, %3)").arg(bgr[0]).arg(bgr[1]).arg(bgr[2]));
}
} // namespace cv

namespace {

constexpr int kSize = 64;
const cv::Vec3b kGreen(0, 255, 0);

// A mid-grey RGB image with a horizontal gradient so blending shows.
cv::Mat greyImage()
{
    cv::Mat image(kSize, kSize, CV_32FC3);
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x)
            image.at<cv::Vec3f>(y, x) = cv::Vec3f(0.3f + 0.005f * x, 0.5f, 0.4f);
    return image;
}

// Low everywhere with one hot square [24, 40)², at a quarter of the image resolution.
cv::Mat anomalyMapWithHotSquare()
{
    cv::Mat map(kSize / 4, kSize / 4, CV_32F, cv::Scalar(0.1f));
    map(cv::Rect(6, 6, 4, 4)).setTo(1.0f);
    return map;
}

// What renderOverlay(image, map, threshold, opacity) has always produced.
cv::Mat referenceOverlay(const cv::Mat& image, const cv::Mat& anomalyMap, double threshold, double opacity)
{
    cv::Mat map;
    cv::resize(anomalyMap, map, image.size(), 0, 0, cv::INTER_LINEAR);
    cv::Mat base;
    cv::cvtColor(image, base, cv::COLOR_RGB2BGR);
    base.convertTo(base, CV_8UC3, 255.0);
    cv::Mat scaled;
    map.convertTo(scaled, CV_8U, 255.0 / threshold, -255.0 * 0.5);
    cv::Mat heat;
    cv::applyColorMap(scaled, heat, cv::COLORMAP_JET);
    cv::Mat blended;
    cv::addWeighted(base, 1.0 - opacity, heat, opacity, 0.0, blended);
    cv::Mat defect;
    cv::compare(map, threshold, defect, cv::CMP_GE);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(defect, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::drawContours(blended, contours, -1, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
    return blended;
}

bool sameImage(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

} // namespace

class TestOverlay : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void originalSignaturesKeepTheirOutput()
    {
        const cv::Mat image = greyImage();
        const cv::Mat map = anomalyMapWithHotSquare();
        for (const double opacity : {0.45, 0.8}) {
            const cv::Mat overlay = renderOverlay(image, map, 0.5, opacity);
            QCOMPARE(overlay.type(), CV_8UC3);
            QVERIFY(sameImage(overlay, referenceOverlay(image, map, 0.5, opacity)));
        }
        QVERIFY(sameImage(renderOverlay(image, map, 0.5), referenceOverlay(image, map, 0.5, 0.45)));
        // The default style is the same overlay.
        QVERIFY(sameImage(renderOverlay(image, map, 0.5, OverlayStyle()), renderOverlay(image, map, 0.5)));

        cv::Mat jet;
        cv::Mat scaled;
        map.convertTo(scaled, CV_8U, 255.0 / 0.5, -255.0 * 0.5);
        cv::applyColorMap(scaled, jet, cv::COLORMAP_JET);
        QVERIFY(sameImage(renderHeatmap(map, 0.5), jet));
    }

    void colormapChoiceChangesTheColours()
    {
        const cv::Mat image = greyImage();
        const cv::Mat map = anomalyMapWithHotSquare();
        const auto colormaps = overlayColormaps();
        QVERIFY(colormaps.size() >= 5);
        QCOMPARE(colormaps.front().first, std::string("Jet"));
        QCOMPARE(colormaps.front().second, int(cv::COLORMAP_JET));

        std::set<std::string> names;
        std::set<std::tuple<int, int, int>> hotColours;
        for (const auto& [name, colormap] : colormaps) {
            names.insert(name);
            const cv::Mat heat = renderHeatmap(map, 0.5, colormap);
            const cv::Vec3b hot = heat.at<cv::Vec3b>(7, 7);
            hotColours.insert({hot[0], hot[1], hot[2]});

            OverlayStyle style;
            style.colormap = colormap;
            const cv::Mat overlay = renderOverlay(image, map, 0.5, style);
            if (colormap == cv::COLORMAP_JET)
                QVERIFY(sameImage(overlay, renderOverlay(image, map, 0.5)));
            else
                QVERIFY2(!sameImage(overlay, renderOverlay(image, map, 0.5)), name.c_str());
        }
        QCOMPARE(names.size(), colormaps.size());
        QCOMPARE(hotColours.size(), colormaps.size()); // every colormap gives its own colour

        // Below half the threshold every colormap is at its low end: black for Hot.
        const cv::Vec3b coldHot = renderHeatmap(map, 0.5, cv::COLORMAP_HOT).at<cv::Vec3b>(0, 0);
        QCOMPARE(coldHot, cv::Vec3b(0, 0, 0));
    }

    void groundTruthIsOutlinedInGreen()
    {
        const cv::Mat image = greyImage();
        const cv::Mat cold(kSize / 4, kSize / 4, CV_32F, cv::Scalar(0.1f)); // nothing predicted
        cv::Mat truth(kSize, kSize, CV_8U, cv::Scalar(0));
        truth(cv::Rect(16, 20, 20, 12)).setTo(255);

        OverlayStyle style;
        style.groundTruth = truth;
        const cv::Mat overlay = renderOverlay(image, cold, 0.5, style);
        // The mask's border pixels, on each side, are green ...
        QCOMPARE(overlay.at<cv::Vec3b>(20, 25), kGreen); // top edge
        QCOMPARE(overlay.at<cv::Vec3b>(31, 25), kGreen); // bottom edge
        QCOMPARE(overlay.at<cv::Vec3b>(25, 16), kGreen); // left edge
        QCOMPARE(overlay.at<cv::Vec3b>(25, 35), kGreen); // right edge
        // ... the inside and far outside are the plain overlay.
        const cv::Mat plain = renderOverlay(image, cold, 0.5);
        QCOMPARE(overlay.at<cv::Vec3b>(25, 25), plain.at<cv::Vec3b>(25, 25));
        QCOMPARE(overlay.at<cv::Vec3b>(5, 5), plain.at<cv::Vec3b>(5, 5));
        QVERIFY(plain.at<cv::Vec3b>(20, 25) != kGreen);

        // A mask at another resolution is scaled to the image.
        cv::Mat smallTruth;
        cv::resize(truth, smallTruth, cv::Size(kSize / 2, kSize / 2), 0, 0, cv::INTER_NEAREST);
        style.groundTruth = smallTruth;
        QCOMPARE(renderOverlay(image, cold, 0.5, style).at<cv::Vec3b>(20, 25), kGreen);
    }

    void predictedContoursCanBeTurnedOff()
    {
        const cv::Mat image = greyImage();
        const cv::Mat map = anomalyMapWithHotSquare();
        OverlayStyle style;
        const cv::Mat withContours = renderOverlay(image, map, 0.5, style);
        style.drawPredictedContours = false;
        const cv::Mat without = renderOverlay(image, map, 0.5, style);

        // Count the near-white pixels (the image and heatmap stay far darker): the
        // anti-aliased outline of the hot square, and nothing else.
        const auto whiteCount = [](const cv::Mat& bgr) {
            cv::Mat white;
            cv::inRange(bgr, cv::Scalar(200, 200, 200), cv::Scalar(255, 255, 255), white);
            return cv::countNonZero(white);
        };
        QVERIFY(whiteCount(withContours) > 20);
        QCOMPARE(whiteCount(without), 0);

        // With both outlines on, the prediction is drawn over the ground truth.
        cv::Mat truth(kSize, kSize, CV_8U, cv::Scalar(0));
        truth(cv::Rect(8, 8, 48, 48)).setTo(1);
        style.drawPredictedContours = true;
        style.groundTruth = truth;
        const cv::Mat both = renderOverlay(image, map, 0.5, style);
        QCOMPARE(both.at<cv::Vec3b>(8, 30), kGreen);
        QCOMPARE(whiteCount(both), whiteCount(withContours));
    }

    // A view whose threshold moves keeps its colours: with a fixed scale only the outline
    // follows the threshold; without one, the colours are centred on the threshold drawn.
    void aFixedScaleKeepsTheColoursWhileTheThresholdMoves()
    {
        const cv::Mat image = greyImage();
        const cv::Mat map = anomalyMapWithHotSquare();
        OverlayStyle style;
        style.drawPredictedContours = false;
        style.scale = ColourScale {0.0, 1.0};
        QVERIFY(sameImage(renderOverlay(image, map, 0.3, style), renderOverlay(image, map, 0.8, style)));
        QVERIFY(sameImage(renderOverlay(image, map, 0.3, style), renderOverlay(image, map, 123.0, style)));
        style.scale.reset();
        QVERIFY(!sameImage(renderOverlay(image, map, 0.3, style), renderOverlay(image, map, 0.8, style)));
        // The scale's ends are the colormap's ends.
        const cv::Mat ramp = (cv::Mat_<float>(1, 2) << 2.0f, 6.0f);
        const cv::Mat coloured = renderHeatmap(ramp, ColourScale {2.0, 6.0}, cv::COLORMAP_JET);
        cv::Mat ends;
        const cv::Mat extremes = (cv::Mat_<uchar>(1, 2) << 0, 255);
        cv::applyColorMap(extremes, ends, cv::COLORMAP_JET);
        QVERIFY(sameImage(coloured, ends));
    }

    // Maps measured against good images' own level can be negative, and so can a threshold
    // on them: the scale still runs upwards, with the threshold in its middle.
    void theScaleRunsUpwardsWhateverTheThresholdsSign()
    {
        for (const double threshold : {0.8, -0.77}) {
            const ColourScale scale = colourScaleAround(threshold);
            QVERIFY(scale.low < threshold && threshold < scale.high);
            QCOMPARE(0.5 * (scale.low + scale.high), threshold);
        }
        QCOMPARE(colourScaleAround(0.8).low, 0.4);
        QCOMPARE(colourScaleAround(0.8).high, 0.8 * 1.5);
    }
};

QTEST_MAIN(TestOverlay)
#include "test_overlay.moc"
