#pragma once
// What a project holds, as its readers and writers see it: splits, statuses, verdicts and
// the records of images, models, runs, results, reviews and defect types. Free of storage,
// so code that shows or judges them needs no database header.
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace ds {

enum class Split { Train, Test, Holdout };
// "train", "test", "holdout": the names stored in the file and used by the CLI.
inline const char* splitName(Split split)
{
    switch (split) {
    case Split::Train: return "train";
    case Split::Test: return "test";
    case Split::Holdout: return "holdout";
    }
    return "";
}

inline std::optional<Split> splitFromName(const std::string& name)
{
    for (Split split : {Split::Train, Split::Test, Split::Holdout})
        if (name == splitName(split))
            return split;
    return std::nullopt;
}

// Interrupted: the process scoring it was killed or crashed (found when the project is
// opened); it keeps its results and can be resumed or discarded.
enum class RunStatus { Running, Done, Failed, Cancelled, Interrupted };
// "running", "done", "failed", "cancelled", "interrupted".
inline const char* runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Done: return "done";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Interrupted: return "interrupted";
    }
    return "";
}

inline std::optional<RunStatus> runStatusFromName(const std::string& name)
{
    for (RunStatus status :
         {RunStatus::Running, RunStatus::Done, RunStatus::Failed, RunStatus::Cancelled, RunStatus::Interrupted})
        if (name == runStatusName(status))
            return status;
    return std::nullopt;
}

// Label of a defect-free image; any other label names a defect type, except kUnknownLabel.
inline constexpr const char* kGoodLabel = "good";
// An image's label may be "" = unknown (no ground truth), besides "good" and a defect type
// name. Images added from single-part inspection or `infer --images` are unknown.
inline constexpr const char* kUnknownLabel = "";

// A person's verdict on an image.
enum class Verdict { Defect, Good, Unsure };
// "defect", "good", "unsure": the names stored in the file.
inline const char* verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Defect: return "defect";
    case Verdict::Good: return "good";
    case Verdict::Unsure: return "unsure";
    }
    return "";
}

inline std::optional<Verdict> verdictFromName(const std::string& name)
{
    for (Verdict verdict : {Verdict::Defect, Verdict::Good, Verdict::Unsure})
        if (name == verdictName(verdict))
            return verdict;
    return std::nullopt;
}

// What a person was shown when deciding; each part may be absent.
struct ReviewContext {
    std::optional<std::int64_t> modelId;
    std::optional<std::int64_t> runId;
    std::optional<double> threshold; // in score units
};

struct ReviewRecord {
    std::int64_t id = 0; // set by the project
    std::int64_t imageId = 0;
    Verdict verdict = Verdict::Unsure;
    std::string reviewer;
    std::string createdAt; // ISO 8601 UTC, set by the project
    ReviewContext context;
};

struct MaskEditRecord {
    std::int64_t id = 0; // set by the project
    std::int64_t imageId = 0;
    std::string reviewer;
    std::string createdAt; // set by the project
    ReviewContext context;
    std::string action; // what was done, e.g. "brush", "polygon", "undo brush"
    std::int64_t defectPixels = 0; // non-zero pixels after the edit; filled by the project
};

// Mask pixel values: 0 background, 1..254 the DefectType with that id, 255 a defect region
// of no particular type (e.g. a dataset's ground truth imported without its class).
inline constexpr int kUntypedDefect = 255;
// How exports name kUntypedDefect regions; no DefectType may take this name.
inline constexpr const char* kUntypedDefectName = "untyped";
struct DefectType {
    int id = 0; // 1..254
    std::string name;
    std::string color; // "#rrggbb"
};

// Colours that tell regions apart at a glance, offered in turn to new defect types.
inline constexpr const char* kDefectTypeColours[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
                                                     "#bfef45", "#fabed4", "#469990", "#dcbeff", "#9a6324", "#800000"};

// The first of kDefectTypeColours no type of types has; once all are taken, they repeat.
inline std::string unusedDefectTypeColour(const std::vector<DefectType>& types)
{
    for (const char* colour : kDefectTypeColours) {
        bool used = false;
        for (const DefectType& type : types)
            used = used || type.color == colour;
        if (!used)
            return colour;
    }
    return kDefectTypeColours[types.size() % std::size(kDefectTypeColours)];
}

struct ImageRecord {
    std::int64_t id = 0; // set by the project; ignored by addImage
    std::string path; // stored as given (UTF-8)
    std::string sha256; // 64 lowercase hex digits of the file's bytes (sha256HexOfFile)
    int width = 0; // pixels
    int height = 0; // pixels
    Split split = Split::Train;
    std::string label = kGoodLabel;
    bool hasMask = false; // filled when read; ignored by addImage
};

struct ModelRecord {
    std::int64_t id = 0; // set by the project; ignored by addModel
    std::string name;
    std::string method; // detector name, e.g. "patchcore", "padim"
    std::string paramsJson = "{}";
    std::string backbone; // feature extractor name, e.g. "wide_resnet50_2"
    std::vector<std::uint8_t> state; // serialized detector; left empty by models()
    std::int64_t stateBytes = 0; // size of state in bytes; filled when read
    double trainSeconds = 0.0; // wall-clock training time
    int nTrain = 0; // number of training images
    // Good images held out of training to set the threshold; empty for models trained
    // before it was recorded.
    std::optional<int> nHeldOut;
    double threshold = 0.0; // default decision threshold, in score units
    std::string createdAt; // ISO 8601 UTC, set by the project
};

struct RunRecord {
    std::int64_t id = 0;
    std::int64_t modelId = 0;
    std::string createdAt; // ISO 8601 UTC
    std::string finishedAt; // ISO 8601 UTC; empty while running
    RunStatus status = RunStatus::Running;
    double threshold = 0.0; // in score units
    // Wall-clock time the detector took per scored image, in milliseconds (predicting only,
    // not decoding files or storing results: as the CLI's infer_ms_per_image). Empty while
    // running, for runs that scored nothing, and for runs scored before it was recorded.
    std::optional<double> msPerImage;
};

// One image's outcome in a run; the image counts as anomalous when score >= threshold.
struct ResultRecord {
    std::int64_t runId = 0;
    std::int64_t imageId = 0;
    double score = 0.0; // detector's image score
    // Anomaly map, CV_32FC1 in score units, at whatever size the detector produced (the
    // caller resizes it to the image). May be empty. Stored through HeatmapCodec, so read
    // values are within (heatmapMax - heatmapMin) / 65535 of the written ones.
    cv::Mat heatmap;
    float heatmapMin = 0.0f; // range of the stored heatmap; filled when read,
    float heatmapMax = 0.0f; // ignored by addResult (computed from heatmap)
    double threshold = 0.0; // threshold the run applied, in score units
};

} // namespace ds
