#pragma once
#include "core/detectors/Detector.h"
#include "core/jobs/ImageBatchLoader.h"
#include "core/jobs/JobContext.h"

#include <map>
#include <string>
#include <vector>

namespace ds {

// The benchmark figures of one method on one MVTec-layout dataset. Pixel metrics are
// computed at the model's input resolution (masks resized with nearest neighbour) over
// the test images that have a mask or are good; NaN when no defect image has a mask.
struct EvaluationReport {
    std::string dataset;
    std::string method;
    std::string backbone;
    int imageSize = 0;
    int trainCount = 0;
    int testCount = 0;
    double imageAuroc = 0;
    std::map<std::string, double> imageAurocByType; // each defect type's images against every good one
    double pixelAuroc = 0;
    double aupro = 0;
    double f1Max = 0;
    double threshold = 0; // F1-optimal on the test labels
    double trainSeconds = 0;
    double inferMsPerImage = 0; // model time per image (batched), excluding file decoding
    double peakRssMb = 0;
    std::vector<SkippedFile> skipped;
    std::vector<std::string> notes; // what the figures leave out or assume, for the user to read

    // The JSON contract of `defectscope-cli evaluate --json` (keys fixed; NaN -> null).
    std::string toJson() const;
};

// Trains on train/good and scores test/ of the dataset at root.
EvaluationReport evaluateDataset(const std::string& root, const DetectorSettings& settings, JobContext& job);

} // namespace ds
