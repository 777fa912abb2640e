#include "core/review/ResultsExport.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/data/Overlay.h"
#include "core/storage/AtomicFile.h"
#include "core/storage/ProjectFile.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <charconv>
#include <filesystem>
#include <map>

namespace ds {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCsvHeader = "path,score,model_verdict,human_verdict,defect_types,label\n";

// RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.
// A field a spreadsheet would run as a formula (leading = + - @, tab or carriage return)
// gets a leading apostrophe, the OWASP remedy, so a folder named "=2+5" stays text.
std::string csvField(std::string text)
{
    if (!text.empty() && std::string("=+-@\t\r").find(text.front()) != std::string::npos)
        text.insert(text.begin(), '\'');
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

// The shortest text that reads back as the same score. Detectors score in float: such a
// score is written as that float ("3.22", not "3.2200000286102295").
std::string scoreText(double score)
{
    char text[32];
    const float asFloat = static_cast<float>(score);
    const std::to_chars_result written = static_cast<double>(asFloat) == score ? std::to_chars(text, text + sizeof text, asFloat)
                                                                               : std::to_chars(text, text + sizeof text, score);
    return std::string(text, written.ptr);
}

// Names of the defect types in mask, ';'-separated in id order.
std::string defectTypesIn(const cv::Mat& mask, const std::map<int, std::string>& typeNames)
{
    if (mask.empty())
        return {};
    const int channels[] = {0};
    const int bins[] = {256};
    const float range[] = {0, 256};
    const float* ranges[] = {range};
    cv::Mat histogram;
    cv::calcHist(&mask, 1, channels, cv::Mat(), histogram, 1, bins, ranges);
    std::string names;
    bool untyped = false;
    for (int value = 1; value < 256; ++value) {
        if (histogram.at<float>(value) == 0.0f)
            continue;
        const auto type = typeNames.find(value);
        if (type == typeNames.end()) {
            untyped = true;
            continue;
        }
        names += (names.empty() ? "" : ";") + type->second;
    }
    if (untyped)
        names += (names.empty() ? "" : ";") + std::string(kUntypedDefectName);
    return names;
}

} // namespace

ResultsExportReport exportResults(const std::string& projectPath, std::int64_t runId, double threshold,
                                  const ResultsExportOptions& options, JobContext& job)
{
    const fs::path csvPath(options.csvPath);
    const fs::path csvFolder = csvPath.parent_path().empty() ? fs::path(".") : csvPath.parent_path();
    std::error_code error;
    if (options.csvPath.empty())
        throw Error("Cannot export results: no CSV file name given");
    if (!fs::is_directory(csvFolder, error))
        throw Error("Cannot export results to '" + options.csvPath + "': folder '" + csvFolder.string() + "' does not exist");
    if (fs::is_directory(csvPath, error))
        throw Error("Cannot export results to '" + options.csvPath + "': it is a folder");

    const ProjectFile project = ProjectFile::openForReading(projectPath);
    if (!project.run(runId))
        throw Error("Project file '" + projectPath + "' has no run with id " + std::to_string(runId));
    const std::vector<ResultRecord> results = project.results(runId, ProjectFile::Heatmaps::Skip);
    const std::map<std::int64_t, ReviewRecord> reviews = project.latestReviews();
    std::map<int, std::string> typeNames;
    for (const DefectType& type : project.defectTypes())
        typeNames.emplace(type.id, type.name);

    const bool writesPngs = !options.pngFolder.empty() && (options.overlays || options.heatmaps || options.masks);
    if (writesPngs) {
        fs::create_directories(options.pngFolder, error);
        if (error)
            throw Error("Cannot export images to '" + options.pngFolder + "': " + error.message());
    }

    ResultsExportReport report;
    std::string csv = kCsvHeader;
    for (size_t i = 0; i < results.size(); ++i) {
        job.throwIfCancelled();
        job.report(double(i) / double(results.size()), "Exporting results");
        const ResultRecord& result = results[i];
        const std::optional<ImageRecord> image = project.image(result.imageId);
        if (!image)
            throw Error("Project file '" + projectPath + "' has a result for a missing image " + std::to_string(result.imageId));
        const cv::Mat mask = project.mask(image->id);
        const auto review = reviews.find(image->id);
        csv += csvField(image->path) + ',' + scoreText(result.score) + ',' + (result.score >= threshold ? "defect" : "good") + ','
            + (review == reviews.end() ? "" : verdictName(review->second.verdict)) + ','
            + csvField(defectTypesIn(mask, typeNames)) + ',' + csvField(image->label) + '\n';
        ++report.rows;
        if (!writesPngs)
            continue;

        // The id keeps test/crack/000.png and test/good/000.png apart.
        const std::string stem
            = (fs::path(options.pngFolder) / (std::to_string(image->id) + "_" + fs::path(image->path).stem().string())).string();
        if (options.masks && !mask.empty()) {
            writePngAtomically(stem + "_mask.png", mask);
            ++report.pngs;
        }
        const cv::Mat heatmap = (options.heatmaps || options.overlays) ? project.heatmap(runId, image->id) : cv::Mat();
        if (heatmap.empty())
            continue;
        if (options.heatmaps) {
            cv::Mat map;
            cv::resize(heatmap, map, cv::Size(image->width, image->height), 0, 0, cv::INTER_LINEAR);
            writePngAtomically(stem + "_heatmap.png", renderHeatmap(map, threshold));
            ++report.pngs;
        }
        if (options.overlays) {
            cv::Mat original;
            try {
                original = loadImageRgb(image->path, image->sha256);
            } catch (const InputError& unreadable) {
                report.skipped.push_back({image->path, unreadable.what()});
                job.log("no overlay for " + std::string(unreadable.what()));
                continue;
            }
            OverlayStyle style;
            style.groundTruth = mask;
            writePngAtomically(stem + "_overlay.png", renderOverlay(original, heatmap, threshold, style));
            ++report.pngs;
        }
    }
    writeFileAtomically(csvPath, csv);
    job.report(1.0, "Exported");
    return report;
}

} // namespace ds
