#include "core/jobs/EvaluateJob.h"

#include "core/Error.h"
#include "core/data/Dataset.h"
#include "core/data/ImageIO.h"
#include "core/jobs/ChunkedPrediction.h"
#include "core/metrics/Metrics.h"
#include "core/metrics/Threshold.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

namespace ds {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> pathsOf(const std::vector<DatasetItem>& items)
{
    std::vector<std::string> paths;
    for (const auto& item : items)
        paths.push_back(item.path);
    return paths;
}

QJsonValue finiteOrNull(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

} // namespace

std::string EvaluationReport::toJson() const
{
    QJsonObject json;
    json.insert(QStringLiteral("dataset"), QString::fromStdString(dataset));
    json.insert(QStringLiteral("method"), QString::fromStdString(method));
    json.insert(QStringLiteral("backbone"), QString::fromStdString(backbone));
    json.insert(QStringLiteral("image_size"), imageSize);
    json.insert(QStringLiteral("n_train"), trainCount);
    json.insert(QStringLiteral("n_test"), testCount);
    json.insert(QStringLiteral("image_auroc"), finiteOrNull(imageAuroc));
    QJsonObject byType;
    for (const auto& [type, auroc] : imageAurocByType)
        byType.insert(QString::fromStdString(type), finiteOrNull(auroc));
    json.insert(QStringLiteral("image_auroc_by_type"), byType);
    json.insert(QStringLiteral("pixel_auroc"), finiteOrNull(pixelAuroc));
    json.insert(QStringLiteral("aupro"), finiteOrNull(aupro));
    json.insert(QStringLiteral("f1_max"), finiteOrNull(f1Max));
    json.insert(QStringLiteral("threshold"), finiteOrNull(threshold));
    json.insert(QStringLiteral("train_seconds"), trainSeconds);
    json.insert(QStringLiteral("infer_ms_per_image"), inferMsPerImage);
    json.insert(QStringLiteral("peak_rss_mb"), peakRssMb);
    return QJsonDocument(json).toJson(QJsonDocument::Indented).toStdString();
}

EvaluationReport evaluateDataset(const std::string& root, const DetectorSettings& settings, JobContext& job)
{
    const MvtecDataset dataset = readMvtecDataset(root);
    const int side = settings.imageSize;
    EvaluationReport report;
    report.dataset = dataset.name;
    report.method = settings.method;
    report.imageSize = side;

    std::unique_ptr<Detector> detector = createDetector(settings);
    // What the model runs on: a method may bring its own network (CutPaste's learned
    // backbone) or none at all (DRAEM).
    report.backbone = detector->settings().backbone != settings.backbone || detectorInfo(settings.method).usesBackboneSetting
        ? detector->settings().backbone
        : "none";
    LoadedImages train;
    {
        JobContext::Span span(job, 0.0, 0.1);
        train = loadImagesForModel(pathsOf(dataset.train), settings, job, "Loading training images");
    }
    report.skipped = train.skipped;
    report.trainCount = int(train.images.size());
    const auto trainStart = Clock::now();
    {
        JobContext::Span span(job, 0.1, 0.6);
        detector->fit(train.images, job);
    }
    report.trainSeconds = secondsSince(trainStart);
    train = {};

    LoadedImages test;
    {
        JobContext::Span span(job, 0.6, 0.7);
        test = loadImagesForModel(pathsOf(dataset.test), settings, job, "Loading test images");
    }
    report.skipped.insert(report.skipped.end(), test.skipped.begin(), test.skipped.end());
    report.testCount = int(test.images.size());

    std::vector<float> scores;
    std::vector<int> labels;
    std::vector<std::string> types;
    std::vector<cv::Mat> maps, masks;
    bool anyMask = false;
    int defectiveWithoutMask = 0, masksWithGreyLevels = 0;
    double inferSeconds = 0;
    {
        JobContext::Span span(job, 0.7, 1.0);
        // Model time only: the chunk callback (mask loading) runs outside the measured span.
        auto chunkStart = Clock::now();
        predictInChunks(*detector, test.images, job, "Scoring test images",
                        [&](size_t first, std::vector<AnomalyResult>& results) {
                            inferSeconds += secondsSince(chunkStart);
                            for (size_t i = 0; i < results.size(); ++i) {
                                const DatasetItem& item = dataset.test[test.sourceIndices[first + i]];
                                scores.push_back(results[i].score);
                                labels.push_back(item.isDefective() ? 1 : 0);
                                types.push_back(item.label);
                                // Masks are compared with the map at the map's size (square or, for a
                                // shape-kept model, the image's shape).
                                const cv::Size mapSize = results[i].anomalyMap.size();
                                cv::Mat mask;
                                if (!item.isDefective()) {
                                    mask = cv::Mat::zeros(mapSize, CV_8U);
                                } else if (item.maskPath.empty()) {
                                    ++defectiveWithoutMask;
                                } else {
                                    try {
                                        bool greyLevels = false;
                                        const cv::Mat full = loadMask(item.maskPath, &greyLevels);
                                        requireMaskFits(full, test.originalSizes[first + i], item.maskPath);
                                        cv::resize(full, mask, mapSize, 0, 0, cv::INTER_NEAREST);
                                        masksWithGreyLevels += greyLevels;
                                        anyMask = true;
                                    } catch (const InputError& e) {
                                        report.skipped.push_back({item.maskPath, e.what()});
                                    }
                                }
                                if (!mask.empty()) {
                                    maps.push_back(results[i].anomalyMap);
                                    masks.push_back(mask);
                                }
                            }
                            chunkStart = Clock::now();
                        });
    }
    report.inferMsPerImage = test.images.empty() ? 0.0 : 1000.0 * inferSeconds / double(test.images.size());
    if (defectiveWithoutMask > 0)
        report.notes.push_back(std::to_string(defectiveWithoutMask)
                               + " defective test image(s) have no mask under ground_truth/<type>/<name>_mask.png: "
                                 "pixel AUROC and AUPRO leave them out");
    if (masksWithGreyLevels > 0)
        report.notes.push_back(std::to_string(masksWithGreyLevels)
                               + " mask(s) hold grey levels, not only black and white: every pixel above 0 counts as defect");

    const bool bothClasses = std::count(labels.begin(), labels.end(), 1) > 0 && std::count(labels.begin(), labels.end(), 0) > 0;
    if (!bothClasses)
        throw InputError(root + ": test/ needs both good and defective images to measure a detector");
    report.imageAuroc = rocAuc(scores, labels);
    for (const std::string& type : types) {
        if (type == "good" || report.imageAurocByType.count(type))
            continue;
        std::vector<float> typeScores;
        std::vector<int> typeLabels;
        for (size_t i = 0; i < scores.size(); ++i)
            if (types[i] == type || types[i] == "good") {
                typeScores.push_back(scores[i]);
                typeLabels.push_back(labels[i]);
            }
        report.imageAurocByType[type] = rocAuc(typeScores, typeLabels);
    }
    const F1Result f1 = f1Max(scores, labels);
    report.f1Max = f1.f1;
    report.threshold = f1.threshold;
    report.pixelAuroc = anyMask ? pixelAuroc(maps, masks) : std::nan("");
    report.aupro = anyMask ? aupro(maps, masks) : std::nan("");
    report.peakRssMb = peakResidentMegabytes();
    return report;
}

} // namespace ds
