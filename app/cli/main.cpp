// defectscope-cli: the headless front end. Every verb runs a core job on this thread and
// prints progress to stderr. Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input, 130 cancelled.
#include "core/Error.h"
#include "core/backbones/TorchRuntime.h"
#include "core/data/Dataset.h"
#include "core/data/ImageIO.h"
#include "core/data/Overlay.h"
#include "core/detectors/Detector.h"
#include "core/jobs/ProjectJobs.h"
#include "core/review/ReportData.h"
#include "core/review/ResultsExport.h"
#include "core/storage/AtomicFile.h"
#include "core/storage/ProjectFile.h"
#include "report/Report.h"
#include "app/cli/CliSupport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace {

using namespace ds::cli;

std::optional<double> thresholdOption(const QCommandLineParser& parser)
{
    if (!parser.isSet(QStringLiteral("threshold")))
        return std::nullopt;
    bool ok = false;
    const double value = parser.value(QStringLiteral("threshold")).toDouble(&ok);
    if (!ok || !std::isfinite(value))
        throw UsageError("--threshold needs a number, got '" + str(parser.value(QStringLiteral("threshold"))) + "'");
    return value;
}

void addProjectOption(QCommandLineParser& parser)
{
    parser.addOption({QStringLiteral("project"), QStringLiteral("Project file (.dsproj)."), QStringLiteral("FILE")});
}

void addModelOption(QCommandLineParser& parser)
{
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("Model id (see `info`); default the newest."), QStringLiteral("ID")});
}

void addThresholdOption(QCommandLineParser& parser)
{
    parser.addOption({QStringLiteral("threshold"),
                      QStringLiteral("Threshold in score units; default the one chosen in the workbench, else the run's."),
                      QStringLiteral("T")});
}

// --model, or the newest model. Throws InputError when the project has no such model.
std::int64_t chosenModel(const QCommandLineParser& parser, const ds::ProjectFile& project)
{
    const auto models = project.models();
    if (models.empty())
        throw ds::InputError(project.path() + ": has no trained model (run `train` first)");
    if (!parser.isSet(QStringLiteral("model")))
        return models.back().id;
    const std::int64_t id = intOption(parser, QStringLiteral("model"));
    if (!project.model(id))
        throw ds::InputError(project.path() + ": has no model " + std::to_string(id) + " (see `info`)");
    return id;
}

// Imports --dataset or --images, whichever was given (optionNames() lists the options on
// the command line, so a verb without --dataset is never asked about it); else nothing.
ds::ImportReport importFromOptions(const QCommandLineParser& parser, const std::string& project, ds::JobContext& job,
                                   ds::Split imagesSplit)
{
    if (parser.optionNames().contains(QStringLiteral("dataset")))
        return ds::importMvtecDataset(project, str(parser.value(QStringLiteral("dataset"))), job);
    if (parser.optionNames().contains(QStringLiteral("images"))) {
        const std::string images = str(parser.value(QStringLiteral("images")));
        std::vector<ds::DatasetItem> items;
        if (std::filesystem::is_directory(images))
            items = ds::readGoodFolder(images);
        else
            items.push_back({images, ds::kGoodLabel, {}});
        // Training images are good by definition; new parts to inspect are not known yet.
        if (imagesSplit != ds::Split::Train)
            for (ds::DatasetItem& item : items)
                item.label = ds::kUnknownLabel;
        return ds::importImages(project, items, imagesSplit, job);
    }
    return {};
}

void printImport(const ds::ImportReport& report)
{
    if (report.added || report.duplicates || !report.skipped.empty())
        std::printf("imported %d image(s), %d already in the project\n", report.added, report.duplicates);
    printSkipped(report.skipped);
}

