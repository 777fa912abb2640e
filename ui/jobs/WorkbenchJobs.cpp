#include "ui/jobs/WorkbenchJobs.h"

#include "core/Error.h"
#include "core/data/Dataset.h"
#include "core/jobs/ProjectJobs.h"
#include "report/Report.h"
#include "ui/Wording.h"

namespace ds::ui::jobs {

namespace {

QStringList skippedList(const std::vector<SkippedFile>& skipped)
{
    QStringList lines;
    for (const SkippedFile& file : skipped)
        lines << fromStd(file.path) + QStringLiteral(": ") + fromStd(file.reason);
    return lines;
}

JobOutcome imported(const ds::ImportReport& report, const QString& what)
{
    JobOutcome outcome;
    outcome.message = QStringLiteral("Imported %1 (%2 already in the project).")
                          .arg(countOf(report.added, what, what + QLatin1Char('s')))
                          .arg(report.duplicates);
    outcome.skipped = skippedList(report.skipped);
    return outcome;
}

} // namespace

JobRunner::Work importDataset(const QString& project, const QString& folder)
{
    return [project = project.toStdString(), root = folder.toStdString()](ds::JobContext& job) {
        return imported(ds::importMvtecDataset(project, root, job), QStringLiteral("image"));
    };
}

JobRunner::Work importGoodFolder(const QString& project, const QString& folder)
{
    return [project = project.toStdString(), dir = folder.toStdString()](ds::JobContext& job) {
        const std::vector<ds::DatasetItem> items = ds::readGoodFolder(dir);
        if (items.empty())
            throw ds::InputError("no image files in " + dir);
        return imported(ds::importImages(project, items, ds::Split::Train, job), QStringLiteral("good image"));
    };
}

JobRunner::Work importGoodFiles(const QString& project, const QStringList& files)
{
    std::vector<ds::DatasetItem> items;
    for (const QString& file : files)
        items.push_back({file.toStdString(), ds::kGoodLabel, {}});
    return [project = project.toStdString(), items](ds::JobContext& job) {
        return imported(ds::importImages(project, items, ds::Split::Train, job), QStringLiteral("good image"));
    };
}

JobRunner::Work train(const QString& project, const ds::DetectorSettings& settings, const QString& name,
                      const std::vector<std::int64_t>& moveToTraining)
{
    return [project = project.toStdString(), settings, name = name.toStdString(), moveToTraining](ds::JobContext& job) {
        const ds::TrainOutcome trained = ds::trainModel(project, settings, name, job, moveToTraining);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Trained on %1 in %2 (%3 held out to set the threshold); threshold %4. "
                                         "Score the test images with Ctrl+R.")
                              .arg(countOf(trained.trainCount, QStringLiteral("image"), QStringLiteral("images")))
                              .arg(formatSeconds(trained.trainSeconds))
                              .arg(countOf(trained.heldOutCount, QStringLiteral("image"), QStringLiteral("images")))
                              .arg(trained.threshold, 0, 'f', 4);
        outcome.skipped = skippedList(trained.skipped);
        outcome.selectModelId = trained.modelId;
        return outcome;
    };
}

JobRunner::Work score(const QString& project, std::int64_t modelId, std::int64_t resumeRunId, ScoredImage scored)
{
    return [project = project.toStdString(), modelId, resumeRunId, scored](ds::JobContext& job) {
        const auto onResult = [&scored](const ds::ResultRecord& result) { scored(result.runId, result.imageId, result.score); };
        const ds::InferOutcome inferred = resumeRunId ? ds::resumeRun(project, resumeRunId, job, onResult)
                                                      : ds::inferImages(project, modelId, {}, job, onResult);
        JobOutcome outcome;
        outcome.message
            = QStringLiteral("Scored %1.").arg(countOf(inferred.scored, QStringLiteral("image"), QStringLiteral("images")));
        if (inferred.f1Threshold)
            outcome.message += QStringLiteral(" F1-optimal threshold: %1.").arg(*inferred.f1Threshold, 0, 'f', 4);
        outcome.skipped = skippedList(inferred.skipped);
        outcome.selectModelId = modelId;
        return outcome;
    };
}

JobRunner::Work exportResults(const QString& project, std::int64_t runId, double threshold,
                              const ds::ResultsExportOptions& options)
{
    return [project = project.toStdString(), runId, threshold, options](ds::JobContext& job) {
        const ds::ResultsExportReport report = ds::exportResults(project, runId, threshold, options, job);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Exported %1 rows to %2").arg(report.rows).arg(fromStd(options.csvPath));
        if (report.pngs > 0)
            outcome.message += QStringLiteral(" and %1 PNGs to %2").arg(report.pngs).arg(fromStd(options.pngFolder));
        outcome.message += QLatin1Char('.');
        outcome.skipped = skippedList(report.skipped);
        return outcome;
    };
}

JobRunner::Work writeReport(const QString& project, std::int64_t modelId, double threshold, const QString& path)
{
    const bool html = path.endsWith(QStringLiteral(".html"), Qt::CaseInsensitive);
    return [project = project.toStdString(), modelId, threshold, target = path.toStdString(), html](ds::JobContext& job) {
        const ds::ProjectFile file = ds::ProjectFile::open(project);
        ds::ReportData report;
        {
            ds::JobContext::Span gathering(job, 0.0, 0.7);
            report = ds::gatherReport(file, modelId, threshold, 24, &job);
        }
        job.report(0.75, "Writing the report");
        if (html)
            ds::writeHtmlReport(report, target);
        else
            ds::writePdfReport(report, target);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Report written to %1.").arg(fromStd(target));
        return outcome;
    };
}

} // namespace ds::ui::jobs
