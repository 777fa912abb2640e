#include "core/Error.h"
#include "core/backbones/BackboneCatalog.h"
#include "core/data/ImageIO.h"
#include "core/detectors/Detector.h"
#include "core/detectors/autoencoder/Autoencoder.h"
#include "core/detectors/combined/Combined.h"
#include "core/detectors/cutpaste/CutPaste.h"
#include "core/detectors/draem/Draem.h"
#include "core/detectors/efficientad/EfficientAd.h"
#include "core/detectors/fastflow/FastFlow.h"
#include "core/detectors/gaussian/Gaussian.h"
#include "core/detectors/padim/Padim.h"
#include "core/detectors/patchcore/PatchCore.h"
#include "core/detectors/reverse_distillation/ReverseDistillation.h"
#include "core/detectors/spade/Spade.h"
#include "core/detectors/stfpm/Stfpm.h"
#include "core/detectors/students/Students.h"
#include "core/detectors/synthanomaly/SynthAnomaly.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <thread>

namespace ds {

const std::vector<DetectorInfo>& detectorRegistry()
{
    static const std::vector<DetectorInfo> registry = {
        padimInfo(),        patchCoreInfo(),
        synthAnomalyInfo(), spadeInfo(),
        draemInfo(),        cutPasteInfo(),
        combinedInfo(),     gaussianInfo(),
        autoencoderInfo(),  stfpmInfo(),
        studentsInfo(),     fastFlowInfo(),
        efficientAdInfo(),  reverseDistillationInfo(),
    };
    return registry;
}

const DetectorInfo& detectorInfo(const std::string& method)
{
    for (const DetectorInfo& info : detectorRegistry())
        if (info.method == method)
            return info;
    std::string known;
    for (const DetectorInfo& info : detectorRegistry())
        known += (known.empty() ? "" : ", ") + info.method;
    throw InputError("unknown method '" + method + "' (available: " + known + ")");
}

std::unique_ptr<Detector> createDetector(const DetectorSettings& settings)
{
    const DetectorInfo& info = detectorInfo(settings.method);
    for (const auto& [key, value] : settings.parameters) {
        const auto spec = std::find_if(info.parameters.begin(), info.parameters.end(),
                                       [&](const ParameterSpec& candidate) { return candidate.key == key; });
        if (spec == info.parameters.end())
            throw InputError(settings.method + " has no parameter '" + key + "'");
        if (!(value >= spec->minimum && value <= spec->maximum) || (spec->isInteger && value != std::floor(value)))
            throw InputError(key + " must be " + (spec->isInteger ? "a whole number " : "") + "between "
                             + QString::number(spec->minimum).toStdString() + " and "
                             + QString::number(spec->maximum).toStdString());
    }
    // Every value written out, so a saved model keeps its settings if a default changes.
    DetectorSettings complete = settings;
    for (const ParameterSpec& spec : info.parameters)
        complete.parameters.emplace(spec.key, spec.defaultValue);
    return info.create(complete);
}

void chooseAspect(DetectorSettings& settings, const std::vector<cv::Mat>& goodImages)
{
    if (!settings.automaticAspect || goodImages.empty())
        return;
    std::vector<double> elongations;
    for (const cv::Mat& image : goodImages)
        elongations.push_back(double(std::max(image.cols, image.rows)) / std::max(1, std::min(image.cols, image.rows)));
    std::nth_element(elongations.begin(), elongations.begin() + long(elongations.size() / 2), elongations.end());
    settings.keepAspectRatio = elongations[elongations.size() / 2] >= 1.5;
}

double estimatedTrainingSeconds(const DetectorSettings& settings, size_t goodImages)
{
    const DetectorInfo& info = detectorInfo(settings.method);
    DetectorSettings complete = settings;
    for (const ParameterSpec& spec : info.parameters)
        complete.parameters.emplace(spec.key, spec.defaultValue);
    // Measured on the reference machine: loading and extracting features from a 256-px
    // image takes about 0.1 s for the statistical methods; the networks' figures are theirs.
    const double pixels = double(settings.imageSize) * settings.imageSize / (256.0 * 256.0);
    double seconds = 0.1 * pixels * double(goodImages);
    if (info.networkTrainingSeconds)
        seconds += info.networkTrainingSeconds(complete);
    else if (complete.backbone == "selfsup")
        seconds += selfSupervisedLearningSeconds();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return seconds * 2.0 / double(std::min(cores, 16u));
}

double Detector::parameter(const std::string& key) const
{
    const auto it = settings_.parameters.find(key);
    if (it != settings_.parameters.end())
        return it->second;
    for (const ParameterSpec& spec : detectorInfo(settings_.method).parameters)
        if (spec.key == key)
            return spec.defaultValue;
    throw Error("method " + settings_.method + " has no parameter '" + key + "'");
}

std::string DetectorSettings::toJson() const
{
    QJsonObject parametersJson;
    for (const auto& [key, value] : parameters)
        parametersJson.insert(QString::fromStdString(key), value);
    QJsonObject json;
    json.insert(QStringLiteral("method"), QString::fromStdString(method));
    json.insert(QStringLiteral("backbone"), QString::fromStdString(backbone));
    json.insert(QStringLiteral("image_size"), imageSize);
    json.insert(QStringLiteral("seed"), QString::number(seed));
    json.insert(QStringLiteral("adapt_batchnorm"), adaptBatchNorm);
    json.insert(QStringLiteral("keep_aspect_ratio"), keepAspectRatio);
    json.insert(QStringLiteral("aspect_automatic"), automaticAspect);
    json.insert(QStringLiteral("parameters"), parametersJson);
    json.insert(QStringLiteral("settings_version"), 2);
    return QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
}

DetectorSettings DetectorSettings::fromJson(const std::string& text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    if (!document.isObject())
        throw InputError("model settings are not valid JSON: " + error.errorString().toStdString());
    const QJsonObject json = document.object();
    DetectorSettings settings;
    settings.method = json.value(QStringLiteral("method")).toString().toStdString();
    settings.backbone = json.value(QStringLiteral("backbone")).toString().toStdString();
    settings.imageSize = json.value(QStringLiteral("image_size")).toInt(256);
    settings.seed = json.value(QStringLiteral("seed")).toString().toULongLong();
    settings.adaptBatchNorm = json.value(QStringLiteral("adapt_batchnorm")).toBool(false);
    // Models saved before the option existed squashed every image to a square.
    settings.keepAspectRatio = json.value(QStringLiteral("keep_aspect_ratio")).toBool(false);
    // Models saved before the automatic choice kept what the user chose.
    settings.automaticAspect = json.value(QStringLiteral("aspect_automatic")).toBool(false);
    const QJsonObject parametersJson = json.value(QStringLiteral("parameters")).toObject();
    for (auto it = parametersJson.begin(); it != parametersJson.end(); ++it)
        settings.parameters[it.key().toStdString()] = it.value().toDouble();
    // Version 1 wrote only the parameters a user set, and per-image normalisation was off
    // unless set; it is on by default since version 2.
    if (json.value(QStringLiteral("settings_version")).toInt(1) < 2) {
        const auto& registry = detectorRegistry();
        const auto info = std::find_if(registry.begin(), registry.end(),
                                       [&](const DetectorInfo& candidate) { return candidate.method == settings.method; });
        const auto offers = [](const ParameterSpec& spec) { return spec.key == "input_normalisation"; };
        if (info != registry.end() && std::any_of(info->parameters.begin(), info->parameters.end(), offers))
            settings.parameters.emplace("input_normalisation", 0.0);
    }
    return settings;
}

cv::Mat modelInputImage(const cv::Mat& image, const DetectorSettings& settings)
{
    if (!settings.keepAspectRatio && !settings.automaticAspect)
        return resizeToSquare(image, settings.imageSize);
    const double limit = 4.0 * double(settings.imageSize) * double(settings.imageSize);
    const double pixels = double(image.cols) * double(image.rows);
    if (pixels <= limit)
        return image.clone();
    const double factor = std::sqrt(limit / pixels);
    cv::Mat shrunk;
    cv::resize(image, shrunk, cv::Size(std::max(1, int(image.cols * factor)), std::max(1, int(image.rows * factor))), 0, 0,
               cv::INTER_AREA);
    return shrunk;
}

} // namespace ds