int runImport(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("import"), QStringLiteral("add images to a project (created if missing)."));
    addProjectOption(parser);
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("MVTec-layout folder: train/good and test/* with labels and masks."),
                      QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("images"), QStringLiteral("A folder of good images, or one image file."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("Split for --images: train or test (default train)."),
                      QStringLiteral("split"), QStringLiteral("train")});
    parseOrThrow(parser, arguments);
    const std::string project = str(required(parser, QStringLiteral("project")));
    const auto split = ds::splitFromName(str(parser.value(QStringLiteral("split"))));
    if (!split || *split == ds::Split::Holdout)
        throw UsageError("--split must be train or test");
    if (!parser.isSet(QStringLiteral("dataset")) && !parser.isSet(QStringLiteral("images")))
        throw UsageError("import needs --dataset or --images");
    ConsoleJob console;
    ds::JobContext& job = console.context;
    const ds::ImportReport report = importFromOptions(parser, project, job, *split);
    endConsoleProgress();
    printImport(report);
    return kExitOk;
}

int runTrain(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("train"),
              QStringLiteral("train a model on the project's training images (optionally importing first)."));
    addProjectOption(parser);
    parser.addOption(
        {QStringLiteral("dataset"), QStringLiteral("Import this MVTec-layout folder first."), QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("images"), QStringLiteral("Import this folder of good images first."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Model name shown in lists."), QStringLiteral("text")});
    addDetectorOptions(parser);
    parseOrThrow(parser, arguments);
    const std::string project = str(required(parser, QStringLiteral("project")));
    const ds::DetectorSettings settings = detectorSettingsFrom(parser);
    ConsoleJob console;
    ds::JobContext& job = console.context;
    const ds::ImportReport imported = importFromOptions(parser, project, job, ds::Split::Train);
    endConsoleProgress();
    printImport(imported);
    const ds::TrainOutcome outcome = ds::trainModel(project, settings, str(parser.value(QStringLiteral("name"))), job);
    endConsoleProgress();
    printSkipped(outcome.skipped);
    std::printf("model %lld trained on %d image(s) in %.1f s; threshold %.4g from %d held-out good image(s)\n",
                static_cast<long long>(outcome.modelId), outcome.trainCount, outcome.trainSeconds, outcome.threshold,
                outcome.heldOutCount);
    return kExitOk;
}

int runInfer(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("infer"), QStringLiteral("score images into the project with a trained model."));
    addProjectOption(parser);
    addModelOption(parser);
    parser.addOption({QStringLiteral("images"),
                      QStringLiteral("Import and score these images (folder or file) as test images; default: all test images."),
                      QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("heatmaps"),
                      QStringLiteral("Write <id>_<stem>_heatmap.png and <id>_<stem>_overlay.png per image into DIR."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("resume"),
                      QStringLiteral("Finish an interrupted run (see `info`): score the test images it lacks."),
                      QStringLiteral("RUN")});
    parser.addOption({QStringLiteral("discard"), QStringLiteral("Remove an interrupted run and its results (see `info`)."),
                      QStringLiteral("RUN")});
    parseOrThrow(parser, arguments);
    const std::string projectPath = str(required(parser, QStringLiteral("project")));
    const bool resuming = parser.isSet(QStringLiteral("resume"));
    if (resuming + parser.isSet(QStringLiteral("discard")) + parser.isSet(QStringLiteral("images")) > 1)
        throw UsageError("--resume, --discard and --images exclude each other");
    if (parser.isSet(QStringLiteral("discard"))) {
        ds::ProjectFile project = ds::ProjectFile::open(projectPath);
        const std::int64_t runId = intOption(parser, QStringLiteral("discard"));
        const std::optional<ds::RunRecord> run = project.run(runId);
        if (!run || run->status != ds::RunStatus::Interrupted)
            throw ds::InputError(projectPath + ": has no interrupted run " + std::to_string(runId) + " (see `info`)");
        project.discardRun(runId);
        std::printf("run %lld discarded with its results\n", static_cast<long long>(runId));
        return kExitOk;
    }
    const std::int64_t modelId = resuming ? 0 : chosenModel(parser, ds::ProjectFile::open(projectPath));
    ConsoleJob console;
    ds::JobContext& job = console.context;
    const ds::ImportReport imported = importFromOptions(parser, projectPath, job, ds::Split::Test);
    endConsoleProgress();
    printImport(imported);
    if (parser.isSet(QStringLiteral("images")) && imported.imageIds.empty())
        throw ds::InputError(str(parser.value(QStringLiteral("images"))) + ": no readable image to score");

    const std::string heatmapDir = str(parser.value(QStringLiteral("heatmaps")));
    if (!heatmapDir.empty())
        std::filesystem::create_directories(heatmapDir);
    const ds::ProjectFile reader = ds::ProjectFile::open(projectPath);
    const auto printResult = [&](const ds::ResultRecord& result) {
        const auto image = reader.image(result.imageId);
        const std::string verdict = result.score >= result.threshold ? "DEFECT" : "good";
        endConsoleProgress();
        std::printf("%10.4f  %-6s  %s\n", result.score, verdict.c_str(), image->path.c_str());
        if (heatmapDir.empty())
            return;
        const cv::Mat original = ds::loadImageRgb(image->path);
        // The id keeps test/crack/000.png and test/good/000.png apart.
        const std::string stem = (std::filesystem::path(heatmapDir)
                                  / (std::to_string(image->id) + "_" + std::filesystem::path(image->path).stem().string()))
                                     .string();
        cv::Mat map;
        cv::resize(result.heatmap, map, original.size());
        ds::writePngAtomically(stem + "_heatmap.png", ds::renderHeatmap(map, result.threshold));
        ds::writePngAtomically(stem + "_overlay.png", ds::renderOverlay(original, result.heatmap, result.threshold));
    };
    const ds::InferOutcome outcome = resuming
        ? ds::resumeRun(projectPath, intOption(parser, QStringLiteral("resume")), job, printResult)
        : ds::inferImages(projectPath, modelId, imported.imageIds, job, printResult);
    endConsoleProgress();
    printSkipped(outcome.skipped);
    const std::optional<ds::RunRecord> run = reader.run(outcome.runId);
    std::printf("run %lld: %d image(s) %sscored with model %lld at threshold %.4g\n", static_cast<long long>(outcome.runId),
                outcome.scored, resuming ? "more " : "", static_cast<long long>(run ? run->modelId : modelId), outcome.threshold);
    if (outcome.f1Threshold)
        std::printf("the labelled images suggest an F1-optimal threshold of %.4g\n", *outcome.f1Threshold);
    return kExitOk;
}

int runInfo(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("info"), QStringLiteral("list what a project holds."));
    addProjectOption(parser);
    parseOrThrow(parser, arguments);
    const ds::ProjectFile project = ds::ProjectFile::openForReading(str(required(parser, QStringLiteral("project"))));
    const auto images = project.images();
    const auto count = [&](ds::Split split) {
        return std::count_if(images.begin(), images.end(), [&](const ds::ImageRecord& r) { return r.split == split; });
    };
    std::printf("%s (schema %d)\n", project.path().c_str(), project.schemaVersion());
    std::printf("images: %zu (%ld train, %ld test)\n", images.size(), count(ds::Split::Train), count(ds::Split::Test));
    for (const ds::ModelRecord& model : project.models()) {
        const std::string heldOut = model.nHeldOut ? " (+" + std::to_string(*model.nHeldOut) + " held out)" : "";
        std::printf("model %lld: %s  [%s]  trained on %d%s in %.1f s, threshold %.4g\n", static_cast<long long>(model.id),
                    model.name.c_str(), model.paramsJson.c_str(), model.nTrain, heldOut.c_str(), model.trainSeconds,
                    model.threshold);
        for (const ds::RunRecord& run : project.runs(model.id)) {
            const auto results = project.results(run.id, ds::ProjectFile::Heatmaps::Skip);
            const auto flagged
                = std::count_if(results.begin(), results.end(), [](const ds::ResultRecord& r) { return r.score >= r.threshold; });
            std::printf("  run %lld: %s, %zu image(s), %ld flagged\n", static_cast<long long>(run.id),
                        ds::runStatusName(run.status), results.size(), flagged);
            if (run.status == ds::RunStatus::Interrupted)
                std::printf("    (stopped before it finished: `infer --resume %lld` scores the rest, `infer --discard %lld` "
                            "removes it)\n",
                            static_cast<long long>(run.id), static_cast<long long>(run.id));
        }
    }
    return kExitOk;
}

int runReport(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("report"),
              QStringLiteral("write a report on a model's latest finished run: metrics and plots, the highest-scoring flagged "
                             "images with overlays, reviewers, comparison with the project's other models."));
    addProjectOption(parser);
    addModelOption(parser);
    parser.addOption(
        {QStringLiteral("out"), QStringLiteral("Report file: .pdf (A4) or .html (self-contained)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("top"), QStringLiteral("How many flagged images to show (default 8: a page of the PDF)."),
                      QStringLiteral("N"), QStringLiteral("8")});
    addThresholdOption(parser);
    parseOrThrow(parser, arguments);
    const std::string projectPath = str(required(parser, QStringLiteral("project")));
    const QString out = required(parser, QStringLiteral("out"));
    const QString suffix = QFileInfo(out).suffix().toLower();
    const bool pdf = suffix == QStringLiteral("pdf");
    if (!pdf && suffix != QStringLiteral("html") && suffix != QStringLiteral("htm"))
        throw UsageError("--out must end in .pdf or .html, got '" + str(out) + "'");
    const int top = intOption(parser, QStringLiteral("top"));
    if (top < 0)
        throw UsageError("--top must not be negative");
    const std::optional<double> threshold = thresholdOption(parser);

    const ds::ProjectFile project = ds::ProjectFile::openForReading(projectPath);
    const std::int64_t modelId = chosenModel(parser, project);
    ConsoleJob console;
    const ds::ReportData report = ds::gatherReport(project, modelId, threshold, top, &console.context);
    console.context.report(1.0, "Writing the report");
    if (pdf)
        ds::writePdfReport(report, str(out));
    else
        ds::writeHtmlReport(report, str(out));
    endConsoleProgress();
    std::printf("report on model %lld (run %lld, threshold %.4g, %d of %zu image(s) flagged) written to %s\n",
                static_cast<long long>(modelId), static_cast<long long>(report.measured.run.id), report.threshold.value,
                report.flaggedCount, report.scoredImages.size(), str(out).c_str());
    return kExitOk;
}

int runExport(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("export"),
              QStringLiteral("write a model's latest finished run as CSV (one row per image), optionally with overlay, "
                             "heatmap and mask PNGs."));
    addProjectOption(parser);
    addModelOption(parser);
    parser.addOption({QStringLiteral("csv"), QStringLiteral("CSV file to write."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("png"), QStringLiteral("Also write each image's overlay, heatmap and mask PNGs into DIR."),
                      QStringLiteral("DIR")});
    addThresholdOption(parser);
    parseOrThrow(parser, arguments);
    const std::string projectPath = str(required(parser, QStringLiteral("project")));
    ds::ResultsExportOptions options;
    options.csvPath = str(required(parser, QStringLiteral("csv")));
    options.pngFolder = str(parser.value(QStringLiteral("png")));
    const std::optional<double> givenThreshold = thresholdOption(parser);

    ds::RunRecord run;
    ds::ThresholdChoice threshold;
    {
        const ds::ProjectFile project = ds::ProjectFile::openForReading(projectPath);
        const std::int64_t modelId = chosenModel(parser, project);
        const std::optional<ds::RunRecord> done = project.latestDoneRun(modelId);
        if (!done)
            throw ds::InputError("model " + std::to_string(modelId)
                                 + " has no finished run: score the test images first (`infer`)");
        run = *done;
        threshold = ds::chooseThreshold(project, run, givenThreshold);
    }
    ConsoleJob console;
    const ds::ResultsExportReport exported = ds::exportResults(projectPath, run.id, threshold.value, options, console.context);
    endConsoleProgress();
    printSkipped(exported.skipped);
    std::printf("run %lld of model %lld at threshold %.4g: %d row(s) written to %s", static_cast<long long>(run.id),
                static_cast<long long>(run.modelId), threshold.value, exported.rows, options.csvPath.c_str());
    if (!options.pngFolder.empty())
        std::printf(", %d PNG(s) to %s", exported.pngs, options.pngFolder.c_str());
    std::printf("\n");
    return kExitOk;
}

QtMessageHandler g_previousMessageHandler = nullptr;

// QGuiApplication warns when XDG_RUNTIME_DIR is unset (cron, containers, root) and then
// uses a folder of its own: noise in front of the verb's output, which scripts read.
void dropRuntimeFolderWarning(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (type == QtWarningMsg && message.startsWith(QStringLiteral("QStandardPaths: XDG_RUNTIME_DIR not set")))
        return;
    g_previousMessageHandler(type, context, message);
}

// One defectscope-cli verb: its name, the line the usage lists it with, and what runs it.
struct Verb {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& arguments);
    bool draws; // fonts, plots, PDF: needs a QGuiApplication, and so a platform
};

