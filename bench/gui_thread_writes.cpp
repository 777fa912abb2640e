// How long the workbench's GUI thread waits on the project file for what a person does:
// a verdict (the write, then the re-read of reviews and truth that follows it), a mask
// edit, a threshold move and a view setting, on a project of N test images with a scored
// run. These stay on the GUI thread only while they are short; the figures say whether.
// Usage: bench_gui_thread_writes [images, default 10000] [repetitions, default 200]
#include "core/review/GroundTruth.h"
#include "core/storage/ProjectFile.h"

#include <QTemporaryDir>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

double medianMs(int repetitions, const std::function<void(int)>& work)
{
    std::vector<double> times;
    for (int i = 0; i < repetitions; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work(i);
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

std::string hashOf(int i)
{
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", i);
    return hex;
}

} // namespace

int main(int argc, char** argv)
{
    const int images = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10000;
    const int repetitions = argc > 2 ? std::max(1, std::atoi(argv[2])) : 200;
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("bench.dsproj")).toStdString();
    ds::ProjectFile project = ds::ProjectFile::openOrCreate(path);
    std::vector<std::int64_t> ids;
    {
        ds::ProjectFile::Transaction transaction(project);
        for (int i = 0; i < images; ++i) {
            ds::ImageRecord image;
            image.path = "/data/test/part_" + std::to_string(i) + ".png";
            image.sha256 = hashOf(i);
            image.width = image.height = 256;
            image.split = ds::Split::Test;
            image.label = i % 5 ? "good" : "scratch";
            ids.push_back(project.addImage(image).id);
        }
        ds::ModelRecord model;
        model.name = "bench";
        model.method = "padim";
        model.backbone = "filterbank";
        model.state = {1};
        const std::int64_t modelId = project.addModel(model);
        const std::int64_t runId = project.beginRun(modelId, 1.0);
        for (int i = 0; i < images; ++i) {
            ds::ResultRecord result;
            result.runId = runId;
            result.imageId = ids[size_t(i)];
            result.score = double(i % 97) / 50.0;
            result.threshold = 1.0;
            result.heatmap = cv::Mat(64, 64, CV_32F, cv::Scalar(float(i % 7)));
            project.addResult(result);
        }
        project.finishRun(runId, ds::RunStatus::Done);
        transaction.commit();
    }
    const std::int64_t modelId = project.models().front().id;

    const double verdict = medianMs(repetitions, [&](int i) {
        ds::ReviewRecord review;
        review.imageId = ids[size_t(i) % ids.size()];
        review.verdict = i % 2 ? ds::Verdict::Good : ds::Verdict::Defect;
        review.reviewer = "bench";
        project.addReview(review);
    });
    const double reread = medianMs(std::max(1, repetitions / 10), [&](int) {
        const auto reviews = project.latestReviews();
        const auto truth = ds::effectiveTruth(project);
        const auto all = project.images();
        if (reviews.empty() || truth.empty() || all.empty())
            std::abort();
    });
    const cv::Mat mask(256, 256, CV_8U, cv::Scalar(0));
    const double maskEdit = medianMs(repetitions, [&](int i) {
        ds::MaskEditRecord edit;
        edit.imageId = ids[size_t(i) % ids.size()];
        edit.reviewer = "bench";
        edit.action = "brush";
        cv::Mat painted = mask.clone();
        cv::circle(painted, {40 + i % 100, 60}, 12, cv::Scalar(255), cv::FILLED);
        project.saveMaskEdit(edit, painted);
    });
    const double threshold = medianMs(repetitions, [&](int i) { project.setChosenThreshold(modelId, 1.0 + i * 1e-3); });
    const double setting = medianMs(
        repetitions, [&](int i) { project.setSetting("view/lastImageId", std::to_string(ids[size_t(i) % ids.size()])); });

    std::printf("project of %d test images with a scored run, median of %d (re-read: %d)\n", images, repetitions,
                std::max(1, repetitions / 10));
    std::printf("verdict write              %8.2f ms\n", verdict);
    std::printf("re-read after a verdict    %8.2f ms (reviews, truth, images)\n", reread);
    std::printf("mask edit (256 px)         %8.2f ms\n", maskEdit);
    std::printf("threshold write            %8.2f ms\n", threshold);
    std::printf("view setting write         %8.2f ms\n", setting);
    return 0;
}
