// Every registered detector against synthetic data with known answers.
#include "tests/support/TinyTorchScript.h" // torch before Qt
#include "tests/support/TestShard.h"
#include "core/Error.h"
#include "core/detectors/Detector.h"
#include "core/metrics/Metrics.h"
#include "datasets/SyntheticDataset.h"

#include <QTemporaryDir>
#include <QTest>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <optional>
#include <atomic>
#include <thread>

using namespace ds;

namespace {

constexpr int kSide = 128;

cv::Mat toRgbFloat(const cv::Mat& bgr)
{
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(rgb, CV_32FC3, 1.0 / 255.0);
    return rgb;
}

struct Split {
    std::vector<cv::Mat> train;
    std::vector<cv::Mat> test;
    std::vector<int> labels;
    std::vector<cv::Mat> masks;
};

Split makeSplit(const std::string& category)
{
    Split split;
    for (unsigned i = 0; i < 60; ++i)
        split.train.push_back(toRgbFloat(makeGoodImage(category, kSide, 1000 + i)));
    for (unsigned i = 0; i < 20; ++i) {
        split.test.push_back(toRgbFloat(makeGoodImage(category, kSide, 5000 + i)));
        split.labels.push_back(0);
        split.masks.push_back(cv::Mat::zeros(kSide, kSide, CV_8U));
    }
    unsigned seed = 9000;
    for (const std::string& type : defectTypes(category))
        for (int i = 0; i < 5; ++i) {
            const DefectSample sample = makeDefectImage(category, type, kSide, seed++);
            split.test.push_back(toRgbFloat(sample.image));
            split.labels.push_back(1);
            split.masks.push_back(sample.mask);
        }
    return split;
}

bool hasParameter(const DetectorInfo& info, const std::string& key);

// Networks trained from scratch get a short, narrow training here so the suite's time
// stays bounded; docs/BENCHMARKS.md measures the budgets users get.
constexpr int kTestNetworkSteps = 150;

bool trainsANetwork(const DetectorInfo& info)
{
    return bool(info.networkTrainingSeconds);
}

// Each network row trains for about a minute on 2 cores: networks are checked on one
// texture and on the object, the statistical methods (seconds each) on every category.
std::vector<std::string> categoriesFor(const DetectorInfo& info)
{
    if (trainsANetwork(info))
        return {"fabric", "part"};
    return syntheticCategories();
}

DetectorSettings settingsFor(const std::string& method, int networkSteps = kTestNetworkSteps)
{
    DetectorSettings settings;
    settings.method = method;
    settings.imageSize = kSide;
    const DetectorInfo& info = detectorInfo(method);
    settings.backbone = info.defaultBackbone;
    if (hasParameter(info, "network_steps")) {
        settings.parameters["budget"] = 0;
        settings.parameters["network_steps"] = networkSteps;
        for (const ParameterSpec& spec : info.parameters)
            if (spec.key == "width")
                settings.parameters["width"] = spec.minimum; // the narrowest network the method offers
    }
    if (hasParameter(info, "pretext_steps"))
        settings.parameters["pretext_steps"] = networkSteps;
    return settings;
}

// The bar a method must clear: networks trained for a test's few steps only have to rank
// defects clearly above good; a method that judges whole images must rank images well and
// place defects better than chance; the other statistical methods the full bar.
double imageBar(const std::string& method)
{
    const DetectorInfo& info = detectorInfo(method);
    return trainsANetwork(info) ? 0.75 : info.judgesWholeImages ? 0.85 : 0.9;
}
double pixelBar(const std::string& method)
{
    const DetectorInfo& info = detectorInfo(method);
    return trainsANetwork(info) ? 0.8 : info.judgesWholeImages ? 0.7 : 0.9;
}

// Non-default choices that must also hold the bar, on every method: the random-init
// ResNet-18, alone and as the default was before the filter bank (ImageNet normalisation).
constexpr const char* kOptionsUnderTest[] = {"backbone=resnet18", "backbone=resnet18,input_normalisation=0"};

bool hasParameter(const DetectorInfo& info, const std::string& key)
{
    for (const ParameterSpec& spec : info.parameters)
        if (spec.key == key)
            return true;
    return false;
}

// A window of the image of width x height that holds all of mask (or any window when the
// mask is empty): crops of one texture at many sizes and shapes.
cv::Rect windowAround(const cv::Mat& mask, int width, int height, unsigned seed)
{
    const cv::Rect defect = cv::boundingRect(mask);
    const auto place = [&](int extent, int defectStart, int defectExtent, int limit) {
        const int low = defectExtent > 0 ? std::max(0, defectStart + defectExtent - extent) : 0;
        const int high = defectExtent > 0 ? std::min(limit - extent, defectStart) : limit - extent;
        return high <= low ? std::max(0, std::min(low, limit - extent)) : low + int(seed % unsigned(high - low + 1));
    };
    return {place(width, defect.x, defect.width, mask.cols), place(height, defect.y, defect.height, mask.rows), width, height};
}

// option: "key=value" choices separated by commas; "backbone" is a setting, the rest
// parameters. Methods that train a network or judge whole images are measured at their
// defaults only.
bool offersOption(const DetectorInfo& info, const QString& option)
{
    if (trainsANetwork(info) || info.judgesWholeImages || !info.usesBackboneSetting)
        return false;
    for (const QString& choice : option.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const std::string key = choice.section(QLatin1Char('='), 0, 0).toStdString();
        if (key != "backbone" && !hasParameter(info, key))
            return false;
    }
    return true;
}

const test::TestShard kShard = test::TestShard::fromEnvironment();

// One row per registered method; offset shifts which shard takes which method, so the
// suites that train at full test length spread their networks over the shards.
void addMethodRows(int offset)
{
    QTest::addColumn<QString>("method");
    int row = offset;
    for (const DetectorInfo& info : detectorRegistry())
        if (kShard.takes(row++))
            QTest::addRow("%s", info.method.c_str()) << QString::fromStdString(info.method);
}

std::vector<float> scoresOf(const std::vector<AnomalyResult>& results)
{
    std::vector<float> scores;
    for (const auto& result : results)
        scores.push_back(result.score);
    return scores;
}

} // namespace