// Every verb, in the order the usage lists them.
constexpr Verb kVerbs[] = {
    {"evaluate", "train on an MVTec-layout dataset and measure image/pixel AUROC, AUPRO, F1", runEvaluate, false},
    {"compare", "train several methods on one MVTec-layout dataset and measure them side by side", runCompare, false},
    {"demo", "generate the synthetic datasets and evaluate the default detector on each", runDemo, false},
    {"make-demo", "write the synthetic datasets", runMakeDemo, false},
    {"synth-preview", "write samples of the generated defects the from-scratch methods learn from", runSynthPreview, false},
    {"import", "add images (or a dataset) to a project file", runImport, false},
    {"train", "train a model into a project file", runTrain, false},
    {"infer", "score images with a project's model, optionally writing heatmaps", runInfer, false},
    {"info", "list a project's images, models and runs", runInfo, false},
    {"report", "write a PDF or HTML report on a model's results", runReport, true},
    {"export", "write a model's results as CSV (and overlay PNGs)", runExport, false},
};

const Verb* findVerb(const char* name)
{
    for (const Verb& verb : kVerbs)
        if (std::strcmp(verb.name, name) == 0)
            return &verb;
    return nullptr;
}

// A verb that draws gets a QGuiApplication, offscreen when there is no display; the
// others need neither.
std::unique_ptr<QCoreApplication> makeApplication(int& argc, char** argv)
{
    const Verb* verb = argc < 2 ? nullptr : findVerb(argv[1]);
    if (!verb || !verb->draws)
        return std::make_unique<QCoreApplication>(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    g_previousMessageHandler = qInstallMessageHandler(dropRuntimeFolderWarning);
    auto application = std::make_unique<QGuiApplication>(argc, argv);
    qInstallMessageHandler(g_previousMessageHandler);
    return application;
}

void printUsage()
{
    size_t width = 0;
    for (const Verb& verb : kVerbs)
        width = std::max(width, std::strlen(verb.name));
    std::cout << "usage: defectscope-cli VERB [options]   (VERB --help for details)\n";
    for (const Verb& verb : kVerbs)
        std::cout << "  " << std::left << std::setw(int(width)) << verb.name << "  " << verb.summary << "\n";
}

} // namespace

