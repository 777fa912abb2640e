#include "core/detectors/combined/Combined.h"

#include "core/detectors/ArchivedDetector.h"
#include "core/detectors/draem/Draem.h"
#include "core/detectors/synthanomaly/SynthAnomaly.h"

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

// Every eighth good image is held out to learn how each member scores good parts.
constexpr size_t kHoldOutEvery = 8;
constexpr size_t kMinimumForHoldOut = 16;

// Mean and spread of a member's maps and image scores on held-out good images.
struct Calibration {
    double mapMean = 0, mapStd = 1, scoreMean = 0, scoreStd = 1;
};

// A density model and a network trained from scratch, each standardised on held-out
// good images and added: the density model (the synthetic-anomaly head on the
// filter bank) sees fine, faint departures from the good images' statistics, the network
// (DRAEM) sees whole structures that are out of place. A defect either finds counts.
class Combined : public ArchivedDetector {
public:
    explicit Combined(const DetectorSettings& settings)
        : ArchivedDetector(settings)
    {
        density_ = createDetector(memberSettings("synthanomaly"));
        network_ = createDetector(memberSettings("draem"));
    }

    void fit(const std::vector<cv::Mat>& goodImages, JobContext& job) override
    {
        fitted_ = false;
        chooseAspect(settings_, goodImages); // the members choose alike
        std::vector<cv::Mat> training, heldOut;
        for (size_t i = 0; i < goodImages.size(); ++i)
            (goodImages.size() >= kMinimumForHoldOut && i % kHoldOutEvery == kHoldOutEvery - 1 ? heldOut : training)
                .push_back(goodImages[i]);
        if (heldOut.empty()) // too few images to spare any: calibrate on the training images
            heldOut = training;
        const double densityShare = 0.1;
        {
            JobContext::Span span(job, 0.0, densityShare);
            density_->fit(training, job);
        }
        {
            JobContext::Span span(job, densityShare, 0.97);
            network_->fit(training, job);
        }
        job.report(0.97, "Calibrating on held-out good images");
        densityCalibration_ = calibrate(*density_, heldOut, job);
        networkCalibration_ = calibrate(*network_, heldOut, job);
        fitted_ = true;
        job.report(1.0, "Trained");
    }

    std::vector<AnomalyResult> predict(const std::vector<cv::Mat>& images) override
    {
        if (!fitted_)
            throw Error("the detector must be trained or loaded before it can score images");
        const std::vector<AnomalyResult> fromDensity = density_->predict(images);
        const std::vector<AnomalyResult> fromNetwork = network_->predict(images);
        const double networkWeight = parameter("network_weight");
        std::vector<AnomalyResult> results(images.size());
        for (size_t i = 0; i < images.size(); ++i) {
            const auto standardMap = [](const AnomalyResult& result, const Calibration& c) {
                return cv::Mat((result.anomalyMap - c.mapMean) / c.mapStd);
            };
            const auto standardScore
                = [](const AnomalyResult& result, const Calibration& c) { return (result.score - c.scoreMean) / c.scoreStd; };
            results[i].anomalyMap = (1 - networkWeight) * standardMap(fromDensity[i], densityCalibration_)
                + networkWeight * standardMap(fromNetwork[i], networkCalibration_);
            results[i].score = float((1 - networkWeight) * standardScore(fromDensity[i], densityCalibration_)
                                     + networkWeight * standardScore(fromNetwork[i], networkCalibration_));
        }
        return results;
    }

    void loadState(torch::serialize::InputArchive& archive) override
    {
        density_ = loadDetector(readBytes(archive, "density_model"));
        network_ = loadDetector(readBytes(archive, "network_model"));
        densityCalibration_ = readCalibration(archive, "density_calibration");
        networkCalibration_ = readCalibration(archive, "network_calibration");
        fitted_ = true;
    }

protected:
    bool isFitted() const override { return fitted_; }

    void writeState(torch::serialize::OutputArchive& archive) const override
    {
        writeBytes(archive, "density_model", density_->saveState());
        writeBytes(archive, "network_model", network_->saveState());
        writeCalibration(archive, "density_calibration", densityCalibration_);
        writeCalibration(archive, "network_calibration", networkCalibration_);
    }

private:
    // The members share this model's image size, shape choice and seed; the density
    // model its backbone and normalisation, the network its budget.
    DetectorSettings memberSettings(const std::string& method) const
    {
        DetectorSettings member = settings_;
        member.method = method;
        member.parameters.clear();
        for (const ParameterSpec& spec : detectorInfo(method).parameters) {
            const auto own = settings_.parameters.find(spec.key);
            if (own != settings_.parameters.end())
                member.parameters[spec.key] = own->second;
        }
        return member;
    }

