// defectscope-cli's verbs on MVTec-layout datasets: evaluate, compare, make-demo, demo.
#include "app/cli/CliSupport.h"
#include "core/jobs/EvaluateJob.h"
#include "core/storage/AtomicFile.h"
#include "datasets/SyntheticDataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace ds::cli {
namespace {

void printEvaluation(const ds::EvaluationReport& report)
{
    std::printf("%s  %s / %s / %d px  (%d train, %d test)\n", report.dataset.c_str(), report.method.c_str(),
                report.backbone.c_str(), report.imageSize, report.trainCount, report.testCount);
    std::printf("  image AUROC %s   pixel AUROC %s   AUPRO %s   F1-max %s at threshold %.4g\n",
                formatMetric(report.imageAuroc).c_str(), formatMetric(report.pixelAuroc).c_str(),
                formatMetric(report.aupro).c_str(), formatMetric(report.f1Max).c_str(), report.threshold);
    if (report.imageAurocByType.size() > 1) {
        std::printf("  image AUROC by type:");
        for (const auto& [type, auroc] : report.imageAurocByType)
            std::printf(" %s %s", type.c_str(), formatMetric(auroc).c_str());
        std::printf("\n");
    }
    std::printf("  train %.1f s   inference %.1f ms/image   peak memory %.0f MB\n", report.trainSeconds, report.inferMsPerImage,
                report.peakRssMb);
}

} // namespace