int main(int argc, char* argv[])
{
    ds::restartWithPassiveOpenMp(argv);
    const std::unique_ptr<QCoreApplication> app = makeApplication(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("defectscope-cli"));
    std::signal(SIGINT, cancelOnSignal);
    std::signal(SIGTERM, cancelOnSignal);

    QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2 || arguments[1] == QStringLiteral("--help") || arguments[1] == QStringLiteral("-h")) {
        printUsage();
        return arguments.size() < 2 ? kExitUsage : kExitOk;
    }
    const QString verb = arguments.takeAt(1);
    try {
        if (const Verb* known = findVerb(verb.toUtf8().constData()))
            return known->run(arguments);
        if (verb == QStringLiteral("--version")) {
            std::printf("defectscope-cli %s (LibTorch %s)\n", DEFECTSCOPE_VERSION, ds::torchVersion().c_str());
            return kExitOk;
        }
        std::cerr << "unknown verb '" << str(verb) << "'\n";
        printUsage();
        return kExitUsage;
    } catch (const UsageError& e) {
        std::cerr << "defectscope-cli " << str(verb) << ": " << e.what() << "\n(try: defectscope-cli " << str(verb)
                  << " --help)\n";
        return kExitUsage;
    } catch (const ds::Cancelled&) {
        endConsoleProgress();
        std::cerr << "cancelled; the interrupted step wrote nothing\n";
        return kExitCancelled;
    } catch (const ds::InputError& e) {
        endConsoleProgress();
        std::cerr << "error: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {
        endConsoleProgress();
        std::cerr << "error: " << e.what() << "\n";
        return kExitFailure;
    }
}