    static Calibration calibrate(Detector& member, const std::vector<cv::Mat>& images, JobContext& job)
    {
        std::vector<double> scores;
        double sum = 0, sumOfSquares = 0, count = 0;
        for (size_t first = 0; first < images.size(); first += 8) {
            job.throwIfCancelled();
            const std::vector<cv::Mat> batch(images.begin() + long(first),
                                             images.begin() + long(std::min(images.size(), first + 8)));
            for (const AnomalyResult& result : member.predict(batch)) {
                scores.push_back(result.score);
                cv::Scalar mean, std;
                cv::meanStdDev(result.anomalyMap, mean, std);
                const double pixels = double(result.anomalyMap.total());
                sum += mean[0] * pixels;
                sumOfSquares += (std[0] * std[0] + mean[0] * mean[0]) * pixels;
                count += pixels;
            }
        }
        Calibration c;
        c.mapMean = sum / count;
        c.mapStd = std::max(1e-6, std::sqrt(std::max(0.0, sumOfSquares / count - c.mapMean * c.mapMean)));
        double scoreSum = 0, scoreSquares = 0;
        for (double s : scores) {
            scoreSum += s;
            scoreSquares += s * s;
        }
        c.scoreMean = scoreSum / double(scores.size());
        c.scoreStd = std::max(1e-6, std::sqrt(std::max(0.0, scoreSquares / double(scores.size()) - c.scoreMean * c.scoreMean)));
        return c;
    }

    static void writeBytes(torch::serialize::OutputArchive& archive, const std::string& key, std::vector<uint8_t> bytes)
    {
        archive.write(key, torch::from_blob(bytes.data(), {int64_t(bytes.size())}, torch::kUInt8).clone());
    }

    static std::vector<uint8_t> readBytes(torch::serialize::InputArchive& archive, const std::string& key)
    {
        torch::Tensor bytes;
        archive.read(key, bytes);
        bytes = bytes.to(torch::kCPU, torch::kUInt8).contiguous();
        return std::vector<uint8_t>(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    }

    static void writeCalibration(torch::serialize::OutputArchive& archive, const std::string& key, const Calibration& c)
    {
        archive.write(key, torch::tensor({c.mapMean, c.mapStd, c.scoreMean, c.scoreStd}, torch::kFloat64));
    }

    static Calibration readCalibration(torch::serialize::InputArchive& archive, const std::string& key)
    {
        torch::Tensor values;
        archive.read(key, values);
        values = values.to(torch::kCPU, torch::kFloat64).contiguous();
        if (values.numel() != 4)
            throw InputError("model state has an invalid calibration");
        const double* v = values.data_ptr<double>();
        return {v[0], std::max(1e-6, v[1]), v[2], std::max(1e-6, v[3])};
    }

    std::unique_ptr<Detector> density_;
    std::unique_ptr<Detector> network_;
    Calibration densityCalibration_, networkCalibration_;
    bool fitted_ = false;
};

} // namespace

DetectorInfo combinedInfo()
{
    DetectorInfo info {
        "combined",
        "DRAEM + synthetic-anomaly head",
        "The synthetic-anomaly head on the filter bank and a DRAEM network trained from scratch, each standardised on "
        "held-out good images and added: faint departures and out-of-place structures both count.",
        {{"network_weight",
          "Network weight",
          "Share of the DRAEM network in the combined score and map (0: the "
          "synthetic-anomaly head alone, 1: the network alone).",
          0.5,
          0.0,
          1.0,
          false,
          {}}},
        [](const DetectorSettings& settings) { return std::make_unique<Combined>(settings); },
        {}};
    // The members' parameters, offered under their own keys.
    // (Built from the members' entries, not the registry, which is being built.)
    const DetectorInfo members[] = {synthAnomalyInfo(), draemInfo()};
    for (const DetectorInfo& member : members)
        for (const ParameterSpec& spec : member.parameters)
            if (std::none_of(info.parameters.begin(), info.parameters.end(),
                             [&](const ParameterSpec& known) { return known.key == spec.key; }))
                info.parameters.push_back(spec);
    info.networkTrainingSeconds = members[1].networkTrainingSeconds;
    return info;
}

} // namespace ds
