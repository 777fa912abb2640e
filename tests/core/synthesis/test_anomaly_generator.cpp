// The generated defects that from-scratch methods learn from: visible where the mask says,
// nowhere else, deterministic for a seed, and previewable.
#include "core/Error.h"
#include "core/data/Dataset.h"
#include "core/synthesis/AnomalyGenerator.h"
#include "core/synthesis/SynthesisPreview.h"
#include "datasets/SyntheticDataset.h"

#include <QTemporaryDir>
#include <QTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace ds;

namespace {

cv::Mat goodImage(unsigned seed, const std::string& category = "tiles")
{
    cv::Mat rgb;
    cv::cvtColor(makeGoodImage(category, 128, seed), rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(rgb, CV_32FC3, 1.0 / 255.0);
    return rgb;
}

AnomalyMix only(AnomalyContent content)
{
    AnomalyMix mix {0, 0, 0, 0, false};
    switch (content) {
    case AnomalyContent::Texture: mix.texture = 1; break;
    case AnomalyContent::OtherImage: mix.otherImage = 1; break;
    case AnomalyContent::SameImage: mix.sameImage = 1; break;
    case AnomalyContent::Line: mix.line = 1; break;
    }
    return mix;
}

double largestChannelDifference(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where)
{
    cv::Mat difference;
    cv::absdiff(a, b, difference);
    std::vector<cv::Mat> channels;
    cv::split(difference, channels);
    const cv::Mat largest = cv::max(cv::max(channels[0], channels[1]), channels[2]);
    return cv::mean(largest, where)[0];
}

} // namespace

class TestAnomalyGenerator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void changesTheImageOnlyWhereTheMaskSays_data()
    {
        QTest::addColumn<int>("content");
        QTest::addRow("texture") << int(AnomalyContent::Texture);
        QTest::addRow("other image") << int(AnomalyContent::OtherImage);
        QTest::addRow("cut-paste") << int(AnomalyContent::SameImage);
        QTest::addRow("line") << int(AnomalyContent::Line);
    }