class TestDetectors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Tests without data rows run in the first shard only.
    void init()
    {
        if (!kShard.isFirst() && !QTest::currentDataTag())
            QSKIP("run by the first shard");
    }

    void ranksDefectiveAboveGood_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QString>("option"); // a non-default parameter, "key=value", or empty
        int row = 0;
        for (const DetectorInfo& info : detectorRegistry())
            for (const std::string& category : categoriesFor(info)) {
                if (kShard.takes(row++))
                    QTest::addRow("%s/%s", info.method.c_str(), category.c_str())
                        << QString::fromStdString(info.method) << QString::fromStdString(category) << QString();
                for (const char* option : kOptionsUnderTest)
                    if (offersOption(info, QString::fromLatin1(option)) && kShard.takes(row++))
                        QTest::addRow("%s/%s/%s", info.method.c_str(), category.c_str(), option)
                            << QString::fromStdString(info.method) << QString::fromStdString(category)
                            << QString::fromLatin1(option);
            }
    }

    void ranksDefectiveAboveGood()
    {
        QFETCH(QString, method);
        QFETCH(QString, category);
        QFETCH(QString, option);
        const Split split = makeSplit(category.toStdString());
        DetectorSettings settings = settingsFor(method.toStdString());
        for (const QString& choice : option.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const std::string key = choice.section(QLatin1Char('='), 0, 0).toStdString();
            if (key == "backbone")
                settings.backbone = choice.section(QLatin1Char('='), 1).toStdString();
            else
                settings.parameters[key] = choice.section(QLatin1Char('='), 1).toDouble();
        }
        auto detector = createDetector(settings);
        JobContext job;
        double lastProgress = -1;
        bool monotonic = true;
        job.setProgressCallback([&](double fraction, const std::string&) {
            monotonic = monotonic && fraction >= lastProgress - 1e-9;
            lastProgress = fraction;
        });
        detector->fit(split.train, job);
        QVERIFY(monotonic);
        QCOMPARE(lastProgress, 1.0);

        const std::vector<AnomalyResult> results = detector->predict(split.test);
        QCOMPARE(results.size(), split.test.size());
        std::vector<cv::Mat> maps;
        for (const auto& result : results) {
            QCOMPARE(result.anomalyMap.type(), CV_32F);
            QCOMPARE(result.anomalyMap.rows, kSide);
            maps.push_back(result.anomalyMap);
        }
        const double imageAuroc = rocAuc(scoresOf(results), split.labels);
        const double pixel = pixelAuroc(maps, split.masks);
        qInfo("%s %s on %s: image AUROC %.3f, pixel AUROC %.3f", qPrintable(method), qPrintable(option), qPrintable(category),
              imageAuroc, pixel);
        QVERIFY2(imageAuroc >= imageBar(method.toStdString()), qPrintable(QStringLiteral("image AUROC %1").arg(imageAuroc)));
        // Heatmaps must point at the defect, not merely fire somewhere.
        QVERIFY2(pixel >= pixelBar(method.toStdString()), qPrintable(QStringLiteral("pixel AUROC %1").arg(pixel)));
    }

    void keepsShapeWhenImagesDifferInSize_data() { addMethodRows(1); }

    // Crops of fabric from 96 x 160 to 192 x 112 pixels, shape kept: every method still ranks
    // the defective crops first, gives maps at the model's square, and reloads the same.
    void keepsShapeWhenImagesDifferInSize()
    {
        QFETCH(QString, method);
        constexpr int kSource = 192;
        const auto sizeFor = [](unsigned i) { return cv::Size(96 + int(i * 37 % 97), 112 + int(i * 53 % 81)); };
        std::vector<cv::Mat> train, test;
        std::vector<int> labels;
        for (unsigned i = 0; i < 40; ++i) {
            const cv::Mat image = toRgbFloat(makeGoodImage("fabric", kSource, 1000 + i));
            const cv::Size size = sizeFor(i);
            train.push_back(image(windowAround(cv::Mat::zeros(kSource, kSource, CV_8U), size.width, size.height, i)).clone());
        }
        for (unsigned i = 0; i < 12; ++i) {
            const cv::Mat image = toRgbFloat(makeGoodImage("fabric", kSource, 5000 + i));
            const cv::Size size = sizeFor(100 + i);
            test.push_back(image(windowAround(cv::Mat::zeros(kSource, kSource, CV_8U), size.width, size.height, i)).clone());
            labels.push_back(0);
        }
        unsigned seed = 9000;
        for (const std::string& type : defectTypes("fabric"))
            for (int i = 0; i < 3; ++i, ++seed) {
                const DefectSample sample = makeDefectImage("fabric", type, kSource, seed);
                const cv::Size size = sizeFor(seed);
                test.push_back(toRgbFloat(sample.image)(windowAround(sample.mask, size.width, size.height, seed)).clone());
                labels.push_back(1);
            }
        DetectorSettings settings = settingsFor(method.toStdString());
        settings.keepAspectRatio = true;
        settings.automaticAspect = false;
        auto detector = createDetector(settings);
        JobContext job;
        detector->fit(train, job);
        const std::vector<AnomalyResult> results = detector->predict(test);
        for (const AnomalyResult& result : results)
            QCOMPARE(result.anomalyMap.size(), cv::Size(kSide, kSide));
        const double imageAuroc = rocAuc(scoresOf(results), labels);
        qInfo("%s, shape kept, on fabric crops: image AUROC %.3f", qPrintable(method), imageAuroc);
        QVERIFY2(imageAuroc >= std::min(0.85, imageBar(method.toStdString())),
                 qPrintable(QStringLiteral("image AUROC %1").arg(imageAuroc)));

        auto loaded = loadDetector(detector->saveState());
        QVERIFY(loaded->settings().keepAspectRatio);
        const std::vector<cv::Mat> probe(test.end() - 3, test.end());
        const auto again = loaded->predict(probe);
        for (size_t i = 0; i < probe.size(); ++i)
            QCOMPARE(again[i].score, results[results.size() - 3 + i].score);
    }

    void modelInputKeepsShapeWithinBounds()
    {
        DetectorSettings settings = settingsFor("padim");
        settings.automaticAspect = false;
        const cv::Mat wide(100, 300, CV_32FC3, cv::Scalar::all(0.5));
        QCOMPARE(modelInputImage(wide, settings).size(), cv::Size(kSide, kSide));
        settings.keepAspectRatio = true;
        QCOMPARE(modelInputImage(wide, settings).size(), wide.size()); // within 4 x 128^2 pixels: untouched
        const cv::Mat huge(1000, 3000, CV_32FC3, cv::Scalar::all(0.5));
        const cv::Mat shrunk = modelInputImage(huge, settings);
        QVERIFY(double(shrunk.cols) * shrunk.rows <= 4.0 * kSide * kSide);
        QVERIFY(std::abs(double(shrunk.cols) / shrunk.rows - 3.0) < 0.02);
    }

    // The default shape choice: kept for long parts, squashed for squarish ones, decided
    // by the training images and saved with the model.
    void aspectIsChosenFromTheTrainingImages()
    {
        DetectorSettings settings = settingsFor("padim");
        QVERIFY(settings.automaticAspect);
        const cv::Mat wide(100, 300, CV_32FC3, cv::Scalar::all(0.5));
        QCOMPARE(modelInputImage(wide, settings).size(), wide.size()); // the model decides, not the loader
        chooseAspect(settings, {wide, wide, cv::Mat(200, 200, CV_32FC3)});
        QVERIFY(settings.keepAspectRatio);
        chooseAspect(settings, {cv::Mat(120, 150, CV_32FC3), cv::Mat(200, 200, CV_32FC3), wide});
        QVERIFY(!settings.keepAspectRatio);

        // Fitted on long crops of fabric, a model keeps shapes and says so.
        std::vector<cv::Mat> train;
        for (unsigned i = 0; i < 8; ++i)
            train.push_back(toRgbFloat(makeGoodImage("fabric", 192, 1000 + i))(cv::Rect(0, 60, 192, 64)).clone());
        auto detector = createDetector(settingsFor("padim"));
        JobContext job;
        detector->fit(train, job);
        QVERIFY(detector->settings().keepAspectRatio);
        QVERIFY(detector->settings().automaticAspect);
        const DetectorSettings saved = DetectorSettings::fromJson(detector->settings().toJson());
        QVERIFY(saved.keepAspectRatio && saved.automaticAspect);
    }

    void saveLoadGivesIdenticalScores_data() { addMethodRows(0); }

    void saveLoadGivesIdenticalScores()
    {
        QFETCH(QString, method);
        const Split split = makeSplit("part");
        // Identity, not accuracy: a few steps of any network suffice.
        const DetectorSettings settings = settingsFor(method.toStdString(), 10);
        auto detector = createDetector(settings);
        JobContext job;
        detector->fit(std::vector<cv::Mat>(split.train.begin(), split.train.begin() + 10), job);
        const std::vector<cv::Mat> probe(split.test.end() - 4, split.test.end());
        const auto before = detector->predict(probe);
        auto loaded = loadDetector(detector->saveState());
        QCOMPARE(loaded->settings().method, method.toStdString());
        const auto after = loaded->predict(probe);
        for (size_t i = 0; i < probe.size(); ++i) {
            QCOMPARE(after[i].score, before[i].score);
            QCOMPARE(cv::norm(after[i].anomalyMap, before[i].anomalyMap, cv::NORM_INF), 0.0);
        }

        // A detector trained before on other images forgets them when trained again.
        auto retrained = createDetector(settings);
        retrained->fit(std::vector<cv::Mat>(split.train.end() - 10, split.train.end()), job);
        retrained->fit(std::vector<cv::Mat>(split.train.begin(), split.train.begin() + 10), job);
        const auto again = retrained->predict(probe);
        for (size_t i = 0; i < probe.size(); ++i)
            QCOMPARE(again[i].score, before[i].score);
    }

    void cancelStopsTraining_data() { addMethodRows(0); }

    void cancelStopsTraining()
    {
        QFETCH(QString, method);
        // Enough work to take many seconds if cancellation were ignored.
        std::vector<cv::Mat> many;
        const cv::Mat good = toRgbFloat(makeGoodImage("fabric", 256, 1));
        for (int i = 0; i < 400; ++i)
            many.push_back(good);
        DetectorSettings settings = settingsFor(method.toStdString());
        settings.imageSize = 256;
        auto detector = createDetector(settings);
        JobContext job;
        // How far the job got, as it reports: the work done after the cancel must be a few
        // batches at most. Counted in work, not seconds, so a busy machine cannot fail it.
        std::atomic<double> progress {0.0};
        job.setProgressCallback([&](double fraction, const std::string&) { progress = fraction; });
        std::chrono::steady_clock::time_point cancelledAt;
        double progressAtCancel = 0.0;
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            cancelledAt = std::chrono::steady_clock::now();
            progressAtCancel = progress;
            job.cancel();
        });
        bool threwCancelled = false;
        try {
            detector->fit(many, job);
        } catch (const Cancelled&) {
            threwCancelled = true;
        }
        const auto stoppedAt = std::chrono::steady_clock::now();
        canceller.join();
        QVERIFY(threwCancelled);
        const double workAfterCancel = progress - progressAtCancel;
        qInfo("%s stopped %.3f s after cancel, having done %.1f %% of the job since", qPrintable(method),
              std::chrono::duration<double>(stoppedAt - cancelledAt).count(), 100.0 * workAfterCancel);
        QVERIFY2(workAfterCancel < 0.05, qPrintable(QStringLiteral("%1 of the job done after cancel").arg(workAfterCancel)));
        QVERIFY_THROWS_EXCEPTION(Error, detector->saveState());
    }

    // A saved model keeps the settings it was trained with when defaults change later.
    void settingsSurviveChangedDefaults()
    {
        DetectorSettings settings = settingsFor("padim");
        settings.parameters["n_features"] = 50;
        auto detector = createDetector(settings);
        for (const ParameterSpec& spec : detectorInfo("padim").parameters)
            QVERIFY2(detector->settings().parameters.count(spec.key), spec.key.c_str()); // every value written out
        const DetectorSettings reread = DetectorSettings::fromJson(detector->settings().toJson());
        QCOMPARE(reread.parameters, detector->settings().parameters);
        QCOMPARE(reread.keepAspectRatio, settings.keepAspectRatio);

        // Written before settings had a version: only the values a user set, and images
        // then went to the backbone with the ImageNet normalisation.
        const DetectorSettings old = DetectorSettings::fromJson(
            R"({"method":"padim","backbone":"resnet18","image_size":128,"seed":"0","parameters":{"n_features":50}})");
        QCOMPARE(old.parameters.at("input_normalisation"), 0.0);
        QCOMPARE(old.parameters.at("n_features"), 50.0);
        QVERIFY(!old.keepAspectRatio);
        QVERIFY(!old.automaticAspect);
    }

    // The automatic input normalisation: per image for the built-in backbones, the ImageNet
    // mean and std for a TorchScript file (pretrained backbones expect it).
    void automaticNormalisationFollowsTheBackbone()
    {
        QTemporaryDir dir;
        const Split split = makeSplit("part");
        const std::vector<cv::Mat> train(split.train.begin(), split.train.begin() + 8);
        const std::vector<cv::Mat> probe(split.test.end() - 3, split.test.end());
        const auto scoresWith = [&](const std::string& backbone, std::optional<double> normalisation) {
            DetectorSettings settings = settingsFor("padim");
            settings.backbone = backbone;
            if (normalisation)
                settings.parameters["input_normalisation"] = *normalisation;
            auto detector = createDetector(settings);
            JobContext job;
            detector->fit(train, job);
            return scoresOf(detector->predict(probe));
        };
        const std::string file = test::writeTinyTorchScript(dir);
        QCOMPARE(scoresWith(file, std::nullopt), scoresWith(file, 0.0));
        QVERIFY(scoresWith(file, std::nullopt) != scoresWith(file, 1.0));
        QCOMPARE(scoresWith("filterbank", std::nullopt), scoresWith("filterbank", 1.0));
    }

    // Overwritten bytes in a saved model are caught by its checksum, not scored with.
    void damagedStateIsRefused()
    {
        const Split split = makeSplit("part");
        auto detector = createDetector(settingsFor("padim"));
        JobContext job;
        detector->fit(std::vector<cv::Mat>(split.train.begin(), split.train.begin() + 4), job);
        std::vector<uint8_t> state = detector->saveState();
        QVERIFY(loadDetector(state) != nullptr);
        for (size_t i = 0; i < 64; ++i)
            state[state.size() / 2 + i] ^= 0x5A;
        try {
            loadDetector(state);
            QFAIL("a damaged model loaded");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("checksum")), e.what());
        }
    }

    void refusesBadSettingsAndState()
    {
        DetectorSettings unknown;
        unknown.method = "nonexistent";
        QVERIFY_THROWS_EXCEPTION(InputError, createDetector(unknown));
        QVERIFY_THROWS_EXCEPTION(InputError, loadDetector(std::vector<uint8_t>(500, 7)));
        auto detector = createDetector(settingsFor("padim"));
        JobContext job;
        QVERIFY_THROWS_EXCEPTION(InputError, detector->fit({}, job));
        // Images of the wrong type are refused, not read past their end.
        const std::vector<cv::Mat> bytes(2, cv::Mat(kSide, kSide, CV_8UC3, cv::Scalar::all(0)));
        QVERIFY_THROWS_EXCEPTION(InputError, detector->fit(bytes, job));

        DetectorSettings outOfRange = settingsFor("patchcore");
        outOfRange.parameters["projection_dim"] = 0;
        QVERIFY_THROWS_EXCEPTION(InputError, createDetector(outOfRange));
        outOfRange.parameters["projection_dim"] = 64.5;
        QVERIFY_THROWS_EXCEPTION(InputError, createDetector(outOfRange));
        DetectorSettings badBackbone = settingsFor("padim");
        badBackbone.backbone = "/nonexistent/backbone.pt";
        QVERIFY_THROWS_EXCEPTION(InputError, createDetector(badBackbone));
    }
};

QTEST_GUILESS_MAIN(TestDetectors)
#include "test_detectors.moc"