int runEvaluate(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("evaluate"), QStringLiteral("train on DIR/train/good, score DIR/test, print metrics."));
    parser.addOption(
        {QStringLiteral("dataset"), QStringLiteral("Dataset folder in the MVTec AD layout."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Also write the figures as JSON to OUT."), QStringLiteral("OUT")});
    addDetectorOptions(parser);
    parseOrThrow(parser, arguments);
    const std::string root = str(required(parser, QStringLiteral("dataset")));
    const ds::DetectorSettings settings = detectorSettingsFrom(parser);

    ConsoleJob console;
    ds::JobContext& job = console.context;
    const ds::EvaluationReport report = ds::evaluateDataset(root, settings, job);
    endConsoleProgress();
    printSkipped(report.skipped);
    for (const std::string& note : report.notes)
        std::fprintf(stderr, "note: %s\n", note.c_str());
    printEvaluation(report);
    if (parser.isSet(QStringLiteral("json"))) {
        const std::string out = str(parser.value(QStringLiteral("json")));
        ds::writeFileAtomically(out, report.toJson()); // whole or not at all, never through a planted symlink
    }
    return kExitOk;
}

namespace {

// One line per method, the columns of Compare Models and of docs/BENCHMARKS.md.
void printComparison(const std::vector<ds::EvaluationReport>& reports)
{
    const ds::EvaluationReport& first = reports.front();
    std::printf("%s  %s / %d px  (%d train, %d test)\n", first.dataset.c_str(), first.backbone.c_str(), first.imageSize,
                first.trainCount, first.testCount);
    std::printf("  %-22s %11s %11s %7s %7s %9s %9s\n", "method", "image AUROC", "pixel AUROC", "AUPRO", "F1-max", "train s",
                "ms/image");
    for (const ds::EvaluationReport& report : reports)
        std::printf("  %-22s %11s %11s %7s %7s %9.1f %9.1f\n", report.method.c_str(), formatMetric(report.imageAuroc).c_str(),
                    formatMetric(report.pixelAuroc).c_str(), formatMetric(report.aupro).c_str(),
                    formatMetric(report.f1Max).c_str(), report.trainSeconds, report.inferMsPerImage);
}

} // namespace

int runCompare(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("compare"),
              QStringLiteral("train each method on DIR/train/good, score DIR/test, print one table."));
    parser.addOption(
        {QStringLiteral("dataset"), QStringLiteral("Dataset folder in the MVTec AD layout."), QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("methods"), QStringLiteral("Methods to compare, separated by commas."), QStringLiteral("a,b,c")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Also write every method's figures as a JSON array to OUT."),
                      QStringLiteral("OUT")});
    addDetectorOptions(parser);
    parseOrThrow(parser, arguments);
    const std::string root = str(required(parser, QStringLiteral("dataset")));
    if (parser.isSet(QStringLiteral("method")))
        throw UsageError("compare takes --methods a,b,c (not --method)");
    // Each method's settings before any training (an unknown name fails here): a --param
    // must reach at least one of them.
    std::vector<ds::DetectorSettings> settings;
    for (const QString& method : required(parser, QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        settings.push_back(detectorSettingsFrom(parser, str(method.trimmed()), true));
    if (settings.empty())
        throw UsageError("--methods needs at least one method");
    for (const QString& entry : parser.values(QStringLiteral("param"))) {
        const std::string key = str(entry.section(QLatin1Char('='), 0, 0));
        if (std::none_of(settings.begin(), settings.end(),
                         [&](const ds::DetectorSettings& chosen) { return chosen.parameters.count(key) > 0; }))
            throw UsageError("none of the methods has a parameter '" + key + "'");
    }

    ConsoleJob console;
    ds::JobContext& job = console.context;
    std::vector<ds::EvaluationReport> reports;
    for (size_t i = 0; i < settings.size(); ++i) {
        ds::JobContext::Span span(job, double(i) / double(settings.size()), double(i + 1) / double(settings.size()));
        reports.push_back(ds::evaluateDataset(root, settings[i], job));
        endConsoleProgress();
    }
    printSkipped(reports.front().skipped);
    printComparison(reports);
    if (parser.isSet(QStringLiteral("json"))) {
        std::string json = "[\n";
        for (size_t i = 0; i < reports.size(); ++i)
            json += reports[i].toJson() + (i + 1 < reports.size() ? ",\n" : "\n");
        ds::writeFileAtomically(str(parser.value(QStringLiteral("json"))), json + "]\n");
    }
    return kExitOk;
}

int runMakeDemo(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("make-demo"), QStringLiteral("write the synthetic datasets (MVTec AD layout) into DIR."));
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Folder to write into (created if missing)."));
    parser.addOption({QStringLiteral("size"), QStringLiteral("Image side in pixels (default 256)."), QStringLiteral("pixels"),
                      QStringLiteral("256")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed (default 1)."), QStringLiteral("n"), QStringLiteral("1")});
    parseOrThrow(parser, arguments);
    if (parser.positionalArguments().size() != 1)
        throw UsageError("make-demo needs exactly one DIR");
    const std::string root = str(parser.positionalArguments().front());
    for (const std::string& category : ds::syntheticCategories()) {
        ds::SyntheticSpec spec;
        spec.category = category;
        spec.imageSize = intOption(parser, QStringLiteral("size"));
        spec.seed = unsigned(intOption(parser, QStringLiteral("seed")));
        std::cout << ds::writeSyntheticDataset(root, spec) << "\n";
    }
    return kExitOk;
}

int runDemo(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(
        parser, QStringLiteral("demo"),
        QStringLiteral("headless demo: generate the synthetic datasets, train the default detector on each, print its metrics."));
    parser.addOption({QStringLiteral("dir"), QStringLiteral("Where the datasets go (default ./demo)."), QStringLiteral("DIR"),
                      QStringLiteral("demo")});
    addDetectorOptions(parser);
    parseOrThrow(parser, arguments);
    const std::string root = str(parser.value(QStringLiteral("dir")));
    const ds::DetectorSettings settings = detectorSettingsFrom(parser);
    ConsoleJob console;
    ds::JobContext& job = console.context;
    for (const std::string& category : ds::syntheticCategories()) {
        ds::SyntheticSpec spec;
        spec.category = category;
        const std::string folder = (std::filesystem::path(root) / category / "train").string();
        const std::string dataset = std::filesystem::exists(folder) ? (std::filesystem::path(root) / category).string()
                                                                    : ds::writeSyntheticDataset(root, spec);
        const ds::EvaluationReport report = ds::evaluateDataset(dataset, settings, job);
        endConsoleProgress();
        printEvaluation(report);
    }
    return kExitOk;
}

} // namespace ds::cli