    void changesTheImageOnlyWhereTheMaskSays()
    {
        QFETCH(int, content);
        AnomalyGenerator generator(7, only(AnomalyContent(content)));
        const std::vector<cv::Mat> donors {goodImage(50), goodImage(51)};
        for (unsigned i = 0; i < 12; ++i) {
            const cv::Mat image = goodImage(i);
            const SyntheticAnomaly sample = generator.generate(image, donors);
            QCOMPARE(sample.image.type(), CV_32FC3);
            QCOMPARE(sample.image.size(), image.size());
            QCOMPARE(sample.mask.type(), CV_32F);
            const cv::Mat inside = sample.mask > 0.5;
            QVERIFY2(cv::countNonZero(inside) > 0, "the mask is never empty");
            // Visible inside the mask...
            QVERIFY(largestChannelDifference(sample.image, image, inside) > 0.03);
            // ...and far from it nothing visible changes (a Poisson blend may shade the
            // patch's own border, a faint texture may stay below what the eye sees).
            cv::Mat near;
            cv::dilate(inside, near, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(31, 31)));
            const cv::Mat far = near == 0;
            if (cv::countNonZero(far) > 0)
                QVERIFY(largestChannelDifference(sample.image, image, far) < 0.01);
            double low = 0, high = 0;
            cv::minMaxLoc(sample.image.reshape(1), &low, &high);
            QVERIFY(low >= 0.0 && high <= 1.0);
        }
    }

    void isDeterministicForASeed()
    {
        const cv::Mat image = goodImage(3);
        const std::vector<cv::Mat> donors {goodImage(4)};
        AnomalyGenerator first(11), second(11), other(12);
        bool anyDifferent = false;
        for (int i = 0; i < 6; ++i) {
            const SyntheticAnomaly a = first.generate(image, donors);
            const SyntheticAnomaly b = second.generate(image, donors);
            const SyntheticAnomaly c = other.generate(image, donors);
            QCOMPARE(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);
            QCOMPARE(cv::norm(a.mask, b.mask, cv::NORM_INF), 0.0);
            anyDifferent = anyDifferent || cv::norm(a.image, c.image, cv::NORM_INF) > 0;
        }
        QVERIFY(anyDifferent);
    }

    // Perlin masks: blobs of a sensible area, at many scales.
    void perlinMasksAreBlobsOfSensibleArea()
    {
        AnomalyGenerator generator(5);
        double smallest = 1, largest = 0;
        for (int i = 0; i < 40; ++i) {
            const cv::Mat mask = generator.perlinMask(cv::Size(128, 96));
            QCOMPARE(mask.size(), cv::Size(128, 96));
            const double share = cv::countNonZero(mask > 0.5) / double(mask.total());
            QVERIFY(share > 0);
            smallest = std::min(smallest, share);
            largest = std::max(largest, share);
        }
        QVERIFY2(largest < 0.6, qPrintable(QString::number(largest)));
        QVERIFY2(largest / smallest > 3, "areas vary");
    }

    void keepsDefectsOnThePartWhenAsked()
    {
        // A bright disc on a dark, flat background.
        cv::Mat image(128, 128, CV_32FC3, cv::Scalar(0.05, 0.05, 0.05));
        cv::circle(image, cv::Point(64, 64), 36, cv::Scalar(0.7, 0.6, 0.5), cv::FILLED);
        cv::Mat part = cv::Mat::zeros(128, 128, CV_8U);
        cv::circle(part, cv::Point(64, 64), 36 + 6, cv::Scalar(255), cv::FILLED);
        AnomalyMix mix;
        mix.foregroundOnly = true;
        AnomalyGenerator generator(3, mix);
        for (int i = 0; i < 20; ++i) {
            const SyntheticAnomaly sample = generator.generate(image, {image});
            QVERIFY(cv::countNonZero(sample.mask > 0.5) > 0);
            QCOMPARE(cv::countNonZero((sample.mask > 0.5) & (part == 0)), 0);
            QVERIFY(largestChannelDifference(sample.image, image, part == 0) < 1e-6);
        }
    }

    void drawsGreyDefectsOnGreyImages()
    {
        cv::Mat grey;
        cv::cvtColor(goodImage(4), grey, cv::COLOR_RGB2GRAY);
        cv::cvtColor(grey, grey, cv::COLOR_GRAY2RGB);
        const auto channelSpread = [](const cv::Mat& image) {
            std::vector<cv::Mat> channels;
            cv::split(image, channels);
            return std::max(cv::norm(channels[0], channels[1], cv::NORM_INF), cv::norm(channels[1], channels[2], cv::NORM_INF));
        };
        AnomalyGenerator generator(5);
        for (int i = 0; i < 30; ++i) {
            const SyntheticAnomaly samples[] = {generator.generate(grey, {grey}), generator.cutPaste(grey), generator.scar(grey)};
            for (const SyntheticAnomaly& sample : samples) {
                QVERIFY2(channelSpread(sample.image) < 1e-5, "a coloured defect on a grey part is a shortcut");
                const cv::Mat inside = sample.mask > 0.5;
                if (cv::countNonZero(inside) > 0) // what the mask marks stays visibly changed
                    QVERIFY(largestChannelDifference(sample.image, grey, inside) > 0.03);
            }
        }
        // Colour images keep coloured defects.
        bool anyColoured = false;
        for (int i = 0; i < 30 && !anyColoured; ++i)
            anyColoured = channelSpread(generator.generate(goodImage(4), {}).image - goodImage(4)) > 0.05;
        QVERIFY(anyColoured);
    }

    void refusesWrongInput()
    {
        AnomalyGenerator generator(1);
        QVERIFY_THROWS_EXCEPTION(InputError, generator.generate(cv::Mat(32, 32, CV_8UC3), {}));
        QVERIFY_THROWS_EXCEPTION(InputError, AnomalyGenerator(1, AnomalyMix {0, 0, 0, 0, false}));
    }

    void previewWritesSamplesMasksAndSheet()
    {
        QTemporaryDir scratch;
        const std::string folder = scratch.filePath(QStringLiteral("good")).toStdString();
        std::filesystem::create_directories(folder);
        for (unsigned i = 0; i < 5; ++i)
            cv::imwrite(folder + "/good_" + std::to_string(i) + ".png", makeGoodImage("fabric", 96, i));
        const std::string out = scratch.filePath(QStringLiteral("preview")).toStdString();
        SynthesisPreviewOptions options;
        options.count = 6;
        options.side = 96;
        JobContext job;
        const std::vector<std::string> written = writeSynthesisPreview(listImageFiles(folder), out, options, job);
        QCOMPARE(written.size(), size_t(2 * 6 + 1));
        const cv::Mat sheet = cv::imread(out + "/preview.png");
        QCOMPARE(sheet.cols, 3 * 96);
        QCOMPARE(sheet.rows, 2 * 96);
        for (int i = 1; i <= 6; ++i) {
            char stem[32];
            std::snprintf(stem, sizeof stem, "/sample_%02d", i);
            QCOMPARE(cv::imread(out + stem + ".png").size(), cv::Size(96, 96));
            QVERIFY(cv::countNonZero(cv::imread(out + stem + "_mask.png", cv::IMREAD_GRAYSCALE)) > 0);
        }
        QVERIFY_THROWS_EXCEPTION(InputError, writeSynthesisPreview({}, out, options, job));
    }
};

QTEST_GUILESS_MAIN(TestAnomalyGenerator)
#include "test_anomaly_generator.moc"
