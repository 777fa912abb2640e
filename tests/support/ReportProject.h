#pragma once
// A small project as reports see it: the machined part at 64 px scored by a PaDiM and a
// PatchCore model, a model never scored, an unlabelled test image, a mask with a typed
// defect region and reviews by two people. Shared by the report data and writer suites.
#include "core/jobs/ProjectJobs.h"
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace ds::test {

struct ReportProject {
    std::string path;
    std::int64_t padim = 0;
    std::int64_t padimRun = 0;
    std::int64_t patchcore = 0;
    std::int64_t patchcoreRun = 0;
    std::int64_t unscored = 0; // a model with no run
    std::int64_t unlabelled = 0; // test image without a label; ben judged it defective
    std::int64_t typedMask = 0; // defective image whose mask holds a "scratch" region
    int scratch = 0; // that defect type's id
    // ana judged a good image defective and a defective one good, each with the PaDiM run
    // and a threshold just under its score in context: the first agrees with the model,
    // the second does not. ben gave an Unsure with full context, a Defect without context
    // and a Good without a threshold: none of them comparable.
    std::int64_t goodJudgedDefect = 0;
    std::int64_t defectJudgedGood = 0;
};

inline ReviewRecord reviewOf(std::int64_t imageId, Verdict verdict, const std::string& reviewer, ReviewContext context = {})
{
    ReviewRecord review;
    review.imageId = imageId;
    review.verdict = verdict;
    review.reviewer = reviewer;
    review.context = context;
    return review;
}

inline ReportProject makeReportProject(const std::string& folder)
{
    ReportProject made;
    const std::string dataset = writeSyntheticDataset(folder + "/data", smallPartSpec());
    made.path = folder + "/report.dsproj";
    JobContext job;
    importMvtecDataset(made.path, dataset, job);
    // A good test image mirrored: other content, so not taken for a duplicate.
    cv::Mat mirrored;
    cv::flip(cv::imread(dataset + "/test/good/000.png"), mirrored, 1);
    const std::string unlabelledPath = folder + "/unlabelled.png";
    cv::imwrite(unlabelledPath, mirrored);
    made.unlabelled = importImages(made.path, {{unlabelledPath, kUnknownLabel, ""}}, Split::Test, job).imageIds.at(0);

    made.padim = trainModel(made.path, smallSettings("padim"), "PaDiM small", job).modelId;
    made.padimRun = inferImages(made.path, made.padim, {}, job).runId;
    made.patchcore = trainModel(made.path, smallSettings("patchcore"), "PatchCore small", job).modelId;
    made.patchcoreRun = inferImages(made.path, made.patchcore, {}, job).runId;

    ProjectFile project = ProjectFile::open(made.path);
    ModelRecord unscored;
    unscored.name = "never scored";
    unscored.method = "padim";
    unscored.backbone = "resnet18";
    made.unscored = project.addModel(unscored);

    std::map<std::int64_t, double> scores;
    for (const ResultRecord& result : project.results(made.padimRun, ProjectFile::Heatmaps::Skip))
        scores[result.imageId] = result.score;
    std::vector<std::int64_t> good, defective;
    for (const ImageRecord& image : project.images(Split::Test)) {
        if (image.label == kGoodLabel)
            good.push_back(image.id);
        else if (image.hasMask)
            defective.push_back(image.id);
    }
    made.goodJudgedDefect = good.at(0);
    made.defectJudgedGood = defective.at(0);
    made.typedMask = defective.at(1);

    const auto justUnder = [&](std::int64_t imageId) {
        return ReviewContext {made.padim, made.padimRun, scores.at(imageId) - 1.0};
    };
    project.addReview(reviewOf(made.goodJudgedDefect, Verdict::Defect, "ana", justUnder(made.goodJudgedDefect)));
    project.addReview(reviewOf(made.defectJudgedGood, Verdict::Good, "ana", justUnder(made.defectJudgedGood)));
    project.addReview(reviewOf(defective.at(2), Verdict::Unsure, "ben", justUnder(defective.at(2))));
    project.addReview(reviewOf(made.unlabelled, Verdict::Defect, "ben"));
    project.addReview(reviewOf(good.at(1), Verdict::Good, "ben", ReviewContext {made.padim, made.padimRun, std::nullopt}));

    // The dataset's classes were imported as defect types. This mask's region is made
    // untyped but for a scratch brushed in its corner, so it holds both kinds.
    const std::vector<DefectType> types = project.defectTypes();
    made.scratch = std::find_if(types.begin(), types.end(), [](const DefectType& type) { return type.name == "scratch"; })->id;
    cv::Mat mask = project.mask(made.typedMask);
    mask.setTo(kUntypedDefect, mask != 0);
    mask(cv::Rect(0, 0, 3, 3)).setTo(made.scratch);
    MaskEditRecord edit;
    edit.imageId = made.typedMask;
    edit.reviewer = "ana";
    edit.action = "brush";
    project.saveMaskEdit(edit, mask);
    return made;
}

} // namespace ds::test
